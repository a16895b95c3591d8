"""What one target really builds, resolved the way BuildKit's Dockerfile frontend does it.

BuildKit's rules, which this module follows:
- Stage names are lower-cased when parsed (`AS Build` is the stage `build`).
- A named context whose name is a stage's name replaces that stage for the whole build: its
  instructions never run, and everything that uses the stage (`FROM`, `COPY --from`,
  `RUN --mount=from=`) gets the context instead. That holds for the target stage too.
  `scratch` and `context` are never looked up as contexts.
- `FROM x` is a stage when `x` (after ARG expansion) is exactly the name of an earlier stage;
  `COPY --from=x` and `RUN --mount=from=x` match any stage by name case-insensitively
  (`COPY --from` also by index). Anything else is an image, looked up first as a named
  context by its short name (`docker.io/library/alpine:latest` → `alpine`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from bakegen.dockerfiles.imagerefs import familiar, is_valid
from bakegen.dockerfiles.parse import DockerfileInfo, Stage, Use, substitute

# Names BuildKit never resolves as named contexts.
RESERVED_NAMES = frozenset({"scratch", "context"})

EdgeKind = Literal["stage", "context", "image", "scratch", "unknown"]


@dataclass(frozen=True)
class Edge:
    """One reference of a built stage, resolved: to a stage, a named context the target
    provides, an image, `scratch`, or unknown (a variable without a value)."""

    stage: Stage
    use: Use
    ref: str | None
    kind: EdgeKind
    name: str | None = None  # the stage key, context name or short image name
    other: Stage | None = None  # the stage it names, for a stage edge


@dataclass
class Build:
    target: Stage
    stages: list[Stage] = field(default_factory=list)  # what runs, in file order
    replaced: dict[str, Stage] = field(default_factory=dict)  # context name → stage it replaces
    contexts: set[str] = field(default_factory=set)  # provided contexts the build reads
    edges: list[Edge] = field(default_factory=list)

    def parent(self, stage: Stage) -> Stage | None:
        """The earlier stage this build runs that `stage` is built FROM, if any."""
        for edge in self.edges:
            if edge.stage is stage and edge.use is stage.base and edge.kind == "stage":
                other = edge.other
                if (
                    other is not None
                    and other.index < stage.index
                    and any(s is other for s in self.stages)
                ):
                    return other
        return None


def context_name(stage: Stage, provided: set[str]) -> str | None:
    """The provided context that replaces `stage`, if any."""
    key = stage.key
    if key is None or key in RESERVED_NAMES or key not in provided:
        return None
    return key


def _by_key(stages: list[Stage], key: str, before: int | None = None) -> Stage | None:
    found = None
    for stage in stages:
        if before is not None and stage.index >= before:
            break
        if stage.key == key:
            found = stage  # a later duplicate wins, as in BuildKit's name table
    return found


def _image(stage: Stage, use: Use, ref: str, provided: set[str]) -> Edge:
    if ref == "scratch":
        return Edge(stage, use, ref, "scratch")
    short = familiar(ref) if is_valid(ref) else ref
    if short in provided and short.lower() not in RESERVED_NAMES:
        return Edge(stage, use, ref, "context", short)
    return Edge(stage, use, ref, "image", short)


def resolve_use(
    info: DockerfileInfo,
    stage: Stage,
    use: Use,
    values: Mapping[str, str | None],
    provided: set[str],
) -> tuple[Edge, Stage | None]:
    """Where one reference of `stage` leads: the edge, and the stage it names (if any)."""
    if use.how == "COPY --from":
        if "$" in use.ref:
            return Edge(stage, use, None, "unknown"), None  # BuildKit rejects it anyway
        ref: str | None = use.ref
        if use.ref.isdigit():
            index = int(use.ref)
            other = info.stages[index] if index < len(info.stages) else None
        else:
            other = _by_key(info.stages, use.ref.lower())
    else:
        ref = substitute(use.ref, values) if "$" in use.ref else use.ref
        if ref is None:
            return Edge(stage, use, None, "unknown"), None
        if use.how == "FROM":
            other = _by_key(info.stages, ref, before=stage.index)
        else:
            other = _by_key(info.stages, ref.lower())
    if other is not None:
        return Edge(stage, use, ref, "stage", other.key or str(other.index), other), other
    assert ref is not None
    return _image(stage, use, ref, provided), None


def plan(
    info: DockerfileInfo, target: Stage, values: Mapping[str, str | None], provided: set[str]
) -> Build:
    """The stages building `target` runs, the contexts it reads and every reference it makes.
    `values` are the global ARG values (defaults overridden by the target's args)."""
    build = Build(target=target)
    seen: set[int] = set()
    todo = [target]
    while todo:
        stage = todo.pop()
        if stage.index in seen:
            continue
        seen.add(stage.index)
        replacement = context_name(stage, provided)
        if replacement is not None:
            build.replaced[replacement] = stage
            build.contexts.add(replacement)
            continue
        build.stages.append(stage)
        for use in (stage.base, *stage.uses):
            edge, other = resolve_use(info, stage, use, values, provided)
            build.edges.append(edge)
            if edge.kind == "context" and edge.name is not None:
                build.contexts.add(edge.name)
            if other is not None and other.index != stage.index:
                todo.append(other)
    build.stages.sort(key=lambda s: s.index)
    return build


def plan_all(info: DockerfileInfo, values: Mapping[str, str | None], provided: set[str]) -> Build:
    """What `--call check` walks for a target that names no stage: BuildKit then checks every
    stage, even one a named context replaces (on top of the context)."""
    build = Build(target=info.stages[-1], stages=list(info.stages))
    for stage in info.stages:
        replacement = context_name(stage, provided)
        if replacement is not None:
            build.replaced[replacement] = stage
            build.contexts.add(replacement)
        for use in (stage.base, *stage.uses):
            edge, _ = resolve_use(info, stage, use, values, provided)
            if replacement is not None and use is stage.base:
                edge = Edge(stage, use, replacement, "context", replacement)
            build.edges.append(edge)
            if edge.kind == "context" and edge.name is not None:
                build.contexts.add(edge.name)
    return build


def merged(builds: list[Build]) -> Build:
    """One build for a target built for several platforms: the stages, contexts and
    references of each platform's build (a platform arg may lead to other stages)."""
    if len(builds) == 1:
        return builds[0]
    out = Build(target=builds[0].target)
    seen: set[tuple[int, int, str | None, str]] = set()
    for build in builds:
        for stage in build.stages:
            if all(s is not stage for s in out.stages):
                out.stages.append(stage)
        out.replaced.update(build.replaced)
        out.contexts |= build.contexts
        for edge in build.edges:
            key = (edge.stage.index, id(edge.use), edge.ref, edge.kind)
            if key not in seen:
                seen.add(key)
                out.edges.append(edge)
    out.stages.sort(key=lambda s: s.index)
    return out
