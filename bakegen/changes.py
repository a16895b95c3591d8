"""`--changed-since REF`: which targets' inputs changed since a git revision.

A target's inputs are its Dockerfile; the files of its build context that the stages it
builds COPY, ADD or bind-mount (less what `.dockerignore` leaves out); every file under its
local named contexts; and the matrix entries that shape it. A target is affected when an input changed,
or when a target it uses is affected. When the matrix changes shape (other axes, values or
target names) or cannot be read at REF, every target is affected.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath

from bakegen.buildgraph import plan
from bakegen.dockerfiles import DockerfileInfo, parse
from bakegen.dockerignore import DockerIgnore
from bakegen.errors import ChangesError, DockerfileError, GitError, MatrixError
from bakegen.gitmeta import changed_files, file_at
from bakegen.pipeline import Compiled, compile_matrix
from bakegen.targets import Target, default_stage, is_remote_context
from bakegen.templating import plain
from bakegen.validate import load_matrix_text


@dataclass(frozen=True)
class Affected:
    targets: frozenset[str]
    reason: str


def _norm(path: str | PurePosixPath | Path) -> str:
    text = PurePosixPath(Path(path).as_posix()).as_posix()
    return "" if text == "." else text.removeprefix("./")


def _under(path: str, directory: str) -> bool:
    return directory == "" or path == directory or path.startswith(directory + "/")


@dataclass(frozen=True)
class _Inputs:
    """What one target reads, worked out once: its Dockerfile, its local named contexts, and
    the sources its built stages take from its build context (None: anything in it)."""

    dockerfile: str
    directories: tuple[str, ...]
    context: str | None
    ignore: DockerIgnore
    sources: tuple[str, ...] | None

    def read(self, path: str) -> bool:
        """Whether the changed file `path` (relative to the root) is one of these inputs."""
        if path == self.dockerfile or any(_under(path, d) for d in self.directories):
            return True
        if self.context is None or not _under(path, self.context):
            return False
        inside = path[len(self.context) + 1 :] if self.context else path
        if inside == ".dockerignore":
            return True
        if self.ignore.excluded(inside):
            return False
        if self.sources is None:
            return True
        return any(p == "" or _under(inside, p) or fnmatchcase(inside, p) for p in self.sources)


def _inputs(target: Target, root: Path, parsed: dict[str, DockerfileInfo | None]) -> _Inputs:
    context = _norm(plain(target.context))
    dockerfile = _norm(target.dockerfile_path())
    directories = tuple(
        _norm(plain(v)) for _, v in target.contexts if not is_remote_context(plain(v))
    )
    if dockerfile not in parsed:
        try:
            parsed[dockerfile] = parse(root / dockerfile)
        except DockerfileError:
            parsed[dockerfile] = None  # an unreadable Dockerfile could read anything
    info = parsed[dockerfile]
    sources: tuple[str, ...] | None = None
    if info is not None:
        sources = _sources(info, target)
    local = target.has_local_context()
    return _Inputs(
        dockerfile=dockerfile,
        directories=directories,
        context=context if local else None,
        ignore=DockerIgnore.load(root / context) if local else DockerIgnore(()),
        sources=sources,
    )


def _sources(info: DockerfileInfo, target: Target) -> tuple[str, ...] | None:
    """What the stages the target really builds copy from the build context (stages that a
    named context replaces read nothing, as in BuildKit); None when its stage is missing."""
    stage = info.stage(plain(target.stage) or default_stage([s.name for s in info.stages]))
    if stage is None:
        return None
    args = {k: plain(v) for k, v in target.args}
    values = {k: args.get(k, default) for k, (_, default) in info.global_args.items()}
    build = plan(info, stage, values, {key for key, _ in target.contexts})
    return tuple(_norm(s) for built in build.stages for s in built.sources)


def _matrix_changes(compiled: Compiled, root: Path, ref: str) -> frozenset[str] | None:
    """Targets whose resolved form differs from REF's; None when the matrix changed shape."""
    source_path = Path(compiled.matrix.source.path)
    old_text = file_at(root, ref, source_path)
    if old_text is None:
        return None
    try:
        old = compile_matrix(load_matrix_text(old_text, str(source_path)))
    except MatrixError:
        return None
    now = compiled.matrix.model
    shape_now = {a: list(s.values) for a, s in now.axes.items()}
    shape_old = {a: list(s.values) for a, s in old.matrix.model.axes.items()}
    before = {t.name: t for t in old.resolution.targets}
    after = {t.name: t for t in compiled.resolution.targets}
    if shape_now != shape_old or set(before) != set(after):
        return None
    return frozenset(n for n, t in after.items() if before[n] != t)


def affected(compiled: Compiled, ref: str, root: Path = Path()) -> Affected:
    """The targets to build when only what changed since `ref` needs building."""
    try:
        files = [_norm(f) for f in changed_files(root, ref)]
    except GitError as exc:
        raise ChangesError(f"--changed-since {ref}: {exc}") from None
    targets = compiled.resolution.targets
    everything = frozenset(t.name for t in targets)
    matrix_file = _norm(compiled.matrix.source.path)
    hit: set[str] = set()
    if matrix_file in files:
        changed = _matrix_changes(compiled, root, ref)
        if changed is None:
            return Affected(everything, "the matrix changed shape")
        hit |= changed
    parsed: dict[str, DockerfileInfo | None] = {}
    others = [f for f in files if f != matrix_file]
    for target in targets:
        inputs = _inputs(target, root, parsed)
        if any(inputs.read(f) for f in others):
            hit.add(target.name)
    # A target is rebuilt when anything it uses is.
    grew = True
    while grew:
        before = len(hit)
        hit |= {t.name for t in targets if any(d in hit for d in t.depends_on)}
        grew = len(hit) != before
    return Affected(frozenset(hit), f"{len(files)} changed files")
