"""Booleans from the environment, read the way bake reads them: Go's strconv.ParseBool."""

from __future__ import annotations

_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})


def parse_bool(text: str) -> bool:
    """True or False by Go's rule; ValueError for anything else (`yes`, `tRuE`, ``, ` true`).

    >>> [parse_bool(t) for t in ("1", "t", "TRUE", "True", "0", "F", "false")]
    [True, True, True, True, False, False, False]
    """
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"not a boolean: {text!r}")
