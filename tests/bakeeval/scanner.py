"""Characters, places and errors of a file being read: the base of the HCL readers."""

from __future__ import annotations

import bisect
import re

from tests.bakeeval.errors import BakeError


def ident_start(ch: str) -> bool:
    return ch.isalpha() or ch == "_"


def ident_char(ch: str) -> bool:
    return ch.isalnum() or (ch != "" and ch in "_-")


class Scanner:
    """Reads expressions from `text`; `pos` is the offset of the next character."""

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

    def startswith(self, s: str | tuple[str, ...]) -> bool:
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
        if not ident_start(self.peek()):
            raise self.fail("Invalid expression", "Expected an identifier.")
        while not self.at_end() and ident_char(self.peek()):
            self.pos += 1
        return self.text[start : self.pos]
