"""Which files of its build context a target reads, worked out as BuildKit reads them.

For each platform the target builds, the stages its build runs (bakegen.dockerfiles.buildgraph.plan) are
walked instruction by instruction with the values BuildKit gives the args there
(bakegen.dockerfiles.args): every `COPY`/`ADD` source and `RUN --mount=type=bind` source is expanded.
A source that cannot be expanded before the build (it reads an arg a bake variable sets, the
builder's platform, or a variable the base image may set) is a reason: the caller cannot
know what the target reads.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from bakegen.dockerfiles.args import Values, declare, expand_known, global_values, reads
from bakegen.dockerfiles.buildgraph import Build, plan
from bakegen.dockerfiles.parse import PLATFORM_ARGS, DockerfileInfo, Stage, mounts
from bakegen.resolve.targets import Target, default_stage
from bakegen.templating import is_literal, plain

_REFERENCE = re.compile(r"(\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*)")


def may_name_stage(info: DockerfileInfo, ref: str, scope: Values) -> bool:
    """Whether a reference whose variables are not all known could name a stage of the
    file (otherwise it names an image, whichever value it takes)."""
    pattern = "".join(
        (".*" if expand_known(part, scope) is None else re.escape(expand_known(part, scope) or ""))
        if i % 2
        else re.escape(part)
        for i, part in enumerate(_REFERENCE.split(ref))
    )
    return any(
        s.key is not None and re.fullmatch(pattern, s.key, re.IGNORECASE) for s in info.stages
    )


def unknown_stages(info: DockerfileInfo, build: Build, scope: Values) -> list[int]:
    """The lines of references in the build that may name a stage no one can know yet."""
    return [
        e.use.line
        for e in build.edges
        if e.kind == "unknown" and may_name_stage(info, e.use.ref, scope)
    ]


def passed_args(target: Target) -> dict[str, str | None]:
    """The args the target passes; None for one a bake variable sets (known at bake time)."""
    return {k: plain(v) if is_literal(v) else None for k, v in target.args}


@dataclass
class Reads:
    """Context-relative sources ("" is the whole context) and why some cannot be known."""

    sources: set[str] = field(default_factory=set)
    unknown: list[str] = field(default_factory=list)


def normalise(source: str) -> str:
    """A source as a path relative to the context: BuildKit reads `/x`, `./x` and `x/` as
    `x`, and `..` never leaves the context."""
    text = posixpath.normpath("/" + source.replace("\\", "/")).lstrip("/")
    return "" if text in (".", "") else text


def _image_env(build: Build, stage: Stage) -> set[str] | None:
    """The names the stage's parent stages set with ENV, when its chain of parents starts
    FROM scratch; None when it starts from an image, which may set any name."""
    names: set[str] = set()
    current: Stage | None = stage
    while current is not None:
        parent = build.parent(current)
        if parent is None:
            return names if current.base.ref.lower() == "scratch" else None
        names |= parent.env
        current = parent
    return None


def _why(name: str, passed: Mapping[str, str | None], platform: str | None) -> str:
    if name in passed:
        return f"${name}, which a bake variable sets"
    if name.startswith("BUILD") and name in PLATFORM_ARGS:
        return f"${name}, which the builder's platform decides"
    if name in PLATFORM_ARGS and platform is None:
        return f"${name}, and the target names no platform"
    return f"${name}, which has no value before the build"


def _words(cmd_keyword: str, values: tuple[str, ...], flags: tuple[str, ...]) -> list[str]:
    """The sources one instruction takes from the build context, as written."""
    words: list[str] = []
    if cmd_keyword in ("COPY", "ADD") and not any(f.startswith("--from=") for f in flags):
        words += [v for v in values[:-1] if "://" not in v and not v.startswith(("git@", "<<"))]
    for mount in mounts(flags):
        if mount.get("type") == "bind" and not mount.get("from"):
            words.append(mount.get("source") or mount.get("src") or ".")
    return words


def stage_reads(
    info: DockerfileInfo,
    build: Build,
    stage: Stage,
    passed: Mapping[str, str | None],
    global_scope: Values,
    platform: str | None,
    out: Reads,
    where: str,
) -> None:
    """Add what one stage of the build reads from the context to `out`."""
    inherited = _image_env(build, stage)  # names set before the stage: unknown values
    scope: Values = {}
    unset: set[str] = set()
    for cmd in stage.commands:
        keyword = cmd.cmd.upper()
        if keyword in ("ARG", "ENV"):
            declare(scope, cmd, passed, global_scope, unset)
            continue
        for word in _words(keyword, cmd.value, cmd.flags):
            names = reads(word)
            blind = [n for n in sorted(names) if n in scope and scope[n] is None]
            blind += [
                n
                for n in sorted(names)
                if n not in scope and n not in unset and (inherited is None or n in inherited)
            ]
            if blind:
                why = "; ".join(
                    _why(n, passed, platform)
                    if n in scope
                    else f"${n}, which the base image may set"
                    for n in blind
                )
                out.unknown.append(f"{where}:{cmd.start_line}: {keyword} {word} reads {why}")
                continue
            value = expand_known(word, {**dict.fromkeys(unset, ""), **scope})
            assert value is not None
            out.sources.add(normalise(value))


def context_reads(info: DockerfileInfo, target: Target, platform: str | None, where: str) -> Reads:
    """What `target` reads from its build context when built for `platform` (`where` names
    the Dockerfile in reasons)."""
    out = Reads()
    passed = passed_args(target)
    stage_name = plain(target.stage) or default_stage([s.name for s in info.stages])
    stage = info.stage(stage_name)
    if stage is None:
        out.unknown.append(f"{where} has no stage {stage_name!r}")
        return out
    unset: set[str] = set()
    global_scope = global_values(info.prelude, passed, platform, unset)
    build = plan(info, stage, global_scope, {key for key, _ in target.contexts})
    # A stage that declares a global ARG without a value, passed by nobody, sees it unset.
    stage_scope = {k: v for k, v in global_scope.items() if k not in unset}
    for line in unknown_stages(info, build, global_scope):
        out.unknown.append(f"{where}:{line}: names a stage only known at build time")
    for built in build.stages:
        stage_reads(info, build, built, passed, stage_scope, platform, out, where)
    return out
