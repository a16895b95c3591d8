"""Whether an edit to a Dockerfile reaches a target: the build the target runs, read from the
Dockerfile at REF and now, compared instruction by instruction.

What a target's build is made of, for one platform: the parser directives at the top of the
file (`# syntax=`, `# escape=`, `# check=`: they apply to every stage), and for each stage the
build runs (bakegen.dockerfiles.buildgraph.plan), in order, its FROM line and instructions as BuildKit's
parser read them (comments and blank lines are not instructions), the value each `ARG NAME`
without a default takes from the global ARGs, the stage's expanded FROM platform, and where
each of its references leads. An edit that changes none of these, such as one to a stage the
target does not build or to a global ARG it does not read, builds nothing new for it.
"""

from __future__ import annotations

import re

from bakegen.ci.target_reads import passed_args, unknown_stages
from bakegen.dockerfiles.args import Values, expand_known, global_values
from bakegen.dockerfiles.buildgraph import Build, plan
from bakegen.dockerfiles.parse import DockerfileInfo, Stage
from bakegen.resolve.targets import Target, default_stage
from bakegen.templating import plain

_DIRECTIVE = re.compile(r"^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.*?)\s*$")
_PARSER_DIRECTIVES = ("syntax", "escape", "check")

Print = tuple[object, ...]


def directives(lines: list[str]) -> tuple[tuple[str, str], ...]:
    """The parser directives at the top of a Dockerfile, before any other line."""
    found = []
    for raw in lines:
        match = _DIRECTIVE.match(raw.strip())
        if match is None:
            break
        if match.group(1).lower() in _PARSER_DIRECTIVES:
            found.append((match.group(1).lower(), match.group(2)))
    return tuple(found)


def _inherited(stage: Stage, passed: dict[str, str | None], scope: Values) -> tuple[object, ...]:
    """The values the stage's `ARG NAME` lines (no default, not passed) take from the
    global scope."""
    out = []
    for cmd in stage.commands:
        if cmd.cmd.upper() != "ARG":
            continue
        for item in cmd.value:
            key, eq, _ = item.partition("=")
            if not eq and key not in passed:
                out.append((key, scope.get(key)))
    return tuple(out)


def _stage_print(build: Build, stage: Stage, passed: dict[str, str | None], scope: Values) -> Print:
    places = {id(s): i for i, s in enumerate(build.stages)}
    header = stage.header
    assert header is not None
    platform = next((f for f in header.flags if f.startswith("--platform=")), "")
    edges = tuple(
        (e.use.how, e.kind, places.get(id(e.other)) if e.other is not None else e.ref)
        for e in build.edges
        if e.stage is stage
    )
    commands = tuple(
        (cmd.original, tuple(h.content for h in cmd.heredocs)) for cmd in stage.commands
    )
    return (
        header.original,
        expand_known(platform, scope),
        commands,
        _inherited(stage, passed, scope),
        edges,
    )


def build_print(info: DockerfileInfo, target: Target, platform: str | None) -> Print | str:
    """What the target's build is made of on `platform`, or why it cannot be worked out."""
    passed = passed_args(target)
    name = plain(target.stage) or default_stage([s.name for s in info.stages])
    stage = info.stage(name)
    if stage is None:
        return f"has no stage {name!r}"
    scope = global_values(info.prelude, passed, platform)
    build = plan(info, stage, scope, {key for key, _ in target.contexts})
    lines = unknown_stages(info, build, scope)
    if lines:
        return f"line {lines[0]} names a stage only known at build time"
    stages = tuple(_stage_print(build, s, passed, scope) for s in build.stages)
    return (directives(info.lines), tuple(sorted(build.replaced)), stages)
