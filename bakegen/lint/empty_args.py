"""`arg-empty-replaces-default`: an arg passed as "" replaces the default of its ARG.

BuildKit gives a passed arg's value to every ARG of that name the build reaches, an empty one
too: `ARG CUDA_MAJOR_VERSION=12` passed "" reads empty, and `cuda>=${CUDA_MAJOR_VERSION}.0`
becomes `cuda>=.0` without a word. `optional_args` leaves such an arg out of the build while
it is empty, so the Dockerfile's default applies."""

from __future__ import annotations

import re

from bakegen.dockerfiles.buildgraph import Build
from bakegen.dockerfiles.parse import DockerfileInfo
from bakegen.lint.findings import Report
from bakegen.lint.matrix_rules import TargetBuild
from bakegen.lint.shapes import Shape

RULE = "arg-empty-replaces-default"


def reached_defaults(info: DockerfileInfo, build: Build) -> dict[str, tuple[int, str]]:
    """The non-empty defaults of the ARGs the build reaches: those of its stages (an `ARG X`
    without one takes the global default), and global ones that its FROM lines read."""
    out: dict[str, tuple[int, str]] = {}
    for stage in build.stages:
        for cmd in stage.commands:
            if cmd.cmd.upper() != "ARG":
                continue
            for item in cmd.value:
                key, equals, written = item.partition("=")
                line, default = (
                    (cmd.start_line, written) if equals else info.global_args.get(key, (0, None))
                )
                if default:
                    out.setdefault(key, (line, default))
    for key, (line, default) in info.global_args.items():
        read = re.compile(rf"\$\{{?{re.escape(key)}\b")
        if default and any(read.search(s.base.ref) for s in build.stages):
            out.setdefault(key, (line, default))
    return out


def empty_args(report: Report, tb: TargetBuild, shape: Shape) -> None:
    """A warning, at the arg in the matrix, for each arg the target passes as a literal ""
    (not one a bake variable may fill) over a non-empty default, unless it is optional. The
    defaults are read once per shape, and only for a target that passes an empty arg."""
    target, info = tb.target, tb.info
    if all(any(value) for _, value in target.args):
        return
    if shape.arg_defaults is None:
        shape.arg_defaults = reached_defaults(info, tb.build)
    defaults = shape.arg_defaults
    for key, value in target.args:
        if any(value) or key not in defaults or key in target.optional_args:
            continue
        line, default = defaults[key]
        report.at_matrix(
            target,
            f"args.{key}",
            ("defaults",),
            "warning",
            RULE,
            f'{key} is passed as "", which replaces the default "{default}" of ARG {key} '
            f"({info.path}:{line}): the build sees an empty value",
            f"to keep the default while the value is empty, add `optional_args: [{key}]` "
            "(bake then leaves the arg out); else pass the value meant, or drop the arg",
        )
