"""The rules that need both sides of a target: what the bake file passes (contexts, args,
secrets) against what the stages it really builds read."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bakegen.buildgraph import Build
from bakegen.dockerfiles import PLATFORM_ARGS, PREDEFINED_ARGS, DockerfileInfo, Stage
from bakegen.imagerefs import is_image_reference, is_pinned
from bakegen.lint_findings import Report, Severity
from bakegen.targets import Target

_CREDENTIAL_NAME = re.compile(
    r"TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE_KEY|API_KEY|ACCESS_KEY|_KEY$|^KEY$",
    re.IGNORECASE,
)
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

    def reached_args(self) -> set[str]:
        """The args the target passes that take effect in a stage it builds."""
        in_stages = {a for s in self.build.stages for a in s.args}
        from_refs = " ".join(u.ref for s in self.build.stages for u in (s.base, *s.uses))
        in_from = {a for a in self.info.global_args if re.search(rf"\$\{{?{a}\b", from_refs)}
        passed = {key for key, _ in self.target.args}
        return passed & (in_stages | in_from | _ENGINE_ARGS)


def credentials(report: Report, target: Target) -> None:
    for key, text in target.args:
        literal = "".join(p for p in text if isinstance(p, str))
        if _CREDENTIAL_NAME.search(key) or _CREDENTIAL_VALUE.search(literal):
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


def contexts(report: Report, tb: TargetBuild, given_elsewhere: set[str]) -> None:
    """References that are neither a stage, a provided context nor a full image reference,
    and contexts the build never reads. A bare name that other targets provide as a context
    is surely a context this one lacks (an error: bake pulls an image that is not there);
    otherwise it may be an image on Docker Hub that BuildKit pulls fine (a warning)."""
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
    provided = {name for name, _ in target.contexts}
    for name in sorted(provided - tb.build.contexts):
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


def args(report: Report, tb: TargetBuild, wanted_elsewhere: dict[str, list[str]]) -> None:
    """Args that reach no stage. An arg another target reads is info (a matrix sets it for a
    whole axis value); one nobody reads is a warning. BuildKit ignores both."""
    target, info = tb.target, tb.info
    reached = tb.reached_args()
    built = {s.index for s in tb.build.stages}
    for key, _ in target.args:
        if key in reached:
            continue
        others = [t for t in wanted_elsewhere.get(key, []) if t != target.name]
        severity: Severity = "info" if others else "warning"
        also = ""
        if others:
            also = f"; it is meant for {others[0]}" + (" and others" if len(others) > 1 else "")
        unbuilt = [s for s in info.stages if key in s.args and s.index not in built]
        if key in info.global_args and not unbuilt:
            readers = sorted({_label(s) for s in tb.build.stages for v, _ in s.reads if v == key})
            where = f"stage {readers[0]}" if readers else "the stage that reads it"
            report.at_file(
                target,
                info.path,
                info.global_args[key][0],
                "warning",
                "arg-global-only",
                f"{key} is passed, but ARG {key} is declared only before the "
                "first FROM and no FROM reads it, so the value reaches no stage",
                f"add `ARG {key}` to {where}",
            )
        elif unbuilt:
            stages = ", ".join(_label(s) for s in unbuilt)
            report.at_matrix(
                target,
                f"args.{key}",
                ("defaults",),
                severity,
                "arg-unused",
                f"{key} is passed, but only stages this target does not build declare it "
                f"({stages}){also}",
                "drop the arg from this target, or declare it where the target reads it",
            )
        else:
            report.at_matrix(
                target,
                f"args.{key}",
                ("defaults",),
                severity,
                "arg-undeclared",
                f"{key} is passed, but {info.path} does not declare it{also}",
                "remove the arg, or declare it with ARG in the stage that reads it",
            )


def _label(stage: Stage) -> str:
    return stage.name or str(stage.index)


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
            label = _label(stage)
            report.at_file(
                tb.target,
                info.path,
                line,
                "warning",
                "arg-scope",
                f"${name} is read in stage {label}, but ARG {name} is declared only "
                "globally, so it is empty here",
                f"add `ARG {name}` inside stage {label}",
            )


def secrets(report: Report, tb: TargetBuild) -> None:
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
    for secret in sorted(provided - set(mounted)):
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
