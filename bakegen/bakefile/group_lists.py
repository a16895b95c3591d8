"""Group target lists written once: `formatlist` over a list several groups share.

The group of one value of an axis names a cell for each combination of the other axes:
`f0` holds `cuda12-8-amd64-f0`, `cuda12-8-arm64-f0`, …, and `f1` the same names ending in
`-f1`. buildx pays for every string it reads in a bake file, so the parts in which the
names differ are written once, as a private global list, and each such group as
`formatlist("%s-f0", _cell_parts_1)`: the same names, in the same order.

Only names made of characters that need no escaping, neither in an HCL string nor in a
format string, are written this way; any other group keeps its explicit list."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat

from bakegen.bakefile.hcl import Expr, hcl_string

# Fewer names than this are as cheap to write out as to format.
MIN_NAMES = 4
_PLAIN = re.compile(r"[A-Za-z0-9_.-]+")
_SEPARATORS = "-_."


@dataclass(frozen=True)
class GroupLists:
    """The global lists (name, parts) and each group's `targets` value: the formatted list
    or None (written out)."""

    lists: tuple[tuple[str, tuple[str, ...]], ...]
    targets: tuple[Expr | None, ...]


def split_names(names: Sequence[str]) -> tuple[str, tuple[str, ...], str] | None:
    """The prefix and suffix every name has (ending and starting at a separator, so the
    parts are whole words of the names) and each name's part between them, or None where
    names are too few, not plain, or have nothing in common."""
    if len(names) < MIN_NAMES or not _PLAIN.fullmatch("".join(names)):
        return None
    # Both are cut from the first name at one of its separators: the longest that every
    # name starts (ends) with.
    first = names[0]
    cuts = [i for i, c in enumerate(first) if c in _SEPARATORS]
    starts = (first[: i + 1] for i in reversed(cuts))
    prefix = next((p for p in starts if all(map(str.startswith, names, repeat(p)))), "")
    ends = (first[i:] for i in cuts)
    suffix = next((e for e in ends if all(map(str.endswith, names, repeat(e)))), "")
    if not prefix and not suffix:
        return None
    if min(map(len, names)) <= len(prefix) + len(suffix):
        return None  # a name would be its prefix and suffix overlapping, or nothing between
    part = slice(len(prefix), -len(suffix) or None)
    return prefix, tuple(n[part] for n in names), suffix


def group_lists(groups: Sequence[tuple[str, ...]], list_prefix: str) -> GroupLists:
    """Each group's targets as a `formatlist` over a list of parts that at least one other
    group shares; lists are named `<list_prefix><n>` in order of first use."""
    splits = [split_names(targets) for targets in groups]
    uses = Counter(s[1] for s in splits if s is not None)
    names: dict[tuple[str, ...], str] = {}
    targets: list[Expr | None] = []
    for split in splits:
        if split is None or uses[split[1]] < 2:
            targets.append(None)
            continue
        prefix, parts, suffix = split
        name = names.setdefault(parts, f"{list_prefix}{len(names) + 1}")
        targets.append(Expr(f"formatlist({hcl_string(prefix + '%s' + suffix)}, {name})"))
    return GroupLists(lists=tuple((n, p) for p, n in names.items()), targets=tuple(targets))
