"""`bakegen lint`: prove that the matrix, the bake targets and the Dockerfiles agree.

Every rule runs per generated target against the stages that target builds; identical
findings from many targets are reported once, with the targets they concern.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from bakegen.cachecheck import local_contexts, unlinked_reads, unlinked_uses
from bakegen.dockerfiles import (
    PLATFORM_ARGS,
    PREDEFINED_ARGS,
    DockerfileInfo,
    Stage,
    Use,
    parse,
)
from bakegen.errors import DockerfileError, KeyPath
from bakegen.pipeline import Compiled
from bakegen.targets import Target, default_stage
from bakegen.templating import evaluate, plain

Severity = Literal["error", "warning", "info"]

RULES: dict[str, str] = {
    "dockerfile-missing": "the target's Dockerfile does not exist",
    "dockerfile-invalid": "the Dockerfile does not parse",
    "stage-missing": "the target's stage is not in its Dockerfile",
    "context-missing": "a stage uses a name that is neither a stage, an image nor a context",
    "context-unused": "the target provides a named context no built stage uses",
    "arg-undeclared": "the target passes an arg that no ARG declares",
    "arg-global-only": "the target passes an arg declared only globally and used by no FROM",
    "arg-scope": "a stage reads a global ARG without redeclaring it",
    "secret-missing": "a stage mounts a secret the target does not provide",
    "secret-unused": "the target provides a secret no built stage mounts",
    "credential-arg": "a build arg looks like a credential",
    "image-unpinned": "a base image has no tag or digest, or uses :latest",
    "context-copy-unlinked": "a stage reads the build context without COPY --link (cache miss)",
}

_CREDENTIAL_NAME = re.compile(
    r"TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE_KEY|API_KEY|ACCESS_KEY|_KEY$|^KEY$",
    re.IGNORECASE,
)
_CREDENTIAL_VALUE = re.compile(
    r"^(AKIA|ASIA)[0-9A-Z]{16}$|^gh[pousr]_[A-Za-z0-9]{20,}$|^glpat-|^xox[abpr]-|-----BEGIN"
)


@dataclass(frozen=True, kw_only=True)
class Finding:
    severity: Severity
    rule: str
    file: str
    line: int | None
    message: str
    hint: str | None = None
    targets: tuple[str, ...] = ()

    @property
    def target(self) -> str | None:
        return self.targets[0] if self.targets else None

    def key(self) -> tuple[str, int, str, str, str, str]:
        """Identity (for merging the same finding from many targets) and report order."""
        return (self.file, self.line or 0, self.rule, self.severity, self.message, self.hint or "")


@dataclass
class _Report:
    compiled: Compiled
    found: dict[tuple[str, int, str, str, str, str], Finding] = field(default_factory=dict)
    order: list[tuple[str, int, str, str, str, str]] = field(default_factory=list)

    def add(self, finding: Finding) -> None:
        key = finding.key()
        if key in self.found:
            old = self.found[key]
            merged = (*old.targets, *(t for t in finding.targets if t not in old.targets))
            self.found[key] = replace(old, targets=merged)
        else:
            self.found[key] = finding
            self.order.append(key)

    def at_matrix(
        self,
        target: Target,
        origin: str,
        fallback: KeyPath,
        severity: Severity,
        rule: str,
        message: str,
        hint: str | None = None,
    ) -> None:
        path = target.origins.get(origin, fallback)
        loc = self.compiled.matrix.source.locate(path)
        self.add(
            Finding(
                severity=severity,
                rule=rule,
                file=loc.file,
                line=loc.line,
                message=message,
                hint=hint,
                targets=(target.name,),
            )
        )

    def at_file(
        self,
        target: Target | None,
        path: Path,
        line: int | None,
        severity: Severity,
        rule: str,
        message: str,
        hint: str | None = None,
    ) -> None:
        self.add(
            Finding(
                severity=severity,
                rule=rule,
                file=str(path),
                line=line,
                message=message,
                hint=hint,
                targets=(target.name,) if target else (),
            )
        )


def is_image_reference(ref: str) -> bool:
    """`FROM x` names an image (rather than a stage or named context) when it has a
    registry, path, tag or digest, or is `scratch`."""
    return ref.lower() == "scratch" or any(c in ref for c in "/:@")


def is_pinned(ref: str) -> bool:
    if ref.lower() == "scratch" or "@" in ref:
        return True
    last = ref.rsplit("/", 1)[-1]
    return ":" in last and last.rsplit(":", 1)[1] not in ("", "latest")


class Linter:
    """Runs every rule for every target of a compiled matrix."""

    def __init__(self, compiled: Compiled, root: Path = Path()) -> None:
        self.compiled = compiled
        self.root = root
        self.report = _Report(compiled)
        self.parsed: dict[Path, DockerfileInfo | DockerfileError] = {}
        self.variables = {v.name: v.default for v in compiled.bake.variables}

    def dockerfile(self, path: Path) -> DockerfileInfo | DockerfileError:
        if path not in self.parsed:
            try:
                self.parsed[path] = parse(self.root / path)
            except DockerfileError as exc:
                self.parsed[path] = exc
        return self.parsed[path]

    def run(self) -> list[Finding]:
        for target in self.compiled.resolution.targets:
            self.target(target)
        return [self.report.found[k] for k in sorted(self.report.order)]

    def target(self, target: Target) -> None:
        report = self.report
        self.credentials(target)
        if not target.has_local_context():
            return  # a remote context: its files are not here to check
        path = Path(target.dockerfile_path())
        if not (self.root / path).is_file():
            report.at_matrix(
                target,
                "dockerfile",
                ("defaults",),
                "error",
                "dockerfile-missing",
                f"{path} does not exist",
                "the path is relative to the context, where bake runs",
            )
            return
        info = self.dockerfile(path)
        if isinstance(info, DockerfileError):
            report.at_file(
                target,
                path,
                info.line,
                "error",
                "dockerfile-invalid",
                info.message,
                "BuildKit cannot read it; `docker buildx build --check` shows the same error",
            )
            return
        stage = plain(target.stage) or default_stage([s.name for s in info.stages])
        if info.stage(stage) is None:
            names = [s.name for s in info.stages if s.name]
            report.at_matrix(
                target,
                "stage",
                ("defaults",),
                "error",
                "stage-missing",
                f"{path} has no stage {stage!r}",
                f"stages: {', '.join(names)}" if names else None,
            )
            return
        built = info.closure(stage, self._values(target, info))
        self.contexts(target, info, built)
        self.args(target, info, built)
        self.scope(target, info, built)
        self.secrets(target, info, built)
        if len(self.compiled.resolution.targets) > 1:  # one target alone caches fine
            values = self._values(target, info)
            uses = ((use, ref) for _, use, ref in self._external(info, built, values))
            local = local_contexts(target.contexts)
            for read in (*unlinked_reads(built), *unlinked_uses(uses, local)):
                report.at_file(
                    target,
                    path,
                    read.line,
                    "warning",
                    "context-copy-unlinked",
                    read.message,
                    read.hint,
                )

    # -- rules ------------------------------------------------------------------------------
    def _values(self, target: Target, info: DockerfileInfo) -> dict[str, str | None]:
        values: dict[str, str | None] = {k: d for k, (_, d) in info.global_args.items()}
        for key, text in target.args:
            values[key] = evaluate(text, {k: str(v) for k, v in self.variables.items()})
        return values

    def _external(
        self, info: DockerfileInfo, built: list[Stage], values: dict[str, str | None]
    ) -> Iterator[tuple[Stage, Use, str | None]]:
        """Each reference of a built stage that is not a stage: (stage, use, expanded ref)."""
        for stage in built:
            for use in (stage.base, *stage.uses):
                ref = info.resolve(use.ref, values)
                if ref is not None and info.stage(ref) is not None:
                    continue
                yield stage, use, ref

    def contexts(self, target: Target, info: DockerfileInfo, built: list[Stage]) -> None:
        provided = {name for name, _ in target.contexts}
        used: set[str] = set()
        for _stage, use, ref in self._external(info, built, self._values(target, info)):
            if ref is None:
                continue
            if ref in provided:
                used.add(ref)
            elif is_image_reference(ref):
                if not is_pinned(ref):
                    self.report.at_file(
                        target,
                        info.path,
                        use.line,
                        "warning",
                        "image-unpinned",
                        f"{use.how} {ref}: no tag or digest, or a moving tag",
                        "pin a version tag or a digest",
                    )
            else:
                self.report.at_file(
                    target,
                    info.path,
                    use.line,
                    "error",
                    "context-missing",
                    f"{use.how} {ref}: no stage or named context {ref!r} (bake would pull the "
                    f"image docker.io/library/{ref})",
                    "provide it with uses/links/contexts, or write a full image reference",
                )
        for name in sorted(provided - used):
            self.report.at_matrix(
                target,
                target.context_origin(name),
                ("defaults",),
                "error",
                "context-unused",
                f"the context {name!r} is provided, but no stage the target builds uses it",
                "remove it (a null in an override removes an inherited one)",
            )

    def args(self, target: Target, info: DockerfileInfo, built: list[Stage]) -> None:
        in_stages = {a for s in built for a in s.args}
        from_refs = " ".join(u.ref for s in built for u in (s.base, *s.uses))
        in_from = {a for a in info.global_args if re.search(rf"\$\{{?{a}\b", from_refs)}
        for key, _ in target.args:
            if key in in_stages or key in in_from or key in PREDEFINED_ARGS | PLATFORM_ARGS:
                continue
            if key in info.global_args:
                line = info.global_args[key][0]
                readers = sorted(
                    {s.name or str(s.index) for s in built for v, _ in s.reads if v == key}
                )
                where = f"stage {readers[0]}" if readers else "the stage that reads it"
                self.report.at_file(
                    target,
                    info.path,
                    line,
                    "error",
                    "arg-global-only",
                    f"{key} is passed, but ARG {key} is declared only before the "
                    "first FROM and no FROM reads it, so the value reaches no stage",
                    f"add `ARG {key}` to {where}",
                )
            else:
                self.report.at_matrix(
                    target,
                    f"args.{key}",
                    ("defaults",),
                    "error",
                    "arg-undeclared",
                    f"{key} is passed, but {info.path} does not declare it",
                    "remove the arg, or declare it with ARG in the stage that reads it",
                )

    def scope(self, target: Target, info: DockerfileInfo, built: list[Stage]) -> None:
        for stage in built:
            known = set(stage.args) | self._env(info, stage)
            for name, line in stage.reads:
                if name in info.global_args and name not in known and name not in PLATFORM_ARGS:
                    label = stage.name or str(stage.index)
                    self.report.at_file(
                        target,
                        info.path,
                        line,
                        "error",
                        "arg-scope",
                        f"${name} is read in stage {label}, but ARG {name} is declared only "
                        "globally, so it is empty here",
                        f"add `ARG {name}` inside stage {label}",
                    )

    def _env(self, info: DockerfileInfo, stage: Stage) -> set[str]:
        """ENV names a stage inherits from the stages it is built FROM."""
        out = set(stage.env)
        parent = info.stage(stage.base.ref)
        while parent is not None and parent.index < stage.index:
            out |= parent.env
            stage, parent = parent, info.stage(parent.base.ref)
            if parent is not None and parent.index >= stage.index:
                break
        return out

    def secrets(self, target: Target, info: DockerfileInfo, built: list[Stage]) -> None:
        provided = {s.id for s in target.secrets}
        mounted: dict[str, int] = {}
        for stage in built:
            for secret, line in stage.secrets:
                mounted.setdefault(secret, line)
        for secret, line in sorted(mounted.items()):
            if secret not in provided:
                self.report.at_file(
                    target,
                    info.path,
                    line,
                    "error",
                    "secret-missing",
                    f"a RUN mounts the secret {secret!r}, which the target does not provide",
                    "add it under 'secrets' (or set 'sccache: true' for the sccache ones)",
                )
        for secret in sorted(provided - set(mounted)):
            origin = "sccache" if "sccache" in target.origins else "secrets"
            self.report.at_matrix(
                target,
                origin,
                ("defaults",),
                "warning",
                "secret-unused",
                f"the secret {secret!r} is provided, but no stage the target builds mounts it",
                "drop it from the target, or mount it where it is needed",
            )

    def credentials(self, target: Target) -> None:
        for key, text in target.args:
            literal = "".join(p for p in text if isinstance(p, str))
            if _CREDENTIAL_NAME.search(key) or _CREDENTIAL_VALUE.search(literal):
                self.report.at_matrix(
                    target,
                    f"args.{key}",
                    ("defaults",),
                    "error",
                    "credential-arg",
                    f"{key} is passed as a build arg; build args are stored in the "
                    "image history and printed in logs",
                    "pass credentials as secrets and mount them with RUN --mount=type=secret",
                )

    # -- hadolint ---------------------------------------------------------------------------
    def hadolint(self, binary: str) -> None:
        users: dict[Path, list[str]] = {}
        for target in self.compiled.resolution.targets:
            path = Path(target.dockerfile_path())
            if isinstance(self.parsed.get(path), DockerfileInfo):
                users.setdefault(path, []).append(target.name)
        if not users:
            return
        paths = sorted(users)
        done = subprocess.run(
            [binary, "--no-color", "--format", "json", *(str(self.root / p) for p in paths)],
            capture_output=True,
            text=True,
            check=False,
        )
        try:
            results = json.loads(done.stdout or "[]")
        except json.JSONDecodeError:
            self.report.add(
                Finding(
                    severity="warning",
                    rule="hadolint",
                    file=binary,
                    line=None,
                    message=f"hadolint failed: {done.stderr.strip()[:200]}",
                )
            )
            return
        by_file = {str(self.root / p): p for p in paths}
        levels: dict[str, Severity] = {"error": "error", "warning": "warning"}
        for item in results:
            path = by_file.get(item.get("file", ""), Path(item.get("file", "")))
            self.report.add(
                Finding(
                    severity=levels.get(item.get("level", ""), "info"),
                    rule=f"hadolint/{item.get('code', '?')}",
                    file=str(path),
                    line=item.get("line"),
                    message=str(item.get("message", "")),
                    hint=f"https://github.com/hadolint/hadolint/wiki/{item.get('code', '')}",
                    targets=tuple(users.get(path, ())),
                )
            )


def find_hadolint() -> str | None:
    beside = Path(sys.executable).parent / "hadolint"
    return str(beside) if beside.is_file() else shutil.which("hadolint")


def lint(compiled: Compiled, root: Path = Path(), hadolint: str | None = None) -> list[Finding]:
    """All findings for a compiled matrix; hadolint's join when a binary is given."""
    linter = Linter(compiled, root)
    linter.run()
    if hadolint:
        linter.hadolint(hadolint)
    return [linter.report.found[k] for k in sorted(linter.report.order)]
