"""Names: the id form of an axis value, and "did you mean" hints for misspelt names."""

from __future__ import annotations

import difflib
import re

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def sanitize(text: str) -> str:
    """A bake-legal name part: characters outside [A-Za-z0-9_-] become '-'.

    >>> sanitize("12.9"), sanitize("linux/arm64/v8")
    ('12-9', 'linux-arm64-v8')
    """
    return _ID_UNSAFE.sub("-", text)


def suggest(word: str, choices: list[str]) -> str | None:
    """A "did you mean" hint for a misspelt key or value, if one is close."""
    match = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"did you mean {match[0]!r}?" if match else None
