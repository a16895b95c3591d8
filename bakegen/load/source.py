"""Stage 1, load: read a matrix YAML file into plain data plus the position of every key."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bakegen.errors import KeyPath, Location, MatrixError, Problem
from bakegen.load.files import read_capped
from bakegen.load.nodes import Walked, compose, walk

MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Source:
    """A loaded matrix file: its data, where each key path was written, and the text of each
    scalar that YAML read as something other than a string (``3.10`` as written, not 3.1)."""

    path: str
    data: Any
    positions: dict[KeyPath, tuple[int, int]] = field(repr=False)
    texts: dict[KeyPath, str] = field(repr=False, default_factory=dict)
    # The file each key path was written in, where that is not `path` (layers.py).
    files: dict[KeyPath, str] = field(default_factory=dict, repr=False)

    def locate(self, path: KeyPath) -> Location:
        """The location of the longest prefix of `path` that the file contains."""
        probe = tuple(path)
        while probe and probe not in self.positions:
            probe = probe[:-1]
        line, column = self.positions.get(probe, (1, 1))
        return Location(file=self.files.get(probe, self.path), line=line, column=column)

    def problem(self, path: KeyPath, message: str, hint: str | None = None) -> Problem:
        return Problem(location=self.locate(path), path=tuple(path), message=message, hint=hint)

    def text_of(self, path: KeyPath) -> str | None:
        """The scalar at `path` as written in the file, when YAML read it as a number,
        boolean or null."""
        return self.texts.get(tuple(path))


def _fail(
    display: str,
    message: str,
    line: int | None = None,
    column: int | None = None,
    hint: str | None = None,
) -> MatrixError:
    return MatrixError(
        [
            Problem(
                location=Location(file=display, line=line, column=column),
                path=(),
                message=message,
                hint=hint,
            )
        ]
    )


def load_text(text: str, display: str) -> Source:
    """Parse YAML text; every syntax or structure problem becomes a located MatrixError."""
    node = compose(text, display)
    if node is None:
        raise _fail(display, "the file is empty", hint="a matrix needs at least 'image' and 'axes'")
    walked: Walked = walk(node, display)
    return Source(path=display, data=walked.data, positions=walked.positions, texts=walked.texts)


def load_file(path: Path) -> Source:
    """Read and parse one matrix file (a regular file of at most MAX_BYTES)."""
    display = str(path)
    raw = read_capped(path, MAX_BYTES, display)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _fail(
            display,
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
            line,
            hint="save the file as UTF-8",
        ) from None
    text = text.removeprefix("\ufeff")
    return load_text(text, display)
