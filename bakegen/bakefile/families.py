"""Families: cells that differ by one axis only, written as one buildx `matrix` block.

buildx reads a large bake file mostly at the cost of its text: a block per cell costs it
about a third more than a `matrix` block making the same targets (docs/performance.md). So
the HCL file writes, for each combination of the other axes, one private block whose
`matrix` lists one record per value of the axis with the most values (the inner axis):

    target "_flavour-of-cuda12-8-amd64" {
      name   = "cuda12-8-amd64-${_cell.id}"
      matrix = {_cell = [{ id = "f0", target = "s0" }, ...]}
      args   = {FLAVOUR = "${_cell.id}"}
      target = _cell.target
    }

Each attribute is worked out from the cells' own values: one value for every cell, the same
value with the inner value's id as `${_cell.id}`, or else a field of each cell's record
holding that cell's own value. A map (args, labels) that differs is split by entry: the
entries every cell has alike stay in the block, and each record holds only the rest
(`args = merge({...}, _cell.args)`). Each form gives back every cell's value exactly, so
every target resolves as it would from its own block, under its own name (`--set
<name>.key=…` reaches it as before). A family needs `MIN_MEMBERS` cells whose blocks have
the same keys; other cells keep their own blocks. More than `MAX_MEMBERS` cells are split
over several blocks (`<block>-2`, `<block>-3`, …).

A family's block inherits nothing: what every cell has alike is written in the block, so
the block reads as the cells it makes. Matrices whose axes all have fewer values get
families over several axes instead (grids.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bakegen.attributes import Kind
from bakegen.bakefile.blocks import KEYS, Block
from bakegen.bakefile.family_ids import CELL, Filled, alike_templated, text_with_id
from bakegen.bakefile.hcl import Expr
from bakegen.matrix.model import MatrixFile
from bakegen.resolve.expand import ValueIds
from bakegen.resolve.targets import Target
from bakegen.templating import Text

# Below this many cells a family saves buildx too little to be worth a block of its own.
MIN_MEMBERS = 16
# Above this many, the cells are split over several blocks. A family's values are compared
# a column at a time, and a column of a few thousand cells no longer fits in the
# processor's cache: at 100,000 cells (families of 10,000) working out the blocks took
# 12.5 times as long as at 10,000, where parts of 1,000 took 10 times as long.
MAX_MEMBERS = 1024


# One record per value: its id, and (field, bake key, value) for each field.
Records = tuple[tuple[str, tuple[tuple[str, str, Any], ...]], ...]


@dataclass(frozen=True)
class SplitMap:
    """A map attribute of a family's block: the entries every cell has alike, merged with
    the cell's own entries from its records (`merge({...}, _cell.<field>)`; over several
    axes, one record's field per axis)."""

    alike: tuple[tuple[str, Any], ...]
    refs: tuple[str, ...]  # `<matrix key>.<field>`


@dataclass(frozen=True)
class Family:
    """A `matrix` block: its block (attributes every cell shares, in their templated form,
    and `_cell.<field>` for the rest), the cells' name template, and one record per cell:
    its id on the inner axis and its own value of each field's bake key."""

    block: Block
    name: Text
    members: tuple[str, ...]
    records: Records  # of the one matrix key `_cell`
    # A family over several axes: one matrix key per axis, each with its records (and
    # `records` empty).
    keys: tuple[tuple[str, Records], ...] = ()

    def matrix(self) -> tuple[tuple[str, Records], ...]:
        """The block's `matrix`: each key with its records."""
        return self.keys or ((CELL, self.records),)


@dataclass(frozen=True)
class HclBlocks:
    """What the HCL file writes beside its targets' own blocks: the families, and the
    parents some block still inherits."""

    families: tuple[Family, ...]
    parents: Sequence[Block]
    # The block of each other target (by its index among the file's targets) under these
    # parents.
    block_at: Callable[[int], Block]


def plan(
    model: MatrixFile,
    ids: ValueIds,
    targets: tuple[Target, ...],
    values_of: Callable[[Target], dict[str, Any]],
    taken: set[str],
) -> tuple[Family, ...]:
    """The families worth a `matrix` block among the cells of `targets`."""
    if not model.axes or any(v.startswith(CELL) for v in model.variables):
        return ()  # `_cell` and `_cells_<n>` would clash with a variable
    # The inner axis: the one with the most values (the later one of equals).
    inner = max(reversed(model.axes), key=lambda a: len(model.axes[a].values))
    outer = [a for a in model.axes if a != inner]
    by_outer: dict[tuple[str, ...], list[Target]] = {}
    for target in targets:
        if target.kind != "cell":
            continue
        values = dict(target.values)
        by_outer.setdefault(tuple(values[a] for a in outer), []).append(target)
    families: list[Family] = []
    labels = set(taken)
    for key, cells in by_outer.items():
        if len(cells) < MIN_MEMBERS:
            continue
        label = "_" + "-".join([inner, "of", *(ids[a][v] for a, v in zip(outer, key, strict=True))])
        for part, members in enumerate(_parts(cells)):
            # A block of a part after the first is numbered. A label taken by a target, a
            # group or another block leaves its cells in blocks of their own.
            named = f"{label}-{part + 1}" if part else label
            if named in labels:
                continue
            labels.add(named)
            family = _family(named, inner, ids[inner], members, values_of)
            if family is not None:
                families.append(family)
    return tuple(families)


def _parts(cells: list[Target]) -> list[list[Target]]:
    """The cells of one combination of the outer axes in parts of at most `MAX_MEMBERS`,
    as even as can be."""
    count = -(-len(cells) // MAX_MEMBERS)
    size = -(-len(cells) // count)
    return [cells[i : i + size] for i in range(0, len(cells), size)]


def alike_keys(
    members: Sequence[Target], values_of: Callable[[Target], dict[str, Any]]
) -> list[dict[str, Any]] | None:
    """Each member's bake values, or None unless they all set the same keys (one block can
    only write keys every member has)."""
    own = [values_of(t) for t in members]
    keys = own[0].keys()
    return own if all(map(keys.__eq__, map(dict.keys, own))) else None


def _family(
    label: str,
    inner: str,
    inner_ids: Mapping[str, str],
    members: list[Target],
    values_of: Callable[[Target], dict[str, Any]],
) -> Family | None:
    member_ids = [inner_ids[dict(t.values)[inner]] for t in members]
    name = text_with_id(members[0].name, member_ids[0])
    if not Filled(name).fits([(t.name,) for t in members], member_ids):
        return None
    own = alike_keys(members, values_of)
    if own is None:
        return None
    keys = own[0].keys()
    block: list[tuple[str, Any]] = []
    fields: list[tuple[str, str, tuple[Any, ...]]] = []  # (field, bake key, each cell's value)
    for key in keys:
        column = [o[key] for o in own]
        # Compared at C speed, and the whole column only when the first and last are alike.
        if column[0] == column[-1] and column.count(column[0]) == len(column):
            block.append((key, column[0]))
            continue
        kind = KEYS[key].kind
        field = key.replace("-", "_")
        if kind is Kind.TEXT_MAP:
            # Entry by entry: most entries of a map that differs are alike.
            alike = _alike_entries(column, member_ids)
            shared_keys = {k for k, _, _ in alike}
            rest = tuple(tuple(e for e in v if e[0] not in shared_keys) for v in column)
            own_entries = any(rest)  # some cells have entries of their own
            if own_entries:
                fields.append((field, key, rest))
            block.append(_map_value(key, field, tuple((k, v) for k, v, _ in alike), own_entries))
            continue
        shaped = alike_templated(column, kind, member_ids)
        if shaped is None:
            shaped = Expr(f"{CELL}.{field}")
            fields.append((field, key, tuple(column)))
        block.append((key, shaped))
    records = tuple(
        (vid, tuple((field, key, cells[i]) for field, key, cells in fields))
        for i, vid in enumerate(member_ids)
    )
    return Family(
        block=Block(name=label, values=tuple(block)),
        name=name,
        members=tuple(t.name for t in members),
        records=records,
    )


def _map_value(key: str, field: str, alike: tuple[tuple[str, Any], ...], rest: bool) -> Any:
    """A map attribute of the block: its alike entries, merged with each cell's own from
    its record where cells have entries of their own."""
    if not rest:
        return (key, alike)
    return (key, SplitMap(alike, (f"{CELL}.{field}",)) if alike else Expr(f"{CELL}.{field}"))


_ABSENT = object()


def _alike_entries(
    column: Sequence[tuple[tuple[str, Any], ...]], member_ids: Sequence[str]
) -> tuple[tuple[str, Any, bool], ...]:
    """The entries of a map that every cell has alike, each with whether it is templated:
    the same value (False), or the same value with the cell's id as `${_cell.id}` (True)."""
    maps = [dict(v) for v in column]
    alike: list[tuple[str, Any, bool]] = []
    for key, value in column[0]:
        entries = [m.get(key, _ABSENT) for m in maps]
        if entries.count(value) == len(entries):
            alike.append((key, value, False))
        elif _ABSENT not in entries:
            shaped = alike_templated(entries, Kind.TEXT, member_ids)
            if shaped is not None:
                alike.append((key, shaped, True))
    return tuple(alike)
