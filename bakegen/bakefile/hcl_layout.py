"""The HCL file's own layout: which blocks it writes in which order, where a family's
`matrix` block stands for its cells (in the file and in the groups), and which records are
written once as a private global list. The result is a plain value render/hcl_file.py only
prints (the JSON file has no families: it prints the BakeFile's parents and targets as they
are)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from bakegen.bakefile.blocks import Block, LaidOut
from bakegen.bakefile.families import Family, HclBlocks, Records
from bakegen.bakefile.family_ids import CELL
from bakegen.bakefile.groups import Group
from bakegen.bakefile.layout import BakeFile


@dataclass(frozen=True)
class SharedRecords:
    """Records several matrix keys share, written once as a private global list."""

    name: str
    records: Records


@dataclass(frozen=True)
class MatrixKey:
    """One key of a family's `matrix`: its records, or the name of the global list that
    holds them."""

    key: str
    records: Records
    shared: str | None = None


@dataclass(frozen=True)
class FamilyBlock:
    """A family's `matrix` block, with each matrix key as it is written."""

    family: Family
    keys: tuple[MatrixKey, ...]


HclItem = Block | SharedRecords | FamilyBlock


@dataclass(frozen=True)
class HclFile:
    """The HCL file: the bake file's head (variables, globals), its groups with a family's
    block named where a group holds all its cells, and its blocks in writing order (made
    as they are read: a file of 100,000 targets is never held whole)."""

    bake: BakeFile
    groups: tuple[Group, ...]
    blocks: Iterable[HclItem]


class _Items:
    """The blocks of one HCL file, worked out again on each reading."""

    def __init__(self, bake: BakeFile, extra: HclBlocks) -> None:
        self._bake = bake
        self._extra = extra

    def __iter__(self) -> Iterator[HclItem]:
        return _items(self._bake, self._extra)


def hcl_file(bake: BakeFile) -> HclFile:
    """The layout of `bake` as the HCL file writes it."""
    extra = (
        bake.hcl_blocks()
        if bake.hcl_blocks
        else HclBlocks(families=(), parents=bake.parents, block_at=bake.targets.__getitem__)
    )
    return HclFile(
        bake=bake,
        groups=family_groups(bake.groups, extra.families),
        blocks=_Items(bake, extra),
    )


def _items(bake: BakeFile, extra: HclBlocks) -> Iterator[HclItem]:
    """Every target block: the parents, then each target, a family's `matrix` block where
    its first cell stands (and nothing for its other cells)."""
    targets = bake.targets
    # buildx finds each target's parents by a scan of the targets in file order, for every
    # target: parents written first are found at once.
    yield from extra.parents
    names = targets.names if isinstance(targets, LaidOut) else tuple(t.name for t in targets)
    starts = {f.members[0]: f for f in extra.families}
    covered = {m for f in extra.families for m in f.members}
    # Records that several matrix keys share are written once, as a private global list.
    # Each key's records are hashed once: comparing every pair of families would grow with
    # their square.
    uses = Counter(records for f in extra.families for _, records in f.matrix())
    shared: dict[Records, str] = {}
    for i, name in enumerate(names):
        if name in starts:
            family = starts[name]
            keys: list[MatrixKey] = []
            for key, records in family.matrix():
                if uses[records] > 1 and records not in shared:
                    shared[records] = f"{CELL}s_{len(shared) + 1}"
                    yield SharedRecords(shared[records], records)
                keys.append(MatrixKey(key, records, shared.get(records)))
            yield FamilyBlock(family, tuple(keys))
        elif name not in covered:
            yield extra.block_at(i)


def family_groups(groups: tuple[Group, ...], families: tuple[Family, ...]) -> tuple[Group, ...]:
    """The groups, a family's block named in place of its cells where a group holds them all
    (buildx makes a group of a matrix block's cells itself)."""
    if not families:
        return groups
    family_of = {m: f for f in families for m in f.members}
    out = []
    for group in groups:
        # Only the families some of the group's targets are in (not every family for every
        # group: both grow with the matrix), and not larger than the group.
        size = len(group.targets)
        found = map(family_of.get, group.targets)
        touched = {id(f): f for f in found if f is not None and len(f.members) <= size}
        if not touched:
            out.append(group)  # e.g. one cell of each of many families
            continue
        present = set(group.targets)
        whole = {f.block.name for f in touched.values() if present.issuperset(f.members)}
        names: list[str] = []
        named: set[str] = set()  # the blocks named so far (a group may hold hundreds)
        for name in group.targets:
            family = family_of.get(name)
            if family is None or family.block.name not in whole:
                names.append(name)
            elif family.block.name not in named:
                named.add(family.block.name)
                names.append(family.block.name)
        out.append(replace(group, targets=tuple(names)))
    return tuple(out)
