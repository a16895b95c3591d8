"""YAML nodes → plain data with the position of every key path, refusing hostile documents.

Limits keep every document bounded in time and memory: nesting depth, the number of nodes
once aliases are followed (an alias bomb), the length of a number, and aliases that refer to
the node that contains them. Merge keys (``<<: *defaults``) are applied here, so a merged
value keeps the position where it is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from bakegen.errors import DocumentRefused, KeyPath, Location, MatrixError, Problem
from bakegen.load.events import REFUSED, compose_fast

# A document may hold at most this many nodes once aliases are followed; an alias bomb
# ("billion laughs") is refused after this many steps instead of exhausting memory.
MAX_NODES = 200_000
# No matrix nests deeper than a dozen levels; the limit keeps recursion far from Python's.
MAX_DEPTH = 100
# Longer numbers are certainly not meant as numbers (and Python refuses ints over 4,300 digits).
MAX_NUMBER_CHARS = 100

_MERGE = "tag:yaml.org,2002:merge"
_STR = "tag:yaml.org,2002:str"
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _Refused(
    node_or_mark: yaml.Node | yaml.Mark | None, message: str, hint: str
) -> DocumentRefused:
    """The problem that stops reading the document, placed at a node or mark."""
    mark = node_or_mark.start_mark if isinstance(node_or_mark, yaml.Node) else node_or_mark
    return DocumentRefused(mark, message, hint)


class _Loader(yaml.SafeLoader):
    """SafeLoader whose composer refuses documents nested deeper than MAX_DEPTH."""

    depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _Refused(
                    self.peek_event().start_mark,  # type: ignore[no-untyped-call]
                    f"the document nests deeper than {MAX_DEPTH} levels",
                    "a matrix needs only a few levels of mappings and lists",
                )
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _located(display: str, mark: yaml.Mark | None, message: str, hint: str | None) -> MatrixError:
    line = mark.line + 1 if mark else None
    column = mark.column + 1 if mark else None
    where = Location(file=display, line=line, column=column)
    return MatrixError([Problem(location=where, path=(), message=message, hint=hint)])


def _unreadable(display: str, text: str, exc: yaml.reader.ReaderError) -> MatrixError:
    """A character YAML does not allow anywhere (a control character), located."""
    line = text.count("\n", 0, exc.position) + 1
    column = exc.position - text.rfind("\n", 0, exc.position)
    char = exc.character if isinstance(exc.character, str) else chr(exc.character)
    where = Location(file=display, line=line, column=column)
    return MatrixError(
        [
            Problem(
                location=where,
                path=(),
                message=f"the file holds the character U+{ord(char):04X}, which YAML does "
                "not allow",
                hint="remove it, or write it as an escape such as \\x07 in a double-quoted string",
            )
        ]
    )


def compose(text: str, display: str) -> yaml.Node | None:
    """The node tree of a one-document YAML text; syntax errors become a located MatrixError."""
    fast = compose_fast(text, MAX_DEPTH)
    if fast is not REFUSED:
        return fast
    try:
        loader = _Loader(text)  # reads (and checks) the first characters already
    except yaml.reader.ReaderError as exc:
        raise _unreadable(display, text, exc) from None
    try:
        node: yaml.Node | None = loader.get_single_node()
        return node
    except yaml.reader.ReaderError as exc:
        raise _unreadable(display, text, exc) from None
    except DocumentRefused as exc:
        raise _located(display, exc.mark, exc.message, exc.hint) from None
    except yaml.MarkedYAMLError as exc:
        reason = exc.problem or "invalid YAML"
        raise _located(display, exc.problem_mark, f"YAML syntax error: {reason}", None) from None
    except yaml.YAMLError as exc:
        text_of = " ".join(str(exc).split())
        raise _located(display, None, f"YAML syntax error: {text_of}", None) from None
    finally:
        loader.dispose()


@dataclass
class Walked:
    data: Any = None
    positions: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    texts: dict[KeyPath, str] = field(default_factory=dict)


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Walker:
    """Turns a composed YAML node tree into Python data, recording positions."""

    def __init__(self, display: str) -> None:
        self.display = display
        self.constructor = yaml.SafeLoader("")
        self.out = Walked()
        self.problems: list[Problem] = []
        self.steps = 0
        # Collections being walked: an alias to one of them is a cycle.
        self.open: set[int] = set()
        self.merging = 0

    def problem(self, node: yaml.Node, path: KeyPath, message: str, hint: str | None) -> None:
        line, col = _mark(node)
        where = Location(file=self.display, line=line, column=col)
        self.problems.append(Problem(location=where, path=path, message=message, hint=hint))

    def walk(self, node: yaml.Node, path: KeyPath) -> Any:
        self.steps += 1
        if self.steps > MAX_NODES:
            raise _Refused(
                node,
                f"the document expands to more than {MAX_NODES:,} nodes",
                "YAML aliases are expanded; an alias bomb is refused",
            )
        if len(path) > MAX_DEPTH:
            raise _Refused(
                node,
                f"the document nests deeper than {MAX_DEPTH} levels",
                "a matrix needs only a few levels of mappings and lists",
            )
        self.out.positions.setdefault(path, _mark(node))
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        if id(node) in self.open:
            # The alias itself leaves no node behind: point at the key or item that holds it.
            line, col = self.out.positions.get(path, _mark(node))
            where = Location(file=self.display, line=line, column=col)
            self.problems.append(
                Problem(
                    location=where,
                    path=path,
                    message="an alias refers to the mapping or list that contains it",
                    hint="a value cannot contain itself; remove the alias",
                )
            )
            return None
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self.mapping(node, path)
            return [self.walk(item, (*path, i)) for i, item in enumerate(node.value)]
        finally:
            self.open.discard(id(node))

    def scalar(self, node: yaml.ScalarNode, path: KeyPath) -> Any:
        text: str = node.value
        bad = _SURROGATE.search(text)
        if bad:
            self.problem(
                node,
                path,
                f"contains the lone surrogate \\u{ord(bad.group()):04x}, which is no character",
                "write the character itself, or as \\U followed by 8 hex digits",
            )
            return text
        if node.tag == _STR:
            return text
        if len(text) > MAX_NUMBER_CHARS:
            self.problem(
                node,
                path,
                f"a value of {len(text):,} characters read as {node.tag.rsplit(':', 1)[-1]}",
                "quote it if it is text",
            )
            return text
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ArithmeticError, LookupError, AttributeError, ValueError) as exc:
            # PyYAML's constructors fail in many ways on explicitly tagged text
            # (`!!bool maybe`, `!!timestamp 2001-99-99`): each becomes a located problem.
            reason = getattr(exc, "problem", None) or (
                str(exc)
                if type(exc) is ValueError
                else f"not a valid {node.tag.rsplit(':', 1)[-1]}"
            )
            self.problem(node, path, f"cannot read {text!r}: {reason}", "quote it if it is text")
            return text
        if not isinstance(value, str):
            self.out.texts[path] = text
        return value

    def mapping(self, node: yaml.MappingNode, path: KeyPath) -> dict[str, Any]:
        out: dict[str, Any] = {}
        pairs = self.pairs(node, path)
        explicit = {k.value for k, _, merged in pairs if not merged}
        for key_node, value_node, merged in pairs:
            key = key_node.value
            if merged and (key in explicit or key in out):
                continue  # a key written in the mapping, or merged earlier, wins
            if key in out:
                first = self.out.positions[(*path, key)]
                self.problem(
                    key_node,
                    (*path, key),
                    f"duplicate key {key!r}",
                    f"first defined at line {first[0]}; remove one of them",
                )
                continue
            if _SURROGATE.search(key):
                self.scalar(key_node, path)
                continue
            self.out.positions[(*path, key)] = _mark(key_node)
            out[key] = self.walk(value_node, (*path, key))
        return out

    def pairs(
        self, node: yaml.MappingNode, path: KeyPath
    ) -> list[tuple[yaml.ScalarNode, yaml.Node, bool]]:
        """The mapping's key and value nodes, merge keys replaced by the pairs they merge
        (marked True), in the order written."""
        out: list[tuple[yaml.ScalarNode, yaml.Node, bool]] = []
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(key_node, path, "a mapping key must be a plain scalar", None)
            elif key_node.tag == _MERGE:
                out += [(k, v, True) for k, v, _ in self.merged(value_node, path)]
            else:
                out.append((key_node, value_node, False))
        return out

    def merged(
        self, value: yaml.Node, path: KeyPath
    ) -> list[tuple[yaml.ScalarNode, yaml.Node, bool]]:
        """What `<<: value` merges: a mapping, or a list of mappings (earlier ones win)."""
        sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
        out: list[tuple[yaml.ScalarNode, yaml.Node, bool]] = []
        for source in sources:
            if not isinstance(source, yaml.MappingNode):
                self.problem(
                    source,
                    (*path, "<<"),
                    "a merge key '<<' takes a mapping or a list of mappings",
                    "write '<<: *name' where '&name' marks a mapping",
                )
                continue
            if id(source) in self.open:
                raise _Refused(
                    source, "a merge key merges the mapping that contains it", "remove the alias"
                )
            if self.merging >= MAX_DEPTH:
                raise _Refused(
                    source,
                    f"merge keys nest deeper than {MAX_DEPTH} levels",
                    "merge the mappings you need directly",
                )
            self.steps += len(source.value)
            self.open.add(id(source))
            self.merging += 1
            try:
                # Within one merged mapping, its own keys win over what it merges in turn.
                found = self.pairs(source, path)
                out += [p for p in found if not p[2]] + [p for p in found if p[2]]
            finally:
                self.merging -= 1
                self.open.discard(id(source))
        return out


def walk(node: yaml.Node, display: str) -> Walked:
    """The data of a node tree with positions; every problem found becomes a MatrixError."""
    walker = _Walker(display)
    try:
        walker.out.data = walker.walk(node, ())
    except DocumentRefused as exc:
        raise _located(display, exc.mark, exc.message, exc.hint) from None
    except RecursionError:
        # The limits above should make this unreachable; a refusal beats a traceback.
        raise _located(display, None, "the document nests too deeply", None) from None
    if walker.problems:
        raise MatrixError(walker.problems)
    return walker.out
