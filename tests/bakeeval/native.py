"""A reader of HCL native syntax (the .hcl bake files): bodies, blocks and expressions.

String templates and heredocs are read by `templates.py`, which calls back into the
expression reader for `${...}` and `%{...}`.
"""

from __future__ import annotations

import bisect
import re

from tests.bakeeval import templates
from tests.bakeeval.errors import BakeError
from tests.bakeeval.tree import Attribute, Block, Body, Node, lit

_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_BINARY = [
    ["||"],
    ["&&"],
    ["==", "!="],
    [">=", "<=", ">", "<"],
    ["+", "-"],
    ["*", "/", "%"],
]


def _ident_start(ch: str) -> bool:
    return ch.isalpha() or ch == "_"


def _ident_char(ch: str) -> bool:
    return ch.isalnum() or ch in "_-"


class Reader:
    """Reads one file; `pos` is the offset of the next character."""

    def __init__(self, text: str, filename: str) -> None:
        self.text = text
        self.filename = filename
        self.pos = 0
        self.nesting = 0  # inside (), [] or {} of an expression newlines are spaces
        self._lines = [m.end() for m in re.finditer("\n", text)]

    # -- places and errors -------------------------------------------------------------------
    def where(self, offset: int | None = None) -> str:
        offset = self.pos if offset is None else offset
        line = bisect.bisect_right(self._lines, offset)
        start = self._lines[line - 1] if line else 0
        return f"{self.filename}:{line + 1},{offset - start + 1}"

    def fail(self, summary: str, detail: str, offset: int | None = None) -> BakeError:
        return BakeError(detail, summary, self.where(offset))

    # -- characters --------------------------------------------------------------------------
    def peek(self, n: int = 0) -> str:
        i = self.pos + n
        return self.text[i] if i < len(self.text) else ""

    def startswith(self, s: str) -> bool:
        return self.text.startswith(s, self.pos)

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def skip(self, newlines: bool | None = None) -> bool:
        """Skips spaces and comments; returns whether a newline was passed."""
        newlines = self.nesting > 0 if newlines is None else newlines
        passed = False
        while not self.at_end():
            ch = self.peek()
            if ch in " \t\r\ufeff":
                self.pos += 1
            elif ch == "\n":
                if not newlines:
                    return passed
                passed = True
                self.pos += 1
            elif ch == "#" or self.startswith("//"):
                end = self.text.find("\n", self.pos)
                self.pos = len(self.text) if end < 0 else end
            elif self.startswith("/*"):
                end = self.text.find("*/", self.pos + 2)
                if end < 0:
                    raise self.fail("Unterminated comment", "no closing */")
                passed = passed or "\n" in self.text[self.pos : end]
                self.pos = end + 2
            else:
                break
        return passed

    def expect(self, s: str, summary: str = "Invalid expression") -> None:
        self.skip()
        if not self.startswith(s):
            raise self.fail(summary, f"Expected {s!r}.")
        self.pos += len(s)

    def ident(self) -> str:
        start = self.pos
        if not _ident_start(self.peek()):
            raise self.fail("Invalid expression", "Expected an identifier.")
        while not self.at_end() and _ident_char(self.peek()):
            self.pos += 1
        return self.text[start : self.pos]

    # -- bodies ------------------------------------------------------------------------------
    def file_body(self) -> Body:
        body = self.body()
        if not self.at_end():
            raise self.fail(
                "Argument or block definition required",
                "An argument or block definition is required here.",
            )
        return body

    def body(self) -> Body:
        body = Body()
        while True:
            self.skip(newlines=True)
            if self.at_end() or self.peek() == "}":
                return body
            if not _ident_start(self.peek()):
                raise self.fail(
                    "Argument or block definition required",
                    "An argument or block definition is required here.",
                )
            start = self.pos
            name = self.ident()
            self.skip(newlines=False)
            if self.peek() == "=" and self.peek(1) != "=":
                self.pos += 1
                self._add(body, Attribute(name, self.expression(), self.where(start)))
                self.skip(newlines=False)
                if not (self.at_end() or self.peek() in "\n}"):
                    raise self.fail("Missing newline after argument", "An argument definition must end with a newline.")
            else:
                body.blocks.append(self.block(name, start))

    def _add(self, body: Body, attr: Attribute) -> None:
        if attr.name in body.attributes:
            raise BakeError(
                f'The argument "{attr.name}" was already set at '
                f"{body.attributes[attr.name].pos}",
                "Attribute redefined",
                attr.pos,
            )
        body.attributes[attr.name] = attr

    def block(self, kind: str, start: int) -> Block:
        labels = []
        while True:
            self.skip(newlines=False)
            ch = self.peek()
            if ch == '"':
                self.pos += 1
                labels.append(templates.label(self))
            elif _ident_start(ch):
                labels.append(self.ident())
            elif ch == "{":
                break
            else:
                raise self.fail("Invalid block definition", "Either a quoted string block label or an opening brace is expected here.")
        self.pos += 1
        open_at = self.pos - 1
        self.skip(newlines=False)
        if self.peek() not in "\n" and not self.at_end() and self.peek() != "}":
            body = Body()  # one-line block: at most one argument
            name_at = self.pos
            name = self.ident()
            self.expect("=")
            self._add(body, Attribute(name, self.expression(), self.where(name_at)))
            self.skip(newlines=False)
            if self.peek() != "}":
                raise self.fail(
                    "Invalid single-argument block definition",
                    "Single-line block syntax can include only one argument definition.",
                )
        else:
            body = self.body()
        if self.at_end():
            raise self.fail(
                "Unclosed configuration block",
                "There is no closing brace for this block before the end of the file.",
                open_at,
            )
        self.pos += 1
        return Block(kind, labels, body, self.where(start))

    # -- expressions -------------------------------------------------------------------------
    def expression(self) -> Node:
        self.skip()
        start = self.pos
        cond = self.binary(0)
        self.skip()
        if self.peek() == "?":
            self.pos += 1
            yes = self.expression()
            self.expect(":")
            no = self.expression()
            return Node("cond", (cond, yes, no), self.where(start))
        return cond

    def binary(self, level: int) -> Node:
        if level == len(_BINARY):
            return self.unary()
        self.skip()
        start = self.pos
        left = self.binary(level + 1)
        while True:
            self.skip()
            op = next((o for o in _BINARY[level] if self.startswith(o)), None)
            if op is None or (op in "<>" and self.peek(1) == "<") or self.startswith("=>"):
                return left
            self.pos += len(op)
            right = self.binary(level + 1)
            left = Node("bin", (op, left, right), self.where(start))

    def unary(self) -> Node:
        self.skip()
        start = self.pos
        if self.peek() in "!-":
            op = self.peek()
            self.pos += 1
            return Node("un", (op, self.unary()), self.where(start))
        return self.postfix(self.primary())

    def postfix(self, node: Node) -> Node:
        while True:
            save = self.pos
            self.skip()
            if self.peek() == "." and self.peek(1) == "*":
                self.pos += 2
                node = Node("splat", (node,), node.pos)
            elif self.peek() == "." and self.peek(1).isdigit():
                self.pos += 1
                m = _NUMBER.match(self.text, self.pos)
                assert m
                self.pos = m.end()
                node = Node("index", (node, lit(int(m.group(0)))), node.pos)
            elif self.peek() == ".":
                self.pos += 1
                node = Node("attr", (node, self.ident()), node.pos)
            elif self.peek() == "[" and self.peek(1) == "*":
                self.pos += 2
                self.expect("]")
                node = Node("splat", (node,), node.pos)
            elif self.peek() == "[":
                self.pos += 1
                self.nesting += 1
                key = self.expression()
                self.expect("]")
                self.nesting -= 1
                node = Node("index", (node, key), node.pos)
            else:
                self.pos = save
                return node

    def primary(self) -> Node:
        self.skip()
        start = self.pos
        ch = self.peek()
        where = self.where()
        if ch.isdigit():
            m = _NUMBER.match(self.text, self.pos)
            assert m
            self.pos = m.end()
            text = m.group(0)
            value: float | int = float(text) if m.group(1) or m.group(2) else int(text)
            if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
                value = int(value)
            return lit(value, where)
        if ch == '"':
            self.pos += 1
            return templates.quoted(self, start)
        if self.startswith("<<"):
            return templates.heredoc(self)
        if ch == "(":
            self.pos += 1
            self.nesting += 1
            inner = self.expression()
            self.expect(")")
            self.nesting -= 1
            return Node("paren", (inner,), where)
        if ch == "[":
            return self.tuple_or_for()
        if ch == "{":
            return self.object_or_for()
        if _ident_start(ch):
            name = self.ident()
            save = self.pos
            self.skip(newlines=False)
            if self.peek() == "(":
                return self.call(name, where)
            self.pos = save
            if name in ("true", "false"):
                return lit(name == "true", where)
            if name == "null":
                return lit(None, where)
            return Node("var", (name,), where)
        if self.at_end():
            raise self.fail("Missing expression", "Expected the start of an expression, but found the end of the file.")
        raise self.fail("Invalid expression", "Expected the start of an expression, but found an invalid expression token.")

    def call(self, name: str, where: str) -> Node:
        self.pos += 1
        self.nesting += 1
        args: list[Node] = []
        expand = False
        while True:
            self.skip()
            if self.peek() == ")":
                break
            args.append(self.expression())
            self.skip()
            if self.startswith("..."):
                self.pos += 3
                expand = True
                self.skip()
            if self.peek() == ",":
                self.pos += 1
            elif self.peek() != ")":
                raise self.fail("Missing argument separator", "A comma is required to separate each function argument from the next.")
        self.pos += 1
        self.nesting -= 1
        return Node("call", (name, args, expand), where)

    def _for_header_in(self) -> tuple[str | None, str, Node]:
        return self._for_header(colon=False)

    def _for_header(self, colon: bool = True) -> tuple[str | None, str, Node]:
        self.skip()
        first = self.ident()
        self.skip()
        second = None
        if self.peek() == ",":
            self.pos += 1
            self.skip()
            second = self.ident()
        self.skip()
        if not self.startswith("in"):
            raise self.fail("Invalid 'for' expression", "The 'in' keyword is expected.")
        self.pos += 2
        coll = self.expression()
        if colon:
            self.expect(":")
        return (first, second, coll) if second else (None, first, coll)  # type: ignore[return-value]

    def _for_cond(self) -> Node | None:
        self.skip()
        if self.startswith("if") and not _ident_char(self.peek(2)):
            self.pos += 2
            return self.expression()
        return None

    def _is_for(self) -> bool:
        save = self.pos
        self.skip()
        found = self.startswith("for") and not _ident_char(self.peek(3))
        self.pos = save
        return found

    def tuple_or_for(self) -> Node:
        where = self.where()
        self.pos += 1
        self.nesting += 1
        if self._is_for():
            self.skip()
            self.pos += 3
            key, value, coll = self._for_header()
            expr = self.expression()
            cond = self._for_cond()
            self.expect("]")
            self.nesting -= 1
            return Node("forlist", (key, value, coll, expr, cond), where)
        items = []
        while True:
            self.skip()
            if self.peek() == "]":
                break
            items.append(self.expression())
            self.skip()
            if self.peek() == ",":
                self.pos += 1
            elif self.peek() != "]":
                raise self.fail("Missing item separator", "Expected a comma to mark the beginning of the next item.")
        self.pos += 1
        self.nesting -= 1
        return Node("tuple", (items,), where)

    def object_or_for(self) -> Node:
        where = self.where()
        self.pos += 1
        self.nesting += 1
        if self._is_for():
            self.skip()
            self.pos += 3
            key, value, coll = self._for_header()
            kexpr = self.expression()
            self.expect("=>")
            vexpr = self.expression()
            self.skip()
            group = self.startswith("...")
            if group:
                self.pos += 3
            cond = self._for_cond()
            self.expect("}")
            self.nesting -= 1
            return Node("formap", (key, value, coll, kexpr, vexpr, cond, group), where)
        items: list[tuple[Node, Node]] = []
        while True:
            self.skip()
            if self.peek() == "}":
                break
            key = self.expression()
            if key.kind == "var":
                key = Node("key", (key.args[0],), key.pos)
            elif key.kind == "lit" and (key.args[0] is None or isinstance(key.args[0], bool)):
                word = "null" if key.args[0] is None else str(key.args[0]).lower()
                key = Node("key", (word,), key.pos)
            self.skip()
            if self.peek() in "=:" and not self.startswith("=="):
                self.pos += 1
            else:
                raise self.fail("Missing key/value separator", "Expected an equals sign (\"=\") to mark the beginning of the attribute value.")
            items.append((key, self.expression()))
            self.skip()
            if self.peek() == ",":
                self.pos += 1
        self.pos += 1
        self.nesting -= 1
        return Node("object", (items,), where)


def parse(text: str, filename: str) -> Body:
    return Reader(text, filename).file_body()
