"""A reader of HCL-JSON bake files (.json), into the same tree as the native reader.

Which properties are blocks depends on bake's schema: at the top `variable`, `function`,
`target` and `group`; inside a variable, `validation`. Every JSON string is a template.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from tests.bakeeval import templates
from tests.bakeeval.errors import BakeError
from tests.bakeeval.expressions import ExpressionReader as Reader
from tests.bakeeval.tree import Attribute, Block, Body, Node, lit

_TOP_BLOCKS = {"variable", "function", "target", "group"}


def parse(text: str, filename: str) -> Body:
    try:
        data = json.loads(text, parse_float=Decimal, parse_int=Decimal)
    except json.JSONDecodeError as e:
        if re.search(r",\s*[\]}]", text):
            raise BakeError(
                "JSON does not permit a trailing comma after the final value in an array.",
                "Trailing comma in array",
                filename,
            ) from None
        raise BakeError(str(e), "Invalid JSON", filename) from None
    if not isinstance(data, dict):
        raise BakeError(
            "The root value in a JSON-based configuration must be an object.",
            "Root value must be object",
            filename,
        )
    return _body(data, filename, _TOP_BLOCKS, "")


def _body(data: dict[str, Any], filename: str, block_types: set[str], kind: str) -> Body:
    body = Body()
    for key, value in data.items():
        if key in block_types:
            body.blocks += _blocks(key, value, filename)
        else:
            body.attributes[key] = Attribute(key, _attr_expr(kind, key, value, filename), filename)
    return body


def _blocks(kind: str, value: Any, filename: str) -> list[Block]:
    inner = {"validation"} if kind == "variable" else set()
    if kind == "validation":
        bodies = value if isinstance(value, list) else [value]
        return [Block(kind, [], _body(b, filename, set(), kind), filename) for b in bodies]
    out = []
    groups = value if isinstance(value, list) else [value]
    for group in groups:
        for label, content in group.items():
            for one in content if isinstance(content, list) else [content]:
                out.append(Block(kind, [label], _body(one, filename, inner, kind), filename))
    return out


def _attr_expr(kind: str, key: str, value: Any, filename: str) -> Node:
    if kind == "variable" and key == "type" and isinstance(value, str):
        return Reader(value, filename).expression()
    if kind == "function" and key == "params" and isinstance(value, list):
        return Node("tuple", ([Node("var", (str(v),)) for v in value],))
    if kind == "function" and key == "variadic_params" and isinstance(value, str):
        return Node("var", (value,))
    return expr(value, filename)


def expr(value: Any, filename: str) -> Node:
    if isinstance(value, str):
        return templates.raw(value, filename, filename)
    if isinstance(value, list):
        return Node("tuple", ([expr(v, filename) for v in value],))
    if isinstance(value, dict):
        return Node("object", ([(expr(k, filename), expr(v, filename)) for k, v in value.items()],))
    return lit(value)
