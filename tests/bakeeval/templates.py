"""String templates: quoted strings, heredocs and HCL-JSON strings.

A template is literal text, `${ expr }` interpolations and `%{ if/for }` directives;
`$${` and `%%{` stand for a literal `${` and `%{`; `~` next to a brace strips the
whitespace on that side.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Any

from tests.bakeeval.errors import BakeError
from tests.bakeeval.tree import Node, lit

if TYPE_CHECKING:
    from tests.bakeeval.expressions import ExpressionReader as Reader

_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_HEREDOC = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_-]*)\r?\n")


def _escape(reader: Reader) -> str:
    """The character of a backslash escape; reader.pos is just after the backslash."""
    ch = reader.peek()
    if ch in _ESCAPES:
        reader.pos += 1
        return _ESCAPES[ch]
    if ch and ch in "uU":
        width = 4 if ch == "u" else 8
        digits = reader.text[reader.pos + 1 : reader.pos + 1 + width]
        if len(digits) == width and all(c in "0123456789abcdefABCDEF" for c in digits):
            reader.pos += 1 + width
            return chr(int(digits, 16))
    raise reader.fail(
        "Invalid escape sequence",
        f'The symbol "{ch}" is not a valid escape sequence selector.',
        reader.pos - 1,
    )


def _tokens(reader: Reader, mode: str, end: int) -> list[Any]:
    """Flat tokens up to the closing quote (quoted) or `end` (heredoc, raw)."""
    out: list[Any] = []
    text: list[str] = []

    def flush() -> None:
        if text:  # HCL keeps literal text in Unicode NFC
            out.append(unicodedata.normalize("NFC", "".join(text)))
            text.clear()

    start = reader.pos
    while True:
        if reader.pos >= end:
            if mode == "quoted":
                raise reader.fail(
                    "Unterminated template string",
                    "No closing marker was found for the string.",
                    start,
                )
            break
        ch = reader.peek()
        if mode == "quoted" and ch == '"':
            reader.pos += 1
            break
        if mode == "quoted" and ch == "\n":
            raise reader.fail(
                "Invalid multi-line string",
                "Quoted strings may not be split over multiple lines.",
            )
        if mode == "quoted" and ch == "\\":
            reader.pos += 1
            text.append(_escape(reader))
        elif reader.startswith(("$${", "%%{")):
            text.append(ch + "{")
            reader.pos += 3
        elif reader.startswith(("${", "%{")):
            flush()
            out.append(_open(reader, ch))
        else:
            text.append(ch)
            reader.pos += 1
    flush()
    return out


def _open(reader: Reader, sigil: str) -> tuple[Any, ...]:
    """An interpolation or directive token; reader.pos is at its `$` or `%`."""
    reader.pos += 2
    left = reader.peek() == "~"
    if left:
        reader.pos += 1
    reader.nesting += 1
    if sigil == "$":
        expr = reader.expression()
        token: tuple[Any, ...] = ("interp", expr)
    else:
        reader.skip()
        at = reader.pos
        word = reader.ident() if reader.peek().isalpha() else reader.peek()
        if word == "if":
            token = ("if", reader.expression())
        elif word == "for":
            key, value, coll = reader._for_header_in()
            token = ("for", key, value, coll)
        elif word in ("else", "endif", "endfor"):
            token = (word,)
        else:
            raise reader.fail(
                "Invalid template control keyword",
                f'"{word}" is not a valid template control keyword.',
                at,
            )
    reader.skip()
    right = reader.peek() == "~"
    if right:
        reader.pos += 1
    reader.skip()
    if reader.peek() == '"' and '"' not in reader.text[reader.pos + 1 :].split("\n", 1)[0]:
        # the scanner reads this quote as the start of a new string, which the line ends
        raise reader.fail(
            "Invalid multi-line string",
            "Quoted strings may not be split over multiple lines.",
        )
    if reader.peek() != "}":
        raise reader.fail(
            "Extra characters after interpolation expression",
            "Expected a closing brace to end the interpolation expression.",
        )
    reader.pos += 1
    reader.nesting -= 1
    return (*token, left, right)


def _strip(tokens: list[Any]) -> list[Any]:
    for i, tok in enumerate(tokens):
        if isinstance(tok, str):
            continue
        if tok[-2] and i > 0 and isinstance(tokens[i - 1], str):
            tokens[i - 1] = tokens[i - 1].rstrip()
        if tok[-1] and i + 1 < len(tokens) and isinstance(tokens[i + 1], str):
            tokens[i + 1] = tokens[i + 1].lstrip()
    return tokens


def _tree(tokens: list[Any], i: int, stop: tuple[str, ...], where: str) -> tuple[list[Any], int]:
    """Nests directives; returns the parts and the index of the stopping token."""
    parts: list[Any] = []
    while i < len(tokens):
        tok = tokens[i]
        if isinstance(tok, str):
            parts.append(tok)
        elif tok[0] in stop:
            return parts, i
        elif tok[0] in ("else", "endif", "endfor"):
            raise BakeError(
                "The control directives within this template are unbalanced.",
                f"Unexpected {tok[0]} directive",
                where,
            )
        elif tok[0] == "interp":
            parts.append(tok[1])
        elif tok[0] == "if":
            then, j = _tree(tokens, i + 1, ("else", "endif"), where)
            other: list[Any] = []
            if j < len(tokens) and tokens[j][0] == "else":
                other, j = _tree(tokens, j + 1, ("endif",), where)
            parts.append(Node("tif", (tok[1], then, other)))
            i = j
        elif tok[0] == "for":
            body, j = _tree(tokens, i + 1, ("endfor",), where)
            parts.append(Node("tfor", (tok[1], tok[2], tok[3], body)))
            i = j
        i += 1
    if stop:
        raise BakeError(
            f"There is no %{{ {stop[-1]} }} to close this directive.",
            "Unterminated template directive",
            where,
        )
    return parts, i


def _node(tokens: list[Any], where: str) -> Node:
    parts, _ = _tree(_strip(tokens), 0, (), where)
    if not parts:
        return lit("", where)
    if len(parts) == 1 and isinstance(parts[0], str):
        return lit(parts[0], where)
    if len(parts) == 1 and parts[0].kind not in ("tif", "tfor"):
        return Node("wrap", (parts[0],), where)
    return Node("tmpl", (parts,), where)


def quoted(reader: Reader, start: int) -> Node:
    """A quoted template; reader.pos is just after the opening quote."""
    return _node(_tokens(reader, "quoted", len(reader.text)), reader.where(start))


def label(reader: Reader) -> str:
    """A quoted block label: escapes allowed, no interpolation."""
    tokens = _tokens(reader, "quoted", len(reader.text))
    return "".join(t if isinstance(t, str) else "" for t in tokens)


def heredoc(reader: Reader) -> Node:
    where = reader.where()
    m = _HEREDOC.match(reader.text, reader.pos)
    if not m:
        raise reader.fail("Invalid heredoc", "Expected a heredoc marker and a newline.")
    flush, marker = m.group(1) == "-", m.group(2)
    start = m.end()
    lines = reader.text[start:].split("\n")
    content: list[str] = []
    for line in lines:
        if line.strip() == marker:
            break
        content.append(line + "\n")
    else:
        raise reader.fail(
            "Unterminated template string",
            "No closing marker was found for the string.",
            len(reader.text),
        )
    consumed = sum(len(c) for c in content) + len(lines[len(content)])
    end_of_marker = start + consumed
    if flush:
        indents = [len(c) - len(c.lstrip(" \t")) for c in content if c.strip()]
        cut = min(indents, default=0)
        content = [c[cut:] if c.strip() else c.lstrip(" \t") for c in content]
    from tests.bakeeval.expressions import ExpressionReader as Reader

    sub = Reader("".join(content), reader.filename)
    node = _node(_tokens(sub, "heredoc", len(sub.text)), where)
    reader.pos = end_of_marker
    return node


def raw(text: str, filename: str, where: str) -> Node:
    """An HCL-JSON string: a template without backslash escapes (JSON already decoded them)."""
    from tests.bakeeval.expressions import ExpressionReader as Reader

    sub = Reader(text, filename)
    return _node(_tokens(sub, "raw", len(text)), where)
