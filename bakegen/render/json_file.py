"""Stage 5, render (HCL-JSON): a BakeFile → docker-bake.json, written target by target. Every
value goes through the same quoting as the HCL file (hcl.json_template)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator, Mapping
from dataclasses import replace
from json.encoder import encode_basestring_ascii as _json_string
from typing import Any, assert_never

from bakegen.attributes import Kind
from bakegen.bakefile.blocks import Block
from bakegen.bakefile.hcl import EXPRESSIONS, Expr, escape_template, json_dumps, json_template
from bakegen.bakefile.layout import BakeFile
from bakegen.bakefile.variables import Variable
from bakegen.gitmeta import GitInfo


def _json_value(value: Any) -> Any:
    if isinstance(value, Expr):
        return "${" + value.source + "}"
    if isinstance(value, bool):
        return value
    return json_template(value)


def _json_attribute(value: Any, kind: Kind) -> Any:
    if isinstance(value, EXPRESSIONS):
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


def render_override_json(info: GitInfo, owner: str, variables: Mapping[str, Variable]) -> str:
    """As render_override_hcl: the git values, with the main file's validation blocks."""
    # HCL-JSON ignores properties named "//" in a body: the place for a comment.
    return json_dumps(
        {
            "//": owner,
            "variable": {
                name: _json_variable(replace(variables[name], default=value))
                for name, value in (("VERSION", info.version), ("COMMIT_SHA", info.sha))
            },
        }
    )
