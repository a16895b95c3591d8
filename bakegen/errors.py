"""The error hierarchy: every failure a user can cause, each with its exit code."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True, kw_only=True)
class Location:
    """Where in an input file something was written (1-based line and column)."""

    file: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        if self.line is None:
            return self.file
        if self.column is None:
            return f"{self.file}:{self.line}"
        return f"{self.file}:{self.line}:{self.column}"


def format_key_path(path: Sequence[str | int]) -> str:
    """Render a key path the way a user would write it: ``axes.cuda.values["12.9"]``.

    >>> format_key_path(["axes", "cuda", "values", "12.9", "args", 0])
    'axes.cuda.values["12.9"].args[0]'
    """
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.replace("_", "").replace("-", "").isalnum() and part[:1].isalpha():
            out += f".{part}" if out else part
        else:
            out += f'["{part}"]'
    return out or "(top level)"


@dataclass(frozen=True, kw_only=True)
class Problem:
    """One located finding in the matrix: where, which key, what is wrong, what to do."""

    location: Location
    path: tuple[str | int, ...]
    message: str
    hint: str | None = None

    def __str__(self) -> str:
        text = f"{self.location}: {format_key_path(self.path)}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def sort_key(self) -> tuple[str, int, int, str]:
        loc = self.location
        return (loc.file, loc.line or 0, loc.column or 0, self.message)


class BakegenError(Exception):
    """Root of every error bakegen reports to a user (never with a traceback)."""

    exit_code: ClassVar[int] = 1


class MatrixError(BakegenError):
    """The matrix file is unreadable or invalid; carries every problem found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(sorted(dict.fromkeys(problems), key=Problem.sort_key))
        super().__init__("\n".join(str(p) for p in self.problems))


class OutputError(BakegenError):
    """An output file could not be written, or two outputs collide."""


class OutputDriftError(BakegenError):
    """`render --check` found the file on disk stale."""

    exit_code: ClassVar[int] = 3

    def __init__(self, message: str, diff: str) -> None:
        self.diff = diff
        super().__init__(message)
