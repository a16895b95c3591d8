"""Stage 3, expand: the axes' product, minus excludes, plus includes → cells in a stable order."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from fnmatch import fnmatchcase

from bakegen.errors import KeyPath, MatrixError, Problem, TemplateError
from bakegen.model import Selector
from bakegen.templating import expand, is_literal, plain
from bakegen.validate import Matrix, is_glob, sanitize


@dataclass(frozen=True, kw_only=True)
class Cell:
    """One combination of axis values: one bake target."""

    name: str
    values: tuple[tuple[str, str], ...]
    includes: tuple[int, ...] = ()
    origin: KeyPath = ("axes",)

    def value(self, axis: str) -> str:
        return dict(self.values)[axis]

    def matches(self, selector: Selector) -> bool:
        own = dict(self.values)
        for axis, wanted in selector.items():
            patterns = [wanted] if isinstance(wanted, str) else wanted
            if axis not in own or not any(fnmatchcase(own[axis], p) for p in patterns):
                return False
        return True


@dataclass(frozen=True)
class Expansion:
    cells: tuple[Cell, ...]
    warnings: tuple[Problem, ...]


def cell_name(matrix: Matrix, values: dict[str, str], origin: KeyPath) -> str:
    """The target name of a combination: the `name` template, or the value ids joined by '-'."""
    ids = {
        axis: matrix.value_ids(axis).get(value, sanitize(value)) for axis, value in values.items()
    }
    template = matrix.model.name
    if template is None:
        return "-".join(ids[a] for a in matrix.model.axes)
    try:
        text = expand(template, ids)
    except TemplateError as exc:
        raise MatrixError([matrix.source.problem(("name",), exc.message, exc.hint)]) from None
    if not is_literal(text):
        raise MatrixError([matrix.source.problem(("name",), "must not use bake variables")])
    return sanitize(plain(text))


def _is_full(matrix: Matrix, selector: Selector) -> bool:
    return set(selector) == set(matrix.model.axes) and all(
        isinstance(v, str) and not is_glob(v) for v in selector.values()
    )


def expand_matrix(matrix: Matrix) -> Expansion:
    """All cells of the matrix, in axis order; raises on an empty result or a name clash."""
    model = matrix.model
    source = matrix.source
    axes = list(model.axes)
    warnings: list[Problem] = []
    combos = [
        dict(zip(axes, combo, strict=True))
        for combo in itertools.product(*(list(a.values) for a in model.axes.values()))
    ]
    cells = [Cell(name="", values=tuple(c.items())) for c in combos]

    for i, selector in enumerate(model.exclude):
        before = len(cells)
        cells = [c for c in cells if not c.matches(selector)]
        if len(cells) == before:
            warnings.append(source.problem(("exclude", i), "this exclude matches no cell"))

    includes: dict[int, list[int]] = {}
    added: list[Cell] = []
    for i, inc in enumerate(model.include):
        hits = [k for k, c in enumerate(cells) if c.matches(inc.cell)]
        if hits:
            for k in hits:
                includes.setdefault(k, []).append(i)
        elif _is_full(matrix, inc.cell):
            values = tuple((a, str(inc.cell[a])) for a in axes)
            added.append(Cell(name="", values=values, includes=(i,), origin=("include", i)))
        else:
            warnings.append(
                source.problem(
                    ("include", i, "cell"),
                    "this include matches no cell and does not name one value of every axis",
                    "name every axis to add a cell",
                )
            )
    cells = [
        Cell(name="", values=c.values, includes=tuple(includes.get(k, ())), origin=c.origin)
        for k, c in enumerate(cells)
    ]
    cells.extend(added)
    if not cells:
        raise MatrixError(
            [source.problem(("exclude",), "the matrix has no cells: every combination is excluded")]
        )
    named = [
        Cell(
            name=cell_name(matrix, dict(c.values), c.origin),
            values=c.values,
            includes=c.includes,
            origin=c.origin,
        )
        for c in cells
    ]
    _check_unique(matrix, named)
    return Expansion(cells=tuple(named), warnings=tuple(warnings))


def _check_unique(matrix: Matrix, cells: list[Cell]) -> None:
    seen: dict[str, Cell] = {}
    clashes: list[tuple[Cell, Cell]] = []
    for cell in cells:
        if cell.name in seen:
            clashes.append((seen[cell.name], cell))
        seen.setdefault(cell.name, cell)
    if not clashes:
        return
    first, second = clashes[0]
    shown = [", ".join(f"{a}={v}" for a, v in c.values) for c in (first, second)]
    more = f" (and {len(clashes) - 1} more like it)" if len(clashes) > 1 else ""
    where = second.origin if second.origin != ("axes",) else ("name",)
    raise MatrixError(
        [
            matrix.source.problem(
                where,
                f"two cells are both named {first.name!r}: ({shown[0]}) and ({shown[1]}){more}",
                "give the values distinct ids",
            )
        ]
    )


def override_warnings(matrix: Matrix, cells: tuple[Cell, ...]) -> list[Problem]:
    """Overrides whose selector matches no cell do nothing: say so."""
    return [
        matrix.source.problem(("overrides", i, "select"), "this override matches no cell")
        for i, ovr in enumerate(matrix.model.overrides)
        if not any(c.matches(ovr.select) for c in cells)
    ]
