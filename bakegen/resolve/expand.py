"""Stage 3, expand: the axes' product, minus excludes, plus includes → cells in a stable order."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from bakegen.errors import KeyPath, MatrixError, Problem, Problems, TemplateError
from bakegen.matrix.model import MatrixFile
from bakegen.matrix.names import id_of, joined, sanitize
from bakegen.matrix.selectors import Selector
from bakegen.templating import expand, is_literal, plain

# Axis → value → the value's id in target and group names.
ValueIds = Mapping[str, Mapping[str, str]]


class Cell(NamedTuple):
    """One combination of axis values: one bake target (a named tuple: made for every cell)."""

    name: str
    values: tuple[tuple[str, str], ...]
    includes: tuple[int, ...] = ()
    origin: KeyPath = ("axes",)

    def value(self, axis: str) -> str:
        return dict(self.values)[axis]


@dataclass(frozen=True, kw_only=True)
class CellSpace:
    """What expansion reads of a matrix: the axes and their value ids, the exclude and
    include selectors, and the `name` template."""

    axes: tuple[tuple[str, tuple[str, ...]], ...]
    ids: ValueIds
    exclude: tuple[Selector, ...]
    include: tuple[Selector, ...]
    name: str | None

    @classmethod
    def of(cls, model: MatrixFile, ids: ValueIds) -> CellSpace:
        return cls(
            axes=tuple((name, tuple(axis.values)) for name, axis in model.axes.items()),
            ids=ids,
            exclude=tuple(Selector.parse(s) for s in model.exclude),
            include=tuple(Selector.parse(i.cell) for i in model.include),
            name=model.name,
        )


@dataclass(frozen=True)
class Expansion:
    cells: tuple[Cell, ...]
    warnings: tuple[Problem, ...]


def cell_name(space: CellSpace, values: dict[str, str]) -> str:
    """The target name of a combination: the `name` template, or the value ids joined by '-'."""
    ids = {axis: id_of(space.ids[axis], value) for axis, value in values.items()}
    if space.name is None:
        return joined(ids[a] for a, _ in space.axes)
    try:
        text = expand(space.name, ids)
    except TemplateError as exc:
        raise MatrixError([Problem(path=("name",), message=exc.message, hint=exc.hint)]) from None
    if not is_literal(text):
        raise MatrixError([Problem(path=("name",), message="must not use bake variables")])
    return sanitize(plain(text))


def expand_cells(space: CellSpace) -> Expansion:
    """All cells of the matrix, in axis order; raises on an empty result or a name clash."""
    axes = [a for a, _ in space.axes]
    warnings: list[Problem] = []
    # Combinations as plain tuples until the end: a Cell is made once per cell. Each
    # (axis, value) pair is one object, shared by every cell that has it.
    combos = list(itertools.product(*([(a, v) for v in values] for a, values in space.axes)))
    for i, selector in enumerate(space.exclude):
        before = len(combos)
        selected = _selected(space, selector)
        combos = [c for c in combos if c not in selected]
        if len(combos) == before:
            warnings.append(Problem(path=("exclude", i), message="this exclude matches no cell"))

    includes: dict[int, list[int]] = {}
    added: list[tuple[tuple[tuple[str, str], ...], int]] = []
    for i, selector in enumerate(space.include):
        selected = _selected(space, selector)
        hits = [k for k, c in enumerate(combos) if c in selected]
        if hits:
            for k in hits:
                includes.setdefault(k, []).append(i)
        elif selector.names_one_cell(axes):
            wanted = {axis: patterns[0] for axis, patterns in selector.patterns}
            added.append((tuple((a, wanted[a]) for a in axes), i))
        else:
            warnings.append(
                Problem(
                    path=("include", i, "cell"),
                    message="this include matches no cell and does not name one value of "
                    "every axis",
                    hint="name every axis to add a cell",
                )
            )
    if not combos and not added:
        raise MatrixError(
            [
                Problem(
                    path=("exclude",),
                    message="the matrix has no cells: every combination is excluded",
                )
            ]
        )
    name = _namer(space)
    named = [
        Cell(name=name(values), values=values, includes=tuple(includes.get(k, ())))
        for k, values in enumerate(combos)
    ]
    named += [
        Cell(name=name(values), values=values, includes=(i,), origin=("include", i))
        for values, i in added
    ]
    _check_unique(named)
    return Expansion(cells=tuple(named), warnings=tuple(warnings))


def _selected(space: CellSpace, selector: Selector) -> frozenset[tuple[tuple[str, str], ...]]:
    """Every combination of axis values the selector picks, made from the values each axis
    accepts (each value is matched once, not once per cell)."""
    named = {axis for axis, _ in space.axes}
    if any(axis not in named for axis, _ in selector.patterns):
        return frozenset()  # an axis the matrix does not have: no cell has a value of it
    accepted = [[(a, v) for v in values if selector.accepts(a, v)] for a, values in space.axes]
    return frozenset(itertools.product(*accepted))


def _namer(space: CellSpace) -> Callable[[tuple[tuple[str, str], ...]], str]:
    """The target name of a combination (see `cell_name`); without a `name` template, the
    value ids joined by '-', each id looked up once per value."""
    if space.name is not None:
        return lambda values: cell_name(space, dict(values))
    ids: dict[tuple[str, str], str] = {}

    def value_id(pair: tuple[str, str]) -> str:
        if pair not in ids:
            ids[pair] = id_of(space.ids[pair[0]], pair[1])
        return ids[pair]

    return lambda values: joined([value_id(pair) for pair in values])


def _check_unique(cells: list[Cell]) -> None:
    seen: dict[str, Cell] = {}
    clashes: list[tuple[KeyPath, str]] = []
    for cell in cells:
        if cell.name in seen:
            first = seen[cell.name]
            shown = [", ".join(f"{a}={v}" for a, v in c.values) for c in (first, cell)]
            where = cell.origin if cell.origin != ("axes",) else ("name",)
            clashes.append(
                (where, f"two cells are both named {cell.name!r}: ({shown[0]}) and ({shown[1]})")
            )
        seen.setdefault(cell.name, cell)
    problems = Problems()
    problems.add_first(clashes, "give the values distinct ids")
    problems.raise_if_any()
