"""The part of bake's function library that bake files use."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from tests.bakeeval.values import number_text, to_bool, to_number, to_string, type_name


def equal(a: Any, b: Any) -> bool:
    """HCL `==`: values of different types are never equal."""
    if type_name(a) != type_name(b) or (a is None) != (b is None):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)
    return bool(a == b)


def _list(v: Any) -> list[Any]:
    if not isinstance(v, list):
        raise TypeError("argument must be list, tuple, or set")
    return v


def _contains(coll: Any, value: Any) -> bool:
    return any(equal(x, value) for x in _list(coll))


def _flatten(v: Any) -> list[Any]:
    out: list[Any] = []
    for x in _list(v):
        out += _flatten(x) if isinstance(x, list) else [x]
    return out


def _distinct(v: Any) -> list[Any]:
    out: list[Any] = []
    for x in _list(v):
        if not any(equal(x, y) for y in out):
            out.append(x)
    return out


def _coalesce(*args: Any) -> Any:
    for a in args:
        if a is not None:
            return a
    raise ValueError("no non-null arguments")


def _element(v: Any, i: Any) -> Any:
    items = _list(v)
    if not items:
        raise ValueError("cannot use element function with an empty list")
    return items[int(to_number(i)) % len(items)]


def _lookup(m: Any, key: Any, *default: Any) -> Any:
    if isinstance(m, dict) and to_string(key) in m:
        return m[to_string(key)]
    if default:
        return default[0]
    raise ValueError(f'the given object has no attribute "{key}"')


def _merge(*maps: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for m in maps:
        if m is not None:
            out.update(m)
    return out


def _sanitize(s: Any) -> str:
    return re.sub(r"[^a-zA-Z0-9_-]", "_", to_string(s))


def _title(s: Any) -> str:
    return re.sub(r"(^|(?<=\s))(\w)", lambda m: m.group(2).upper(), to_string(s))


def _split(sep: Any, s: Any) -> list[str]:
    return to_string(s).split(to_string(sep))


def _join(sep: Any, *lists: Any) -> str:
    items = [x for lst in lists for x in _list(lst)]
    return to_string(sep).join(to_string(x) for x in items)


def _format(fmt: Any, *args: Any) -> str:
    """Go-flavoured format verbs: %s %d %f %q %v %t %%, with flags, width and precision."""
    text, queue = to_string(fmt), list(args)

    def verb(m: re.Match[str]) -> str:
        flags, width, prec, kind = m.group(1), m.group(2), m.group(3), m.group(4)
        if kind == "%":
            return "%"
        value = queue.pop(0)
        if kind == "d":
            body = str(int(to_number(value)))
        elif kind == "f":
            body = f"{float(to_number(value)):.{int(prec or 6)}f}"
        elif kind == "q":
            body = json.dumps(to_string(value), ensure_ascii=False)
        elif kind == "t":
            body = to_string(to_bool(value))
        else:
            body = to_string(value) if not isinstance(value, list | dict) else json.dumps(value)
        pad = int(width or 0)
        if "-" in flags:
            return body.ljust(pad)
        if "0" in flags and kind in "df":
            sign = "-" if body.startswith("-") else ""
            return sign + body.lstrip("-").rjust(pad - len(sign), "0")
        return body.rjust(pad)

    return re.sub(r"%([-+ #0]*)([0-9]*)(?:\.([0-9]+))?([a-zA-Z%])", verb, text)


def _jsonencode(v: Any) -> str:
    def plain(x: Any) -> Any:
        if isinstance(x, Decimal):
            return json.loads(number_text(x))
        if isinstance(x, list):
            return [plain(y) for y in x]
        if isinstance(x, dict):
            return {k: plain(y) for k, y in sorted(x.items())}
        return x

    return json.dumps(plain(v), separators=(",", ":"), ensure_ascii=False)


def _jsondecode(s: Any) -> Any:
    return json.loads(to_string(s), parse_float=Decimal, parse_int=Decimal)


def _slice(v: Any, start: Any, end: Any) -> list[Any]:
    return _list(v)[int(to_number(start)) : int(to_number(end))]


def _length(v: Any) -> Decimal:
    # As in cty: a string has no length here (strlen gives it).
    if not isinstance(v, list | dict):
        raise TypeError("collection must be a list, a map or a tuple")
    return Decimal(len(v))


def _regex(pattern: Any, text: Any) -> Any:
    """cty's regex: the match; its groups as a list, or by name as a map; an error when the
    pattern does not match."""
    found = re.search(to_string(pattern), to_string(text))
    if found is None:
        raise ValueError("pattern did not match any part of the given string")
    if found.re.groupindex:
        return {k: v or "" for k, v in found.groupdict().items()}
    if found.re.groups:
        return [g or "" for g in found.groups()]
    return found.group(0)


def _range(*args: Any) -> list[Decimal]:
    nums = [int(to_number(a)) for a in args]
    return [Decimal(i) for i in range(*nums)]


def _setproduct(*lists: Any) -> list[list[Any]]:
    out: list[list[Any]] = [[]]
    for lst in lists:
        out = [[*prefix, x] for prefix in out for x in _list(lst)]
    return out


def _parseint(s: Any, base: Any) -> Decimal:
    return Decimal(int(to_string(s), int(to_number(base))))


def _s(f: Callable[[str], Any]) -> Callable[[Any], Any]:
    return lambda s: f(to_string(s))


STDLIB: dict[str, Callable[..., Any]] = {
    "concat": lambda *ls: [x for lst in ls for x in _list(lst)],
    "contains": _contains,
    "distinct": _distinct,
    "flatten": _flatten,
    "coalesce": _coalesce,
    "compact": lambda v: [x for x in _list(v) if x not in (None, "")],
    "element": _element,
    "keys": lambda m: sorted(m),
    "values": lambda m: [m[k] for k in sorted(m)],
    "lookup": _lookup,
    "merge": _merge,
    "slice": _slice,
    "sort": lambda v: sorted(to_string(x) for x in _list(v)),
    "reverse": lambda v: list(reversed(_list(v))),
    "length": _length,
    "range": _range,
    "setproduct": _setproduct,
    "index": lambda v, x: Decimal(next(i for i, y in enumerate(_list(v)) if equal(x, y))),
    "indexof": lambda v, x: Decimal(next(i for i, y in enumerate(_list(v)) if equal(x, y))),
    "zipmap": lambda ks, vs: {to_string(k): v for k, v in zip(_list(ks), _list(vs), strict=True)},
    "equal": lambda a, b: equal(a, b),
    "notequal": lambda a, b: not equal(a, b),
    "and": lambda a, b: to_bool(a) and to_bool(b),
    "or": lambda a, b: to_bool(a) or to_bool(b),
    "not": lambda a: not to_bool(a),
    "join": _join,
    "format": _format,
    "formatlist": lambda fmt, *ls: [_format(fmt, *row) for row in zip(*ls, strict=True)],
    "lower": _s(str.lower),
    "upper": _s(str.upper),
    "title": _title,
    "replace": lambda s, old, new: to_string(s).replace(to_string(old), to_string(new)),
    "regex": _regex,
    "regex_replace": lambda s, p, r: re.sub(to_string(p), to_string(r), to_string(s)),
    "trimprefix": lambda s, p: to_string(s).removeprefix(to_string(p)),
    "trimsuffix": lambda s, p: to_string(s).removesuffix(to_string(p)),
    "trimspace": _s(str.strip),
    "trim": lambda s, cut: to_string(s).strip(to_string(cut)),
    "split": _split,
    "sanitize": _sanitize,
    "strlen": lambda s: Decimal(len(to_string(s))),
    "substr": lambda s, o, n: to_string(s)[int(to_number(o)) :][: int(to_number(n))],
    "jsonencode": _jsonencode,
    "jsondecode": _jsondecode,
    "tostring": to_string,
    "tonumber": to_number,
    "tobool": to_bool,
    "tolist": _list,
    "floor": lambda n: Decimal(math.floor(to_number(n))),
    "ceil": lambda n: Decimal(math.ceil(to_number(n))),
    "abs": lambda n: abs(to_number(n)),
    "max": lambda *ns: max(to_number(n) for n in ns),
    "min": lambda *ns: min(to_number(n) for n in ns),
    "parseint": _parseint,
}
