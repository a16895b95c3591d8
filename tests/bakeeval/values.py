"""Values as bake's HCL sees them, and the conversions between their types.

Strings are `str`, numbers `Decimal`, bools `bool`, null `None`, lists and tuples `list`,
maps and objects `dict`. A type is a tuple: ("string",), ("list", T), ("object", {k: T}), ...
"""

from __future__ import annotations

import decimal
import re
from decimal import Decimal
from typing import Any

from tests.bakeeval.errors import BakeError

decimal.getcontext().prec = 150

_GO_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_GO_BOOL = {
    "1": True, "t": True, "T": True, "TRUE": True, "true": True, "True": True,
    "0": False, "f": False, "F": False, "FALSE": False, "false": False, "False": False,
}  # fmt: skip

ANY: tuple[Any, ...] = ("any",)
STRING: tuple[Any, ...] = ("string",)
NUMBER: tuple[Any, ...] = ("number",)
BOOL: tuple[Any, ...] = ("bool",)


def go_parse_bool(text: str) -> bool:
    """Go's strconv.ParseBool."""
    if text not in _GO_BOOL:
        raise ValueError(f'strconv.ParseBool: parsing "{text}": invalid syntax')
    return _GO_BOOL[text]


def go_parse_float(text: str) -> Decimal:
    """Go's strconv.ParseFloat(text, 64), as bake keeps it (a float64, no NaN or Inf)."""
    if not _GO_FLOAT.fullmatch(text):
        raise ValueError(f'strconv.ParseFloat: parsing "{text}": invalid syntax')
    return Decimal(repr(float(text)))


def number_text(n: Decimal) -> str:
    """A number as bake writes it in a string: no exponent, no trailing zeros."""
    if n == n.to_integral_value():
        return str(int(n))
    return format(n.normalize(), "f")


def type_name(v: Any) -> str:
    """cty's friendly name of a value's type, as error messages give it."""
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, str):
        return "string"
    if isinstance(v, Decimal):
        return "number"
    if isinstance(v, list):
        return "tuple"
    if isinstance(v, dict):
        return "object"
    return "dynamic"


def type_text(t: tuple[Any, ...]) -> str:
    kind = t[0]
    if kind in ("list", "set", "map"):
        return f"{kind} of {type_text(t[1])}"
    return kind


def to_string(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return v
    if isinstance(v, Decimal):
        return number_text(v)
    raise TypeError(f"string required, but have {type_name(v)}")


def to_number(v: Any) -> Decimal:
    if isinstance(v, Decimal):
        return v
    if isinstance(v, str):
        try:
            return (
                Decimal(v) if re.fullmatch(r"-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?", v) else _bad()
            )
        except decimal.InvalidOperation:
            pass
    raise TypeError("a number is required")


def _bad() -> Decimal:
    raise decimal.InvalidOperation


def to_bool(v: Any) -> bool:
    if isinstance(v, bool):
        return v
    if v in ("true", "false", "1", "0"):  # cty converts these strings to bools
        return v in ("true", "1")
    raise TypeError("a bool is required")


def convert(v: Any, t: tuple[Any, ...]) -> Any:
    """cty's convert.Convert: raises TypeError with cty's reason when it cannot."""
    kind = t[0]
    if v is None or kind == "any":
        return v
    if kind == "string":
        return to_string(v)
    if kind == "number":
        return to_number(v)
    if kind == "bool":
        return to_bool(v)
    if kind in ("list", "set"):
        if not isinstance(v, list):
            raise TypeError(f"{type_text(t)} required, but have {type_name(v)}")
        items = [convert(x, t[1]) for x in v]
        if kind == "set":
            items = sorted({_key(x): x for x in items}.values(), key=_key)
        return items
    if kind == "tuple":
        if not isinstance(v, list) or len(v) != len(t[1]):
            raise TypeError("tuple required")
        return [convert(x, et) for x, et in zip(v, t[1], strict=True)]
    if kind == "map":
        if not isinstance(v, dict):
            raise TypeError(f"{type_text(t)} required, but have {type_name(v)}")
        return {k: convert(x, t[1]) for k, x in v.items()}
    if kind == "object":
        if not isinstance(v, dict):
            raise TypeError("object required")
        missing = [k for k in t[1] if k not in v]
        if missing:
            raise TypeError(f'attribute "{missing[0]}" is required')
        return {k: convert(v[k], at) for k, at in t[1].items()}
    raise TypeError(f"unknown type {kind}")


def _key(v: Any) -> str:
    return to_string(v) if not isinstance(v, list | dict) else repr(v)


def is_primitive(t: tuple[Any, ...]) -> bool:
    return t[0] in ("string", "number", "bool")


def type_of(v: Any) -> tuple[Any, ...]:
    """The type of a default value, for untyped variables."""
    if isinstance(v, bool):
        return BOOL
    if isinstance(v, Decimal):
        return NUMBER
    if isinstance(v, str):
        return STRING
    if isinstance(v, list):
        return ("tuple", [type_of(x) for x in v])
    if isinstance(v, dict):
        return ("object", {k: type_of(x) for k, x in v.items()})
    return ANY


def csv_fields(text: str, comma: str = ",") -> list[str]:
    """One CSV record the way Go's encoding/csv reads it (quotes, doubled quotes)."""
    if text == "":
        raise ValueError("EOF")
    fields: list[str] = []
    i, n = 0, len(text)
    while True:
        if i < n and text[i] == '"':
            i += 1
            buf = []
            while True:
                if i >= n:
                    raise ValueError('extraneous or missing " in quoted-field')
                if text[i] == '"':
                    if i + 1 < n and text[i + 1] == '"':
                        buf.append('"')
                        i += 2
                        continue
                    i += 1
                    break
                buf.append(text[i])
                i += 1
            fields.append("".join(buf))
            if i < n and text[i] != comma:
                raise ValueError('extraneous or missing " in quoted-field')
        else:
            j = text.find(comma, i)
            j = n if j < 0 else j
            field = text[i:j]
            if '"' in field:
                column = i + field.index('"') + 1
                raise ValueError(
                    f'parse error on line 1, column {column}: bare " in non-quoted-field'
                )
            fields.append(field)
            i = j
        if i >= n:
            return fields
        i += 1  # the comma
        if i >= n:
            fields.append("")
            return fields


def fail(detail: str, summary: str = "", where: str = "") -> BakeError:
    return BakeError(detail, summary, where)
