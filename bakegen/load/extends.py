"""Matrix files laid over other matrix files (`extends`), and the key paths of one part of a
file seen as a whole file (each image of `images`).

A file that extends others is their merge, in the order listed, with the file itself on top:
mappings merge key by key, any other value (a list, a string, null) replaces the one below.
Every key keeps the file and line it was written at, so errors and `explain` point there.

What a matrix may extend is bounded (docs/matrix.md, "Extending another file"): regular files
inside the project (or inside the folder the top file names as `extends_root`), at most
MAX_DEPTH files deep, MAX_FILES files and MAX_TOTAL_BYTES bytes in all; each file is read and
merged once, however many files extend it."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

from bakegen.errors import KeyPath, MatrixError
from bakegen.load.files import kind_of
from bakegen.load.source import Source, load_file

# A chain deeper than this is a mistake or an attack, never a layout: real ones are 2-3 deep.
MAX_DEPTH = 32
# Distinct files, the top one included.
MAX_FILES = 256
# Bytes of every file read, added up: what one matrix may make bakegen parse.
MAX_TOTAL_BYTES = 16 * 1024 * 1024
ROOT_KEY = "extends_root"
# Top-level keys of this prefix are extensions, ignored (Docker Compose's convention).
EXTENSION_PREFIX = "x-"


def project_root(start: Path) -> Path:
    """The project a matrix file belongs to: the nearest folder above it that holds `.git`
    (a git work tree), else the file's own folder."""
    for candidate in (start, *start.parents):
        if (candidate / ".git").exists():
            return candidate
    return start


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def load_layers(path: Path, keys: frozenset[str] | None = None) -> Source:
    """The file at `path`, laid over the files it extends. With `keys` (the top-level keys
    of a matrix), a file extended that is not a mapping of those keys (or `x-` extensions)
    is refused without showing any of it: it is not a matrix, and may hold a secret."""
    return _Layers(path, keys).load()


class _Layers:
    def __init__(self, top: Path, keys: frozenset[str] | None) -> None:
        self.top = top
        self.keys = keys
        self.roots = [project_root(top.resolve().parent)]
        self.done: dict[Path, Source] = {}  # resolved path → the file laid over its bases
        self.bytes = 0

    def load(self) -> Source:
        here = self.top.resolve()
        self.bytes = _size(self.top)
        source = load_file(self.top)
        self._named_root(source)
        return self._laid(self.top, here, source, ())

    def _named_root(self, top: Source) -> None:
        """The folder the top file names as `extends_root`, if any (the schema reports a value
        of the wrong type)."""
        named = top.data.get(ROOT_KEY) if isinstance(top.data, dict) else None
        if not isinstance(named, str):
            return
        if "\0" in named or not named:
            raise MatrixError([top.problem((ROOT_KEY,), "expected a folder path")])
        root = (self.top.parent / named).resolve()
        if not root.is_dir():
            raise MatrixError(
                [
                    top.problem(
                        (ROOT_KEY,),
                        f"{named}: no such folder",
                        "the path is relative to this file",
                    )
                ]
            )
        self.roots.append(root)

    def _laid(self, path: Path, here: Path, top: Source, below: tuple[Path, ...]) -> Source:
        """`top` (the file at `path`) laid over the files it extends."""
        bases = top.data.get("extends") if isinstance(top.data, dict) else None
        if below and isinstance(top.data, dict) and ROOT_KEY in top.data:
            raise MatrixError(
                [
                    top.problem(
                        (ROOT_KEY,),
                        "is read only from the matrix file a command is given, not from one it extends",
                        "move it to the file passed with --matrix",
                    )
                ]
            )
        if not isinstance(bases, list) or not all(isinstance(b, str) for b in bases):
            self.done[here] = top
            return top  # absent, or malformed: the schema reports the latter
        merged: Source | None = None
        chain = (*below, here)
        for i, relative in enumerate(bases):
            base = self._base(path, top, i, relative, chain)
            merged = base if merged is None else overlay(merged, base)
        out = top if merged is None else overlay(merged, top)
        self.done[here] = out
        return out

    def _base(
        self, path: Path, top: Source, i: int, relative: str, chain: tuple[Path, ...]
    ) -> Source:
        """The file `extends[i]` of `top` names, laid over its own bases."""

        def fail(message: str, hint: str | None = None) -> MatrixError:
            return MatrixError([top.problem(("extends", i), message, hint)])

        if "\0" in relative:
            raise fail("the path contains a NUL character", "write the file's path")
        if not relative:
            raise fail("the path is empty", "write the file's path, relative to this file")
        base_path = path.parent / relative
        try:
            resolved = base_path.resolve()
        except (OSError, RuntimeError):
            raise fail(f"{relative}: the path cannot be resolved (a symlink loop?)") from None
        if resolved in chain:
            raise fail(f"{relative} extends this file again (a cycle)")
        cached = self.done.get(resolved)
        if cached is not None:
            return cached  # read once: a file several others extend (a diamond)
        if not any(_inside(resolved, root) for root in self.roots):
            raise fail(
                f"{relative} is outside the project (the git work tree that holds the matrix "
                "file, or its folder outside git)",
                f"keep extended files inside the project, or name the folder that holds "
                f"them with `{ROOT_KEY}` in the matrix file",
            )
        try:
            mode = resolved.stat()
        except OSError:
            raise fail(
                f"{relative}: no such file", "paths are relative to the file that extends them"
            ) from None
        if not stat.S_ISREG(mode.st_mode):
            raise fail(f"{relative} is {kind_of(mode.st_mode)}, not a regular file")
        if len(chain) >= MAX_DEPTH:
            raise fail(
                f"extends nests more than {MAX_DEPTH} files deep",
                "lay the files over each other in fewer levels: one file may extend several",
            )
        if len(self.done) + len(chain) >= MAX_FILES:
            raise fail(f"the matrix extends more than {MAX_FILES} files in all")
        self.bytes += mode.st_size
        if self.bytes > MAX_TOTAL_BYTES:
            raise fail(
                f"the files extended add up to more than {MAX_TOTAL_BYTES:,} bytes",
                "a matrix and every file it extends may be at most that together",
            )
        base = load_file(base_path)
        foreign = self._not_a_matrix(base)
        if foreign:
            raise fail(
                f"{relative} is not a matrix file: {foreign}",
                "extend only matrix files; nothing of this one is shown, in case it holds a secret",
            )
        return self._laid(base_path, resolved, base, chain)

    def _not_a_matrix(self, base: Source) -> str | None:
        """Why the file extended is not a matrix, in words that quote none of it."""
        if self.keys is None:
            return None
        if not isinstance(base.data, dict):
            return "its top level is not a mapping of matrix keys"
        foreign = [
            k
            for k in base.data
            if not isinstance(k, str) or not (k in self.keys or k.startswith(EXTENSION_PREFIX))
        ]
        if not foreign:
            return None
        lines = sorted({base.positions[(k,)][0] for k in foreign if (k,) in base.positions})
        at = f" (line {', '.join(map(str, lines))})" if lines else ""
        if len(foreign) == 1:
            return f"one of its top-level keys is not a matrix key{at}"
        return f"{len(foreign)} of its top-level keys are not matrix keys{at}"


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # reading it reports why


Marks = tuple[dict[KeyPath, Any], dict[KeyPath, Any], dict[KeyPath, Any]]


def _subtree(source: Source, prefix: KeyPath, at: KeyPath) -> Marks:
    """Positions, files and scalar texts of every key path under `prefix`, moved under
    `at`."""
    size = len(prefix)
    positions: dict[KeyPath, Any] = {}
    files: dict[KeyPath, Any] = {}
    texts: dict[KeyPath, Any] = {}
    for key, position in source.positions.items():
        if key[:size] == prefix:
            moved = (*at, *key[size:])
            positions[moved] = position
            files[moved] = source.files.get(key, source.path)
            if key in source.texts:
                texts[moved] = source.texts[key]
    return positions, files, texts


def _source(path: str, data: Any, marks: Marks) -> Source:
    return Source(path=path, data=data, positions=marks[0], files=marks[1], texts=marks[2])


def overlay(base: Source, top: Source) -> Source:
    """`top` laid over `base`."""
    marks: Marks = ({}, {}, {})

    def take(source: Source, path: KeyPath) -> None:
        for mine, more in zip(marks, _subtree(source, path, path), strict=True):
            mine.update(more)

    def merge(below: Any, above: Any, path: KeyPath) -> Any:
        if isinstance(below, dict) and isinstance(above, dict):
            out = dict(below)
            for key, value in above.items():
                if key in below:
                    out[key] = merge(below[key], value, (*path, key))
                else:
                    out[key] = value
                    take(top, (*path, key))
            for key in below:
                if key not in above:
                    take(base, (*path, key))
            position = top.positions.get(path) or base.positions.get(path)
            if position:
                marks[0][path] = position
                marks[1][path] = top.files.get(path, top.path)
            return out
        take(top, path)
        return above

    data = merge(base.data, top.data, ())
    return _source(top.path, data, marks)


def part(source: Source, keys: KeyPath, node: Any, common: Any) -> Source:
    """A part of a file (`node`, written at `keys`) laid over `common` (the top-level data
    it shares), as one matrix whose key paths still locate in the original file."""
    below = _source(source.path, common, _subtree(source, (), ()))
    above = _source(source.path, node, _subtree(source, keys, ()))
    return overlay(below, above)
