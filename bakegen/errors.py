"""Every failure a user can cause, under one root, each with its exit code; and the collector
that gathers problems found by the stages (which speak in key paths: the pipeline locates)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar

# Exit codes (README, "Exit codes"). `bakegen run` passes docker's own code through.
EXIT_OK = 0
EXIT_FAILED = 1  # invalid matrix, failed command, lint errors
EXIT_USAGE = 2  # bad command line (click's own code)
EXIT_STALE = 3  # `render --check` found a stale file
EXIT_CRASH = 70  # a bug in bakegen (EX_SOFTWARE): please report it
EXIT_BROKEN_PIPE = 141  # the reader of the output went away, as shells report SIGPIPE

KeyPath = tuple[str | int, ...]


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
    """One finding in the matrix: which key, what is wrong, what to do, and (once the
    pipeline has placed it) where in the file."""

    path: KeyPath
    message: str
    hint: str | None = None
    location: Location | None = None

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        text = f"{where}{format_key_path(self.path)}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def sort_key(self) -> tuple[str, int, int, str]:
        loc = self.location or Location(file="")
        return (loc.file, loc.line or 0, loc.column or 0, self.message)


class Problems:
    """Problems gathered by a stage. One of a `kind` at the same key path is reported once,
    with a count of the others like it, instead of once for every target it affects."""

    def __init__(self) -> None:
        self._items: list[Problem] = []
        self._repeats: dict[tuple[KeyPath, str], tuple[int, set[str]]] = {}

    def add(
        self, path: KeyPath, message: str, hint: str | None = None, *, kind: str | None = None
    ) -> None:
        if kind is not None:
            key = (tuple(path), kind)
            if key in self._repeats:
                self._repeats[key][1].add(message)
                return
            self._repeats[key] = (len(self._items), {message})
        self._items.append(Problem(path=tuple(path), message=message, hint=hint))

    def add_first(self, items: Sequence[tuple[KeyPath, str]], hint: str | None = None) -> None:
        """Report the first of several findings of one rule, with how many more there are."""
        if items:
            path, message = items[0]
            self.add(path, with_count(message, len(items) - 1), hint)

    def extend(self, problems: Sequence[Problem]) -> None:
        self._items.extend(problems)

    def __bool__(self) -> bool:
        return bool(self._items)

    def __iter__(self) -> Iterator[Problem]:
        items = list(self._items)
        for index, messages in self._repeats.values():
            items[index] = replace(
                items[index], message=with_count(items[index].message, len(messages) - 1)
            )
        return iter(items)

    def raise_if_any(self) -> None:
        if self._items:
            raise MatrixError(list(self))


def with_count(message: str, more: int) -> str:
    """The one place that words "and N more like it"."""
    return f"{message} (and {more} more like it)" if more else message


class BakegenError(Exception):
    """Root of every error bakegen reports to a user (never with a traceback)."""

    exit_code: ClassVar[int] = EXIT_FAILED


class MatrixError(BakegenError):
    """The matrix file is unreadable or invalid; carries every problem found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(sorted(dict.fromkeys(problems), key=Problem.sort_key))
        super().__init__("\n".join(str(p) for p in self.problems))

    def located(self, locate: Callable[[KeyPath], Location]) -> MatrixError:
        """The same problems, each placed in the file by `locate` where not yet placed."""
        return MatrixError(
            [p if p.location else replace(p, location=locate(p.path)) for p in self.problems]
        )


class DocumentRefused(BakegenError):
    """The YAML loader stops reading a document (an alias bomb, nesting too deep, a value
    that cannot be read); `mark` is where, so the error can say where."""

    def __init__(self, mark: Any, message: str, hint: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message
        self.hint = hint


class OutputError(BakegenError):
    """An output file could not be written, or two outputs collide."""


class OutputDriftError(BakegenError):
    """`render --check` found the file on disk stale."""

    exit_code: ClassVar[int] = EXIT_STALE

    def __init__(self, message: str, diff: str) -> None:
        self.diff = diff
        super().__init__(message)


class ExportError(BakegenError):
    """An output, attestation or annotation buildx would refuse, or read unlike its template
    (reported as a located problem of the matrix)."""


class TemplateError(BakegenError):
    """A `{placeholder}` template is malformed or names something unknown."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class RenderError(BakegenError):
    """A bake-file template failed; names the template and line."""


class UnknownTargetError(BakegenError):
    """No target of that name."""


class GitError(BakegenError):
    """git could not answer; the message says why and what to do."""


class ChangesError(BakegenError):
    """The changed files could not be found (no repository, unknown revision)."""


class ManifestError(BakegenError):
    """The matrix has no multi-arch join configured, or a join would list a platform
    twice."""


class RunError(BakegenError):
    """The cell asked for does not exist, or docker cannot be run."""


class DockerfileError(BakegenError):
    """BuildKit's parser refused a Dockerfile; `line` is where, when it says."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class CheckOptionError(BakegenError):
    """A `# check=` directive or BUILDKIT_DOCKERFILE_CHECK value BuildKit would refuse."""


class EngineUnavailable(BakegenError):
    """`lint --engine` needs a working `docker buildx`; the message says what is missing."""

    exit_code: ClassVar[int] = EXIT_USAGE


class TooManyJobs(BakegenError):
    """A CI format cannot hold that many jobs in one place; the message says how to split."""

    exit_code: ClassVar[int] = EXIT_USAGE
