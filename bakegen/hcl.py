"""HCL and HCL-JSON quoting: the one place where user text becomes bake syntax."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from bakegen.templating import Text


@dataclass(frozen=True, slots=True)
class Expr:
    """A raw HCL expression that bake evaluates (only bakegen writes these, never users)."""

    source: str


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape_template(text: str) -> str:
    """Neutralise HCL template syntax: ``${`` → ``$${`` and ``%{`` → ``%%{``.

    >>> escape_template("a ${b} %{c} $${d}")
    'a $${b} %%{c} $$${d}'
    """
    return text.replace("${", "$${").replace("%{", "%%{")


_NEEDS_ESCAPE = re.compile(r'[\\"\x00-\x1f\x7f-\x9f]|\$\{|%\{')
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _control(match: re.Match[str]) -> str:
    char = match.group(0)
    return _ESCAPES.get(char) or f"\\u{ord(char):04x}"


_TEMPLATE_START = re.compile(r"[$%]+\{")


def _template_start(match: re.Match[str]) -> str:
    # `$${` is HCL's escape for a literal `${`. Some HCL parsers accept it only when a `}`
    # follows; otherwise the whole run of signs is written as an interpolated string, which
    # every parser reads the same way.
    run = match.group(0)[:-1]
    if "}" in match.string[match.end() :]:
        return run + run[-1] + "{"
    return '${"' + run + '"}{'


@lru_cache(maxsize=65536)
def escape_string(text: str) -> str:
    """Escape text for the inside of an HCL quoted string (no surrounding quotes).

    >>> escape_string('say "hi" ${x}')
    'say \\\\"hi\\\\" $${x}'
    >>> escape_string("50%{")
    '50${"%"}{'
    """
    if not _NEEDS_ESCAPE.search(text):
        return text
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    text = _TEMPLATE_START.sub(_template_start, text)
    return _CONTROL.sub(_control, text)


def hcl_string(text: Text | str) -> str:
    """A quoted HCL string; variable parts become ``${NAME}`` interpolations."""
    parts = (text,) if isinstance(text, str) else text
    body = "".join(escape_string(p) if isinstance(p, str) else "${" + p.name + "}" for p in parts)
    return f'"{body}"'


def json_template(text: Text | str) -> str:
    """The same value as an HCL-JSON string template (before JSON quoting)."""
    parts = (text,) if isinstance(text, str) else text
    return "".join(escape_template(p) if isinstance(p, str) else "${" + p.name + "}" for p in parts)


def hcl_list(items: Sequence[Text | str], indent: str = "  ") -> str:
    """A list of strings; one item per line once it would not fit on one line."""
    quoted = [hcl_string(i) for i in items]
    one_line = "[" + ", ".join(quoted) + "]"
    if len(one_line) + len(indent) <= 96 or len(quoted) < 2:
        return one_line
    inner = indent + "  "
    return "[\n" + "".join(f"{inner}{q},\n" for q in quoted) + indent + "]"


# Words HCL reads as values or expressions where an object key stands.
_KEYWORDS = frozenset({"true", "false", "null", "for", "in", "if", "else", "endif", "endfor"})


def hcl_key(key: str) -> str:
    """A map key: bare when it is a plain identifier, quoted otherwise (e.g. label names).

    >>> hcl_key("ARCH"), hcl_key("org.opencontainers.image.title"), hcl_key("for")
    ('ARCH', '"org.opencontainers.image.title"', '"for"')
    """
    plain = key.replace("_", "a").replace("-", "a")
    if plain.isalnum() and key[:1].isalpha() and key.isascii() and key not in _KEYWORDS:
        return key
    return hcl_string(key)


def json_dumps(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"
