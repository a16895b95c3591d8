"""Matrix files laid over other matrix files (`extends`), and the key paths of one part of a
file seen as a whole file (each image of `images`).

A file that extends others is their merge, in the order listed, with the file itself on top:
mappings merge key by key, any other value (a list, a string, null) replaces the one below.
Every key keeps the file and line it was written at, so errors and `explain` point there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bakegen.errors import KeyPath, MatrixError, Problem
from bakegen.source import Source, load_file


def load_layers(path: Path, below: tuple[Path, ...] = ()) -> Source:
    """The file at `path`, laid over the files it extends."""
    top = load_file(path)
    bases = top.data.get("extends") if isinstance(top.data, dict) else None
    if not isinstance(bases, list) or not all(isinstance(b, str) for b in bases):
        return top  # absent, or malformed: the schema reports the latter
    here = path.resolve()
    merged: Source | None = None
    for i, relative in enumerate(bases):
        base_path = path.parent / relative
        if base_path.resolve() in (*below, here):
            where = top.locate(("extends", i))
            raise MatrixError(
                [
                    Problem(
                        location=where,
                        path=("extends", i),
                        message=f"{relative} extends this file again (a cycle)",
                    )
                ]
            )
        if not base_path.is_file():
            raise MatrixError(
                [
                    Problem(
                        location=top.locate(("extends", i)),
                        path=("extends", i),
                        message=f"{relative}: no such file",
                        hint="paths are relative to the file that extends them",
                    )
                ]
            )
        base = load_layers(base_path, (*below, here))
        merged = base if merged is None else overlay(merged, base)
    return top if merged is None else overlay(merged, top)


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
