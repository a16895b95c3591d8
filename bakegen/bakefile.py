"""Stage 5, lay out: resolved targets → the blocks of one bake file, shared parts factored out."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bakegen import __version__
from bakegen.errors import MatrixError
from bakegen.hcl import Expr, hcl_list
from bakegen.model import MatrixFile, UserVariable
from bakegen.targets import Resolution, Target
from bakegen.templating import Text, literal
from bakegen.validate import Matrix

COMMON = "_common"
MIN_BUILDX = "0.19"


@dataclass(frozen=True, kw_only=True)
class Variable:
    name: str
    default: str | bool
    description: str
    # (HCL condition written by bakegen, error message) pairs: bake's `validation` blocks.
    validations: tuple[tuple[Expr, str], ...] = ()


def _user_variable(name: str, spec: UserVariable) -> Variable:
    checks: list[tuple[Expr, str]] = []
    if spec.choices is not None:
        checks.append(
            (
                Expr(f"contains({hcl_list(spec.choices)}, {name})"),
                spec.message or f"{name} must be one of: {', '.join(spec.choices)}",
            )
        )
    if spec.reject:
        checks.append(
            (
                Expr(f"!contains({hcl_list(spec.reject)}, {name})"),
                spec.message or f"{name} may not be {' or '.join(spec.reject)}",
            )
        )
    return Variable(
        name=name,
        default=spec.default,
        description=spec.description or name,
        validations=tuple(checks),
    )


@dataclass(frozen=True, kw_only=True)
class Block:
    """A `target` block; None means the attribute is inherited or absent."""

    name: str
    inherits: tuple[str, ...] = ()
    description: str | None = None
    context: Text | None = None
    dockerfile: Text | None = None
    stage: Text | None = None
    platforms: tuple[str, ...] | None = None
    args: tuple[tuple[str, Text], ...] = ()
    labels: tuple[tuple[str, Text], ...] = ()
    contexts: tuple[tuple[str, Text], ...] = ()
    tags: tuple[Text, ...] | None = None
    latest_tags: tuple[Text, ...] = ()
    secrets: tuple[str, ...] = ()
    cache_from: tuple[Text, ...] = ()
    cache_to: tuple[Text, ...] = ()

    def tags_value(self) -> tuple[Text, ...] | Expr | None:
        """Tags, with the moving aliases behind TAG_LATEST."""
        if self.tags is None:
            return None
        if not self.latest_tags:
            return self.tags
        return Expr(
            f"concat(\n    {hcl_list(self.tags, '    ')},\n"
            f"    TAG_LATEST ? {hcl_list(self.latest_tags, '    ')} : []\n  )"
        )

    def cache_to_value(self) -> Expr | None:
        if not self.cache_to:
            return None
        return Expr(f"CACHE_EXPORT ? {hcl_list(self.cache_to)} : []")


@dataclass(frozen=True, kw_only=True)
class Group:
    name: str
    description: str
    targets: tuple[str, ...]


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
    target_info: tuple[Target, ...] = field(repr=False, default=())


def variables(model: MatrixFile) -> tuple[Variable, ...]:
    image, cache, sccache = model.image, model.cache, model.sccache
    out = [
        Variable(
            name="REGISTRY",
            default=image.registry,
            description="Registry and namespace of the images, e.g. ghcr.io/acme",
        ),
        Variable(name="IMAGE_NAME", default=image.name, description="Image repository name"),
        Variable(
            name="VERSION",
            default=model.versioning.default,
            description="Image version (docker-bake.override.hcl sets it from git)",
        ),
        Variable(
            name="COMMIT_SHA",
            default="",
            description="Source commit (docker-bake.override.hcl sets it from git)",
        ),
        Variable(
            name="TAG_LATEST",
            default=image.tag_latest,
            description="Also tag the moving latest aliases",
        ),
    ]
    if cache.enabled:
        out += [
            Variable(
                name="CACHE_REGISTRY",
                default=cache.registry,
                description="Repository of the registry cache ('' = <image>-cache)",
            ),
            Variable(
                name="CACHE_SCOPE",
                default=cache.scope,
                description="Cache tag suffix, e.g. the branch name",
            ),
            Variable(
                name="CACHE_EXPORT",
                default=cache.export,
                description="Write the registry cache (cache-to)",
            ),
        ]
    out += [
        Variable(
            name="USE_SCCACHE",
            default="true" if sccache.enabled else "false",
            description="Compile through sccache (credentials come as secrets)",
            validations=(
                (
                    Expr('contains(["true", "false"], USE_SCCACHE)'),
                    "USE_SCCACHE must be true or false",
                ),
                (
                    Expr('USE_SCCACHE != "true" || (SCCACHE_BUCKET != "" && SCCACHE_REGION != "")'),
                    "USE_SCCACHE=true needs SCCACHE_BUCKET and SCCACHE_REGION",
                ),
            ),
        ),
        Variable(name="SCCACHE_BUCKET", default=sccache.bucket, description="sccache S3 bucket"),
        Variable(name="SCCACHE_REGION", default=sccache.region, description="sccache S3 region"),
    ]
    out += [_user_variable(name, spec) for name, spec in model.variables.items()]
    return tuple(out)


def globals_(model: MatrixFile) -> tuple[tuple[str, Expr], ...]:
    out = [("IMAGE", Expr('REGISTRY == "" ? IMAGE_NAME : "${REGISTRY}/${IMAGE_NAME}"'))]
    if model.cache.enabled:
        out.append(
            ("CACHE_IMAGE", Expr('CACHE_REGISTRY == "" ? "${IMAGE}-cache" : CACHE_REGISTRY'))
        )
    return tuple(out)


def _common_pairs(members: list[Target], attr: str) -> tuple[tuple[str, Text], ...]:
    first = set(getattr(members[0], attr))
    for member in members[1:]:
        first &= set(getattr(member, attr))
    return tuple(sorted(first))


def _same(values: Iterable[Any]) -> Any:
    """The value every item has, or None when they differ (or there are none)."""
    items = list(values)
    return items[0] if items and all(v == items[0] for v in items) else None


def _parent(name: str, members: list[Target], taken: Block | None) -> Block:
    """The attributes every member shares, less what `taken` (the common parent) gives."""
    args = _common_pairs(members, "args")
    labels = _common_pairs(members, "labels")
    secrets: tuple[str, ...] = _same(tuple(s.bake_spec() for s in m.secrets) for m in members)
    if taken is not None:
        args = tuple(a for a in args if a not in taken.args)
        labels = tuple(a for a in labels if a not in taken.labels)
        secrets = () if taken.secrets else secrets

    def shared(attr: str) -> Any:
        value = _same(getattr(m, attr) for m in members)
        # Only what the common parent does not already give, and never an empty value.
        return value if value and (taken is None or getattr(taken, attr) is None) else None

    return Block(
        name=name,
        args=args,
        labels=labels,
        secrets=secrets or (),
        context=shared("context"),
        dockerfile=shared("dockerfile"),
        stage=shared("stage"),
        platforms=shared("platforms"),
    )


def _is_empty(block: Block) -> bool:
    return not (
        block.args
        or block.labels
        or block.secrets
        or block.context
        or block.dockerfile
        or block.stage
        or block.platforms
    )


def layout(matrix: Matrix, resolution: Resolution) -> BakeFile:
    """Blocks for every resolved target; attributes shared by all targets of an axis value
    move to a private `_<value id>` parent that those targets inherit."""
    model = matrix.model
    targets = resolution.targets
    groups = [
        Group(name="default", description="every cell of the matrix", targets=resolution.selected)
    ]
    selected = set(resolution.selected)
    for axis in model.axes:
        for value, vid in matrix.value_ids(axis).items():
            cells = [
                t.name
                for t in targets
                if (axis, value) in t.values and t.kind == "cell" and t.name in selected
            ]
            # A group holding only the target of its own name would add nothing but a clash.
            if cells and cells != [vid]:
                groups.append(Group(name=vid, description=f"{axis} {value}", targets=tuple(cells)))
    _check_names(matrix, targets, groups)
    # A parent is only a shorthand: where its name is taken by a target or group, the
    # attributes simply stay on the targets.
    taken = {t.name for t in targets} | {g.name for g in groups}
    common = _parent(COMMON, list(targets), None) if COMMON not in taken else Block(name=COMMON)
    parents: dict[str, Block] = {COMMON: common}
    membership: dict[str, list[str]] = {t.name: [COMMON] for t in targets}
    for axis in model.axes:
        for value, vid in matrix.value_ids(axis).items():
            members = [t for t in targets if (axis, value) in t.values]
            if len(members) < 2 or f"_{vid}" in taken:
                continue
            block = _parent(f"_{vid}", members, common)
            if not _is_empty(block):
                parents[block.name] = block
                for member in members:
                    membership[member.name].append(block.name)
    blocks = tuple(_own_block(t, [parents[p] for p in membership[t.name]]) for t in targets)
    return BakeFile(
        source=matrix.source.path,
        variables=variables(model),
        globals=globals_(model),
        groups=tuple(groups),
        parents=tuple(p for p in parents.values() if not _is_empty(p)),
        targets=blocks,
        target_info=targets,
    )


def _own_block(target: Target, parents: list[Block]) -> Block:
    inherited_args = {k: v for p in parents for k, v in p.args}
    inherited_labels = {k: v for p in parents for k, v in p.labels}
    inherited_secrets = {s for p in parents for s in p.secrets}

    def own(attr: str) -> Any:
        """The target's value, unless a parent already gives it (then it is the same)."""
        inherited = any(getattr(p, attr) is not None for p in parents)
        return None if inherited else getattr(target, attr) or None

    secrets = tuple(s.bake_spec() for s in target.secrets)
    return Block(
        name=target.name,
        inherits=tuple(p.name for p in parents if not _is_empty(p)),
        description=target.description,
        context=own("context"),
        dockerfile=own("dockerfile"),
        stage=own("stage"),
        platforms=own("platforms"),
        args=tuple((k, v) for k, v in target.args if inherited_args.get(k) != v),
        labels=tuple((k, v) for k, v in target.labels if inherited_labels.get(k) != v),
        contexts=target.contexts,
        tags=target.tags if target.kind == "cell" else None,
        latest_tags=target.latest_tags,
        secrets=tuple(s for s in secrets if s not in inherited_secrets),
        cache_from=target.cache_from,
        cache_to=target.cache_to,
    )


def _check_names(matrix: Matrix, targets: tuple[Target, ...], groups: list[Group]) -> None:
    """Bake resolves a name that is both a group and a target to the group, silently."""
    names = {t.name for t in targets}
    problems = [
        matrix.source.problem(
            ("axes",),
            f"the group {g.name!r} has the name of a target",
            "bake would silently pick the group; give the axis value a distinct id",
        )
        for g in groups
        if g.name in names
    ]
    if problems:
        raise MatrixError(problems)


__all__ = ["BakeFile", "Block", "Group", "Variable", "layout", "literal"]
