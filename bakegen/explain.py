"""`bakegen explain TARGET`: every resolved field of one target and where it came from."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, assert_never

from bakegen.attributes import PASSED_THROUGH, Attribute, Kind
from bakegen.errors import KeyPath, UnknownTargetError, format_key_path
from bakegen.matrix.names import suggest
from bakegen.pipeline import Compiled
from bakegen.resolve.targets import Target
from bakegen.templating import Text, plain

BUILTIN = "bakegen"
# An optional arg: bake passes it only while its value is not empty.
OPTIONAL = "  (left out when empty)"


@dataclass(frozen=True)
class Row:
    field: str
    value: str
    origin: str  # "file:line:col key.path", or a word for built-in values


def find(compiled: Compiled, name: str) -> Target:
    targets = {t.name: t for t in compiled.resolution.targets}
    if name not in targets:
        hint = suggest(name, list(targets))
        raise UnknownTargetError(
            f"no target {name!r}" + (f"; {hint}" if hint else "; see `bakegen list`")
        )
    return targets[name]


def rows(compiled: Compiled, target: Target) -> list[Row]:
    source = compiled.matrix.source

    def where(key: str, fallback: KeyPath | str | None = None) -> str:
        path = target.origins.get(key, fallback)
        if path is None or isinstance(path, str):
            return path or f"{BUILTIN} default"
        return f"{source.locate(path)} {format_key_path(path)}"

    def text(value: Text) -> str:
        return plain(value)

    out = [
        Row("kind", target.kind, BUILTIN),
        *(
            Row(f"axis.{axis}", value, where(f"axis.{axis}", ("axes", axis, "values", value)))
            for axis, value in target.values
        ),
        Row("description", text(target.description), where("description")),
        Row("context", text(target.context), where("context")),
        Row("dockerfile", text(target.dockerfile), where("dockerfile")),
        Row("target", text(target.stage) or "(the last stage)", where("stage")),
        Row("platforms", ", ".join(target.platforms) or "(the builder's)", where("platforms")),
    ]
    out += [
        Row(
            f"args.{k}",
            text(v) + (OPTIONAL if k in target.optional_args else ""),
            where(f"args.{k}"),
        )
        for k, v in target.args
    ]
    for key, value in target.labels:
        builtin = key in ("org.opencontainers.image.revision", "org.opencontainers.image.version")
        out.append(
            Row(
                f"labels.{key}",
                text(value),
                where(f"labels.{key}", f"{BUILTIN}: always set" if builtin else None),
            )
        )
    for key, value in target.contexts:
        out.append(Row(f"contexts.{key}", text(value), where(target.context_origin(key))))
    out += [Row(f"tags[{i}]", text(t), where(f"tags.{i}")) for i, t in enumerate(target.tags)]
    out += [
        Row(f"tags[latest {i}]", text(t) + "  (while TAG_LATEST)", where(f"latest.{i}"))
        for i, t in enumerate(target.latest_tags)
    ]
    out += [
        Row(f"secret[{i}]", s.bake_spec(), where("secrets")) for i, s in enumerate(target.secrets)
    ]
    out += [
        Row(f"cache-from[{i}]", text(c), where("cache")) for i, c in enumerate(target.cache_from)
    ]
    out += [
        Row(f"cache-to[{i}]", text(c) + "  (while CACHE_EXPORT)", where("cache"))
        for i, c in enumerate(target.cache_to)
    ]
    for backend, cache_from, cache_to in target.cache_choices:
        out += [
            Row(f"cache-from[{i}]", f"{text(c)}  (while CACHE_BACKEND={backend})", where("cache"))
            for i, c in enumerate(cache_from)
        ]
        out += [
            Row(
                f"cache-to[{i}]",
                f"{text(c)}  (while CACHE_EXPORT and CACHE_BACKEND={backend})",
                where("cache"),
            )
            for i, c in enumerate(cache_to)
        ]
    extra = dict(target.extra)
    for row in PASSED_THROUGH:
        if row.bake_key in extra:
            for suffix, shown, origin in _entries(row, extra[row.bake_key]):
                out.append(Row(row.bake_key + suffix, shown, where(origin)))
    out += [Row("depends_on", ", ".join(target.depends_on) or "(nothing)", BUILTIN)]
    return out


def _entries(row: Attribute, value: Any) -> list[tuple[str, str, str]]:
    """(field suffix, value shown, origin key) for each entry of a passed-through value."""
    match row.kind:
        case Kind.TEXT:
            return [("", plain(value), row.name)]
        case Kind.TEXT_LIST:
            return [(f"[{i}]", plain(v), row.name) for i, v in enumerate(value)]
        case Kind.NAMES:
            return [(f"[{i}]", v, row.name) for i, v in enumerate(value)]
        case Kind.TEXT_MAP:
            return [(f".{k}", plain(v), f"{row.name}.{k}") for k, v in value]
        case Kind.FLAG:
            return [("", "true" if value else "false", row.name)]
        case Kind.OTHER:
            return [("", repr(value), row.name)]
        case _:
            assert_never(row.kind)


def as_text(target: Target, table: list[Row]) -> str:
    width = max(len(r.field) for r in table)
    value_width = min(max(len(r.value) for r in table), 60)
    lines = [f"target {target.name}"]
    for row in table:
        lines.append(f"  {row.field.ljust(width)}  {row.value.ljust(value_width)}  {row.origin}")
    return "\n".join(line.rstrip() for line in lines) + "\n"


def as_json(target: Target, table: list[Row]) -> str:
    return (
        json.dumps(
            {
                "target": target.name,
                "fields": [{"field": r.field, "value": r.value, "origin": r.origin} for r in table],
            },
            indent=2,
        )
        + "\n"
    )
