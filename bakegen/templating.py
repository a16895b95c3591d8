"""`{placeholder}` templates of the matrix file, expanded into text with bake-variable parts."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import ClassVar, final

from bakegen.errors import TemplateError

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


@final
class Var:
    """A reference to a bake variable (or global attribute), resolved by bake at build time.

    There is one object per name, so equal references are the same object: texts holding
    them compare and hash as fast as texts of plain strings (millions of times for a large
    matrix)."""

    __slots__ = ("name",)
    name: str
    _by_name: ClassVar[dict[str, Var]] = {}

    def __new__(cls, name: str) -> Var:
        known = cls._by_name.get(name)
        if known is None:
            known = super().__new__(cls)
            object.__setattr__(known, "name", name)
            cls._by_name[name] = known
        return known

    def __setattr__(self, key: str, value: object) -> None:
        raise AttributeError(f"Var is immutable (cannot set {key!r})")

    def __repr__(self) -> str:
        return f"Var(name={self.name!r})"

    def __reduce__(self) -> tuple[type[Var], tuple[str]]:
        return (Var, (self.name,))


Part = str | Var
Text = tuple[Part, ...]


def literal(value: str) -> Text:
    return (value,) if value else ()


def join(*texts: Text | str) -> Text:
    """Concatenate texts, merging adjacent literal parts.

    >>> join("a", (Var("V"),), "-b", "c")
    ('a', Var(name='V'), '-bc')
    """
    parts: list[Part] = []
    buffer = ""
    for text in texts:
        if isinstance(text, str):
            buffer += text
            continue
        for part in text:
            if isinstance(part, str):
                buffer += part
            else:
                if buffer:
                    parts.append(buffer)
                    buffer = ""
                parts.append(part)
    if buffer:
        parts.append(buffer)
    return tuple(parts)


def is_literal(text: Text) -> bool:
    return all(isinstance(p, str) for p in text)


def plain(text: Text) -> str:
    """The text with variable parts written as ``${NAME}`` (for display and comparison)."""
    if len(text) == 1 and isinstance(text[0], str):
        return text[0]
    return "".join(p if isinstance(p, str) else "${" + p.name + "}" for p in text)


def evaluate(text: Text, values: Mapping[str, str]) -> str:
    """The text with every bake variable replaced by its value (unknown ones by '')."""
    return "".join(p if isinstance(p, str) else values.get(p.name, "") for p in text)


@lru_cache(maxsize=4096)
def _parse(template: str) -> tuple[tuple[bool, str], ...]:
    """Split a template into (is_placeholder, text) pieces, once per distinct template."""
    pieces: list[tuple[bool, str]] = []
    pos = 0
    for match in _PLACEHOLDER.finditer(template):
        pieces.append((False, template[pos : match.start()]))
        pos = match.end()
        token = match.group(0)
        if token in ("{{", "}}"):
            pieces.append((False, token[0]))
        elif match.group(1) is None:
            raise TemplateError(
                f"unbalanced {token!r} in {template!r}", "write {{ or }} for a literal brace"
            )
        else:
            pieces.append((True, match.group(1).strip()))
    pieces.append((False, template[pos:]))
    return tuple(p for p in pieces if p[0] or p[1])


def placeholders(template: str) -> tuple[str, ...]:
    """The names a template's placeholders read (none for a malformed template: expanding it
    reports that)."""
    try:
        return tuple(text for is_name, text in _parse(template) if is_name)
    except TemplateError:
        return ()


@lru_cache(maxsize=4096)
def _literal_text(text: str) -> Text:
    # A template without placeholders gives the same text for every target: one tuple.
    return (text,)


# Templates without placeholders seen so far, each with its one shared text (callers on a
# hot path look here first, before calling `expand`).
LITERALS: dict[str, Text] = {}


def expand(template: str, scope: Mapping[str, Part]) -> Text:
    """Replace ``{name}`` placeholders from `scope`; ``{{`` and ``}}`` are literal braces.

    >>> expand("{v}-{x}-{{y}}", {"v": Var("VERSION"), "x": "vllm"})
    (Var(name='VERSION'), '-vllm-{y}')
    """
    known = LITERALS.get(template)
    if known is not None:
        return known
    pieces = _parse(template)
    if len(pieces) == 1 and not pieces[0][0]:
        if len(LITERALS) < 65536:
            LITERALS[template] = _literal_text(pieces[0][1])
        return _literal_text(pieces[0][1])
    # Built in one pass (this runs for every attribute of every target): literal text and
    # text values accumulate until a variable part interrupts them.
    parts: list[Part] = []
    buffer = ""
    for is_name, text in pieces:
        if not is_name:
            buffer += text
            continue
        value = scope.get(text)
        if value is None:
            raise _unknown(text, template, scope)
        if isinstance(value, str):
            buffer += value
        else:
            if buffer:
                parts.append(buffer)
                buffer = ""
            parts.append(value)
    if buffer:
        parts.append(buffer)
    return tuple(parts)


def _unknown(name: str, template: str, scope: Mapping[str, Part]) -> TemplateError:
    known = sorted(scope)
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return TemplateError(
        f"unknown placeholder {{{name}}} in {template!r}",
        f"did you mean {{{close[0]}}}?"
        if close
        else f"known: {', '.join('{' + k + '}' for k in known)}; "
        "write {{ and }} for literal braces",
    )
