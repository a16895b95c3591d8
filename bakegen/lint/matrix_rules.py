"""The rules that need both sides of a target: what the bake file passes (contexts, args,
secrets) against what the stages it really builds read."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from bakegen.dockerfiles.buildgraph import Build
from bakegen.dockerfiles.imagerefs import is_image_reference, is_pinned
from bakegen.dockerfiles.parse import PLATFORM_ARGS, PREDEFINED_ARGS, DockerfileInfo, Stage
from bakegen.lint.findings import Report, Severity
from bakegen.lint.stage_labels import stage_label
from bakegen.matrix.credentials import DEFAULT_RULE, CredentialRule
from bakegen.resolve.targets import Target
from bakegen.templating import Text

_CREDENTIAL_VALUE = re.compile(
    r"^(AKIA|ASIA)[0-9A-Z]{16}$|^gh[pousr]_[A-Za-z0-9]{20,}$|^glpat-|^xox[abpr]-|-----BEGIN"
)
# Args that take effect without any ARG: BuildKit reads them itself.
_ENGINE_ARGS = PREDEFINED_ARGS | PLATFORM_ARGS | {"BUILDKIT_DOCKERFILE_CHECK"}
# Instructions whose variables a shell expands at build time (BuildKit does not look there).
_SHELL_INSTRUCTIONS = frozenset({"RUN", "CMD", "ENTRYPOINT", "HEALTHCHECK"})


@dataclass
class TargetBuild:
    """One target with its Dockerfile and what building it runs."""

    target: Target
    info: DockerfileInfo
    build: Build
    # What BuildKit's checks walk: the build, or every stage when the target names none
    # (`--call check` then checks them all).
    checked: Build


def effective_args(info: DockerfileInfo, build: Build) -> frozenset[str]:
    """The args that take effect in a build when passed: declared in a stage it runs, read
    by one of its FROM lines, or read by BuildKit itself."""
    in_stages = {a for s in build.stages for a in s.args}
    from_refs = " ".join(u.ref for s in build.stages for u in (s.base, *s.uses))
    in_from = {a for a in info.global_args if re.search(rf"\$\{{?{a}\b", from_refs)}
    return frozenset(in_stages | in_from | _ENGINE_ARGS)


@lru_cache(maxsize=65536)
def _looks_like_credential(key: str, text: Text, rule: CredentialRule) -> bool:
    """Whether an arg's name (by the matrix's credential rule) or literal value looks like a
    credential (once per distinct arg: many targets pass the same)."""
    literal = "".join(p for p in text if isinstance(p, str))
    return rule(key) or bool(_CREDENTIAL_VALUE.search(literal))


def credentials(report: Report, target: Target, rule: CredentialRule = DEFAULT_RULE) -> None:
    for key, text in target.args:
        if _looks_like_credential(key, text, rule):
            report.at_matrix(
                target,
                f"args.{key}",
                ("defaults",),
                "error",
                "credential-arg",
                f"{key} is passed as a build arg; build args are stored in the "
                "image history and printed in logs",
                "pass credentials as secrets and mount them with RUN --mount=type=secret",
            )


def image_refs(report: Report, tb: TargetBuild, given_elsewhere: set[str]) -> None:
    """References that are neither a stage, a provided context nor a full image reference.
    A bare name that other targets provide as a context is surely a context this one lacks
    (an error: bake pulls an image that is not there); otherwise it may be an image on
    Docker Hub that BuildKit pulls fine (a warning)."""
    target, info = tb.target, tb.info
    for edge in tb.build.edges:
        if edge.kind != "image" or edge.ref is None:
            continue
        use, ref = edge.use, edge.ref
        if not is_image_reference(ref):
            lacking = ref in given_elsewhere
            report.at_file(
                target,
                info.path,
                use.line,
                "error" if lacking else "warning",
                "context-missing",
                f"{use.how} {ref}: no stage or named context {ref!r}"
                + (
                    ", which other targets provide"
                    if lacking
                    else f" (bake would pull the image docker.io/library/{ref}:latest)"
                ),
                "provide it with uses/links/contexts, or write a full image reference",
            )
        elif not is_pinned(ref):
            report.at_file(
                target,
                info.path,
                use.line,
                "warning",
                "image-unpinned",
                f"{use.how} {ref}: no tag or digest, or a moving tag",
                "pin a version tag or a digest",
            )


def unused_contexts(report: Report, target: Target, names: Iterable[str]) -> None:
    """The contexts `names` the target provides that its build never reads."""
    for name in names:
        report.at_matrix(
            target,
            target.context_origin(name),
            ("defaults",),
            "warning",
            "context-unused",
            f"the context {name!r} is provided, but no stage the target builds uses it "
            "(and no stage of that name is replaced by it)",
            "remove it (a null in an override removes an inherited one)",
        )


@dataclass(frozen=True)
class ArgFate:
    """Why a passed arg reaches no stage of a build: declared only before the first FROM
    (`global-only`, with the stage that reads it), only in stages the build does not run
    (`unused`, with those stages) or nowhere (`undeclared`)."""

    kind: Literal["global-only", "unused", "undeclared"]
    where: str = ""


def arg_fate(info: DockerfileInfo, build: Build, key: str) -> ArgFate:
    """The fate of `key` passed to `build` when it is not among its effective args."""
    built = {s.index for s in build.stages}
    unbuilt = [s for s in info.stages if key in s.args and s.index not in built]
    if key in info.global_args and not unbuilt:
        readers = [s for s in build.stages if any(v == key for v, _ in s.reads)]
        return ArgFate("global-only", stage_label(readers[0]) if readers else "")
    if unbuilt:
        return ArgFate("unused", ", ".join(stage_label(s) for s in unbuilt))
    return ArgFate("undeclared")


@dataclass(frozen=True)
class ArgNote:
    """The finding for a passed arg that reaches no stage (`line`: in the Dockerfile, for
    `arg-global-only`; else it is placed at the arg in the matrix)."""

    severity: Severity
    rule: str
    message: str
    hint: str
    line: int | None = None


def arg_note(
    info: DockerfileInfo, fate: ArgFate, key: str, first: str | None, more: bool
) -> ArgNote:
    """The finding for `key`, which reaches no stage for `fate`; `first` is the first other
    target it reaches, `more` whether there are others still. An arg another target reads
    is info (a matrix sets it for a whole axis value); one nobody reads is a warning.
    BuildKit ignores both."""
    if fate.kind == "global-only":
        return ArgNote(
            "warning",
            "arg-global-only",
            f"{key} is passed, but ARG {key} is declared only before the "
            "first FROM and no FROM reads it, so the value reaches no stage",
            f"add `ARG {key}` to {fate.where or 'the stage that reads it'}",
            info.global_args[key][0],
        )
    severity: Severity = "info" if first is not None else "warning"
    also = ""
    if first is not None:
        also = f"; it is meant for {first}" + (" and others" if more else "")
    if fate.kind == "unused":
        return ArgNote(
            severity,
            "arg-unused",
            f"{key} is passed, but only stages this target does not build declare it: "
            f"{fate.where}{also}",
            "drop the arg from this target, or declare it where the target reads it",
        )
    return ArgNote(
        severity,
        "arg-undeclared",
        f"{key} is passed, but {info.path} does not declare it{also}",
        "remove the arg, or declare it with ARG in the stage that reads it",
    )


def args(
    report: Report,
    tb: TargetBuild,
    reached: set[str],
    note: Callable[[str, str | None, bool], ArgNote],
    wanted_elsewhere: dict[str, dict[str, None]],
) -> None:
    """Args that reach no stage (`reached` are those that do; `note` gives the finding, see
    arg_note). `wanted_elsewhere` maps an arg to the targets it reaches, in target order."""
    target = tb.target
    name = target.name
    for key, _ in target.args:
        if key in reached:
            continue
        # Only the first other reader and whether there are more are said: constant time
        # however many targets read the arg.
        readers = wanted_elsewhere.get(key)
        first = None
        more = False
        if readers:
            names = iter(readers)
            first = next(names)
            if first == name:
                first = next(names, None)
            more = len(readers) - (name in readers) > 1
        found = note(key, first, more)
        if found.line is not None:
            report.at_file(
                target,
                tb.info.path,
                found.line,
                found.severity,
                found.rule,
                found.message,
                found.hint,
            )
        else:
            report.at_matrix(
                target,
                f"args.{key}",
                ("defaults",),
                found.severity,
                found.rule,
                found.message,
                found.hint,
            )


def _inherited(tb: TargetBuild, stage: Stage) -> set[str]:
    """ARG and ENV names a stage has, with those of the stages it is built FROM in the file."""
    out: set[str] = set()
    current: Stage | None = stage
    while current is not None:
        out |= set(current.env) | set(current.args)
        current = tb.build.parent(current)
    return out


def scope(report: Report, tb: TargetBuild) -> None:
    """A global ARG read by a shell command of a stage that did not redeclare it is empty
    there (BuildKit's UndefinedVar covers the instructions it expands itself)."""
    info = tb.info
    for stage in tb.build.stages:
        shell_lines = {c.start_line for c in stage.commands if c.cmd.upper() in _SHELL_INSTRUCTIONS}
        known = _inherited(tb, stage)
        for name, line in stage.reads:
            if line not in shell_lines or name not in info.global_args or name in known:
                continue
            if name in PLATFORM_ARGS:
                continue
            label = stage_label(stage)
            report.at_file(
                tb.target,
                info.path,
                line,
                "warning",
                "arg-scope",
                f"${name} is read in {label}, but ARG {name} is declared only "
                "globally, so it is empty here",
                f"add `ARG {name}` inside {label}",
            )


def missing_secrets(report: Report, tb: TargetBuild) -> set[str]:
    """Secrets a built stage mounts that the target does not provide; returns every secret
    the build mounts."""
    target, info = tb.target, tb.info
    provided = {s.id for s in target.secrets}
    mounted: dict[str, int] = {}
    required: set[str] = set()
    for stage in tb.build.stages:
        required |= stage.required_secrets
        for secret, line in stage.secrets:
            mounted.setdefault(secret, line)
    for secret, line in sorted(mounted.items()):
        if secret not in provided:
            needed = secret in required
            report.at_file(
                target,
                info.path,
                line,
                "error" if needed else "warning",
                "secret-missing",
                f"a RUN mounts the secret {secret!r}, which the target does not provide"
                + (" (the mount is required=true, so the build fails)" if needed else ""),
                "add it under 'secrets' (or set 'sccache: true' for the sccache ones)",
            )
    return set(mounted)


def unused_secrets(report: Report, target: Target, names: Iterable[str]) -> None:
    """The secrets `names` the target provides that no built stage mounts."""
    for secret in names:
        origin = "sccache" if "sccache" in target.origins else "secrets"
        report.at_matrix(
            target,
            origin,
            ("defaults",),
            "warning",
            "secret-unused",
            f"the secret {secret!r} is provided, but no stage the target builds mounts it",
            "drop it from the target, or mount it where it is needed",
        )
