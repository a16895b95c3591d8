"""Names: the one home of the rules that name targets, groups and parent blocks (the id of an
axis value, a name made of ids, the private blocks bakegen writes), the names reserved for
them, and "did you mean" hints for misspelt names."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping

from bakegen.matrix.model import BUILTIN_VARIABLES

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def sanitize(text: str) -> str:
    """A bake-legal name part: characters outside [A-Za-z0-9_-] become '-'.

    >>> sanitize("12.9"), sanitize("linux/arm64/v8")
    ('12-9', 'linux-arm64-v8')
    """
    return _ID_UNSAFE.sub("-", text)


def value_id(id_template: str, value: str) -> str:
    """The id of an axis value without an `id` of its own: its axis's `id` template (`{value}`
    by default) with the value, made bake-legal."""
    return sanitize(id_template.replace("{value}", value))


def id_of(ids: Mapping[str, str], value: str) -> str:
    """A value's id among an axis's `ids`; a value the axis does not list has its own text,
    made bake-legal."""
    found = ids.get(value)
    return sanitize(value) if found is None else found


def joined(parts: Iterable[str]) -> str:
    """A name made of parts (value ids, after a stage's or an image's name): joined by '-'."""
    return "-".join(parts)


def require_target(variable: str) -> str:
    """The private check target of a variable some targets require (resolve/required.py)."""
    return f"_require-{variable}"


def in_image(key: str, name: str) -> str:
    """A group's name in a file of several images: the image key first."""
    return joined((key, name))


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


def clashes(names: Iterable[str], key: Callable[[str], str]) -> Iterator[tuple[str, str]]:
    """(first, later) for each name that `key` makes the same as an earlier one: names that
    would become one bake variable, context or target."""
    seen: dict[str, str] = {}
    for name in names:
        first = seen.setdefault(key(name), name)
        if first != name:
            yield first, name
