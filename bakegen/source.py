"""Stage 1, load: read a matrix YAML file into plain data plus the position of every key."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bakegen.errors import DocumentTooLarge, KeyPath, Location, MatrixError, Problem

# A document may hold at most this many nodes once aliases are followed; an alias bomb
# ("billion laughs") is refused after this many steps instead of exhausting memory.
MAX_NODES = 200_000
MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Source:
    """A loaded matrix file: its data and where each key path was written."""

    path: str
    data: Any
    positions: dict[KeyPath, tuple[int, int]] = field(repr=False)

    def locate(self, path: KeyPath) -> Location:
        """The location of the longest prefix of `path` that the file contains."""
        probe = tuple(path)
        while probe and probe not in self.positions:
            probe = probe[:-1]
        line, column = self.positions.get(probe, (1, 1))
        return Location(file=self.path, line=line, column=column)

    def problem(self, path: KeyPath, message: str, hint: str | None = None) -> Problem:
        return Problem(location=self.locate(path), path=tuple(path), message=message, hint=hint)


class _Walker:
    """Turns a composed YAML node tree into Python data, recording positions."""

    def __init__(self, display: str) -> None:
        self.display = display
        self.constructor = yaml.SafeLoader("")
        self.positions: dict[KeyPath, tuple[int, int]] = {}
        self.problems: list[Problem] = []
        self.steps = 0

    def _mark(self, node: yaml.Node) -> tuple[int, int]:
        return node.start_mark.line + 1, node.start_mark.column + 1

    def walk(self, node: yaml.Node, path: KeyPath) -> Any:
        self.steps += 1
        if self.steps > MAX_NODES:
            raise DocumentTooLarge(node)
        self.positions.setdefault(path, self._mark(node))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.walk(item, (*path, i)) for i, item in enumerate(node.value)]
        return self.constructor.construct_object(node, deep=True)

    def _mapping(self, node: yaml.MappingNode, path: KeyPath) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                line, col = self._mark(key_node)
                self.problems.append(
                    Problem(
                        location=Location(file=self.display, line=line, column=col),
                        path=path,
                        message="a mapping key must be a plain scalar",
                    )
                )
                continue
            # Keys stay as written: `12.10:` must not turn into the float 12.1.
            key = key_node.value
            line, col = self._mark(key_node)
            if key in out:
                first = self.positions[(*path, key)]
                self.problems.append(
                    Problem(
                        location=Location(file=self.display, line=line, column=col),
                        path=(*path, key),
                        message=f"duplicate key {key!r}",
                        hint=f"first defined at line {first[0]}; remove one of them",
                    )
                )
                continue
            self.positions[(*path, key)] = (line, col)
            out[key] = self.walk(value_node, (*path, key))
        return out


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
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        reason = exc.problem or "invalid YAML"
        raise _fail(display, f"YAML syntax error: {reason}", line, column) from None
    except yaml.YAMLError as exc:
        raise _fail(display, f"YAML syntax error: {exc}") from None
    if node is None:
        raise _fail(display, "the file is empty", hint="a matrix needs at least 'image' and 'axes'")
    walker = _Walker(display)
    try:
        data = walker.walk(node, ())
    except DocumentTooLarge as exc:
        mark = exc.node.start_mark
        raise _fail(
            display,
            f"the document expands to more than {MAX_NODES:,} nodes",
            mark.line + 1,
            mark.column + 1,
            hint="YAML aliases are expanded; an alias bomb is refused",
        ) from None
    except yaml.YAMLError as exc:
        raise _fail(display, f"YAML error: {exc}") from None
    if walker.problems:
        raise MatrixError(walker.problems)
    return Source(path=display, data=data, positions=walker.positions)


def load_file(path: Path) -> Source:
    """Read and parse one matrix file."""
    display = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise _fail(
                display,
                f"the file is {size:,} bytes; a matrix may be at most {MAX_BYTES:,} bytes",
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise _fail(display, "no such file", hint="pass --matrix PATH") from None
    except IsADirectoryError:
        raise _fail(
            display, "is a directory, not a matrix file", hint="pass --matrix PATH"
        ) from None
    except OSError as exc:
        raise _fail(display, f"cannot read: {exc.strerror}") from None
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
