"""Stage 5, render: a BakeFile → docker-bake.hcl (Jinja templates) or docker-bake.json."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator, Mapping
from functools import cache, lru_cache
from json.encoder import encode_basestring_ascii as _json_string
from pathlib import Path
from typing import Any, assert_never

import jinja2

from bakegen.attributes import BAKE_KEYS, Kind
from bakegen.bakefile import BakeFile
from bakegen.blocks import Block
from bakegen.errors import RenderError
from bakegen.gitmeta import GitInfo
from bakegen.hcl import (
    Expr,
    escape_template,
    hcl_key,
    hcl_list,
    hcl_string,
    json_dumps,
    json_template,
)
from bakegen.templating import Text
from bakegen.variables import Variable

MAX_ALIGN = 48


def templates_dir() -> Path:
    """Templates ship inside the wheel; an editable install reads the repository's copy."""
    packaged = Path(__file__).parent / "templates"
    return packaged if packaged.is_dir() else Path(__file__).parent.parent / "templates"


def _hcl_value(value: Any) -> str:
    """Values bakegen itself writes: expressions, flags and strings."""
    if isinstance(value, Expr):
        return value.source
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return hcl_string(value)
    raise TypeError(f"no HCL form for {value!r}")


def _hcl_attribute(value: Any, kind: Kind) -> str:
    """A target attribute's value, written as its kind in the registry says."""
    if isinstance(value, Expr):
        return value.source
    match kind:
        case Kind.TEXT:
            return hcl_string(value)
        case Kind.NAMES:
            return _hcl_names(value)
        case Kind.TEXT_LIST:
            return hcl_list(value)
        case Kind.TEXT_MAP:
            return _hcl_map(value)
        case Kind.FLAG:
            return "true" if value else "false"
        case Kind.OTHER:
            raise TypeError(f"no HCL form for {value!r}")
        case _:
            assert_never(kind)


@lru_cache(maxsize=4096)
def _hcl_map(pairs: tuple[tuple[str, Text], ...], indent: str = "  ") -> str:
    # Cached: targets of one CUDA version or platform share their maps (contexts, args).
    keys = [hcl_key(k) for k, _ in pairs]
    # Keys are aligned for reading; a very long key is not, so it cannot pad every line.
    width = max((len(k) for k in keys if len(k) <= MAX_ALIGN), default=0)
    lines = [
        f"{indent}  {key.ljust(width)} = {_hcl_entry(v)}"
        for key, (_, v) in zip(keys, pairs, strict=True)
    ]
    return "{\n" + "\n".join(lines) + f"\n{indent}}}"


def _hcl_entry(value: Text | Expr) -> str:
    """A map entry: a string, or an expression bakegen wrote (an arg dropped when empty)."""
    return value.source if isinstance(value, Expr) else hcl_string(value)


def _hcl_strings(items: tuple[str, ...]) -> str:
    return hcl_list(items)


def _hcl_target(block: Block) -> str:
    """A `target` block: inherits first, then each attribute as the registry orders them."""
    lines = [f"target {hcl_string(block.name)} {{"]
    if block.inherits:
        lines.append(f"  inherits    = {_hcl_names(block.inherits)}")
    own = dict(block.values)
    for name, lead, kind in _KEYS_IN_ORDER:
        if name in own:
            lines.append(lead + _hcl_attribute(own[name], kind))
    lines.append("}")
    return "\n".join(lines)


# Each target key with its `  <key> = ` (aligned as the registry says), in writing order.
_KEYS_IN_ORDER = tuple((k.key, f"  {k.key.ljust(k.align)} = ", k.kind) for k in BAKE_KEYS)


@lru_cache(maxsize=1024)
def _hcl_names(names: tuple[str, ...]) -> str:
    # Most targets inherit one of a few lists of parents.
    return hcl_list(names)


def _comment(text: str) -> str:
    """Text safe inside a `#` comment: control characters (newlines above all) become '?'."""
    return "".join(
        "?" if ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 or c in "\u2028\u2029" else c for c in text
    )


@cache
def environment(directory: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["comment"] = _comment
    env.filters.update(
        hcl=_hcl_value,
        hcl_attribute=_hcl_attribute,
        hcl_target=_hcl_target,
        hcl_strings=_hcl_strings,
        hcl_string=hcl_string,
    )
    return env


def _pieces(name: str, **context: Any) -> Iterator[str]:
    """A template's output in pieces as they are made."""
    env = environment(str(templates_dir()))
    try:
        yield from env.get_template(name).generate(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise RenderError(f"{exc.filename or name}:{exc.lineno}: {exc.message}") from None
    except jinja2.TemplateNotFound:
        raise RenderError(f"template {name!r} not found in {templates_dir()}") from None
    except jinja2.UndefinedError as exc:
        raise RenderError(f"{name}: {exc.message}") from None


def _render(name: str, **context: Any) -> str:
    return "".join(_pieces(name, **context))


def render_hcl(bake: BakeFile) -> str:
    return _render("docker-bake.hcl.j2", bake=bake)


def render_hcl_pieces(bake: BakeFile) -> Iterator[str]:
    """The HCL file in pieces, to be written as they are made rather than held whole."""
    return _pieces("docker-bake.hcl.j2", bake=bake)


def render_override_hcl(info: GitInfo, owner: str, descriptions: Mapping[str, str]) -> str:
    """The override file: `owner` says which bake file and matrix it belongs to, and the
    variables keep the main file's descriptions (bake takes them from the last file)."""
    return _render("docker-bake.override.hcl.j2", git=info, owner=owner, descriptions=descriptions)


# -- HCL-JSON ------------------------------------------------------------------------------
def _json_value(value: Any) -> Any:
    if isinstance(value, Expr):
        return "${" + value.source + "}"
    if isinstance(value, bool):
        return value
    return json_template(value)


def _json_attribute(value: Any, kind: Kind) -> Any:
    if isinstance(value, Expr):
        return "${" + value.source + "}"
    match kind:
        case Kind.TEXT:
            return json_template(value)
        case Kind.TEXT_LIST:
            return [json_template(v) for v in value]
        case Kind.NAMES:
            return list(value)
        case Kind.TEXT_MAP:
            # HCL-JSON reads object keys as templates too.
            return {escape_template(k): _json_value(v) for k, v in value}
        case Kind.FLAG:
            return bool(value)
        case Kind.OTHER:
            raise TypeError(f"no JSON form for {value!r}")
        case _:
            assert_never(kind)


def _json_block(block: Block) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if block.inherits:
        out["inherits"] = list(block.inherits)
    for key, value in block.attributes():
        out[key.key] = _json_attribute(value, key.kind)
    return out


def _json_variable(variable: Variable) -> dict[str, Any]:
    default = variable.default
    out: dict[str, Any] = {
        # Unlike attribute values, a variable's description is not read as a template.
        "description": variable.description,
        "default": default if isinstance(default, bool) else json_template(default),
    }
    if variable.validations:
        out["validation"] = [
            {"condition": "${" + condition.source + "}", "error_message": json_template(message)}
            for condition, message in variable.validations
        ]
    return out


def render_json(bake: BakeFile) -> str:
    return "".join(render_json_pieces(bake))


def render_json_pieces(bake: BakeFile) -> Iterator[str]:
    """The HCL-JSON file in pieces, target by target, byte for byte what `json_dumps` writes
    for the whole document (nested values indented two more spaces per level)."""
    # HCL-JSON has no comments, so unlike the HCL file this one carries no header.
    head: dict[str, Any] = {
        "variable": {v.name: _json_variable(v) for v in bake.variables},
    }
    for name, expr in bake.globals:
        head[name] = _json_value(expr)
    head["group"] = {
        g.name: {"description": json_template(g.description), "targets": list(g.targets)}
        for g in bake.groups
    }
    yield "{\n"
    for key, value in head.items():
        yield f"  {_json_string(key)}: {_nested(value, 1)},\n"
    yield '  "target": {'
    first = True
    for block in itertools.chain(bake.parents, bake.targets):
        yield "\n" if first else ",\n"
        yield f"    {_json_string(block.name)}: {_nested(_json_block(block), 2)}"
        first = False
    yield "}\n}\n" if first else "\n  }\n}\n"


def _nested(value: Any, level: int) -> str:
    """`json.dumps(value, indent=2)` as it reads nested `level` deep, for the values a bake
    file holds (objects, lists, strings, flags). Written here rather than by `json`, whose
    indenting encoder builds reference cycles on every call: a file of 100,000 targets
    would keep them all until the cycle collector ran."""
    indent = "  " * level
    if isinstance(value, str):
        return _json_string(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    inner = indent + "  "
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = (f"{inner}{_json_string(k)}: {_nested(v, level + 1)}" for k, v in value.items())
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        return "[\n" + ",\n".join(f"{inner}{_nested(v, level + 1)}" for v in value) + f"\n{indent}]"
    return json.dumps(value)  # anything else is one token (a number, null)


def render_override_json(info: GitInfo, owner: str, descriptions: Mapping[str, str]) -> str:
    # HCL-JSON ignores properties named "//" in a body: the place for a comment.
    return json_dumps(
        {
            "//": owner,
            "variable": {
                name: {"description": json_template(descriptions[name]), "default": value}
                for name, value in (
                    ("VERSION", json_template(info.version)),
                    ("COMMIT_SHA", json_template(info.sha)),
                )
            },
        }
    )
