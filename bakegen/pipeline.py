"""The whole pipeline, load → validate → expand → resolve → lay out → render, without I/O to
the terminal: the CLI (and tests) call these functions."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from bakegen.bakefile.groups import default_group_problems
from bakegen.bakefile.images import merge as merge_images
from bakegen.bakefile.images import rename_targets
from bakegen.bakefile.layout import BakeFile, layout
from bakegen.errors import MatrixError, Problem
from bakegen.gitmeta import GitInfo
from bakegen.load.images import problems_in_file
from bakegen.matrix.validate import Matrix, load_matrix
from bakegen.resolve.arg_checks import optional_arg_warnings
from bakegen.resolve.cache_entries import cache_entry_problems
from bakegen.resolve.checks import check_targets
from bakegen.resolve.expand import CellSpace, expand_cells
from bakegen.resolve.exports import export_check
from bakegen.resolve.joins import cache_warnings, join_warnings, tag_problems
from bakegen.resolve.required import add_requirements
from bakegen.resolve.resolver import resolve
from bakegen.resolve.run_homes import home_problems
from bakegen.resolve.select import select as select_targets
from bakegen.resolve.targets import Resolution
from bakegen.templating import Text

Format = Literal["hcl", "json"]
DEFAULT_MATRIX = Path("matrix/default.yaml")


@dataclass(frozen=True)
class Compiled:
    matrix: Matrix
    resolution: Resolution
    bake: BakeFile
    # Several images: each image's key and its own matrix and targets (with the whole bake
    # file), for the commands that work on one image at a time (manifest, run).
    images: tuple[tuple[str, Compiled], ...] = ()

    def each_image(self) -> tuple[tuple[str | None, Compiled], ...]:
        """(image key, its part) for each image; (None, self) for a file of one image."""
        return self.images or ((None, self),)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return self.resolution.warnings

    def text(self, fmt: Format) -> str:
        # Jinja is loaded only by the commands that write a bake file.
        from bakegen.render.hcl_file import render_hcl
        from bakegen.render.json_file import render_json

        with gc_paused():
            return render_hcl(self.bake) if fmt == "hcl" else render_json(self.bake)

    def pieces(self, fmt: Format) -> Iterator[str]:
        """The same text in pieces, made as they are read (a large file is never held
        whole)."""
        from bakegen.render.hcl_file import render_hcl_pieces
        from bakegen.render.json_file import render_json_pieces

        with gc_paused():
            if fmt == "hcl":
                yield from render_hcl_pieces(self.bake)
            else:
                yield from render_json_pieces(self.bake)


# More new objects than this while paused (a matrix of some 3,000 cells) and they are frozen.
_MANY_OBJECTS = 100_000


@contextmanager
def gc_paused() -> Iterator[None]:
    """Compiling makes millions of small objects and frees almost no cycles, so the cyclic
    collector only rescans an ever larger heap (a fifth of the time at 10,000 cells).
    Reference counting still frees everything as usual."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if gc.get_count()[0] > _MANY_OBJECTS:
                # A large matrix: its objects live on (the compiled result), and the first
                # collection would scan every one of them again. Moved out of the
                # collector's reach instead; reference counting still frees them.
                gc.freeze()
            gc.enable()


def compile_matrix(matrix: Matrix, select: tuple[str, ...] = ()) -> Compiled:
    """expand → resolve → select → check → lay out (see `_compile_matrix`)."""
    with gc_paused():
        return _compile_matrix(matrix, select)


def _compile_matrix(matrix: Matrix, select: tuple[str, ...] = ()) -> Compiled:
    """expand → resolve → select → check → lay out; every problem a stage reports by key
    path is placed in the matrix file here. Several images: each compiled, then merged."""
    if matrix.images:
        return _compile_images(matrix, select)
    resolution = resolve_matrix(matrix, select)
    try:
        bake = layout(matrix.model, matrix.ids, matrix.source.path, resolution)
    except MatrixError as exc:
        raise exc.located(matrix.source.locate) from None
    return Compiled(matrix, resolution, bake)


def resolve_matrix(matrix: Matrix, select: tuple[str, ...] = ()) -> Resolution:
    """expand → resolve → select → check: the targets a run writes, checked."""
    model, ids, locate = matrix.model, matrix.ids, matrix.source.locate
    try:
        expansion = expand_cells(CellSpace.of(model, ids))
        resolved = resolve(model, ids, expansion)
        cells = resolved.cells
        targets, selected = select_targets(cells, resolved.shared, select)
        # After selection: the check targets are written by the layout, not resolved.
        targets = add_requirements(model, targets)
        problems = check_targets(targets, model.exclusive, model.cache.scope, locate)
        problems += export_check(targets, matrix.source.data, model.exports.outside_project)
        problems += cache_entry_problems(targets, model.exports.outside_project)
        problems += default_group_problems(model, cells)
        if problems:
            raise MatrixError(problems)
        # The templates only `manifest` and `run` expand, checked once the rest holds.
        problems = tag_problems(model, ids, targets) + home_problems(model, ids, targets)
        if problems:
            raise MatrixError(problems)
        found = (
            *resolved.warnings,
            *join_warnings(model.ci.manifest, cells),
            *cache_warnings(targets),
            *optional_arg_warnings(model, cells),
        )
        warnings = matrix.warnings + tuple(
            p if p.location else replace(p, location=locate(p.path)) for p in found
        )
    except MatrixError as exc:
        raise exc.located(locate) from None
    return Resolution(targets=targets, selected=selected, warnings=warnings)


def _compile_images(matrix: Matrix, select: tuple[str, ...]) -> Compiled:
    parts = []
    images: list[tuple[str, Matrix, Resolution]] = []
    unmatched: list[MatrixError] = []
    for key, image in matrix.images:
        try:
            one = resolve_matrix(image, select)
        except MatrixError as exc:
            if select and all(p.path == () for p in exc.problems):
                unmatched.append(exc)  # --select names no target of this image
                continue
            source = matrix.source
            raise MatrixError(problems_in_file(exc.problems, key, image.source, source)) from None
        resolution = rename_targets(one, key, image.source, matrix.source)
        try:
            bake = layout(image.model, image.ids, matrix.source.path, resolution)
        except MatrixError as exc:
            located = exc.located(image.source.locate)
            raise MatrixError(
                problems_in_file(located.problems, key, image.source, matrix.source)
            ) from None
        parts.append((key, image.model.image.name or "", bake, resolution))
        images.append((key, image, resolution))
    if not parts:
        raise unmatched[0]
    try:
        bake, resolution = merge_images(parts)
    except MatrixError as exc:
        raise exc.located(matrix.source.locate) from None
    own = tuple((key, Compiled(image, part, bake)) for key, image, part in images)
    return Compiled(matrix, resolution, bake, own)


def compile_path(path: Path, select: tuple[str, ...] = ()) -> Compiled:
    with gc_paused():
        return compile_matrix(load_matrix(path), select)


def missing_files(compiled: Compiled, root: Path = Path()) -> list[Problem]:
    """Targets whose Dockerfile is not there: bake runs from `root`, and a target's
    Dockerfile is relative to its context."""
    problems: dict[str, Problem] = {}
    # Thousands of cells share a few (context, Dockerfile) pairs: each is looked at once.
    seen: set[tuple[Text, Text]] = set()
    for target in compiled.resolution.targets:
        pair = (target.context, target.dockerfile)
        if pair in seen:
            continue
        seen.add(pair)
        if not target.has_local_context():
            continue
        path = Path(target.dockerfile_path())
        if str(path) in problems or (root / path).is_file():
            continue
        where = target.origins.get("dockerfile", ("defaults",))
        problems[str(path)] = Problem(
            path=where,
            message=f"{path} does not exist (needed by {target.name})",
            hint="paths are relative to the context, from the directory where bake runs",
            location=compiled.matrix.source.locate(where),
        )
    return list(problems.values())


def check_files(compiled: Compiled, root: Path = Path()) -> None:
    problems = missing_files(compiled, root)
    if problems:
        raise MatrixError(problems)


def override_text(compiled: Compiled, fmt: Format, info: GitInfo, owner: str) -> str:
    """The override file that carries the git-derived VERSION and COMMIT_SHA, declared as the
    main file declares them (description and validation blocks)."""
    from bakegen.render.hcl_file import render_override_hcl
    from bakegen.render.json_file import render_override_json

    declared = {v.name: v for v in compiled.bake.variables if v.name in ("VERSION", "COMMIT_SHA")}
    if fmt == "hcl":
        return render_override_hcl(info, owner, declared)
    return render_override_json(info, owner, declared)
