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

Each attribute is worked out from the cells' own blocks: one value for every cell, the same
value with the inner value's id as `${_cell.id}`, or else a field of each cell's record
holding that cell's own value. Each form gives back every cell's value exactly, so every
target resolves as it would from its own block, under its own name (`--set <name>.key=…`
reaches it as before). A family needs `MIN_MEMBERS` cells whose blocks have the same keys;
other cells keep their own blocks."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from bakegen.blocks import Block
from bakegen.expand import ValueIds
from bakegen.hcl import Expr
from bakegen.model import MatrixFile
from bakegen.targets import Target
from bakegen.templating import Text, Var

CELL = "_cell"
CELL_ID = Var(f"{CELL}.id")
# Below this many cells a family saves buildx too little to be worth a block of its own.
MIN_MEMBERS = 16


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
    parents: tuple[Block, ...]


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
    for key, members in by_outer.items():
        if len(members) < MIN_MEMBERS:
            continue
        label = "_" + "-".join([inner, "of", *(ids[a][v] for a, v in zip(outer, key, strict=True))])
        if label in taken:
            continue
        family = _family(label, inner, ids[inner], members, values_of)
        if family is not None:
            families.append(family)
    return tuple(families)


def _family(
    label: str,
    inner: str,
    inner_ids: Mapping[str, str],
    members: list[Target],
    values_of: Callable[[Target], dict[str, Any]],
) -> Family | None:
    # Every attribute is written in the family's block: a matrix block's cells would each
    # resolve its parents again.
    member_ids = [inner_ids[dict(t.values)[inner]] for t in members]
    shaped = [values_of(_templated(t, vid)) for t, vid in zip(members, member_ids, strict=True)]
    names = {_text(t.name, vid) for t, vid in zip(members, member_ids, strict=True)}
    keys = list(shaped[0])
    if len(names) != 1 or any(list(s) != keys for s in shaped[1:]):
        return None
    values: list[tuple[str, Any]] = []
    fields: list[tuple[str, str]] = []  # (field, bake key)
    for key in keys:
        first = shaped[0][key]
        if all(s[key] == first for s in shaped[1:]):
            values.append((key, first))
        else:
            field = key.replace("-", "_")
            fields.append((field, key))
            values.append((key, Expr(f"{CELL}.{field}")))
    # The cells' own values of the fields (only made when some attribute differs).
    own = [values_of(t) for t in members] if fields else [{} for _ in members]
    records = tuple(
        (vid, tuple((field, key, o[key]) for field, key in fields))
        for vid, o in zip(member_ids, own, strict=True)
    )
    return Family(
        block=Block(name=label, values=tuple(values)),
        name=names.pop(),
        members=tuple(t.name for t in members),
        records=records,
    )


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


def _templated(target: Target, vid: str) -> Target:
    """The target with its cell's id as `${_cell.id}` in every text."""

    def pairs(items: tuple[tuple[str, Text], ...]) -> tuple[tuple[str, Text], ...]:
        return tuple((k, _templated_text(v, vid)) for k, v in items)

    def texts(items: tuple[Text, ...]) -> tuple[Text, ...]:
        return tuple(_templated_text(v, vid) for v in items)

    return replace(
        target,
        description=_templated_text(target.description, vid),
        context=_templated_text(target.context, vid),
        dockerfile=_templated_text(target.dockerfile, vid),
        stage=_templated_text(target.stage, vid),
        args=pairs(target.args),
        labels=pairs(target.labels),
        contexts=pairs(target.contexts),
        tags=texts(target.tags),
        latest_tags=texts(target.latest_tags),
        cache_from=texts(target.cache_from),
        cache_to=texts(target.cache_to),
    )
