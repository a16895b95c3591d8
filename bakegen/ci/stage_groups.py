"""Targets that build the same heavy stage of one Dockerfile, kept in one CI job.

Several targets of one Dockerfile often end at different stages built on one expensive stage
(llama.cpp: `full`, `light` and `server` all copy from `build`, where the compiler runs). In one
`docker buildx bake` call BuildKit runs that stage once for all of them; spread over two jobs,
each job compiles it again. So `bakegen ci --shards` packs such targets as a unit.

Definitions (docs/ci.md, "Shards"):
- A stage a target builds is the same stage for two targets when they share the Dockerfile and
  build context, and every ARG the stage and the stages it is built on declare has the same
  value, as do the named contexts those stages read. (The platform is the same within a job.)
- A **heavy** stage is one with at least one RUN instruction; stages that only copy are cheap
  to repeat and do not group targets.
- Targets sharing a heavy stage form a **group**, up to `bound(n, parts)` targets: half as
  many again as an even split gives the largest job (at least one more when an even split
  gives it two or more). Stages shared by fewer targets join targets first, and a stage whose
  targets would make a group larger than the bound joins none (a base every target uses).
- Groups are packed whole, each cut between jobs at the group boundary nearest to where an
  even split cuts, when no job then holds more than the bound; otherwise the even split of
  `ciplan.split` is kept.
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path

from bakegen.ci.target_reads import passed_args
from bakegen.dockerfiles.args import global_values
from bakegen.dockerfiles.buildgraph import Build, plan
from bakegen.dockerfiles.parse import DockerfileInfo, Stage, parse
from bakegen.errors import DockerfileError
from bakegen.resolve.targets import Target, default_stage
from bakegen.templating import plain

StageKey = tuple[Hashable, ...]


def _ancestry(build: Build, stage: Stage) -> list[Stage]:
    """`stage` and every stage of the build it is built on or copies from."""
    found = {stage.index: stage}
    todo = [stage]
    while todo:
        current = todo.pop()
        for edge in build.edges:
            if edge.stage is current and edge.kind == "stage" and edge.other is not None:
                other = edge.other
                if other.index not in found and any(s is other for s in build.stages):
                    found[other.index] = other
                    todo.append(other)
    return [found[i] for i in sorted(found)]


def heavy_stages(
    target: Target, root: Path, parsed: dict[Path, DockerfileInfo | None]
) -> set[StageKey]:
    """What identifies each heavy stage `target` builds (empty when its Dockerfile or stage
    cannot be read: then it groups with nothing)."""
    if not target.has_local_context():
        return set()
    path = root / target.dockerfile_path()
    if path not in parsed:
        try:
            parsed[path] = parse(path)
        except DockerfileError:
            parsed[path] = None
    info = parsed[path]
    if info is None:
        return set()
    stage = info.stage(plain(target.stage) or default_stage([s.name for s in info.stages]))
    if stage is None:
        return set()
    args = {k: plain(v) for k, v in target.args}
    contexts = {k: plain(v) for k, v in target.contexts}
    keys: set[StageKey] = set()
    # The global args as BuildKit gives them for each platform (a default may read one).
    for platform in target.platforms or (None,):
        values = global_values(info.prelude, passed_args(target), platform)
        keys |= _heavy(info, plan(info, stage, values, set(contexts)), path, target, args, contexts)
    return keys


def _heavy(
    info: DockerfileInfo,
    build: Build,
    path: Path,
    target: Target,
    args: dict[str, str],
    contexts: dict[str, str],
) -> set[StageKey]:
    keys: set[StageKey] = set()
    for built in build.stages:
        if not any(c.cmd.upper() == "RUN" for c in built.commands):
            continue
        chain = _ancestry(build, built)
        # Build args reach a stage through its ARG lines, global ones also through FROM.
        in_from = {n for s in chain for n in info.global_args if n in s.base.ref}
        declared = sorted({name for s in chain for name in s.args} | in_from)
        read = sorted(
            {e.name for e in build.edges if e.kind == "context" and e.name and e.stage in chain}
        )
        keys.add(
            (
                str(path),
                plain(target.context),
                built.index,
                tuple((name, args.get(name)) for name in declared),
                tuple((name, contexts.get(name)) for name in read),
            )
        )
    return keys


def groups(targets: list[Target], root: Path, largest: int) -> list[list[str]]:
    """`targets` (in their order) as groups that share heavy stages, none larger than
    `largest`; each group in the order of its members, the groups in the order of their
    first member. Stages shared by fewer targets join them first: a stage every target
    builds on (a common base) would otherwise make one group of everything."""
    parsed: dict[Path, DockerfileInfo | None] = {}
    parent = list(range(len(targets)))
    size = [1] * len(targets)

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    users: dict[StageKey, list[int]] = {}
    for i, target in enumerate(targets):
        for key in heavy_stages(target, root, parsed):
            users.setdefault(key, []).append(i)
    for members in sorted(users.values(), key=lambda m: (len(m), m)):
        roots = sorted({find(i) for i in members})
        if len(roots) < 2 or sum(size[r] for r in roots) > largest:
            continue
        for other in roots[1:]:
            parent[other] = roots[0]
            size[roots[0]] += size[other]
    by_root: dict[int, list[str]] = {}
    for i, target in enumerate(targets):
        by_root.setdefault(find(i), []).append(target.name)
    return list(by_root.values())


def bound(count: int, parts: int) -> int:
    """The most targets one job may hold when groups are packed whole.

    >>> bound(18, 4), bound(4, 4), bound(8, 4), bound(3, 1)
    (7, 1, 3, 4)
    """
    even = -(-count // max(1, min(parts, count)))
    return even + max(even // 2, 1 if even >= 2 else 0)


def pack(units: list[list[str]], parts: int) -> list[list[str]] | None:
    """`units` in order, cut at unit boundaries into at most `parts` runs, each cut at the
    boundary nearest to where an even split puts it; None when a run then exceeds `bound`."""
    count = sum(len(u) for u in units)
    parts = max(1, min(parts, count))
    boundaries = [0]
    for unit in units:
        boundaries.append(boundaries[-1] + len(unit))
    cuts: list[int] = []
    size, extra = divmod(count, parts)
    position = 0
    for i in range(parts - 1):
        position += size + (1 if i < extra else 0)
        nearest = min(boundaries, key=lambda b: (abs(b - position), b))
        if 0 < nearest < count and (not cuts or nearest > cuts[-1]):
            cuts.append(nearest)
    runs: list[list[str]] = []
    names = [name for unit in units for name in unit]
    for start, end in zip([0, *cuts], [*cuts, count], strict=True):
        runs.append(names[start:end])
    if max(len(r) for r in runs) > bound(count, parts):
        return None
    return runs
