"""Names: the id form of an axis value, and "did you mean" hints for misspelt names."""

from __future__ import annotations

import difflib
import re

from bakegen.matrix.model import BUILTIN_VARIABLES

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def sanitize(text: str) -> str:
    """A bake-legal name part: characters outside [A-Za-z0-9_-] become '-'.

    >>> sanitize("12.9"), sanitize("linux/arm64/v8")
    ('12-9', 'linux-arm64-v8')
    """
    return _ID_UNSAFE.sub("-", text)


def closest(word: str, choices: list[str]) -> str | None:
    """The choice `word` is most likely a misspelling of, if one is close."""
    match = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return match[0] if match else None


def suggest(word: str, choices: list[str]) -> str | None:
    """A "did you mean" hint for a misspelt key or value, if one is close."""
    match = closest(word, choices)
    return f"did you mean {match!r}?" if match else None


# -- reserved names -------------------------------------------------------------------------
# The one rule for names bakegen or bake already give a meaning to (docs/matrix.md,
# "Reserved names"). Each returns why a name is taken, or None when it is free.

# Groups and parent blocks bakegen writes itself: `default` (every cell) and the private
# parents `_common` and `_<value id>` (so a value id `common` would become `_common`).
BAKEGEN_GROUPS = frozenset({"default"})
BAKEGEN_PARENT_IDS = frozenset({"common"})
# Words bake's HCL reads as literals, keywords or block types wherever a name stands.
HCL_WORDS = frozenset(
    {"true", "false", "null", "for", "in", "if", "else", "endif", "endfor"}
    | {"target", "group", "variable", "function"}
)
# Built-in variables buildx defines itself (and may define more of under this prefix).
BAKE_BUILTIN_PREFIX = "BAKE_"
# Placeholders every template may use; an axis of the same name would shadow them.
BUILTIN_PLACEHOLDERS = frozenset(
    {"name", "version", "commit_sha", "image", "var", "date", "date_time"}
)


def reserved_value_id(vid: str) -> str | None:
    """Why an axis value id (a target and group name part) cannot be used."""
    if vid in BAKEGEN_GROUPS:
        return f"{vid!r} is the name of the group bakegen writes for every cell"
    if vid in BAKEGEN_PARENT_IDS or vid.startswith("_"):
        return f"'_{vid}' is the name of a private parent block bakegen writes"
    if vid.startswith("-"):
        return "a name starting with '-' reads as a flag on the bake command line"
    return None


def reserved_variable(name: str) -> str | None:
    """Why a matrix variable name cannot be a bake variable."""
    if name in BUILTIN_VARIABLES:
        return f"{name} is a variable bakegen defines itself"
    if name in HCL_WORDS:
        return f"{name!r} is a word bake's HCL reads as a literal, keyword or block type"
    if name.startswith(BAKE_BUILTIN_PREFIX):
        return f"buildx defines the {BAKE_BUILTIN_PREFIX}* variables itself"
    return None


def reserved_axis(name: str) -> str | None:
    """Why an axis name cannot be used: templates would read it instead of a built-in."""
    if name in BUILTIN_PLACEHOLDERS:
        return f"{{{name}}} is a built-in placeholder; an axis of that name would hide it"
    return None
