"""The whole pipeline, load → validate → expand → resolve → lay out → render, without I/O to
the terminal: the CLI (and tests) call these functions."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bakegen.bakefile import BakeFile, layout, variables
from bakegen.cellchecks import check_cells
from bakegen.errors import MatrixError, Problem
from bakegen.expand import expand_matrix
from bakegen.gitmeta import GitInfo
from bakegen.render import render_hcl, render_json, render_override_hcl, render_override_json
from bakegen.resolve import resolve
from bakegen.targets import Resolution
from bakegen.validate import Matrix, load_matrix

Format = Literal["hcl", "json"]
DEFAULT_MATRIX = Path("matrix/default.yaml")


@dataclass(frozen=True)
class Compiled:
    matrix: Matrix
    resolution: Resolution
    bake: BakeFile

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return self.resolution.warnings

    def text(self, fmt: Format) -> str:
        return render_hcl(self.bake) if fmt == "hcl" else render_json(self.bake)


def compile_matrix(matrix: Matrix, select: tuple[str, ...] = ()) -> Compiled:
    expansion = expand_matrix(matrix)
    resolution = resolve(matrix, expansion, select)
    check_cells(matrix, resolution.targets)
    return Compiled(matrix, resolution, layout(matrix, resolution))


def compile_path(path: Path, select: tuple[str, ...] = ()) -> Compiled:
    return compile_matrix(load_matrix(path), select)


def missing_files(compiled: Compiled, root: Path = Path()) -> list[Problem]:
    """Targets whose Dockerfile is not there: bake runs from `root`, and a target's
    Dockerfile is relative to its context."""
    problems: dict[str, Problem] = {}
    for target in compiled.resolution.targets:
        if not target.has_local_context():
            continue
        path = Path(target.dockerfile_path())
        if str(path) in problems or (root / path).is_file():
            continue
        where = target.origins.get("dockerfile", ("defaults",))
        problems[str(path)] = compiled.matrix.source.problem(
            where,
            f"{path} does not exist (needed by {target.name})",
            "paths are relative to the context, from the directory where bake runs",
        )
    return list(problems.values())


def check_files(compiled: Compiled, root: Path = Path()) -> None:
    problems = missing_files(compiled, root)
    if problems:
        raise MatrixError(problems)


def override_text(matrix: Matrix, fmt: Format, info: GitInfo, owner: str) -> str:
    """The override file that carries the git-derived VERSION and COMMIT_SHA, with the
    descriptions the main file gives them."""
    descriptions = {v.name: v.description for v in variables(matrix.model)}
    if fmt == "hcl":
        return render_override_hcl(info, owner, descriptions)
    return render_override_json(info, owner, descriptions)
