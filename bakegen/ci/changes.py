"""`--changed-since REF`: which targets' inputs changed since a git revision.

A target's inputs, per platform it builds: the files of its build context that the stages it
builds COPY, ADD or bind-mount, with every source expanded as BuildKit expands it
(bakegen.ci.target_reads), less what the `.dockerignore` BuildKit applies leaves out; the
instructions of those stages in its Dockerfile (bakegen.ci.dockerfile_diff); every file under its
local named contexts; and the matrix entries that shape it (the matrix and every file it
extends). A target is affected when an input changed, or when a target it uses is affected.
Where an input cannot be known before the build, the target is affected and a reason says
why. When the matrix changes shape (other axes, values or target names) or cannot be read at
REF, every target is affected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath

from bakegen.ci.dockerfile_diff import build_print
from bakegen.ci.matrix_at import chains, matrix_changes
from bakegen.ci.target_reads import context_reads
from bakegen.dockerfiles.dockerignore import DockerIgnore
from bakegen.dockerfiles.parse import DockerfileInfo, parse, parse_text
from bakegen.errors import ChangesError, DockerfileError, GitError
from bakegen.gitmeta import changed_files, file_at
from bakegen.pipeline import Compiled
from bakegen.resolve.targets import Target
from bakegen.templating import is_literal, plain


@dataclass(frozen=True)
class Affected:
    targets: frozenset[str]
    reason: str
    # Why targets were selected without knowing whether their inputs changed: reason →
    # the targets it selected.
    unknown: dict[str, frozenset[str]] = field(default_factory=dict)


def _norm(path: str | PurePosixPath | Path) -> str:
    text = PurePosixPath(Path(path).as_posix()).as_posix()
    return "" if text == "." else text.removeprefix("./")


def _under(path: str, directory: str) -> bool:
    return directory == "" or path == directory or path.startswith(directory + "/")


def _matches(inside: str, source: str) -> bool:
    """Whether a context-relative file is read by a COPY source: the source names it, a
    directory holding it, or a pattern matching it or one of its directories."""
    if _under(inside, source):
        return True
    parts = inside.split("/")
    return any(fnmatchcase("/".join(parts[: i + 1]), source) for i in range(len(parts)))


@dataclass
class _Inputs:
    """What one target reads: its Dockerfile, local named contexts, the ignore files that
    apply, the context and the sources its built stages take from it."""

    dockerfile: str
    directories: tuple[str, ...] = ()
    ignore_files: tuple[str, ...] = ()
    context: str | None = None
    ignore: DockerIgnore = field(default_factory=lambda: DockerIgnore(()))
    sources: set[str] = field(default_factory=set)
    unknown: list[str] = field(default_factory=list)

    def read(self, path: str) -> bool:
        """Whether the changed file `path` (relative to the root), not the Dockerfile, is one
        of these inputs."""
        if path in self.ignore_files or any(_under(path, d) for d in self.directories):
            return True
        if self.context is None or not _under(path, self.context):
            return False
        inside = path[len(self.context) + 1 :] if self.context else path
        if self.ignore.excluded(inside):
            return False
        return any(_matches(inside, s) for s in self.sources)


def _ignore_files(context: str, dockerfile: str) -> tuple[str, str]:
    """The ignore file BuildKit reads first (next to the Dockerfile, named after it), and the
    context's."""
    return (f"{dockerfile}.dockerignore", _norm(PurePosixPath(context) / ".dockerignore"))


def _load_ignore(root: Path, files: tuple[str, str]) -> DockerIgnore:
    for name in files:
        if (root / name).is_file():
            return DockerIgnore.load_file(root / name)
    return DockerIgnore(())


def _platforms(target: Target) -> tuple[str | None, ...]:
    return target.platforms or (None,)


def _inputs(target: Target, root: Path, parsed: dict[str, DockerfileInfo | None]) -> _Inputs:
    dockerfile = _norm(target.dockerfile_path())
    inputs = _Inputs(dockerfile=dockerfile)
    for name, value in target.contexts:
        text = plain(value)
        if not is_literal(value):
            inputs.unknown.append(f"named context {name} is set by a bake variable")
        elif text.startswith(("target:", "docker-image://")):
            continue  # another target (see depends_on) or an image: no files here
        elif "://" in text or text.startswith("git@"):
            inputs.unknown.append(f"named context {name} is remote ({text})")
        else:
            inputs.directories += (_norm(text),)
    if not is_literal(target.context) or not is_literal(target.dockerfile):
        inputs.unknown.append("its context or Dockerfile is set by a bake variable")
        return inputs
    if not target.has_local_context():
        inputs.unknown.append(f"its build context is remote ({plain(target.context)})")
        return inputs
    context = _norm(plain(target.context))
    inputs.context = context
    inputs.ignore_files = _ignore_files(context, dockerfile)
    inputs.ignore = _load_ignore(root, inputs.ignore_files)
    if dockerfile not in parsed:
        try:
            parsed[dockerfile] = parse(root / dockerfile)
        except DockerfileError:
            parsed[dockerfile] = None
    info = parsed[dockerfile]
    if info is None:
        inputs.unknown.append(f"{dockerfile} cannot be parsed")
        return inputs
    for platform in _platforms(target):
        reads = context_reads(info, target, platform, dockerfile)
        inputs.sources |= reads.sources
        inputs.unknown += [u for u in reads.unknown if u not in inputs.unknown]
    return inputs


def _dockerfile_reaches(
    target: Target, root: Path, ref: str, dockerfile: str, old: dict[str, DockerfileInfo | str]
) -> tuple[bool, str | None]:
    """Whether the edit of the target's Dockerfile since `ref` reaches its build; with the
    reason when that cannot be known (the target is then affected)."""
    if dockerfile not in old:
        text = file_at(root, ref, Path(dockerfile))
        if text is None:
            old[dockerfile] = f"{dockerfile} did not exist at {ref}"
        else:
            try:
                old[dockerfile] = parse_text(text, Path(dockerfile))
            except DockerfileError:
                old[dockerfile] = f"{dockerfile} cannot be parsed at {ref}"
    before = old[dockerfile]
    if isinstance(before, str):
        return True, before
    try:
        now = parse(root / dockerfile)
    except DockerfileError:
        return True, f"{dockerfile} cannot be parsed"
    for platform in _platforms(target):
        then, current = build_print(before, target, platform), build_print(now, target, platform)
        for found, when in ((then, f" at {ref}"), (current, "")):
            if isinstance(found, str):
                return True, f"{dockerfile}{when} {found}"
        if then != current:
            return True, None
    return False, None


def affected(compiled: Compiled, ref: str, root: Path = Path()) -> Affected:
    """The targets to build when only what changed since `ref` needs building."""
    try:
        files = {_norm(f) for f in changed_files(root, ref)}
    except GitError as exc:
        raise ChangesError(f"--changed-since {ref}: {exc}") from None
    targets = compiled.resolution.targets
    everything = frozenset(t.name for t in targets)
    matrix_path = Path(compiled.matrix.source.path)
    hit: set[str] = set()
    unknown: dict[str, set[str]] = {}
    at = chains(root, ref, matrix_path)
    if files & at.files:
        changed = matrix_changes(compiled, at)
        if changed is None:
            return Affected(everything, "the matrix changed shape")
        hit |= changed
    parsed: dict[str, DockerfileInfo | None] = {}
    old: dict[str, DockerfileInfo | str] = {}
    for target in targets:
        inputs = _inputs(target, root, parsed)
        reasons = list(inputs.unknown)
        if any(inputs.read(f) for f in files):
            hit.add(target.name)
        if inputs.dockerfile in files and target.has_local_context():
            reaches, why = _dockerfile_reaches(target, root, ref, inputs.dockerfile, old)
            if reaches and why is None:
                hit.add(target.name)
            elif why is not None:
                reasons.append(why)
        for reason in reasons:
            unknown.setdefault(reason, set()).add(target.name)
    # Reasons are told only for the targets they alone select.
    unknown = {r: names - hit for r, names in unknown.items() if names - hit}
    hit |= {t for names in unknown.values() for t in names}
    # A target is rebuilt when anything it uses is.
    grew = True
    while grew:
        before = len(hit)
        hit |= {t.name for t in targets if any(d in hit for d in t.depends_on)}
        grew = len(hit) != before
    return Affected(
        frozenset(hit),
        f"{len(files)} changed files",
        {reason: frozenset(names) for reason, names in unknown.items()},
    )
