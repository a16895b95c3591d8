"""Outputs, attestations and annotations read the way buildx reads them, from their final
text (docs/matrix.md, "Outputs, annotations, attestations and optional args").

buildx splits an output or attestation as a CSV record of `key=value` fields, and an
annotation as `[types:]key=value`. A placeholder's value that holds a ',' or '=' would add a
field after bakegen's checks (`x,type=registry,name=evil.example/pwn,push=true`), so each
value is parsed after templating and must have the fields its template has."""

from __future__ import annotations

import csv
import posixpath
import re
from collections.abc import Iterator
from typing import Any

from bakegen.errors import ExportError, KeyPath, Problem
from bakegen.matrix.tags import IMAGE
from bakegen.resolve.targets import Target
from bakegen.templating import Text, Var, plain

OUTPUT_TYPES = frozenset({"local", "tar", "oci", "docker", "image", "registry", "cacheonly"})
ATTEST_TYPES = frozenset({"sbom", "provenance"})
ANNOTATION_TYPES = frozenset({"manifest", "manifest-descriptor", "index", "index-descriptor"})
_ANNOTATION_TYPE = re.compile(r"^([a-z-]+)(?:\[([a-z0-9_./-]+)\])?$")
_ANNOTATION_KEY = re.compile(r"^[^\s=:,\[\]]+$")
# Bake variables whose values the bake file checks (or bakegen computes): safe inside a field.
CHECKED = frozenset({"VERSION", "COMMIT_SHA", "IMAGE", "BUILD_DATE", "BUILD_TIME"})
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{[^{}]*\}")
Fields = list[tuple[str, str]]


def unchecked(text: Text, also: frozenset[str] = frozenset()) -> list[str]:
    """The bake variables of `text`, in order, whose values nothing checks (neither CHECKED
    nor `also`): set at bake time, a value could add fields after every check here."""
    return list(
        dict.fromkeys(p.name for p in text if isinstance(p, Var) and p.name not in CHECKED | also)
    )


def _flat(text: Text) -> str:
    """The text with each checked variable as a plain word (its value cannot hold ',' or
    '='); any other variable is refused: its value is set at bake time, unchecked."""
    names = unchecked(text)
    if names:
        raise ExportError(
            f"${{{names[0]}}} is set at bake time and not checked: its value could "
            "add fields; use an axis value or a fixed text"
        )
    return "".join(p if isinstance(p, str) else p.name for p in text)


def csv_fields(value: str) -> Fields:
    """The `key=value` fields of a CSV record as buildx reads it (keys in lower case)."""
    if not value.strip():
        raise ExportError("is empty")
    if any(c in value for c in "\n\r\0"):
        raise ExportError("holds a line break or NUL")
    try:
        rows = list(csv.reader([value], strict=True))
    except csv.Error as exc:
        raise ExportError(f"is not a CSV record ({exc})") from None
    fields: Fields = []
    for field in rows[0] if rows else []:
        key, sep, val = field.partition("=")
        if not sep or not key.strip():
            raise ExportError(f"field {field!r} is not key=value")
        fields.append((key.strip().lower(), val))
    keys = [k for k, _ in fields]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        raise ExportError(f"gives {', '.join(twice)} twice")
    return fields


def annotation_parts(value: str) -> tuple[tuple[str, ...], str]:
    """The types and key of an annotation `[type[,type][platform]...:]key=value`."""
    if any(c in value for c in "\n\r\0"):
        raise ExportError("holds a line break or NUL")
    head, sep, _ = value.partition("=")
    if not sep:
        raise ExportError("is not key=value")
    types_text, colon, key = head.partition(":")
    if not colon:
        types_text, key = "", head
    if not _ANNOTATION_KEY.match(key):
        raise ExportError(f"the key {key!r} is empty or holds spaces, ':', ',' or brackets")
    types = tuple(types_text.split(",")) if colon else ()
    for kind in types:
        found = _ANNOTATION_TYPE.match(kind)
        if not found or found[1] not in ANNOTATION_TYPES:
            raise ExportError(
                f"the type {kind!r} is not one of {', '.join(sorted(ANNOTATION_TYPES))} "
                "(with an optional [platform])"
            )
    return types, key


def _shape(template: str) -> str:
    """The template with each placeholder a plain word: the fields it means to have."""
    return _PLACEHOLDER.sub(lambda m: m[0][0] if m[0] in ("{{", "}}") else "x", template)


def _keys(kind: str, value: str) -> tuple[str, ...]:
    if kind == "annotations":
        types, _ = annotation_parts(value)
        return (*types, "=")
    return tuple(k for k, _ in csv_fields(value))


def inside_project(dest: str) -> bool:
    """Whether a relative destination stays inside the folder bake runs in."""
    normal = posixpath.normpath(dest)
    return not (posixpath.isabs(dest) or normal in (".", "..") or normal.startswith("../"))


def _own_name(name: str, target: Target) -> bool:
    if target.by_digest and name == IMAGE.name:
        return True  # the image's repository, which a cell pushed by digest is built for
    tags = {"".join(p if isinstance(p, str) else p.name for p in t) for t in target.tags}
    tags |= {"".join(p if isinstance(p, str) else p.name for p in t) for t in target.latest_tags}
    return name in tags or any(t.rpartition(":")[0] == name for t in tags)


def check_entry(
    kind: str, text: Text, template: str | None, target: Target, outside: bool
) -> tuple[str, tuple[str, ...]]:
    """One output, attestation or annotation: ExportError when buildx would refuse it or
    read more into it than its template says; else (destination or '', names pushed)."""
    value = _flat(text)
    keys = _keys(kind, value)
    if template is not None:
        meant = _keys(kind, _shape(template))
        if keys != meant:
            raise ExportError(
                f"a placeholder's value changes its fields from {', '.join(meant)} to "
                f"{', '.join(keys)}"
            )
    if kind != "output" and kind != "attest":
        return "", ()
    fields = dict(csv_fields(value))
    kind_name = fields.get("type", "")
    known = OUTPUT_TYPES if kind == "output" else ATTEST_TYPES
    if kind_name not in known:
        raise ExportError(
            f"type {kind_name or '(none)'!r} is not one of {', '.join(sorted(known))}"
        )
    if kind == "attest":
        return "", ()
    dest = fields.get("dest", "")
    if dest and not outside and not inside_project(dest):
        raise ExportError(
            f"dest={dest} is outside the project; set `exports: {{outside_project: true}}` "
            "to allow it"
        )
    by_digest = fields.get("push-by-digest", "").lower() in ("true", "1")
    if by_digest and not target.by_digest and not target.tags:
        # Written by hand on a cell without tags, the output would push but nothing after
        # render would know: ci would file the cell as a cache-only job and manifest would
        # have nothing to join.
        raise ExportError(
            "pushes by digest: set `image.push_by_digest: true` instead of writing the "
            "output, so that `bakegen ci` files the cells as push jobs and `bakegen manifest "
            "--metadata` joins their digests"
        )
    pushes = kind_name == "registry" or fields.get("push", "").lower() in ("true", "1")
    names = tuple(n for n in fields.get("name", "").split(",") if n) if pushes else ()
    for name in names:
        if not _own_name(name, target):
            raise ExportError(f"pushes {name!r}, which is not one of {target.name}'s own tags")
    return (posixpath.normpath(dest) if dest else ""), names


def _templates(data: Any, where: KeyPath) -> list[Any] | None:
    node = data
    for key in where:
        if isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            node = node[key]
            continue
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node if isinstance(node, list) else None


def export_problems(
    targets: tuple[Target, ...], data: Any, outside: bool
) -> Iterator[tuple[KeyPath, str]]:
    """(Key path, message) of every output, attestation and annotation buildx would refuse or
    read unlike its template, and of two targets exporting to one place."""
    places: dict[str, str] = {}
    for target in targets:
        for kind, value in target.extra:
            if kind not in ("output", "attest", "annotations"):
                continue
            origin = target.origins.get(kind if kind != "annotations" else "annotations", ())
            raw = _templates(data, origin)
            for i, text in enumerate(value):
                template = raw[i] if raw is not None and i < len(raw) else None
                try:
                    dest, _ = check_entry(
                        kind, text, template if isinstance(template, str) else None, target, outside
                    )
                except ExportError as exc:
                    yield (*origin, i), f"{target.name}: {kind} {plain(text)!r} {exc}"
                    continue
                first = places.setdefault(dest, target.name) if dest else target.name
                if first != target.name:
                    clash = f"{first} and {target.name} both export to {dest}: one would overwrite"
                    yield (*origin, i), clash


def export_check(targets: tuple[Target, ...], data: Any, outside: bool) -> list[Problem]:
    return [
        Problem(path=path, message=message, hint="see docs/matrix.md, Outputs")
        for path, message in export_problems(targets, data, outside)
    ]
