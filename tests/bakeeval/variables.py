"""Variables, top-level attributes and user functions: what a name in a bake file stands for.

Follows bake's order: a top-level attribute of a variable's name replaces its default; the
environment (NAME, or NAME_JSON) overrides variables only, parsed by the default's type or
the declared `type`; built-in variables cannot be declared or overridden.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from tests.bakeeval.errors import BakeError
from tests.bakeeval.evaluate import Evaluator
from tests.bakeeval.tree import Attribute, Block, Node
from tests.bakeeval.values import (
    ANY,
    convert,
    csv_fields,
    go_parse_bool,
    go_parse_float,
    is_primitive,
    type_of,
    type_text,
)

_PRIMITIVES = {"string": ("string",), "number": ("number",), "bool": ("bool",), "any": ANY}


def type_constraint(node: Node | None) -> tuple[Any, ...]:
    if node is None or (node.kind == "lit" and node.args[0] is None):
        return ANY
    if node.kind == "var" and node.args[0] in _PRIMITIVES:
        return _PRIMITIVES[node.args[0]]
    if node.kind == "call":
        name, args, _ = node.args
        if name in ("list", "set", "map") and len(args) == 1:
            return (name, type_constraint(args[0]))
        if name == "object" and len(args) == 1 and args[0].kind == "object":
            return ("object", {k.args[0]: type_constraint(v) for k, v in args[0].args[0]})
        if name == "tuple" and len(args) == 1 and args[0].kind == "tuple":
            return ("tuple", [type_constraint(x) for x in args[0].args[0]])
    word = node.args[0] if node.kind == "var" else "?"
    raise BakeError(
        f'The keyword "{word}" is not a valid type specification.',
        "Invalid type specification",
        node.pos,
    )


def _primitive(name: str, text: str, t: tuple[Any, ...]) -> Any:
    try:
        if t[0] == "bool":
            return go_parse_bool(text)
        if t[0] == "number":
            return go_parse_float(text)
    except ValueError as e:
        raise ValueError(f"failed to parse {name} as {t[0]}: {e}") from None
    return text


def _from_csv(name: str, text: str, t: tuple[Any, ...]) -> Any:
    try:
        fields = csv_fields(text)
    except ValueError as e:
        raise ValueError(f"failed to parse {text} as CSV: {e}") from None

    def each(et: tuple[Any, ...]) -> list[Any]:
        try:
            return [_primitive(name, f, et) for f in fields]
        except ValueError as e:
            raise ValueError(f"failed to parse element of type {type_text(t)}: {e}") from None

    if t[0] == "list":
        return each(t[1])
    if t[0] == "set":
        return convert(each(t[1]), t)
    if t[0] == "map":
        out = {}
        for f in fields:
            kv = csv_fields(f, ":")
            if len(kv) != 2:
                raise ValueError(f"expected one k/v pair but got {len(kv)} pieces from {f}")
            out[kv[0]] = _primitive(name, kv[1], t[1])
        return out
    raise ValueError(f"unsupported type {type_text(t)} for CSV specification")


class Names:
    """Resolves variables and top-level attributes on demand, once each, refusing cycles."""

    def __init__(self, env: dict[str, str], builtins: dict[str, str]) -> None:
        self.env = env
        self.builtins = builtins
        self.variables: dict[str, Block] = {}
        self.attributes: dict[str, Attribute] = {}
        self.functions: dict[str, Block] = {}
        self.values: dict[str, Any] = dict(builtins)
        self.types: dict[str, tuple[Any, ...]] = {}
        self._progress: set[str] = set()
        self.block_lookup: Any = None  # target.NAME.ATTR, set by the block reader
        self.evaluator = Evaluator(self.lookup, self.call)

    # -- names -------------------------------------------------------------------------------
    def lookup(self, name: str, node: Node) -> Any:
        if "." in name and self.block_lookup is not None:
            return self.block_lookup(name, node)
        try:
            return self.resolve(name)
        except KeyError:
            raise BakeError(
                f'There is no variable named "{name}".', "Unknown variable", node.pos
            ) from None
        except BakeError as e:
            if e.summary:
                raise
            raise BakeError(e.detail, "Invalid expression", node.pos) from None

    def resolve(self, name: str) -> Any:
        if name in self.values:
            return self.values[name]
        if name not in self.attributes and name not in self.variables:
            raise KeyError(name)
        if name in self._progress:
            raise BakeError(f"variable cycle not allowed for {name}")
        self._progress.add(name)
        value = self._value(name)
        self.values[name] = value
        return value

    def _value(self, name: str) -> Any:
        declared = self.variables.get(name)
        typ, typed, default = ANY, False, None
        if name in self.attributes:
            default = self.attributes[name].expr
        elif declared is not None:
            attrs = declared.body.attributes
            default = attrs["default"].expr if "default" in attrs else None
            type_node = attrs["type"].expr if "type" in attrs else None
            typ = type_constraint(type_node)
            typed = typ != ANY or (type_node is not None and type_node.kind == "var")
            if typed:
                self.types[name] = typ
        where = declared.pos if declared is not None else ""
        env_text, has_env, from_json = self._override(name, typed)
        if default is None and not has_env:
            return None if typed else ""
        value: Any = None
        if default is not None:
            value = self.evaluator.eval(default)
            try:
                value = convert(value, typ)
            except TypeError as e:
                raise BakeError(
                    f"invalid type {type_text(typ)} for variable {name} default value: {e}",
                    "Invalid value",
                    where,
                ) from None
        if not (has_env and declared is not None):
            return value
        try:
            return self._from_env(name, env_text, from_json, typ, typed, default, value)
        except ValueError as e:
            raise BakeError(str(e), "Invalid value", where) from None

    def _from_env(
        self, name: str, text: str, from_json: bool, typ: Any, typed: bool, default: Any, value: Any
    ) -> Any:
        if typed and from_json:
            try:
                return convert(json.loads(text, parse_float=Decimal, parse_int=Decimal), typ)
            except (ValueError, TypeError) as e:
                raise ValueError(f"failed to convert variable {name} from JSON: {e}") from None
        if typ[0] in ("list", "set", "tuple", "map"):
            try:
                return _from_csv(name, text, typ)
            except ValueError as e:
                raise ValueError(f"failed to convert variable {name} from CSV: {e}") from None
        if typed and is_primitive(typ):
            return _primitive(name, text, typ)
        if typed:
            raise ValueError(f"unsupported type {type_text(typ)} for variable {name}")
        if default is None or value is None:
            return text
        actual = type_of(value)
        if is_primitive(actual):
            return _primitive(name, text, actual)
        raise ValueError(f"unsupported type {actual[0]} for variable {name}")

    def _override(self, name: str, favor_json: bool) -> tuple[str, bool, bool]:
        text, found, from_json = self.env.get(name, ""), name in self.env, False
        json_name = name + "_JSON"
        if (
            (not found or favor_json)
            and json_name not in self.variables
            and json_name not in self.builtins
            and json_name in self.env
        ):
            text, found, from_json = self.env[json_name], True, True
        return text, found, from_json

    # -- user functions ----------------------------------------------------------------------
    def call(self, name: str, args: list[Any], node: Node) -> tuple[bool, Any]:
        block = self.functions.get(name)
        if block is None:
            return False, None
        attrs = block.body.attributes
        params = [p.args[0] for p in attrs["params"].expr.args[0]]
        variadic = attrs["variadic_params"].expr.args[0] if "variadic_params" in attrs else None
        if len(args) < len(params) or (variadic is None and len(args) > len(params)):
            raise BakeError(
                f'Function "{name}" expects {len(params)} argument(s).',
                "Invalid function call",
                node.pos,
            )
        scope = dict(zip(params, args, strict=False))
        if variadic is not None:
            scope[variadic] = args[len(params) :]
        return True, self.evaluator.eval(attrs["result"].expr, scope)
