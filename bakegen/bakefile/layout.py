"""Stage 6, lay out: resolved targets → the blocks of one bake file, shared parts factored out
into private parents (`_common`, `_<value id>`) that the targets inherit."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from bakegen import __version__
from bakegen.attributes import is_empty
from bakegen.bakefile import metadata_action
from bakegen.bakefile.blocks import KEYS, Alike, Block, Deferred, Inherited, LaidOut
from bakegen.bakefile.families import Family, HclBlocks
from bakegen.bakefile.families import plan as plan_families
from bakegen.bakefile.grids import plan as plan_grids
from bakegen.bakefile.groups import Group, optional_arg, user_groups
from bakegen.bakefile.hcl import Chosen, Expr, Switched
from bakegen.bakefile.tag_validations import tag_limits
from bakegen.bakefile.variables import (
    Variable,
    cache_uses,
    date_variables,
    global_attributes,
    variables,
)
from bakegen.errors import MatrixError, Problem
from bakegen.matrix.model import MatrixFile
from bakegen.resolve.cache_refs import CACHE_BACKEND, CACHE_EXPORT
from bakegen.resolve.expand import ValueIds
from bakegen.resolve.required import check_blocks
from bakegen.resolve.targets import Resolution, Target
from bakegen.templating import Text

COMMON = "_common"
MIN_BUILDX = "0.19"


@dataclass(frozen=True, kw_only=True)
class BakeFile:
    source: str
    version: str = __version__
    min_buildx: str = MIN_BUILDX
    # Made when read (blocks.Deferred), as the parents are.
    variables: Sequence[Variable]
    globals: tuple[tuple[str, Expr], ...]
    groups: tuple[Group, ...]
    # Made when read (blocks.Deferred): commands that write no file never make them.
    parents: Sequence[Block]
    # Made when read (blocks.LaidOut): iterate it once to write it.
    targets: Sequence[Block]
    # The HCL file's families (`matrix` blocks) and the parents it still needs; without it,
    # the HCL file writes every block as the JSON file does.
    hcl_blocks: Callable[[], HclBlocks] | None = None


def bake_values(target: Target) -> dict[str, Any]:
    """A target's value of every bake key it sets (empty values left out)."""
    out = shared_values(target)
    if target.contexts:
        out["contexts"] = target.contexts
    if target.cache_from:
        out["cache-from"] = target.cache_from
    reads = tuple((b, f) for b, f, _ in target.cache_choices if f)
    if reads:
        out["cache-from"] = Chosen(CACHE_BACKEND, reads)
    # Passed-through values go by kind.
    for key, value in target.extra:
        if not is_empty(KEYS[key].kind, value):
            out[key] = value
    # Every target says what it is, even in so many words as none.
    out["description"] = target.description
    if target.kind == "cell":
        out["tags"] = _tags(target)
    if target.cache_to:
        out["cache-to"] = Switched(CACHE_EXPORT, target.cache_to)
    writes = tuple((b, t) for b, _, t in target.cache_choices if t)
    if writes:
        out["cache-to"] = Chosen(CACHE_BACKEND, writes, flag=CACHE_EXPORT)
    return out


def _tags(target: Target) -> Any:
    """Tags, with the moving aliases behind TAG_LATEST."""
    if not target.latest_tags:
        return target.tags
    return Switched("TAG_LATEST", target.latest_tags, always=target.tags)


def groups_of(model: MatrixFile, ids: ValueIds, resolution: Resolution) -> list[Group]:
    """`default` (every selected cell), then one group per axis value."""
    selected = set(resolution.selected)
    cells = [t for t in resolution.targets if t.kind == "cell" and t.name in selected]
    groups = user_groups(model, cells, resolution.selected)
    taken = {g.name for g in groups}
    by_pair: dict[tuple[str, str], list[str]] = {}
    for target in cells:
        for pair in target.values:
            by_pair.setdefault(pair, []).append(target.name)
    for axis in model.axes:
        for value, vid in ids[axis].items():
            names = by_pair.get((axis, value), [])
            # A group holding only the target of its own name would add nothing but a clash.
            if names and names != [vid] and vid not in taken:
                groups.append(Group(name=vid, description=f"{axis} {value}", targets=tuple(names)))
    return groups


def shared_values(target: Target) -> dict[str, Any]:
    """The values of the bake keys a parent may carry, empty ones left out (the start of
    `bake_values`: the layout's first pass needs no more). Every value is a tuple: an empty
    one says nothing. Written key by key: this runs for every target."""
    out: dict[str, Any] = {}
    if target.context:
        out["context"] = target.context
    if target.dockerfile:
        out["dockerfile"] = target.dockerfile
    if target.stage:
        out["target"] = target.stage
    if target.platforms:
        out["platforms"] = target.platforms
    if target.args:
        args: tuple[tuple[str, Text | Expr], ...] = target.args
        if target.optional_args:
            optional = target.optional_args
            args = tuple((k, optional_arg(v) if k in optional else v) for k, v in target.args)
        out["args"] = args
    if target.labels:
        out["labels"] = target.labels
    if target.secrets:
        out["secret"] = tuple(s.bake_spec() for s in target.secrets)
    return out


def layout(model: MatrixFile, ids: ValueIds, source: str, resolution: Resolution) -> BakeFile:
    """Blocks for every resolved target; attributes shared by all targets of an axis value
    move to a private `_<value id>` parent that those targets inherit.

    The names, groups and variables are checked here. Parents and blocks are worked out only
    when a file is written (commands that write none never pay for them): the parents in
    one pass over the targets, each target's block as it is written."""
    targets = resolution.targets
    groups = groups_of(model, ids, resolution)
    _check_names(targets, groups)
    metadata_action.check(model, targets, [g.name for g in groups])
    # A parent is only a shorthand: where its name is taken by a target or group, the
    # attributes simply stay on the targets.
    taken = {t.name for t in targets} | {g.name for g in groups}
    checks = tuple(Block(name=n, values=tuple(v.items())) for n, v in check_blocks(model, targets))

    @cache
    def parents() -> _Parents:
        return _Parents(model, ids, targets, taken)

    def blocks_under(under: Callable[[], _Parents]) -> Callable[[int], Block]:
        """Each block of the file by its index (targets, then check targets), the targets'
        under these parents."""

        def block_at(i: int) -> Block:
            if i >= len(targets):
                return checks[i - len(targets)]
            return under().block(targets[i])

        return block_at

    block_at = metadata_action.with_parent(model, blocks_under(parents))

    @cache
    def hcl_blocks() -> HclBlocks:
        # Worked out only when the HCL file is written. Family blocks write every attribute
        # and inherit nothing: the HCL file's parents are found among the other targets
        # only (the JSON file writes every cell's own block, parents and all).
        could_be_parents = {
            COMMON,
            *(f"_{vid}" for axis in model.axes for vid in ids[axis].values()),
        }
        families: tuple[Family, ...] = ()
        # Cells under docker/metadata-action's target keep blocks of their own.
        if metadata_action.settings(model) is None:
            families = plan_families(model, ids, targets, bake_values, taken | could_be_parents)
            # Cells no single-axis family holds may still make families over several axes.
            held = {m for f in families for m in f.members}
            families += plan_grids(
                model,
                ids,
                [t for t in targets if t.name not in held],
                bake_values,
                taken | could_be_parents | {f.block.name for f in families},
            )
        if not families:
            return HclBlocks(
                families=(),
                parents=(*metadata_action.parents(model), *parents().blocks),
                block_at=block_at,
            )
        covered = {m for f in families for m in f.members}
        rest = _Parents(model, ids, [t for t in targets if t.name not in covered], taken)
        return HclBlocks(
            families=families, parents=rest.blocks, block_at=blocks_under(lambda: rest)
        )

    cache_used = cache_uses(targets)
    return BakeFile(
        source=source,
        variables=Deferred(
            lambda: (
                *variables(model, tag_limits(targets), cache_used),
                *date_variables(model),
                *metadata_action.variables(model, targets),
            )
        ),
        globals=(*global_attributes(cache_used), *metadata_action.global_attributes(model)),
        groups=tuple(groups),
        parents=Deferred(lambda: (*metadata_action.parents(model), *parents().blocks)),
        targets=LaidOut((*(t.name for t in targets), *(c.name for c in checks)), block_at),
        hcl_blocks=hcl_blocks,
    )


class _Parents:
    """The private parents of some targets, and each target's block under them."""

    def __init__(
        self, model: MatrixFile, ids: ValueIds, targets: Sequence[Target], taken: set[str]
    ) -> None:
        common_alike = Alike() if COMMON not in taken else None
        value_parents = {
            pair: vid
            for pair, vid in _parent_values(model, ids, targets).items()
            if f"_{vid}" not in taken
        }
        alike = {vid: Alike() for vid in value_parents.values()}
        # Each parent sees its own members only: the work is the sum of the groups' sizes
        # (targets × axes), never targets × axis values.
        for target in targets:
            values = shared_values(target)
            if common_alike is not None:
                common_alike.add(values)
            for pair in target.values:
                vid = value_parents.get(pair)
                if vid is not None:
                    alike[vid].add(values)
        common = common_alike.block(COMMON, None) if common_alike is not None else None
        self._common = common if common and common.values else None
        blocks: dict[str, Block] = {COMMON: self._common} if self._common else {}
        self._by_pair: dict[tuple[str, str], Block] = {}
        for pair, vid in value_parents.items():
            block = alike[vid].block(f"_{vid}", common)
            if block.values:
                blocks[block.name] = self._by_pair[pair] = block
        # Every parent is inherited: by the targets of its value, the common one by all.
        self.blocks = tuple(blocks.values())
        # Targets with the same parents share what those give: worked out once per list.
        self._chains: dict[tuple[str, ...], Inherited] = {}
        self._values = metadata_action.values(model, bake_values)

    def _inherited(self, target: Target) -> Inherited:
        chain = [self._common] if self._common else []
        chain += [self._by_pair[p] for p in target.values if p in self._by_pair]
        key = tuple(p.name for p in chain)
        known = self._chains.get(key)
        if known is None:
            known = self._chains[key] = Inherited.of(chain)
        return known

    def block(self, target: Target) -> Block:
        """The target's own block: what its parents do not give."""
        return self._inherited(target).own_block(target.name, self._values(target))


def _parent_values(
    model: MatrixFile, ids: ValueIds, targets: Sequence[Target]
) -> Mapping[tuple[str, str], str]:
    """(Axis, value) → its value id, in axis and value order, for the values worth a parent
    block.

    buildx pays for every block about as much as for a target, and resolves a target's
    parents again for each target: a value parent pays off only when it is shared by at
    least as many targets as its axis has values. That keeps parents for axes of a few
    values (framework, CUDA, platform) and none for an axis of many values with few cells
    each (500 such parents made `bake --print` of 5,000 cells 15% slower)."""
    counts: Counter[tuple[str, str]] = Counter()
    for target in targets:
        counts.update(target.values)
    return {
        (axis, value): vid
        for axis in model.axes
        for value, vid in ids[axis].items()
        if counts[(axis, value)] >= max(2, len(ids[axis]))
    }


def _check_names(targets: tuple[Target, ...], groups: list[Group]) -> None:
    """Bake resolves a name that is both a group and a target to the group, silently."""
    names = {t.name for t in targets}
    problems = [
        Problem(
            path=("axes",),
            message=f"the group {g.name!r} has the name of a target",
            hint="bake would silently pick the group; give the axis value a distinct id",
        )
        for g in groups
        if g.name in names
    ]
    if problems:
        raise MatrixError(problems)
