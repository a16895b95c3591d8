"""The expression part of the HCL native syntax reader: operators, calls, collections,
`for` expressions; string templates and heredocs are in templates.py.
"""

from __future__ import annotations

import re

from tests.bakeeval import templates
from tests.bakeeval.scanner import Scanner, ident_char, ident_start
from tests.bakeeval.tree import Node, lit

_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_BINARY = [
    ["||"],
    ["&&"],
    ["==", "!="],
    [">=", "<=", ">", "<"],
    ["+", "-"],
    ["*", "/", "%"],
]


class ExpressionReader(Scanner):
    """Reads expressions; newlines are spaces inside (), [] and {}."""

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
        if self.peek() and self.peek() in "!-":
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
        if ident_start(ch):
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
            raise self.fail(
                "Missing expression",
                "Expected the start of an expression, but found the end of the file.",
            )
        raise self.fail(
            "Invalid expression",
            "Expected the start of an expression, but found an invalid expression token.",
        )

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
                raise self.fail(
                    "Missing argument separator",
                    "A comma is required to separate each function argument from the next.",
                )
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
        if self.startswith("if") and not ident_char(self.peek(2)):
            self.pos += 2
            return self.expression()
        return None

    def _is_for(self) -> bool:
        save = self.pos
        self.skip()
        found = self.startswith("for") and not ident_char(self.peek(3))
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
                raise self.fail(
                    "Missing item separator",
                    "Expected a comma to mark the beginning of the next item.",
                )
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
            if self.peek() and self.peek() in "=:" and not self.startswith("=="):
                self.pos += 1
            else:
                raise self.fail(
                    "Missing key/value separator",
                    'Expected an equals sign ("=") to mark the beginning of the attribute value.',
                )
            items.append((key, self.expression()))
            self.skip()
            if self.peek() == ",":
                self.pos += 1
        self.pos += 1
        self.nesting -= 1
        return Node("object", (items,), where)
