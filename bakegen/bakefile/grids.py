"""Families over several axes: cells that differ along a few axes of few values each,
written as one buildx `matrix` block with a key per axis (buildx makes their product).

A matrix whose axes all have fewer than 16 values (frameworks × CUDA × platforms × targets)
has no single-axis family (families.py). Here the cells that no such family holds are
grouped by the values of the other axes; a group becomes one block where its cells are the
complete product of their values on the chosen axes and every attribute can be written
for the block:

    target "_framework-target-of-cuda12-8-amd64" {
      name   = "${_cell_framework.id}-cuda12-8-amd64-${_cell_target.id}"
      matrix = {
        _cell_framework = [{ id = "vllm", args = { FW = "vllm" } }, ...]
        _cell_target    = [{ id = "runtime", target = "runtime" }, ...]
      }
      args   = merge({ CUDA = "12.8" }, _cell_framework.args)
      target = _cell_target.target
    }

Each attribute is one value for every cell, the same value with each axis's id or value
templated (`${_cell_<axis>.id}`, `${_cell_<axis>.value}`), or a field of one axis's records
where the value follows that axis alone; a map is split entry by entry the same way
(`merge({...}, _cell_<axis>.<field>)`). Every form is checked against every cell's own
value, so each target resolves exactly as its own block would. Anything else (a value that
follows two axes at once, an override for one cell) gives up the set of axes for the next.

Which axes: every set of two or more axes whose product of values is between the family
bounds, tried cheapest first by `_cost` (what the file spends on blocks and group lists);
cells a set leaves out are tried again with the next set. What costs is mostly the groups:
the group of an axis value lists every cell of that value where the axis is a key of the
blocks, but names whole blocks where it is not. One block over every axis would make the
groups list each cell once per axis; a block per combination of a few axes, the rest keys,
keeps both the blocks and the groups short (1,000 cells of five axes: eight blocks of 125,
one per CUDA version and platform)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import combinations
from math import prod
from operator import itemgetter
from typing import Any

from bakegen.attributes import Kind
from bakegen.bakefile.blocks import KEYS, Block
from bakegen.bakefile.families import (
    MAX_MEMBERS,
    MIN_MEMBERS,
    Family,
    Records,
    SplitMap,
    alike_keys,
)
from bakegen.bakefile.family_ids import CELL, templated, text_with_id
from bakegen.bakefile.hcl import Expr, Switched
from bakegen.matrix.model import MatrixFile
from bakegen.resolve.expand import ValueIds
from bakegen.resolve.targets import Target
from bakegen.templating import Text, Var

# Sets of axes tried at most: a matrix of many axes has many sets, each a pass over the
# cells left.
MAX_SETS = 64
# The field of an axis's records holding its value, where a template names it (an id is the
# record's `id`).
VALUE = "value"
_ABSENT = object()


def plan(
    model: MatrixFile,
    ids: ValueIds,
    targets: Sequence[Target],
    values_of: Callable[[Target], dict[str, Any]],
    taken: set[str],
) -> tuple[Family, ...]:
    """The families over several axes among the cells of `targets`."""
    if any(v.startswith(CELL) for v in model.variables):
        return ()  # `_cell_<axis>` would clash with a variable
    axes = list(model.axes)
    if len({_key(a) for a in axes}) < len(axes):
        return ()  # axes `a-b` and `a_b` would share a matrix key
    sizes = {a: len(ids[a]) for a in axes}
    sets = [
        s
        for n in range(2, len(axes) + 1)
        for s in combinations(axes, n)
        if MIN_MEMBERS <= prod(sizes[a] for a in s) <= MAX_MEMBERS
    ]
    cells = [t for t in targets if t.kind == "cell"]
    sets.sort(key=lambda s: (_cost(len(cells), len(axes), prod(sizes[a] for a in s), len(s)), s))
    labels = set(taken)
    families: list[Family] = []
    # Each cell's id on every axis, worked out once for all the sets.
    at = {
        t.name: tuple(ids[a][v] for a, v in zip(axes, _values(t, axes), strict=True)) for t in cells
    }
    for inner in sets[:MAX_SETS]:
        if len(cells) < MIN_MEMBERS:
            break
        outer = [a for a in axes if a not in inner]
        value_of = [{vid: value for value, vid in ids[a].items()} for a in inner]
        value_of_outer = [{vid: value for value, vid in ids[a].items()} for a in outer]
        outer_of = itemgetter(*(axes.index(a) for a in outer)) if outer else lambda _: ()
        inner_of = itemgetter(*(axes.index(a) for a in inner))
        by_outer: dict[Any, list[Target]] = {}
        for target in cells:
            by_outer.setdefault(outer_of(at[target.name]), []).append(target)
        done: set[str] = set()
        for key, members in by_outer.items():
            if len(members) < MIN_MEMBERS:
                continue
            outer_ids = [key] if len(outer) == 1 else list(key)
            label = "_" + "-".join([*inner, "of", *outer_ids] if outer else inner)
            if label in labels:
                continue
            coords = [inner_of(at[t.name]) for t in members]
            if not _complete(coords):
                continue  # buildx would make cells that do not exist
            # Texts are templated from a cell whose ids and values are all distinct, and
            # distinct from the other axes' (in `"0 0 0"`, made of three axes' values, no
            # template could tell them apart).
            fixed = {
                *outer_ids,
                *(value_of_outer[j][vid] for j, vid in enumerate(outer_ids)),
            }
            reference = next((c for c in coords if _distinct(c, value_of, fixed)), coords[0])
            # The cells of the first two ids of each axis and the reference's first: what
            # all the cells can be written as, these few can, so a set that fails fails at
            # the cost of a few.
            firsts = [
                {*list(dict.fromkeys(c[i] for c in coords))[:2], reference[i]}
                for i in range(len(inner))
            ]
            few = [
                (t, c)
                for t, c in zip(members, coords, strict=True)
                if all(v in first for v, first in zip(c, firsts, strict=True))
            ]
            family = _grid(
                label,
                inner,
                value_of,
                [t for t, _ in few],
                [c for _, c in few],
                reference,
                values_of,
            )
            if family is not None:
                family = _grid(label, inner, value_of, members, coords, reference, values_of)
            if family is None:
                # What one group cannot write (a value that follows two of the axes at
                # once), the others mostly cannot either: the set is given up rather than
                # every cell's values worked out for nothing.
                break
            labels.add(label)
            families.append(family)
            done.update(family.members)
        cells = [t for t in cells if t.name not in done]
    return tuple(families)


# A block's text is about as long as this many target names in a group's list.
BLOCK_NAMES = 40


def _cost(cells: int, axes: int, block_cells: int, keys: int) -> float:
    """What a file spends, in target names, on the blocks of a set of `keys` axes and on
    the axis values' groups: each block, and each name the groups list (a block's name
    for a group of an axis that is not a key, every cell's for one that is)."""
    blocks = cells / block_cells
    return blocks * (BLOCK_NAMES + axes - keys) + keys * cells


def _key(axis: str) -> str:
    """The matrix key of an axis: an identifier without `-`, which HCL would also read in
    a name but which reads as a minus."""
    return f"{CELL}_{axis.replace('-', '_')}"


def _values(target: Target, axes: Sequence[str]) -> tuple[str, ...]:
    """The cell's value on each axis, in the order of `axes`."""
    values = dict(target.values)
    return tuple(values[a] for a in axes)


def _distinct(coords: tuple[str, ...], value_of: list[dict[str, str]], fixed: set[str]) -> bool:
    """Whether a cell's ids, and its values that differ from their ids, are all distinct,
    and none is part of the `fixed` texts (the other axes' ids and values, which stay as
    they are in every template)."""
    texts = [*coords, *(v[c] for v, c in zip(value_of, coords, strict=True) if v[c] != c)]
    return len(set(texts)) == len(texts) and not any(t in f for t in texts for f in fixed)


def _complete(coords: list[tuple[str, ...]]) -> bool:
    """Whether the cells are every combination of their ids on the axes, once each."""
    per_axis = [{c[i] for c in coords} for i in range(len(coords[0]))]
    return len(set(coords)) == len(coords) == prod(map(len, per_axis))


def _fill(value: Any, kind: Kind, given: dict[Var, str]) -> Any:
    """A templated value with each axis's id put back, as buildx will."""
    if isinstance(value, Switched):
        always = None if value.always is None else _fill(value.always, Kind.TEXT_LIST, given)
        return Switched(value.flag, _fill(value.items, Kind.TEXT_LIST, given), always)
    if kind is Kind.TEXT_LIST:
        return tuple(_fill(t, Kind.TEXT, given) for t in value)
    out: list[str | Var] = []
    for part in value:
        part = given.get(part, part) if isinstance(part, Var) else part
        if isinstance(part, str) and out and isinstance(out[-1], str):
            out[-1] += part
        elif part != "":
            out.append(part)
    return tuple(out)


class _Grid:
    """The cells of one group: each cell's id on each axis, and the ways a value can be
    written for all of them."""

    def __init__(
        self,
        inner: Sequence[str],
        coords: list[tuple[str, ...]],
        value_of: list[dict[str, str]],
        reference: tuple[str, ...],
    ) -> None:
        self.inner = inner
        self.coords = coords
        self.ref = coords.index(reference)
        ids = [Var(f"{_key(a)}.id") for a in inner]
        values = [Var(f"{_key(a)}.{VALUE}") for a in inner]
        self.given = [
            {
                **dict(zip(values, (v[i] for v, i in zip(value_of, c, strict=True)), strict=True)),
                **dict(zip(ids, c, strict=True)),
            }
            for c in coords
        ]
        # What the reference cell's texts are templated with: each axis's id, and its value
        # where that differs from the id, the longest first (an id inside a value, such as
        # `amd64` in `linux/amd64`, is then not taken for the id).
        first = self.given[self.ref]
        self.tokens = sorted(
            (
                (text, var)
                for var, text in first.items()
                if text and not (var in values and text == first[ids[values.index(var)]])
            ),
            key=lambda t: -len(t[0]),
        )
        self.values = values
        self.used: set[int] = set()  # the axes whose values some template names

    def templated(self, column: Sequence[Any], kind: Kind) -> Any:
        """The value every cell has with its ids (or values) templated, or None."""
        own = column[self.ref]
        if kind not in (Kind.TEXT, Kind.TEXT_LIST) and not isinstance(own, Switched):
            return None
        if isinstance(own, Expr):
            return None
        shaped = own
        for text, var in self.tokens:
            shaped = templated(shaped, kind, text, var)
        if shaped == own:
            return None
        fits = all(_fill(shaped, kind, g) == v for g, v in zip(self.given, column, strict=True))
        if not fits:
            return None
        named = repr(shaped)
        self.used.update(i for i, v in enumerate(self.values) if repr(v) in named)
        return shaped

    def by_axis(self, column: Sequence[Any]) -> tuple[int, dict[str, Any]] | None:
        """The axis (its index) whose value alone gives each cell's value, with the value
        for each of its ids; the first such axis, or None."""
        for i in range(len(self.inner)):
            seen: dict[str, Any] = {}
            if all(seen.setdefault(c[i], v) == v for c, v in zip(self.coords, column, strict=True)):
                return i, seen
        return None


def _grid(
    label: str,
    inner: Sequence[str],
    value_of: list[dict[str, str]],
    members: list[Target],
    coords: list[tuple[str, ...]],
    reference: tuple[str, ...],
    values_of: Callable[[Target], dict[str, Any]],
) -> Family | None:
    per_axis = [list(dict.fromkeys(c[i] for c in coords)) for i in range(len(inner))]
    grid = _Grid(inner, coords, value_of, reference)
    # The name is made of ids only.
    name: Text = (members[0].name,)
    for var, vid in zip((Var(f"{_key(a)}.id") for a in inner), coords[0], strict=True):
        name = tuple(
            q for p in name for q in (text_with_id(p, vid, var) if isinstance(p, str) else (p,))
        )
    if any(
        _fill(name, Kind.TEXT, g) != (t.name,) for g, t in zip(grid.given, members, strict=True)
    ):
        return None
    own = alike_keys(members, values_of)
    if own is None:
        return None
    keys = own[0].keys()
    block: list[tuple[str, Any]] = []
    # Each axis's fields: (field, bake key, the value for each of its ids).
    fields: list[list[tuple[str, str, dict[str, Any]]]] = [[] for _ in inner]
    for key in keys:
        column = [o[key] for o in own]
        kind = KEYS[key].kind
        field = key.replace("-", "_")
        if column.count(column[0]) == len(column):
            block.append((key, column[0]))
            continue
        if kind is Kind.TEXT_MAP:
            value = _split_map(grid, column, key, fields)
            if value is None:
                return None
            block.append((key, value))
            continue
        shaped = grid.templated(column, kind)
        if shaped is None:
            found = grid.by_axis(column)
            if found is None:
                return None
            at, values = found
            fields[at].append((field, key, values))
            shaped = Expr(f"{_key(inner[at])}.{field}")
        block.append((key, shaped))
    for i in sorted(grid.used):
        # A template names the axis's value: each record holds it.
        fields[i].insert(0, (VALUE, VALUE, {vid: (value_of[i][vid],) for vid in per_axis[i]}))
    matrix: list[tuple[str, Records]] = []
    for i, axis in enumerate(inner):
        records = tuple(
            (vid, tuple((field, key, values[vid]) for field, key, values in fields[i]))
            for vid in per_axis[i]
        )
        matrix.append((_key(axis), records))
    return Family(
        block=Block(name=label, values=tuple(block)),
        name=name,
        members=tuple(t.name for t in members),
        records=(),
        keys=tuple(matrix),
    )


def _split_map(
    grid: _Grid,
    column: Sequence[tuple[tuple[str, Any], ...]],
    key: str,
    fields: list[list[tuple[str, str, dict[str, Any]]]],
) -> Any:
    """A map attribute: the entries every cell has alike (or templated) in the block, each
    other entry in the records of the one axis it follows; None where an entry follows
    none."""
    field = key.replace("-", "_")
    maps = [dict(v) for v in column]
    names = list(dict.fromkeys(k for v in column for k, _ in v))
    alike: list[tuple[str, Any]] = []
    by_axis: list[dict[str, list[tuple[str, Any]]]] = [{} for _ in grid.inner]
    for name in names:
        entries = [m.get(name, _ABSENT) for m in maps]
        if entries.count(entries[0]) == len(entries):
            alike.append((name, entries[0]))
            continue
        if _ABSENT not in entries:
            shaped = grid.templated(entries, Kind.TEXT)
            if shaped is not None:
                alike.append((name, shaped))
                continue
        found = grid.by_axis(entries)
        if found is None:
            return None
        at, values = found
        for vid, value in values.items():
            entry = by_axis[at].setdefault(vid, [])
            if value is not _ABSENT:
                entry.append((name, value))
    refs: list[str] = []
    for i, axis in enumerate(grid.inner):
        if by_axis[i]:
            vids = dict.fromkeys(c[i] for c in grid.coords)
            own = {vid: tuple(by_axis[i].get(vid, ())) for vid in vids}
            fields[i].append((field, key, own))
            refs.append(f"{_key(axis)}.{field}")
    if not refs:
        return tuple(alike)
    if alike:
        return SplitMap(tuple(alike), tuple(refs))
    return Expr(refs[0] if len(refs) == 1 else f"merge({', '.join(refs)})")
