"""Checks of image references that can only be made at bake time: the values of VERSION,
CACHE_SCOPE and the matrix's own variables that end up inside tags. Each becomes a bake
`validation` block (buildx 0.19 or newer), so a bad value stops bake before any build."""

from __future__ import annotations

from dataclasses import dataclass

from bakegen.bakefile.hcl import Expr
from bakegen.matrix.tags import IMAGE, MAX_TAG
from bakegen.resolve.targets import Target
from bakegen.templating import Var

CACHE_SCOPE = Var("CACHE_SCOPE")

# What a tag may hold (the distribution spec): no ':' or '/', which would move the image
# into another repository.
TAG_TEXT = "^[A-Za-z0-9_.-]*$"
# A variable a tag may start with (VERSION, CACHE_SCOPE) must also be non-empty.
TAG_START = "^[A-Za-z0-9_][A-Za-z0-9_.-]*$"


@dataclass(frozen=True, kw_only=True)
class TagLimits:
    """The longest value each variable inside tags may have, given the literal text around
    it in the longest tag that uses it (None: no tag uses it)."""

    limits: tuple[tuple[str, int], ...]

    def limit(self, name: str) -> int | None:
        return dict(self.limits).get(name)


def tag_limits(targets: tuple[Target, ...]) -> TagLimits:
    """How long each variable may be so that every tag, and the tag of every registry cache
    ref (`<target>-<CACHE_SCOPE>` by default), stays within the registry's 128 characters."""
    # The longest literal text around each variable: one pass over every tag of every
    # target (this runs for every target, so the loop is kept plain).
    longest: dict[tuple[str, ...], int] = {}  # the variables of a tag → its longest literal
    longest_name = 0  # the longest literal text of a cache ref tag with CACHE_SCOPE
    for target in targets:
        for tags in (target.tags, target.latest_tags):
            for tag in tags:
                # Only tags under the image count: the parts after `${IMAGE}:`.
                if len(tag) < 2 or tag[0] is not IMAGE:
                    continue
                second = tag[1]
                if not isinstance(second, str) or not second.startswith(":"):
                    continue
                literal = len(second) - 1
                names: tuple[str, ...] = ()
                for part in tag[2:]:
                    if isinstance(part, str):
                        literal += len(part)
                    else:
                        names += (part.name,)
                if literal > longest.get(names, -1):
                    longest[names] = literal
        for tag in target.cache.tags:
            if CACHE_SCOPE in tag:
                literal = sum(len(p) for p in tag if isinstance(p, str))
                longest_name = max(longest_name, literal)
    limits: dict[str, int] = {}

    def bound(name: str, room: int) -> None:
        limits[name] = min(limits.get(name, MAX_TAG), max(room, 0))

    for names, literal in longest.items():
        for name in set(names):
            # Other variables in the same tag are counted as empty: the check is exact for
            # tags that use one variable, as generated tags do.
            bound(name, (MAX_TAG - literal) // names.count(name))
    if longest_name:
        bound("CACHE_SCOPE", MAX_TAG - longest_name)
    return TagLimits(limits=tuple(sorted(limits.items())))


def tag_checks(
    name: str, limits: TagLimits, *, required: bool = False
) -> tuple[tuple[Expr, str], ...]:
    """Validation blocks for a variable used inside tags (none when no tag uses it)."""
    room = limits.limit(name)
    if room is None:
        return ()
    pattern = TAG_START if required else TAG_TEXT
    what = (
        "tag text starting with a letter, digit or '_'"
        if required
        else "tag text: letters, digits, '_', '.' and '-' only"
    )
    return (
        (
            Expr(f'can(regex("{pattern}", {name}))'),
            f"{name} must be {what} (a ':' or '/' would move the image into another repository)",
        ),
        (
            Expr(f"strlen({name}) <= {room}"),
            f"{name} may be at most {room} characters: registries refuse tags over {MAX_TAG}",
        ),
    )
