"""Targets that lint alike. What the Dockerfile side of lint finds for a target depends on a
few of its attributes only: the Dockerfile and context, the stage, the platforms, the
values of the Dockerfile's global args, the check options, the named contexts and the
secrets. Targets that agree on those (a shape; a matrix axis such as a flavour arg seldom
changes them) build the same stages, so the build is planned and its file findings are
found once per shape, and each target of the shape only adds its name to them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bakegen.dockerfiles.args import platform_values as platform_args
from bakegen.dockerfiles.buildgraph import Build, merged, plan, plan_all
from bakegen.dockerfiles.parse import DockerfileInfo, Stage
from bakegen.lint.findings import Finding, FindingKey, Report
from bakegen.lint.matrix_rules import ArgFate, ArgNote, arg_fate, arg_note, effective_args
from bakegen.resolve.targets import Target
from bakegen.templating import Text, plain

# (context and Dockerfile, stage, platforms, global arg values per platform, check options, named
# contexts, secrets): everything the shape's findings read from a target.
ShapeKey = tuple[object, ...]
_CONTEXTS = 5  # where a key holds the named contexts


@dataclass
class Shape:
    """The build that targets of one shape run, and what lint found in it."""

    info: DockerfileInfo
    build: Build
    checked: Build
    # The args that take effect in the build when passed (lint_matrix.effective_args).
    effective: frozenset[str]
    # Provided named contexts the build never reads, in report order.
    unused_contexts: tuple[str, ...]
    # The findings that name no origin in the matrix (each with the first target's name),
    # and the provided secrets nothing mounts; None until the first target asks.
    file_findings: list[tuple[FindingKey, Finding]] | None = None
    unused_secrets: tuple[str, ...] = ()
    # The non-empty ARG defaults the build reaches, by arg: (line, default); None until a
    # target of the shape passes an empty arg (lint_empty_args).
    arg_defaults: dict[str, tuple[int, str]] | None = None
    _fates: dict[str, ArgFate] = field(default_factory=dict, repr=False)
    _notes: dict[tuple[str, str | None, bool], ArgNote] = field(default_factory=dict, repr=False)

    def arg_note(self, key: str, first: str | None, more: bool) -> ArgNote:
        """The finding for the arg `key` that reaches no stage of the build (lint_matrix.
        arg_note), made once per arg and other readers."""
        found = self._notes.get((key, first, more))
        if found is None:
            if key not in self._fates:
                self._fates[key] = arg_fate(self.info, self.build, key)
            found = arg_note(self.info, self._fates[key], key, first, more)
            self._notes[(key, first, more)] = found
        return found


class Recorder(Report):
    """A report that keeps the findings it is given, in order, instead of merging them: the
    findings of one target, to be added again for every target of its shape."""

    def __init__(self, report: Report) -> None:
        super().__init__(report.compiled)
        self.recorded: list[tuple[FindingKey, Finding]] = []

    def add(self, finding: Finding) -> None:
        self.recorded.append((finding.key(), finding))

    def at_matrix(self, target: Target, origin: str, *args: Any, **kwargs: Any) -> None:
        # Where in the matrix a finding is depends on the target: never shared by a shape.
        raise TypeError(f"a finding at {origin!r} in the matrix cannot be shared by targets")


def contexts_of(key: ShapeKey) -> tuple[tuple[str, Text], ...]:
    """The named contexts the targets of a shape provide."""
    contexts: tuple[tuple[str, Text], ...] = key[_CONTEXTS]  # type: ignore[assignment]
    return contexts


def lint_platforms(target: Target) -> tuple[str, ...]:
    """The platforms lint plans the target's build for (linux/amd64 when it names none)."""
    return target.platforms or ("linux/amd64",)


def new_shape(
    info: DockerfileInfo,
    stage: Stage,
    target: Target,
    values: tuple[tuple[str | None, ...], ...],
) -> Shape:
    """The shape of `target`, which builds `stage` of `info` with these values of its global
    args on each of its platforms (bakegen.dockerfiles.args.global_values): the builds of every
    platform, merged."""
    provided = {key for key, _ in target.contexts}
    builds, checks = [], []
    for platform, platform_values in zip(
        lint_platforms(target), values or ((),) * len(lint_platforms(target)), strict=True
    ):
        args = platform_args(platform)
        args.update(zip(info.global_args, platform_values, strict=True))
        build = plan(info, stage, args, provided)
        builds.append(build)
        checks.append(build if plain(target.stage) else plan_all(info, args, provided))
    build = merged(builds)
    return Shape(
        info=info,
        build=build,
        checked=merged(checks),
        effective=effective_args(info, build),
        unused_contexts=tuple(sorted(provided - build.contexts)),
    )
