"""Stage 6, lay out: resolved targets → the blocks of one bake file, shared parts factored out
into private parents (`_common`, `_<value id>`) that the targets inherit."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, assert_never

from bakegen import __version__
from bakegen.attributes import BAKE_KEYS, BakeKey, Share, is_empty
from bakegen.dates import date_variables
from bakegen.errors import MatrixError, Problem
from bakegen.expand import ValueIds
from bakegen.groups import Group, optional_arg, user_groups
from bakegen.hcl import Expr, hcl_list
from bakegen.model import MatrixFile
from bakegen.required import check_blocks
from bakegen.tagchecks import tag_limits
from bakegen.targets import Resolution, Target
from bakegen.templating import Text
from bakegen.variables import Variable, global_attributes, variables

COMMON = "_common"
MIN_BUILDX = "0.19"
_KEYS = {k.key: k for k in BAKE_KEYS}


@dataclass(frozen=True, kw_only=True)
class Block:
    """A `target` block: the bake keys it sets itself (the rest it inherits or lacks)."""

    name: str
    inherits: tuple[str, ...] = ()
    values: tuple[tuple[str, Any], ...] = ()

    def get(self, key: str) -> Any:
        return dict(self.values).get(key)

    def attributes(self) -> Iterator[tuple[BakeKey, Any]]:
        """(key, value) in the order bakegen writes them."""
        own = dict(self.values)
        for key in BAKE_KEYS:
            if key.key in own:
                yield key, own[key.key]


@dataclass(frozen=True, kw_only=True)
class BakeFile:
    source: str
    version: str = __version__
    min_buildx: str = MIN_BUILDX
    variables: tuple[Variable, ...]
    globals: tuple[tuple[str, Expr], ...]
    groups: tuple[Group, ...]
    parents: tuple[Block, ...]
    targets: tuple[Block, ...]


def cache_suffixes(model: MatrixFile) -> tuple[str, ...]:
    """What follows `<target>-` in the cache refs: the scope and its fallbacks."""
    cache = model.cache
    return (cache.scope, *cache.fallback) if cache.enabled else ()


def bake_values(target: Target) -> dict[str, Any]:
    """A target's value of every bake key it sets (empty values left out)."""
    args: tuple[tuple[str, Text | Expr], ...] = target.args
    if target.optional_args:
        optional = target.optional_args
        args = tuple((k, optional_arg(v) if k in optional else v) for k, v in target.args)
    values: dict[str, Any] = {
        "context": target.context,
        "dockerfile": target.dockerfile,
        "target": target.stage,
        "platforms": target.platforms,
        "args": args,
        "labels": target.labels,
        "contexts": target.contexts,
        "secret": tuple(s.bake_spec() for s in target.secrets) if target.secrets else (),
        "cache-from": target.cache_from,
    }
    # Every value above is a tuple: empty ones say nothing. Passed-through ones go by kind.
    out = {k: v for k, v in values.items() if v}
    for key, value in target.extra:
        if not is_empty(_KEYS[key].kind, value):
            out[key] = value
    # Every target says what it is, even in so many words as none.
    out["description"] = target.description
    if target.kind == "cell":
        out["tags"] = _tags(target)
    if target.cache_to:
        out["cache-to"] = Expr(f"CACHE_EXPORT ? {hcl_list(target.cache_to)} : []")
    return out


def _tags(target: Target) -> Any:
    """Tags, with the moving aliases behind TAG_LATEST."""
    if not target.latest_tags:
        return target.tags
    return Expr(
        f"concat(\n    {hcl_list(target.tags, '    ')},\n"
        f"    TAG_LATEST ? {hcl_list(target.latest_tags, '    ')} : []\n  )"
    )


def _parent(name: str, members: list[dict[str, Any]], taken: Block | None) -> Block:
    """What every member has alike, by each key's share rule, less what `taken` (the
    common parent) already gives."""
    given = dict(taken.values) if taken else {}
    values: dict[str, Any] = {}
    for key in BAKE_KEYS:
        match key.share:
            case Share.NEVER:
                continue
            case Share.WHOLE:
                first = members[0].get(key.key)
                same = all(m.get(key.key) == first for m in members[1:])
                if first and same and key.key not in given:
                    values[key.key] = first
            case Share.BY_KEY:
                common = set(members[0].get(key.key, ()))
                for member in members[1:]:
                    common &= set(member.get(key.key, ()))
                common -= set(given.get(key.key, ()))
                if common:
                    values[key.key] = tuple(sorted(common))
            case _:
                assert_never(key.share)
    return Block(name=name, values=tuple(values.items()))


def _given(parent: Block) -> dict[str, Any]:
    """What a parent gives, maps as dicts (worked out once per parent, not per member)."""
    return {
        key: dict(value) if _KEYS[key].share is Share.BY_KEY else value
        for key, value in parent.values
    }


@dataclass(frozen=True)
class _Parents:
    """The parents a target inherits, and what they give together (maps as dicts)."""

    names: tuple[str, ...]
    inherited: Mapping[str, Any]

    @classmethod
    def of(cls, parents: list[tuple[Block, dict[str, Any]]]) -> _Parents:
        inherited: dict[str, Any] = {}
        for _, given in parents:
            for key, value in given.items():
                if _KEYS[key].share is Share.BY_KEY:
                    inherited.setdefault(key, {}).update(value)
                else:
                    inherited[key] = value
        return cls(names=tuple(p.name for p, _ in parents if p.values), inherited=inherited)


def _own_block(name: str, values: dict[str, Any], parents: _Parents) -> Block:
    """The target's block: what no parent already gives."""
    inherited = parents.inherited
    own: dict[str, Any] = {}
    for key, value in values.items():
        if key not in inherited:
            own[key] = value
        elif _KEYS[key].share is Share.BY_KEY:
            from_parents = inherited[key]
            rest = tuple((k, v) for k, v in value if from_parents.get(k) != v)
            if rest:
                # The target's own tuple when no entry was inherited: one less copy per target.
                own[key] = value if len(rest) == len(value) else rest
    return Block(name=name, inherits=parents.names, values=tuple(own.items()))


def groups_of(model: MatrixFile, ids: ValueIds, resolution: Resolution) -> list[Group]:
    """`default` (every selected cell), then one group per axis value."""
    selected = set(resolution.selected)
    cells = [t for t in resolution.targets if t.kind == "cell" and t.name in selected]
    groups = user_groups(model, cells, resolution.selected)
    taken = {g.name for g in groups}
    for axis in model.axes:
        by_value: dict[str, list[str]] = {}
        for target in cells:
            by_value.setdefault(dict(target.values)[axis], []).append(target.name)
        for value, vid in ids[axis].items():
            names = by_value.get(value, [])
            # A group holding only the target of its own name would add nothing but a clash.
            if names and names != [vid] and vid not in taken:
                groups.append(Group(name=vid, description=f"{axis} {value}", targets=tuple(names)))
    return groups


def layout(model: MatrixFile, ids: ValueIds, source: str, resolution: Resolution) -> BakeFile:
    """Blocks for every resolved target; attributes shared by all targets of an axis value
    move to a private `_<value id>` parent that those targets inherit."""
    targets = resolution.targets
    groups = groups_of(model, ids, resolution)
    _check_names(targets, groups)
    values = {t.name: bake_values(t) for t in targets}
    # A parent is only a shorthand: where its name is taken by a target or group, the
    # attributes simply stay on the targets.
    taken = {t.name for t in targets} | {g.name for g in groups}
    common = _parent(COMMON, list(values.values()), None) if COMMON not in taken else None
    parents: dict[str, Block] = {COMMON: common} if common else {}
    first = [(common, _given(common))] if common else []
    membership = {t.name: list(first) for t in targets}
    # Targets with the same parents share what those give: worked out once per list.
    by_names: dict[tuple[str, ...], _Parents] = {}

    def parents_of(name: str) -> _Parents:
        chain = membership[name]
        key = tuple(p.name for p, _ in chain)
        if key not in by_names:
            by_names[key] = _Parents.of(chain)
        return by_names[key]

    # Each parent is worked out from its own members only: the work is the sum of the
    # groups' sizes (cells × axes), never cells × axis values.
    for vid, members in _members(model, ids, targets).items():
        if f"_{vid}" in taken:
            continue
        block = _parent(f"_{vid}", [values[m] for m in members], common)
        if block.values:
            parents[block.name] = block
            given = _given(block)
            for member in members:
                membership[member].append((block, given))
    return BakeFile(
        source=source,
        variables=(
            *variables(model, tag_limits(targets, cache_suffixes(model))),
            *date_variables(model),
        ),
        globals=global_attributes(model),
        groups=tuple(groups),
        parents=tuple(p for p in parents.values() if p.values),
        targets=(
            *(_own_block(t.name, values[t.name], parents_of(t.name)) for t in targets),
            *(Block(name=n, values=tuple(v.items())) for n, v in check_blocks(model, targets)),
        ),
    )


def _members(
    model: MatrixFile, ids: ValueIds, targets: tuple[Target, ...]
) -> Mapping[str, list[str]]:
    """Value id → the targets having that axis value, in axis and value order (one pass),
    for the values worth a parent block.

    buildx pays for every block about as much as for a target, and resolves a target's
    parents again for each target: a value parent pays off only when it is shared by at
    least as many targets as its axis has values. That keeps parents for axes of a few
    values (framework, CUDA, platform) and none for an axis of many values with few cells
    each (500 such parents made `bake --print` of 5,000 cells 15% slower)."""
    by_pair: dict[tuple[str, str], list[str]] = {}
    for target in targets:
        for pair in target.values:
            by_pair.setdefault(pair, []).append(target.name)
    out: dict[str, list[str]] = {}
    for axis in model.axes:
        for value, vid in ids[axis].items():
            members = by_pair.get((axis, value), [])
            if len(members) >= max(2, len(ids[axis])):
                out[vid] = members
    return out


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
