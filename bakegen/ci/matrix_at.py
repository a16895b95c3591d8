"""The matrix as it was at a git revision: the files it is made of (the matrix and every file
it extends, then and now) and the targets whose resolved form differs from then."""

from __future__ import annotations

import contextlib
import posixpath
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from bakegen.errors import BakegenError
from bakegen.gitmeta import file_at
from bakegen.load.extends import MAX_FILES
from bakegen.load.source import load_text
from bakegen.matrix.validate import load_matrix
from bakegen.pipeline import Compiled, compile_matrix

# A file's text (relative to the root), or None when it is not there.
Reader = Callable[[str], str | None]


def _extends(text: str, name: str) -> list[str] | None:
    """The files a matrix text extends; None when that cannot be read from it. Read with the
    loader every matrix goes through: a text at REF is as untrusted as any (an alias bomb)."""
    try:
        data = load_text(text, name).data
    except BakegenError:
        return None
    bases = data.get("extends") if isinstance(data, dict) else None
    if bases is None:
        return []
    if not isinstance(bases, list) or not all(isinstance(b, str) for b in bases):
        return None
    return bases


def _chain(matrix: str, read: Reader) -> dict[str, str] | None:
    """Every file (root-relative) the matrix is made of, with its text; None when one is
    missing, unreadable or outside the root, or when there are more than `extends` takes."""
    texts: dict[str, str] = {}
    todo = [matrix]
    while todo:
        name = todo.pop()
        if name in texts:
            continue
        text = read(name)
        if text is None or len(texts) >= MAX_FILES:
            return None
        texts[name] = text
        bases = _extends(text, name)
        if bases is None:
            return None
        for base in bases:
            joined = posixpath.normpath(posixpath.join(posixpath.dirname(name), base))
            if joined.startswith("../") or joined == ".." or posixpath.isabs(joined):
                return None
            todo.append(joined)
    return texts


def _now(root: Path) -> Reader:
    def read(name: str) -> str | None:
        try:
            return (root / name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    return read


def _then(root: Path, ref: str) -> Reader:
    return lambda name: file_at(root, ref, Path(name))


def _name(root: Path, matrix: Path) -> str:
    if matrix.is_absolute():
        with contextlib.suppress(ValueError):
            matrix = matrix.resolve().relative_to(root.resolve())
    return posixpath.normpath(PurePosixPath(matrix.as_posix()).as_posix())


@dataclass(frozen=True)
class Chains:
    """The files the matrix is made of (root-relative, with their texts), now and at REF;
    None where the chain cannot be followed."""

    name: str
    now: dict[str, str] | None
    then: dict[str, str] | None

    @property
    def files(self) -> set[str]:
        """An extended file whose chain cannot be followed counts as the matrix alone plus
        what was found."""
        return {self.name} | set(self.now or ()) | set(self.then or ())


def chains(root: Path, ref: str, matrix: Path) -> Chains:
    name = _name(root, matrix)
    return Chains(name=name, now=_chain(name, _now(root)), then=_chain(name, _then(root, ref)))


def matrix_changes(compiled: Compiled, at: Chains) -> frozenset[str] | None:
    """Targets whose resolved form differs from REF's; None when the matrix changed shape
    or cannot be read as it was at REF."""
    texts, name = at.then, at.name
    if texts is None or at.now is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        for file, text in texts.items():
            path = Path(tmp, file)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        try:
            old = compile_matrix(load_matrix(Path(tmp, name)))
        except BakegenError:
            return None
    now = compiled.matrix.model
    shape_now = {a: list(s.values) for a, s in now.axes.items()}
    shape_old = {a: list(s.values) for a, s in old.matrix.model.axes.items()}
    before = {t.name: t for t in old.resolution.targets}
    after = {t.name: t for t in compiled.resolution.targets}
    if shape_now != shape_old or set(before) != set(after):
        return None
    return frozenset(n for n, t in after.items() if before[n] != t)
