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
over several blocks (`<block>-2`, `<block>-3`, …)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, assert_never

from bakegen.attributes import Kind
from bakegen.blocks import KEYS, Block
from bakegen.expand import ValueIds
from bakegen.hcl import Expr, Switched
from bakegen.model import MatrixFile
from bakegen.targets import Target
from bakegen.templating import Text, Var

CELL = "_cell"
CELL_ID = Var(f"{CELL}.id")
# Below this many cells a family saves buildx too little to be worth a block of its own.
MIN_MEMBERS = 16
# Above this many, the cells are split over several blocks. A family's values are compared
# a column at a time, and a column of a few thousand cells no longer fits in the
# processor's cache: at 100,000 cells (families of 10,000) working out the blocks took
# 12.5 times as long as at 10,000, where parts of 1,000 took 10 times as long.
MAX_MEMBERS = 1024


@dataclass(frozen=True)
class SplitMap:
    """A map attribute of a family's block: the entries every cell has alike, merged with
    the cell's own entries from its record (`merge({...}, _cell.<field>)`)."""

    alike: tuple[tuple[str, Any], ...]
    field: str


@dataclass(frozen=True)
class Family:
    """A `matrix` block: its block (attributes every cell shares, in their templated form,
    and `_cell.<field>` for the rest), the cells' name template, and one record per cell:
    its id on the inner axis and its own value of each field's bake key."""

    block: Block
    name: Text
    members: tuple[str, ...]
    records: tuple[tuple[str, tuple[tuple[str, str, Any], ...]], ...]  # (id, (field, key, value))


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


def _family(
    label: str,
    inner: str,
    inner_ids: Mapping[str, str],
    members: list[Target],
    values_of: Callable[[Target], dict[str, Any]],
) -> Family | None:
    member_ids = [inner_ids[dict(t.values)[inner]] for t in members]
    name = _text(members[0].name, member_ids[0])
    if not _Filled(name).fits([(t.name,) for t in members], member_ids):
        return None
    # Every attribute is written in the family's block: a matrix block's cells would each
    # resolve its parents again.
    own = [values_of(t) for t in members]
    keys = own[0].keys()
    if not all(map(keys.__eq__, map(dict.keys, own))):
        return None
    values: list[tuple[str, Any]] = []
    fields: list[tuple[str, str, tuple[Any, ...]]] = []  # (field, bake key, each cell's value)
    for key in keys:
        column = [o[key] for o in own]
        # Compared at C speed, and the whole column only when the first and last are alike.
        if column[0] == column[-1] and column.count(column[0]) == len(column):
            values.append((key, column[0]))
            continue
        kind = KEYS[key].kind
        field = key.replace("-", "_")
        if kind is Kind.TEXT_MAP:
            # Entry by entry: most entries of a map that differs are alike.
            alike = _alike_entries(column, member_ids)
            alike_keys = {k for k, _ in alike}
            rest = tuple(tuple(e for e in v if e[0] not in alike_keys) for v in column)
            if not any(rest):  # alike entry by entry, some as written, some templated
                values.append((key, alike))
                continue
            values.append((key, SplitMap(alike, field) if alike else Expr(f"{CELL}.{field}")))
            fields.append((field, key, rest))
            continue
        shaped = _alike_templated(column, kind, member_ids)
        if shaped is not None:
            values.append((key, shaped))
        else:
            values.append((key, Expr(f"{CELL}.{field}")))
            fields.append((field, key, tuple(column)))
    records = tuple(
        (vid, tuple((field, key, cells[i]) for field, key, cells in fields))
        for i, vid in enumerate(member_ids)
    )
    return Family(
        block=Block(name=label, values=tuple(values)),
        name=name,
        members=tuple(t.name for t in members),
        records=records,
    )


_ABSENT = object()


def _alike_entries(
    column: Sequence[tuple[tuple[str, Any], ...]], member_ids: Sequence[str]
) -> tuple[tuple[str, Any], ...]:
    """The entries of a map that every cell has alike: the same value, or the same value
    with the cell's id as `${_cell.id}`."""
    maps = [dict(v) for v in column]
    alike: list[tuple[str, Any]] = []
    for key, value in column[0]:
        entries = [m.get(key, _ABSENT) for m in maps]
        if entries.count(value) == len(entries):
            alike.append((key, value))
        elif _ABSENT not in entries:
            shaped = _alike_templated(entries, Kind.TEXT, member_ids)
            if shaped is not None:
                alike.append((key, shaped))
    return tuple(alike)


def _alike_templated(column: Sequence[Any], kind: Kind, member_ids: Sequence[str]) -> Any:
    """The value every cell of `column` has with its own id as `${_cell.id}`, or None.

    The first cell's value is templated; every cell is then checked by putting its id back
    into that template, which is exactly what buildx will do."""
    shaped = _templated(column[0], kind, member_ids[0])
    if shaped == column[0]:
        return None  # no id to template: the cells differ by more than their ids
    return shaped if _fits(shaped, kind, column, member_ids) else None


def _fits(shaped: Any, kind: Kind, column: Sequence[Any], member_ids: Sequence[str]) -> bool:
    """Whether each cell's value is `shaped` with the cell's own id. Checked a part at a
    time across every cell (a family can have thousands)."""
    if isinstance(shaped, Switched):
        if set(map(type, column)) != {Switched} or {v.flag for v in column} != {shaped.flag}:
            return False
        items = _fits(shaped.items, Kind.TEXT_LIST, [v.items for v in column], member_ids)
        if shaped.always is None:
            return items and all(v.always is None for v in column)
        always = [v.always for v in column]
        return (
            items
            and None not in always
            and _fits(shaped.always, Kind.TEXT_LIST, always, member_ids)
        )
    if kind is Kind.TEXT:
        return _Filled(shaped).fits(column, member_ids)
    if kind is Kind.TEXT_LIST:
        if not _tuples_of(len(shaped), column):
            return False
        return all(
            _Filled(text).fits(list(map(itemgetter(i), column)), member_ids)
            for i, text in enumerate(shaped)
        )
    raise AssertionError(f"a {kind} value is never templated")


def _tuples_of(length: int, column: Sequence[Any]) -> bool:
    """Whether every value of `column` is a tuple of `length` items (checked in C)."""
    return set(map(type, column)) == {tuple} and set(map(len, column)) == {length}


class _Filled:
    """A text holding `${_cell.id}`, split into the parts a cell's own text has (resolve
    joins literal parts): variables, literal text, and literal text around the id (a format
    pattern)."""

    __slots__ = ("_parts",)

    def __init__(self, text: Text) -> None:
        parts: list[tuple[bool, str | Var]] = []  # (is a pattern, the part)
        run: list[str | Var] = []

        def end_run() -> None:
            if CELL_ID in run:
                pattern = "".join(
                    "{0}" if p is CELL_ID else str(p).replace("{", "{{").replace("}", "}}")
                    for p in run
                )
                parts.append((True, pattern))
            elif run:
                parts.append((False, "".join(str(p) for p in run)))
            run.clear()

        for part in text:
            if part is CELL_ID or isinstance(part, str):
                run.append(part)
            else:
                end_run()
                parts.append((False, part))
        end_run()
        self._parts = tuple(parts)

    def fits(self, column: Sequence[Any], member_ids: Sequence[str]) -> bool:
        """Whether each text of `column` is this text with the id beside it."""
        if not _tuples_of(len(self._parts), column):
            return False
        for i, (is_pattern, part) in enumerate(self._parts):
            cells = list(map(itemgetter(i), column))
            if is_pattern:
                assert isinstance(part, str)
                if list(map(part.format, member_ids)) != cells:
                    return False
            elif cells.count(part) != len(cells):
                return False
        return True


def _text(text: str, vid: str) -> Text:
    """`text` with every occurrence of `vid` as the cell's id."""
    pieces = text.split(vid)
    out: list[str | Var] = []
    for i, piece in enumerate(pieces):
        if i:
            out.append(CELL_ID)
        if piece:
            out.append(piece)
    return tuple(out)


def _templated_text(text: Text, vid: str) -> Text:
    for part in text:
        if isinstance(part, str) and vid in part:
            break
    else:
        return text  # most texts do not name the cell
    out: list[str | Var] = []
    for part in text:
        if isinstance(part, str) and vid in part:
            out.extend(_text(part, vid))
        elif out and isinstance(part, str) and isinstance(out[-1], str):
            out[-1] += part
        else:
            out.append(part)
    return tuple(out)


def _templated_texts(texts: tuple[Text, ...], vid: str) -> tuple[Text, ...]:
    return tuple(_templated_text(t, vid) for t in texts)


def _templated(value: Any, kind: Kind, vid: str) -> Any:
    """A value of a bake key with the cell's id as `${_cell.id}` in every text (names,
    flags and bakegen's own expressions stay as they are)."""
    if isinstance(value, Switched):
        always = None if value.always is None else _templated_texts(value.always, vid)
        return Switched(value.flag, _templated_texts(value.items, vid), always)
    if isinstance(value, Expr):
        return value
    match kind:
        case Kind.TEXT:
            return _templated_text(value, vid)
        case Kind.TEXT_LIST:
            return _templated_texts(value, vid)
        case Kind.TEXT_MAP:
            raise AssertionError("maps are compared entry by entry (_alike_entries)")
        case Kind.NAMES | Kind.FLAG | Kind.OTHER:
            return value
        case _:
            assert_never(kind)
