"""Whole-file rules of the cache refs (cache_refs.py makes them): sources that name a
target, registry tag lengths, and no two targets exporting to one place."""

from __future__ import annotations

from collections.abc import Sequence

from bakegen.errors import KeyPath, Problems
from bakegen.matrix.tags import MAX_TAG
from bakegen.resolve.cache_refs import CACHE_SCOPE
from bakegen.resolve.targets import Target
from bakegen.templating import Part, Text, plain


def unknown_reads(targets: Sequence[Target], problems: Problems) -> None:
    """A `target:` cache source must name a target of the matrix."""
    names = {t.name for t in targets}
    for name, where in dict.fromkeys(r for t in targets for r in t.cache.reads):
        if name not in names:
            problems.add(
                where,
                f"cache source 'target:{name}' names no target of this matrix",
                "name a target as `bakegen list` prints it",
            )


def check_cache(targets: Sequence[Target], default_scope: str, problems: Problems) -> None:
    """Whole-file rules of cache refs: registry tags within 128 characters (CACHE_SCOPE
    counted at its default), and no two targets exporting to one place (a gha scope, a
    registry ref, a directory): each export would overwrite the other's cache."""
    too_long: list[tuple[KeyPath, str]] = []
    for target in targets:
        for tag in target.cache.tags:
            length = sum(
                len(p) if isinstance(p, str) else len(default_scope) if p is CACHE_SCOPE else 0
                for p in tag
            )
            if length > MAX_TAG:
                too_long.append(
                    (
                        target.origins.get("cache.name", ("cache",)),
                        (
                            f"the cache ref tag of {target.name!r} would be {length} characters; "
                            f"registries refuse tags over {MAX_TAG}"
                        ),
                    )
                )
                break
    problems.add_first(too_long, "shorten the value ids or the `name` template")
    writers: dict[tuple[str, Text], str] = {}
    clashes: list[tuple[KeyPath, str]] = []
    for target in targets:
        choices = target.cache_choices or (("", (), target.cache_to),)
        for backend, _, cache_to in choices:
            for entry in cache_to:
                if entry == ("type=inline",):
                    continue
                first = writers.setdefault((backend, _place(entry)), target.name)
                if first != target.name:
                    clashes.append(
                        (
                            target.origins.get("cache.name", ("cache",)),
                            (
                                f"targets {first!r} and {target.name!r} both write their cache "
                                f"to {plain(_place(entry))!r}: each export overwrites the other's"
                            ),
                        )
                    )
    problems.add_first(
        clashes,
        "keep {target} in the cache `name` (the default is `{target}-{scope}`), or let one "
        "of them only read it (`export: false`, `from: [target:<name>]`)",
    )


def _place(entry: Text) -> Text:
    """A cache-to entry without its mode and options: the place it writes to."""
    out: list[Part] = []
    for part in entry:
        if isinstance(part, str) and ",mode=" in part:
            out.append(part.split(",mode=", 1)[0])
            break
        out.append(part)
    return tuple(out)
