"""`{placeholder}` templates of the matrix file, expanded into text with bake-variable parts."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


@dataclass(frozen=True, slots=True)
class Var:
    """A reference to a bake variable (or global attribute), resolved by bake at build time."""

    name: str


Part = str | Var
Text = tuple[Part, ...]


class TemplateError(Exception):
    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def literal(value: str) -> Text:
    return (value,) if value else ()


def join(*texts: Text | str) -> Text:
    """Concatenate texts, merging adjacent literal parts.

    >>> join("a", (Var("V"),), "-b", "c")
    ('a', Var(name='V'), '-bc')
    """
    parts: list[Part] = []
    for text in texts:
        for part in (text,) if isinstance(text, str) else text:
            if isinstance(part, str) and parts and isinstance(parts[-1], str):
                parts[-1] += part
            elif part != "":
                parts.append(part)
    return tuple(parts)


def is_literal(text: Text) -> bool:
    return all(isinstance(p, str) for p in text)


def plain(text: Text) -> str:
    """The text with variable parts written as ``${NAME}`` (for display and comparison)."""
    return "".join(p if isinstance(p, str) else "${" + p.name + "}" for p in text)


def expand(template: str, scope: Mapping[str, Part]) -> Text:
    """Replace ``{name}`` placeholders from `scope`; ``{{`` and ``}}`` are literal braces.

    >>> expand("{v}-{x}-{{y}}", {"v": Var("VERSION"), "x": "vllm"})
    (Var(name='VERSION'), '-vllm-{y}')
    """
    parts: list[Text | str] = []
    pos = 0
    for match in _PLACEHOLDER.finditer(template):
        parts.append(template[pos : match.start()])
        pos = match.end()
        token = match.group(0)
        if token in ("{{", "}}"):
            parts.append(token[0])
            continue
        name = match.group(1)
        if name is None:
            raise TemplateError(
                f"unbalanced {token!r} in {template!r}", "write {{ or }} for a literal brace"
            )
        name = name.strip()
        if name not in scope:
            known = sorted(scope)
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            raise TemplateError(
                f"unknown placeholder {{{name}}} in {template!r}",
                f"did you mean {{{close[0]}}}?"
                if close
                else f"known: {', '.join('{' + k + '}' for k in known)}",
            )
        value = scope[name]
        parts.append(value if isinstance(value, str) else (value,))
    parts.append(template[pos:])
    return join(*parts)
