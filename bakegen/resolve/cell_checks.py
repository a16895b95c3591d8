"""Checks of templates that only the commands `manifest` and `run` expand, made for every
command (validate above all): ci.manifest tag templates and run.home / run.user_home."""

from __future__ import annotations

import re
from collections.abc import Iterable

from bakegen.errors import KeyPath, MatrixError, Problem, TemplateError
from bakegen.matrix.tags import image_tag, tag_problem
from bakegen.matrix.validate import Matrix
from bakegen.resolve.scope import Names
from bakegen.resolve.targets import Target
from bakegen.templating import Text, expand

Values = tuple[tuple[str, str], ...]
_NAMED = re.compile(r"\{([^{}]*)\}")


def _distinct(
    template: str, matrix: Matrix, combos: Iterable[tuple[Values, str]]
) -> list[tuple[Values, str]]:
    """One (values, name) per distinct result: a template's text depends only on the axes it
    names (and on the name when it uses {name}), so only those combinations are expanded."""
    named = set(_NAMED.findall(template))
    axes = {a for a in matrix.model.axes if any(n == a or n.startswith(a + ".") for n in named)}
    by_name = "name" in named
    if not axes and not by_name:
        # The same text for every combination (a fixed home such as /root): the first.
        first = next(iter(combos), None)
        return [first] if first is not None else []
    out: dict[tuple[Values, str], tuple[Values, str]] = {}
    for values, name in combos:
        key = (tuple((a, v) for a, v in values if a in axes), name if by_name else "")
        out.setdefault(key, (values, name))
    return list(out.values())


def manifest_tag(matrix: Matrix, rest: Values, key: str, index: int, template: str) -> Text:
    """One ci.manifest tag template for the cells that share `rest`: a full reference."""
    where = ("ci", "manifest", key, index)
    try:
        text = expand(template, Names.of(matrix.model, matrix.ids).scope(rest, ""))
    except TemplateError as exc:
        raise MatrixError([matrix.source.problem(where, exc.message, exc.hint)]) from None
    problem = tag_problem(text)
    if problem:
        raise MatrixError([matrix.source.problem(where, problem[0], problem[1])])
    return image_tag(text)


def joined_groups(matrix: Matrix, targets: Iterable[Target]) -> dict[Values, list[Target]]:
    """Cells with tags (or pushed by digest) grouped by their values outside the manifest
    axis."""
    manifest = matrix.model.ci.manifest
    groups: dict[Values, list[Target]] = {}
    if manifest is None:
        return groups
    for target in targets:
        if target.kind == "cell" and (target.tags or target.by_digest):
            rest = tuple((a, v) for a, v in target.values if a != manifest.axis)
            groups.setdefault(rest, []).append(target)
    return groups


def _manifest_problems(matrix: Matrix, targets: Iterable[Target]) -> list[Problem]:
    """Each template expands to a legal tag for every join, and no two joins get one tag
    (one `imagetools create` would overwrite the other's)."""
    manifest = matrix.model.ci.manifest
    if manifest is None or manifest.axis not in matrix.model.axes:
        return []
    templates = [("tags", i, t) for i, t in enumerate(manifest.tags)]
    templates += [("latest", i, t) for i, t in enumerate(manifest.latest)]
    problems: list[Problem] = []
    groups = [(rest, "") for rest in joined_groups(matrix, targets)]
    pushed: dict[Text, Values] = {}  # tag → the join that pushes it
    for key, i, template in templates:
        where = ("ci", "manifest", key, i)
        if "name" in _NAMED.findall(template):
            problems.append(
                matrix.source.problem(
                    where,
                    "{name} is empty here: a join of several cells has no target name",
                    f"name the axes that tell joins apart, e.g. "
                    f"{' '.join('{' + a + '}' for a in matrix.model.axes if a != manifest.axis)}",
                )
            )
            continue
        distinct = _distinct(template, matrix, groups)
        try:
            texts = [(rest, manifest_tag(matrix, rest, key, i, template)) for rest, _ in distinct]
        except MatrixError as exc:
            problems += exc.problems
            continue
        if len(distinct) < len(groups):
            # Two joins differ only in axes the template does not name: the same tag.
            named = {r for r, _ in distinct}
            other = next(r for r, _ in groups if r not in named)
            same = next(r for r, _ in distinct if _agree(r, other, template, matrix))
            problems.append(
                _clash(matrix, where, texts[[r for r, _ in distinct].index(same)][1], same, other)
            )
            continue
        for rest, text in texts:
            first = pushed.setdefault(text, rest)
            if first != rest:
                problems.append(_clash(matrix, where, text, first, rest))
                break
    return problems


def _agree(one: Values, other: Values, template: str, matrix: Matrix) -> bool:
    """Whether two joins have the same values on every axis the template names."""
    named = set(_NAMED.findall(template))
    axes = {a for a in matrix.model.axes if any(n == a or n.startswith(a + ".") for n in named)}
    return {p for p in one if p[0] in axes} == {p for p in other if p[0] in axes}


def _clash(matrix: Matrix, where: KeyPath, text: Text, one: Values, other: Values) -> Problem:
    shown = "".join(p if isinstance(p, str) else "${" + p.name + "}" for p in text)
    differ = [a for (a, v), (_, w) in zip(one, other, strict=True) if v != w]
    return matrix.source.problem(
        where,
        f"two joins would both be tagged {shown!r}: "
        f"({', '.join(f'{a}={v}' for a, v in one)}) and ({', '.join(f'{a}={v}' for a, v in other)})",
        f"name every axis that tells joins apart, e.g. {' '.join('{' + a + '}' for a in differ)}",
    )


def _home_problems(matrix: Matrix, targets: tuple[Target, ...]) -> list[Problem]:
    run = matrix.model.run
    problems: list[Problem] = []
    for key, template in (("home", run.home), ("user_home", run.user_home)):
        if template is None:
            continue
        cells = ((t.values, t.name) for t in targets if t.kind == "cell")
        for values, name in _distinct(template, matrix, cells):
            try:
                text = expand(template, Names.of(matrix.model, matrix.ids).scope(values, name))
            except TemplateError as exc:
                problems.append(matrix.source.problem(("run", key), exc.message, exc.hint))
                break
            first = text[0] if text else ""
            literal = "".join(p for p in text if isinstance(p, str))
            if not (isinstance(first, str) and first.startswith("/")):
                problems.append(
                    matrix.source.problem(
                        ("run", key),
                        f"{template!r} is not an absolute path",
                        "a home directory inside the container, e.g. /root or /home/ubuntu",
                    )
                )
                break
            bad = sorted({c for c in literal if c in ":,\n\0"})
            if bad:
                # `docker run -v HOST:HOME/.cache/huggingface`: a ':' would start the mount
                # options (`/root:ro` makes the cache read-only), ',' splits --mount fields.
                problems.append(
                    matrix.source.problem(
                        ("run", key),
                        f"{template!r} has {', '.join(repr(c) for c in bad)}: a home is a "
                        "path, without mount options",
                        "a home directory inside the container, e.g. /root or /home/ubuntu",
                    )
                )
                break
    return problems


def check_cells(matrix: Matrix, targets: tuple[Target, ...]) -> None:
    """Raise a MatrixError for manifest tag templates or run homes that cannot work."""
    problems = _manifest_problems(matrix, targets) + _home_problems(matrix, targets)
    if problems:
        raise MatrixError(problems)
