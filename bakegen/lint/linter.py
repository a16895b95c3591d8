"""`bakegen lint`: prove that the matrix, the bake targets and the Dockerfiles agree, and run
BuildKit's own Dockerfile checks on each target as BuildKit would build it.

Every rule runs per generated target against the stages that target really builds (named
contexts replace the stages they are named after, see bakegen.dockerfiles.buildgraph); identical findings
from many targets are reported once, with the targets they concern.
"""

from __future__ import annotations

from pathlib import Path

from bakegen.dockerfiles.args import global_values
from bakegen.dockerfiles.buildkit_checks import BUILDKIT_RULES
from bakegen.dockerfiles.check_directive import CHECK_ARG
from bakegen.dockerfiles.imagerefs import is_image_reference, is_pinned
from bakegen.dockerfiles.parse import DockerfileInfo, Stage, parse
from bakegen.errors import DockerfileError
from bakegen.lint import matrix_rules as lint_matrix
from bakegen.lint.buildkit import BuildkitRules, relative
from bakegen.lint.cache_misses import local_contexts, unlinked_reads, unlinked_uses
from bakegen.lint.empty_args import empty_args
from bakegen.lint.engine import engine_check
from bakegen.lint.findings import Finding, FindingKey, Merged, Report
from bakegen.lint.hadolint import HadolintRun, find_hadolint, hadolint
from bakegen.lint.matrix_rules import TargetBuild
from bakegen.lint.shapes import (
    Recorder,
    Shape,
    ShapeKey,
    contexts_of,
    lint_platforms,
    new_shape,
)
from bakegen.matrix.credentials import CredentialRule
from bakegen.pipeline import Compiled
from bakegen.resolve.targets import Target, default_stage
from bakegen.templating import Text, evaluate, plain

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
    "arg-empty-replaces-default": 'the target passes an arg as "" over a non-empty ARG default',
    **BUILDKIT_RULES,
}


# Whether a target's context is on this machine, its Dockerfile's path, and what parsing
# the Dockerfile gave (None when it is not there).
_Place = tuple[bool, Path, DockerfileInfo | DockerfileError | None]


class Linter:
    """Runs every rule for every target of a compiled matrix."""

    def __init__(self, compiled: Compiled, root: Path = Path()) -> None:
        self.compiled = compiled
        self.root = root
        self.report = Report(compiled)
        self.parsed: dict[Path, DockerfileInfo | DockerfileError] = {}
        self.variables = {v.name: str(v.default) for v in compiled.bake.variables}
        self.builds: list[TargetBuild] = []
        self.checks = BuildkitRules(root, self.variables)
        self._places: dict[tuple[Text, Text], _Place] = {}
        self._stages: dict[tuple[int, Text], tuple[str, Stage | None]] = {}
        self._shapes: dict[ShapeKey, Shape] = {}

    def dockerfile(self, path: Path) -> DockerfileInfo | DockerfileError:
        if path not in self.parsed:
            try:
                self.parsed[path] = parse(self.root / path)
            except DockerfileError as exc:
                self.parsed[path] = exc
        return self.parsed[path]

    def run(self) -> list[Finding]:
        report = self.report
        shaped: list[tuple[TargetBuild, Shape, set[str]]] = []
        rule = CredentialRule.of(self.compiled.matrix.model.credentials)
        for target in self.compiled.resolution.targets:
            lint_matrix.credentials(report, target, rule)
            built = self.target_build(target)
            if built is not None:
                tb, shape = built
                self.builds.append(tb)
                shaped.append((tb, shape, {k for k, _ in target.args} & shape.effective))
        wanted: dict[str, dict[str, None]] = {}
        for tb, _, reached in shaped:
            for key in sorted(reached):
                wanted.setdefault(key, {})[tb.target.name] = None
        given = {name for key in self._shapes for name, _ in contexts_of(key)}
        # One target alone caches fine, and one without the registry cache has none to miss.
        many = sum(1 for tb in self.builds if tb.target.cache_to) > 1
        for tb, shape, reached in shaped:
            target = tb.target
            for found, finding in self.file_findings(shape, tb, given, many):
                report.found.add_target(found, finding, target.name)
            lint_matrix.unused_contexts(report, target, shape.unused_contexts)
            lint_matrix.args(report, tb, reached, shape.arg_note, wanted)
            empty_args(report, tb, shape)
            lint_matrix.unused_secrets(report, target, shape.unused_secrets)
        return report.findings()

    def cache_misses(self) -> list[Finding]:
        """The `context-copy-unlinked` findings of `run` alone (what `bakegen ci` warns
        about): each target's build is planned, no other rule runs."""
        firsts: dict[int, TargetBuild] = {}  # the first target of each shape
        order: list[tuple[str, int]] = []
        cached = (t for t in self.compiled.resolution.targets if t.cache_to)
        for target in cached:
            built = self.target_build(target)
            if built is not None:
                firsts.setdefault(id(built[1]), built[0])
                order.append((target.name, id(built[1])))
        if len(order) < 2:  # one target alone caches fine
            return []
        found: dict[int, list[tuple[FindingKey, Finding]]] = {}
        for shape, tb in firsts.items():
            recorder = Recorder(self.report)
            self.cache_reads(recorder, tb)
            found[shape] = recorder.recorded
        merged = Merged()
        for name, shape in order:
            for key, finding in found[shape]:
                merged.add_target(key, finding, name)
        return merged.values()

    def file_findings(
        self, shape: Shape, tb: TargetBuild, given: set[str], many: bool
    ) -> list[tuple[FindingKey, Finding]]:
        """The findings of the shape's build that name no origin in the matrix, found on
        the first target of the shape and shared by the others."""
        if shape.file_findings is None:
            recorder = Recorder(self.report)
            lint_matrix.image_refs(recorder, tb, given)
            lint_matrix.scope(recorder, tb)
            mounted = lint_matrix.missing_secrets(recorder, tb)
            if many and tb.target.cache_to:
                self.cache_reads(recorder, tb)
            self.checks.run(recorder, tb)
            shape.file_findings = recorder.recorded
            shape.unused_secrets = tuple(sorted({s.id for s in tb.target.secrets} - mounted))
        return shape.file_findings

    def target_build(self, target: Target) -> tuple[TargetBuild, Shape] | None:
        """The target's Dockerfile and what it builds; None (after reporting why) when the
        Dockerfile or stage is not there, or the context is not on this machine."""
        report = self.report
        where = (target.context, target.dockerfile)
        place = self._places.get(where)
        if place is None:
            place = self._places[where] = self._place(target)
        local, path, info = place
        if not local:
            return None  # a remote context: its files are not here to check
        if info is None:
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
        # The place stands for the context and Dockerfile in the keys below (an int hashes
        # fastest, and places live as long as the linter).
        which = (id(place), target.stage)
        if which not in self._stages:
            name = plain(target.stage) or default_stage([s.name for s in info.stages])
            self._stages[which] = (name, info.stage(name))
        name, stage = self._stages[which]
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
        texts = dict(target.args)
        variables = self.variables
        values: tuple[tuple[str | None, ...], ...] = ()
        if info.global_args:
            passed = {k: evaluate(texts[k], variables) for k in info.global_args if k in texts}
            # BuildKit's values per platform: a default may read a platform arg.
            values = tuple(
                tuple(global_values(info.prelude, passed, platform)[k] for k in info.global_args)
                for platform in lint_platforms(target)
            )
        check = evaluate(texts[CHECK_ARG], variables) if CHECK_ARG in texts else None
        key: ShapeKey = (
            id(place),
            target.stage,
            target.platforms,
            values,
            check,
            target.contexts,
            target.secrets,
            bool(target.cache_to),  # whether the registry cache rule applies
        )
        shape = self._shapes.get(key)
        if shape is None:
            shape = self._shapes[key] = new_shape(info, stage, target, values)
        return TargetBuild(target, info, shape.build, shape.checked), shape

    def _place(self, target: Target) -> _Place:
        if not target.has_local_context():
            return (False, Path(), None)
        path = Path(target.dockerfile_path())
        if not (self.root / path).is_file():
            return (True, path, None)
        return (True, path, self.dockerfile(path))

    def cache_reads(self, report: Report, tb: TargetBuild) -> None:
        """Reads of the build context (or a local named context) that miss the registry
        cache on a fresh builder (bakegen.lint.cache_misses)."""
        uses = ((edge.use, edge.ref) for edge in tb.build.edges)
        local = local_contexts(tb.target.contexts)
        path = Path(tb.target.dockerfile_path())
        for read in (*unlinked_reads(tb.build.stages), *unlinked_uses(uses, local)):
            report.at_file(
                tb.target,
                path,
                read.line,
                "warning",
                "context-copy-unlinked",
                read.message,
                read.hint,
            )


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
        # One target per context and Dockerfile: many targets share them.
        places = {(t.context, t.dockerfile): t for t in compiled.resolution.targets}
        files = {
            root / Path(t.dockerfile_path())
            for t in places.values()
            if t.has_local_context() and (root / Path(t.dockerfile_path())).is_file()
        }
        run = HadolintRun(hadolint_binary, sorted(files))
    linter.run()
    if engine:
        engine_check(linter.report, compiled, root, linter.builds, engine_base)
    if run is not None and hadolint_binary:
        by_info: dict[int, list[TargetBuild]] = {}
        for tb in linter.builds:
            by_info.setdefault(id(tb.info), []).append(tb)
        users: dict[Path, list[TargetBuild]] = {}
        for tbs in by_info.values():
            users.setdefault(Path(relative(tbs[0].info.path, root)), []).extend(tbs)
        hadolint(linter.report, run, hadolint_binary, root, users)
    return linter.report
