"""Stage 5, check: rules over all resolved targets together (unique tags, platform-compatible
dependencies, no dependency cycles, exclusive attributes)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bakegen.errors import KeyPath, Location, Problem, Problems
from bakegen.resolve.cache_checks import check_cache
from bakegen.resolve.targets import Target
from bakegen.templating import Text, plain


def check_targets(
    targets: tuple[Target, ...],
    exclusive: Sequence[Sequence[str]],
    cache_scope: str,
    locate: Callable[[KeyPath], Location],
) -> list[Problem]:
    """Whole-file rules (`cache_scope`: CACHE_SCOPE's default); `locate` places the first of two clashing settings in messages."""
    problems = Problems()
    by_name = {t.name: t for t in targets}
    _unique_tags(targets, problems)
    check_cache(targets, cache_scope, problems)
    for target in targets:
        for dep in target.depends_on:
            other = by_name.get(dep)
            if other and other.platforms and not set(target.platforms) <= set(other.platforms):
                problems.add(
                    target.origins.get("platforms", ()),
                    f"{target.name!r} builds for {', '.join(target.platforms) or 'the host'} "
                    f"but uses {dep!r}, built only for {', '.join(other.platforms)}",
                )
    problems.add_first(_cycles(by_name))
    _exclusive(targets, exclusive, locate, problems)
    return list(problems)


def _unique_tags(targets: tuple[Target, ...], problems: Problems) -> None:
    # Keyed by the tag's parts (texts are kept with adjacent literal parts joined, so equal
    # parts are equal tags); written out only for a clash.
    seen_tags: dict[Text, str] = {}
    clashes: list[tuple[KeyPath, str]] = []
    for target in targets:
        for tag in (*target.tags, *target.latest_tags):
            first = seen_tags.setdefault(tag, target.name)
            if first != target.name:
                clashes.append(
                    (
                        ("image", "tags"),
                        f"targets {first!r} and {target.name!r} would both push {plain(tag)!r}",
                    )
                )
    problems.add_first(clashes, "make the tag templates include every axis that differs")


def _exclusive(
    targets: tuple[Target, ...],
    groups: Sequence[Sequence[str]],
    locate: Callable[[KeyPath], Location],
    problems: Problems,
) -> None:
    """A target may set at most one attribute of each `exclusive` group."""
    seen: set[tuple[str, ...]] = set()
    for group in groups:
        for target in targets:
            present = {
                "args": dict(target.args),
                "labels": dict(target.labels),
                "contexts": dict(target.contexts),
            }
            hits = [key for key in group if key.split(".", 1)[1] in present[key.split(".")[0]]]
            if len(hits) < 2 or tuple(hits) in seen:
                continue
            seen.add(tuple(hits))
            first, second = hits[0], hits[1]
            origins = [_origin_of(target, k) for k in (first, second)]
            first_at = locate(origins[0]) if origins[0] else "bakegen"
            problems.add(
                origins[1] or (),
                f"{target.name} sets both {first} (at {first_at}) and "
                f"{second}, which exclude each other",
                "keep one of them; `exclusive` in the matrix says they are alternatives",
            )


def _origin_of(target: Target, key: str) -> KeyPath | None:
    kind, name = key.split(".", 1)
    return target.origins.get(target.context_origin(name) if kind == "contexts" else key)


def _cycles(by_name: dict[str, Target]) -> list[tuple[KeyPath, str]]:
    """Cycles of `depends_on`, found depth first. Iterative: a long chain of links must not
    exhaust the interpreter's recursion limit."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    found: list[tuple[KeyPath, str]] = []
    for root, target in by_name.items():
        if root in state:
            continue
        state[root] = 1
        trail = [root]
        stack = [iter(target.depends_on)]
        while stack:
            name = trail[-1]
            for dep in stack[-1]:
                if dep not in by_name:
                    continue
                if state.get(dep) == 1:
                    cycle = [*trail[trail.index(dep) :], dep]
                    where = next(
                        (w for k, w in by_name[name].origins.items() if k.startswith("links.")),
                        (),
                    )
                    found.append((where, f"targets link in a cycle: {' -> '.join(cycle)}"))
                elif dep not in state:
                    state[dep] = 1
                    trail.append(dep)
                    stack.append(iter(by_name[dep].depends_on))
                    break
            else:
                state[name] = 2
                trail.pop()
                stack.pop()
    return found
