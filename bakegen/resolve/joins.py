"""The multi-arch join (`ci.manifest`) in the compile: which cells join under one tag, each
join's tags and the checks of their templates, and warnings about targets that build several
platforms. A join puts such a target's index beside single-platform images, where a platform
may then be listed twice; and their registry cache is one ref per target, which every node of
a builder with a node per platform writes in turn (the last write wins: buildx#1044)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from bakegen.errors import KeyPath, MatrixError, Problem, TemplateError
from bakegen.matrix.model import Manifest, MatrixFile
from bakegen.matrix.tags import image_tag, tag_problem
from bakegen.resolve.expand import ValueIds
from bakegen.resolve.scope import PLACEHOLDER, Names, Values, distinct, named_axes
from bakegen.resolve.targets import Target
from bakegen.templating import Text, expand

PER_PLATFORM = (
    "build one platform per target: a platform axis whose values each set one platform "
    "(`bakegen ci` gives each its own job, `bakegen manifest` joins them into a multi-arch tag)"
)


def outside(axis: str, values: Values) -> Values:
    """A cell's values outside the manifest axis: the cells that share them form one join."""
    return tuple(p for p in values if p[0] != axis)


def joined_groups(model: MatrixFile, targets: Iterable[Target]) -> dict[Values, list[Target]]:
    """Cells with tags (or pushed by digest) grouped by their values outside the manifest
    axis."""
    manifest = model.ci.manifest
    groups: dict[Values, list[Target]] = {}
    if manifest is None:
        return groups
    for target in targets:
        if target.kind == "cell" and (target.tags or target.by_digest):
            groups.setdefault(outside(manifest.axis, target.values), []).append(target)
    return groups


def manifest_tag(
    model: MatrixFile, ids: ValueIds, rest: Values, key: str, index: int, template: str
) -> Text:
    """One ci.manifest tag template for the cells that share `rest`: a full reference. A
    template that cannot give one raises a MatrixError at its key path (not yet placed in
    the file)."""
    where = ("ci", "manifest", key, index)
    try:
        text = expand(template, Names.of(model, ids).scope(rest, ""))
    except TemplateError as exc:
        raise MatrixError([Problem(path=where, message=exc.message, hint=exc.hint)]) from None
    problem = tag_problem(text)
    if problem:
        raise MatrixError([Problem(path=where, message=problem[0], hint=problem[1])])
    return image_tag(text)


def tag_problems(model: MatrixFile, ids: ValueIds, targets: Iterable[Target]) -> list[Problem]:
    """Each template expands to a legal tag for every join, and no two joins get one tag
    (one `imagetools create` would overwrite the other's)."""
    manifest = model.ci.manifest
    if manifest is None or manifest.axis not in model.axes:
        return []
    templates = [("tags", i, t) for i, t in enumerate(manifest.tags)]
    templates += [("latest", i, t) for i, t in enumerate(manifest.latest)]
    problems: list[Problem] = []
    groups = [(rest, "") for rest in joined_groups(model, targets)]
    pushed: dict[Text, Values] = {}  # tag → the join that pushes it
    for key, i, template in templates:
        where = ("ci", "manifest", key, i)
        if "name" in PLACEHOLDER.findall(template):
            problems.append(
                Problem(
                    path=where,
                    message="{name} is empty here: a join of several cells has no target name",
                    hint=f"name the axes that tell joins apart, e.g. "
                    f"{' '.join('{' + a + '}' for a in model.axes if a != manifest.axis)}",
                )
            )
            continue
        found = distinct(template, model.axes, groups)
        try:
            texts = [(rest, manifest_tag(model, ids, rest, key, i, template)) for rest, _ in found]
        except MatrixError as exc:
            problems += exc.problems
            continue
        if len(found) < len(groups):
            # Two joins differ only in axes the template does not name: the same tag.
            named = {r for r, _ in found}
            other = next(r for r, _ in groups if r not in named)
            axes = named_axes(template, model.axes)
            same = next(r for r, _ in found if _agree(r, other, axes))
            problems.append(_clash(where, texts[[r for r, _ in found].index(same)][1], same, other))
            continue
        for rest, text in texts:
            first = pushed.setdefault(text, rest)
            if first != rest:
                problems.append(_clash(where, text, first, rest))
                break
    return problems


def _agree(one: Values, other: Values, axes: set[str]) -> bool:
    """Whether two joins have the same values on every axis of `axes`."""
    return {p for p in one if p[0] in axes} == {p for p in other if p[0] in axes}


def _clash(where: KeyPath, text: Text, one: Values, other: Values) -> Problem:
    shown = "".join(p if isinstance(p, str) else "${" + p.name + "}" for p in text)
    differ = [a for (a, v), (_, w) in zip(one, other, strict=True) if v != w]
    return Problem(
        path=where,
        message=f"two joins would both be tagged {shown!r}: "
        f"({', '.join(f'{a}={v}' for a, v in one)}) and ({', '.join(f'{a}={v}' for a, v in other)})",
        hint=f"name every axis that tells joins apart, e.g. {' '.join('{' + a + '}' for a in differ)}",
    )


def several_platforms(members: Sequence[Target]) -> list[Target]:
    """The members of a join of two or more cells that build several platforms each."""
    if len(members) < 2:
        return []
    return [cell for cell in members if len(cell.platforms) > 1]


def repeated_platforms(members: Iterable[Target]) -> list[str]:
    """The platforms that more than one member of a join builds (the index would list each
    of them twice)."""
    counts = Counter(p for cell in members for p in cell.platforms)
    return sorted(p for p, n in counts.items() if n > 1)


def join_warnings(manifest: Manifest | None, cells: Iterable[Target]) -> list[Problem]:
    """A cell that builds several platforms, joined with others into the same manifest tag,
    makes that tag ambiguous (e.g. a `multi` value beside amd64 and arm64)."""
    if manifest is None:
        return []
    joined: dict[Values, list[Target]] = {}
    for cell in cells:
        joined.setdefault(outside(manifest.axis, cell.values), []).append(cell)
    warnings: list[Problem] = []
    flagged: set[str] = set()
    for members in joined.values():
        for cell in several_platforms(members):
            value = dict(cell.values).get(manifest.axis)
            if value not in flagged:
                flagged.add(value or "")
                warnings.append(
                    Problem(
                        path=("axes", manifest.axis, "values", value or ""),
                        message=f"{manifest.axis} {value!r} builds several platforms "
                        f"({', '.join(cell.platforms)}) and is joined with the other "
                        f"{manifest.axis} values into one manifest tag",
                        hint="exclude it from the join: build it in a separate matrix "
                        "or give it its own tags",
                    )
                )
    return warnings


def cache_warnings(targets: Iterable[Target]) -> list[Problem]:
    """One warning per block that gives targets with the registry cache several platforms:
    on a builder with a node per platform the nodes overwrite each other's cache."""
    found: dict[tuple[KeyPath, tuple[str, ...]], int] = {}
    for target in targets:
        if len(target.platforms) > 1 and target.cache_to:
            where = target.origins.get("platforms", ("defaults",))
            key = (where, target.platforms)
            found[key] = found.get(key, 0) + 1
    return [
        Problem(
            path=where,
            message=f"{count} target{'s' if count > 1 else ''} "
            f"build{'' if count > 1 else 's'} several platforms ({', '.join(platforms)}) "
            "into one registry cache ref each: on a builder with a node per platform, every "
            "node writes that ref and the last write wins (buildx#1044), so a fresh build "
            "runs the other platforms' steps again",
            hint=f"{PER_PLATFORM}; or set cache: {{enabled: false}}",
        )
        for (where, platforms), count in found.items()
    ]
