"""`bakegen lint`: prove that the matrix, the bake targets and the Dockerfiles agree, and run
BuildKit's own Dockerfile checks on each target as BuildKit would build it.

Every rule runs per generated target against the stages that target really builds (named
contexts replace the stages they are named after, see bakegen.buildgraph); identical findings
from many targets are reported once, with the targets they concern.
"""

from __future__ import annotations

from pathlib import Path

from bakegen import lint_matrix
from bakegen.buildgraph import Build, plan, plan_all
from bakegen.buildkit_build_checks import BuildChecks, IgnoreRules, ignore_rules
from bakegen.buildkit_checks import (
    BUILDKIT_RULES,
    COMMENT_RULES,
    Hit,
    file_checks,
    from_checks,
    url,
)
from bakegen.cachecheck import local_contexts, unlinked_reads, unlinked_uses
from bakegen.check_directive import (
    CHECK_ARG,
    CheckConfig,
    comment_directive,
    header_directive,
    parse_options,
)
from bakegen.dockerfiles import PLATFORM_ARGS, DockerfileInfo, parse
from bakegen.errors import CheckOptionError, DockerfileError
from bakegen.imagerefs import is_image_reference, is_pinned
from bakegen.lint_engine import engine_check
from bakegen.lint_findings import Finding, Report, Severity
from bakegen.lint_hadolint import HadolintRun, find_hadolint, hadolint
from bakegen.lint_matrix import TargetBuild
from bakegen.pipeline import Compiled
from bakegen.targets import Target, default_stage
from bakegen.templating import evaluate, plain

__all__ = ["RULES", "Finding", "Linter", "find_hadolint", "is_image_reference", "is_pinned", "lint"]

RULES: dict[str, str] = {
    "dockerfile-missing": "the target's Dockerfile does not exist",
    "dockerfile-invalid": "the Dockerfile does not parse (or its check directive does not)",
    "stage-missing": "the target's stage is not in its Dockerfile",
    "context-missing": "a stage uses a name that is neither a stage, an image nor a context",
    "context-unused": "the target provides a named context no built stage uses or replaces",
    "arg-undeclared": "the target passes an arg that no ARG declares",
    "arg-unused": "the target passes an arg only stages it does not build declare",
    "arg-global-only": "the target passes an arg declared only globally and used by no FROM",
    "arg-scope": "a shell command reads a global ARG its stage did not redeclare",
    "secret-missing": "a stage mounts a secret the target does not provide",
    "secret-unused": "the target provides a secret no built stage mounts",
    "credential-arg": "a build arg looks like a credential",
    "image-unpinned": "a base image has no tag or digest, or uses :latest",
    "context-copy-unlinked": "a stage reads the build context without COPY --link (cache miss)",
    **BUILDKIT_RULES,
}


class Linter:
    """Runs every rule for every target of a compiled matrix."""

    def __init__(self, compiled: Compiled, root: Path = Path()) -> None:
        self.compiled = compiled
        self.root = root
        self.report = Report(compiled)
        self.parsed: dict[Path, DockerfileInfo | DockerfileError] = {}
        self.variables = {v.name: str(v.default) for v in compiled.bake.variables}
        self.builds: list[TargetBuild] = []
        self._file_hits: dict[Path, list[Hit]] = {}
        self._build_hits: dict[tuple[Path, frozenset[int], frozenset[str], str], list[Hit]] = {}
        self._ignores: dict[tuple[Path, Path], IgnoreRules] = {}
        self._comment_configs: dict[Path, dict[int, CheckConfig | None]] = {}

    def dockerfile(self, path: Path) -> DockerfileInfo | DockerfileError:
        if path not in self.parsed:
            try:
                self.parsed[path] = parse(self.root / path)
            except DockerfileError as exc:
                self.parsed[path] = exc
        return self.parsed[path]

    def run(self) -> list[Finding]:
        for target in self.compiled.resolution.targets:
            lint_matrix.credentials(self.report, target)
            built = self.target_build(target)
            if built is not None:
                self.builds.append(built)
        wanted: dict[str, list[str]] = {}
        for tb in self.builds:
            for key in sorted(tb.reached_args()):
                wanted.setdefault(key, []).append(tb.target.name)
        given = {name for tb in self.builds for name, _ in tb.target.contexts}
        for tb in self.builds:
            lint_matrix.contexts(self.report, tb, given)
            lint_matrix.args(self.report, tb, wanted)
            lint_matrix.scope(self.report, tb)
            lint_matrix.secrets(self.report, tb)
            if len(self.builds) > 1:  # one target alone caches fine
                self.cache_reads(tb)
            self.buildkit(tb)
        return self.report.findings()

    def args(self, target: Target) -> dict[str, str]:
        return {key: evaluate(text, self.variables) for key, text in target.args}

    def target_build(self, target: Target) -> TargetBuild | None:
        """The target's Dockerfile and what it builds; None (after reporting why) when the
        Dockerfile or stage is not there, or the context is not on this machine."""
        report = self.report
        if not target.has_local_context():
            return None  # a remote context: its files are not here to check
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
            return None
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
            return None
        name = plain(target.stage) or default_stage([s.name for s in info.stages])
        stage = info.stage(name)
        if stage is None:
            names = [s.name for s in info.stages if s.name]
            report.at_matrix(
                target,
                "stage",
                ("defaults",),
                "error",
                "stage-missing",
                f"{path} has no stage {name!r}",
                f"stages: {', '.join(names)}" if names else None,
            )
            return None
        args = self.args(target)
        values: dict[str, str | None] = dict(_platform(target))
        for key, (_, default) in info.global_args.items():
            values[key] = args.get(key, default)
        provided = {key for key, _ in target.contexts}
        build: Build = plan(info, stage, values, provided)
        checked = build if plain(target.stage) else plan_all(info, values, provided)
        return TargetBuild(target=target, info=info, build=build, checked=checked)

    def cache_reads(self, tb: TargetBuild) -> None:
        """Reads of the build context (or a local named context) that miss the registry
        cache on a fresh builder (bakegen.cachecheck)."""
        uses = ((edge.use, edge.ref) for edge in tb.build.edges)
        local = local_contexts(tb.target.contexts)
        path = Path(tb.target.dockerfile_path())
        for read in (*unlinked_reads(tb.build.stages), *unlinked_uses(uses, local)):
            self.report.at_file(
                tb.target,
                path,
                read.line,
                "warning",
                "context-copy-unlinked",
                read.message,
                read.hint,
            )

    # -- BuildKit's checks ------------------------------------------------------------------
    def buildkit(self, tb: TargetBuild) -> None:
        info, target = tb.info, tb.target
        config = self.check_config(tb)
        if config is None:
            return
        if info.path not in self._file_hits:
            self._file_hits[info.path] = file_checks(info) + from_checks(info)
        context = self.root / plain(target.context)
        key = (
            info.path,
            frozenset(s.index for s in tb.checked.stages),
            frozenset(tb.checked.contexts),
            str(context),
        )
        if key not in self._build_hits:
            where = (info.path, context)
            if where not in self._ignores:
                self._ignores[where] = ignore_rules(info.path, context)
            self._build_hits[key] = BuildChecks(info, tb.checked, self._ignores[where]).run()
        severity: Severity = "error" if config.error else "warning"
        for hit in (*self._file_hits[info.path], *self._build_hits[key]):
            rule_config = config
            if hit.rule in COMMENT_RULES:
                extra = self.comment_config(info, hit.line)
                rule_config = config.merged(extra) if extra else config
            if rule_config.runs(hit.rule):
                self.report.at_file(
                    target,
                    Path(_relative(info.path, self.root)),
                    hit.line,
                    severity,
                    hit.rule,
                    hit.message,
                    url(hit.rule),
                )

    def check_config(self, tb: TargetBuild) -> CheckConfig | None:
        """The target's check options: its BUILDKIT_DOCKERFILE_CHECK arg, else the file's
        `# check=` directive. None (after reporting) when they do not parse."""
        args = self.args(tb.target)
        found = header_directive(tb.info.lines)
        text, line = (args[CHECK_ARG], None) if CHECK_ARG in args else found or ("", None)
        try:
            return parse_options(text)
        except CheckOptionError as exc:
            self.report.at_file(
                tb.target,
                Path(_relative(tb.info.path, self.root)),
                line,
                "error",
                "dockerfile-invalid",
                f"the check options do not parse: {exc}",
                "write `# check=skip=RuleA,RuleB` or `# check=skip=all;error=true`",
            )
            return None

    def comment_config(self, info: DockerfileInfo, line: int) -> CheckConfig | None:
        if info.path not in self._comment_configs:
            starts = [(c.start_line, c.end_line) for c in info.prelude]
            for stage in info.stages:
                if stage.header is not None:
                    starts.append((stage.header.start_line, stage.header.end_line))
                starts += [(c.start_line, c.end_line) for c in stage.commands]
            starts.sort()
            configs: dict[int, CheckConfig | None] = {}
            previous = 0
            for start, end in starts:
                configs[start] = comment_directive(info.lines, start, previous)
                previous = end
            self._comment_configs[info.path] = configs
        return self._comment_configs[info.path].get(line)


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _platform(target: Target) -> dict[str, str | None]:
    """The platform args BuildKit defines for FROM lines, from the target's first platform."""
    platform = target.platforms[0] if target.platforms else "linux/amd64"
    os_, _, rest = platform.partition("/")
    arch, _, variant = rest.partition("/")
    return {
        "TARGETPLATFORM": platform,
        "TARGETOS": os_,
        "TARGETARCH": arch,
        "TARGETVARIANT": variant,
        **{k: None for k in PLATFORM_ARGS if k.startswith("BUILD")},
    }


def lint(
    compiled: Compiled, root: Path = Path(), hadolint_binary: str | None = None
) -> list[Finding]:
    """All findings for a compiled matrix; hadolint's join when a binary is given."""
    return lint_report(compiled, root, hadolint_binary).findings()


def lint_report(
    compiled: Compiled,
    root: Path = Path(),
    hadolint_binary: str | None = None,
    engine: bool = False,
    engine_base: str | None = None,
) -> Report:
    """The whole report: findings, and the findings left out with their reasons. With
    `engine`, BuildKit's own checks join (raises EngineUnavailable without buildx)."""
    linter = Linter(compiled, root)
    run = None
    if hadolint_binary:
        files = {
            root / Path(t.dockerfile_path())
            for t in compiled.resolution.targets
            if t.has_local_context() and (root / Path(t.dockerfile_path())).is_file()
        }
        run = HadolintRun(hadolint_binary, sorted(files))
    linter.run()
    if engine:
        engine_check(linter.report, compiled, root, linter.builds, engine_base)
    if run is not None and hadolint_binary:
        users: dict[Path, list[TargetBuild]] = {}
        for tb in linter.builds:
            users.setdefault(Path(_relative(tb.info.path, root)), []).append(tb)
        hadolint(linter.report, run, hadolint_binary, root, users)
    return linter.report
