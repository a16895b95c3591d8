"""Variable expansion in Dockerfile words (`$X`, `${X}`, `${X:-default}`, …), as BuildKit does
it outside RUN: it reports which names had a value and which did not."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BRACED = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+?])([^}]*)|([#%/][^}]*))?\}")


@dataclass
class Expansion:
    result: str
    matched: set[str] = field(default_factory=set)
    unmatched: set[str] = field(default_factory=set)


def expand(word: str, env: Mapping[str, str | None], escape: str = "\\") -> Expansion:
    """Expand `word` against `env` (a None value is a declared name without a value, which
    expands to nothing but counts as unmatched, as in BuildKit). Single quotes keep `$`."""
    out: list[str] = []
    done = Expansion("")
    i = 0
    quote = ""
    while i < len(word):
        char = word[i]
        if char == escape and i + 1 < len(word) and quote != "'":
            out.append(word[i + 1])
            i += 2
            continue
        if char in "'\"" and quote in ("", char):
            quote = "" if quote else char
            i += 1
            continue
        if char != "$" or quote == "'":
            out.append(char)
            i += 1
            continue
        braced = _BRACED.match(word, i + 1)
        plain = _NAME.match(word, i + 1)
        if braced:
            name, op, arg = braced.group(1), braced.group(2), braced.group(3) or ""
            value = env.get(name)
            _note(done, name, value)
            if op in (":-", "-"):
                unset = value is None or (op == ":-" and value == "")
                out.append(expand(arg, env).result if unset else value or "")
            elif op in (":+", "+"):
                isset = value is not None and (op == "+" or value != "")
                out.append(expand(arg, env).result if isset else "")
            else:
                out.append(value or "")
            i = braced.end()
        elif plain:
            value = env.get(plain.group(0))
            _note(done, plain.group(0), value)
            out.append(value or "")
            i = plain.end()
        else:
            out.append(char)
            i += 1
    done.result = "".join(out)
    return done


def _note(done: Expansion, name: str, value: str | None) -> None:
    (done.matched if value is not None else done.unmatched).add(name)


def names(word: str) -> set[str]:
    """Every variable `word` reads (unescaped, outside single quotes)."""
    exp = expand(word, {})
    return exp.unmatched
