"""A reader of HCL native syntax (the .hcl bake files): bodies and blocks.

Expressions are read by expressions.py, string templates and heredocs by templates.py.
"""

from __future__ import annotations

from tests.bakeeval import templates
from tests.bakeeval.errors import BakeError
from tests.bakeeval.expressions import ExpressionReader
from tests.bakeeval.scanner import ident_start
from tests.bakeeval.tree import Attribute, Block, Body


class Reader(ExpressionReader):
    """Reads one file."""

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
            if not ident_start(self.peek()):
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
                    raise self.fail(
                        "Missing newline after argument",
                        "An argument definition must end with a newline.",
                    )
            else:
                body.blocks.append(self.block(name, start))

    def _add(self, body: Body, attr: Attribute) -> None:
        if attr.name in body.attributes:
            raise BakeError(
                f'The argument "{attr.name}" was already set at {body.attributes[attr.name].pos}',
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
            elif ident_start(ch):
                labels.append(self.ident())
            elif ch == "{":
                break
            else:
                raise self.fail(
                    "Invalid block definition",
                    "Either a quoted string block label or an opening brace is expected here.",
                )
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


def parse(text: str, filename: str) -> Body:
    return Reader(text, filename).file_body()
