"""HCL and HCL-JSON quoting: the one place where user text becomes bake syntax."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from bakegen.templating import Text


@dataclass(frozen=True, slots=True)
class Expr:
    """A raw HCL expression that bake evaluates (only bakegen writes these, never users)."""

    source: str


@dataclass(frozen=True, slots=True)
class Switched:
    """A list of strings that a bake variable switches on: `FLAG ? [items] : []`, after the
    items that are always there (`concat([...], FLAG ? [...] : [])`) when there are some.
    Kept as texts until written: texts compare and take a cell's id as a placeholder
    cheaply (families.py), HCL source would not."""

    flag: str
    items: tuple[Text, ...]
    always: tuple[Text, ...] | None = None

    @property
    def source(self) -> str:
        if self.always is None:
            return f"{self.flag} ? {hcl_list(self.items)} : []"
        return (
            f"concat(\n    {hcl_list(self.always, '    ')},\n"
            f"    {self.flag} ? {hcl_list(self.items, '    ')} : []\n  )"
        )


@dataclass(frozen=True, slots=True)
class Chosen:
    """A list of strings chosen by a bake variable's value: one `VAR == "value" ? [items] :
    []` per value (behind `flag` too, when given), joined with `concat` when there are
    several. Written only with what buildx is known to read: string comparison, `&&`,
    conditionals with an empty list, `concat`."""

    variable: str
    choices: tuple[tuple[str, tuple[Text, ...]], ...]
    flag: str | None = None

    @property
    def source(self) -> str:
        parts = []
        for value, items in self.choices:
            condition = f"{self.variable} == {hcl_string(value)}"
            if self.flag is not None:
                condition = f"{self.flag} && {condition}"
            parts.append(f"{condition} ? {hcl_list(items, '    ')} : []")
        if len(parts) == 1:
            return parts[0]
        return "concat(\n    " + ",\n    ".join(parts) + "\n  )"


# What bakegen writes as an HCL expression, not as a value of the key's kind.
EXPRESSIONS = (Expr, Switched, Chosen)


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


def escape_string(text: str) -> str:
    """Escape text for the inside of an HCL quoted string (no surrounding quotes).

    >>> escape_string('say "hi" ${x}')
    'say \\\\"hi\\\\" $${x}'
    >>> escape_string("50%{")
    '50${"%"}{'
    """
    # Most text needs nothing. Text seen before is answered by one look-up; a bounded set
    # of it is kept (unique names would churn a cache that evicts).
    if text in _PLAIN:
        return text
    if text.isascii() and not _NEEDS_ESCAPE.search(text):
        if len(_PLAIN) < 65536:
            _PLAIN.add(text)
        return text
    return _escaped(text)


_PLAIN: set[str] = set()


@lru_cache(maxsize=4096)
def _escaped(text: str) -> str:
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    text = _TEMPLATE_START.sub(_template_start, text)
    text = _CONTROL.sub(_control, text)
    return text if text.isascii() else "".join(map(_joining_escape, text))


# Characters that join the character before them into one grapheme cluster (or, for the
# prepend class, the one after): HCL scans by grapheme cluster, so raw beside a quote or a
# comma they can swallow it. Written as escapes they cannot.
_PREPEND = frozenset(
    "\u0600\u0601\u0602\u0603\u0604\u0605\u06dd\u070f\u0890\u0891\u08e2"
    "\U000110bd\U000110cd\U000111c2\U000111c3\U0001193f\U00011941\U00011a3a"
    "\U00011a84\U00011a85\U00011a86\U00011a87\U00011a88\U00011a89\U00011d46\U00011f02"
)


def _joining_escape(char: str) -> str:
    if char in _PREPEND or unicodedata.category(char) in ("Cf", "Mn", "Mc", "Me", "Cs"):
        code = ord(char)
        return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
    return char


def _template(text: Text | str, escape: Callable[[str], str]) -> str:
    """Literal parts escaped, variable parts as ``${NAME}``. A literal `$` right before an
    interpolation would make `$${`, HCL's escape for a literal `${`, so such a run of `$` is
    written as an interpolated string instead.

    >>> from bakegen.templating import Var
    >>> _template(("US$", Var("JOBS")), escape_template)
    'US${"$"}${JOBS}'
    """
    if isinstance(text, str):
        return escape(text)
    if len(text) == 1 and isinstance(text[0], str):
        return escape(text[0])
    out: list[str] = []
    before = ""  # the literal part just written, if the last part was literal
    for part in text:
        if isinstance(part, str):
            out.append(escape(part))
            before = part
            continue
        if before[-1:] == "$":
            body = before.rstrip("$")
            out[-1] = escape(body) + '${"' + before[len(body) :] + '"}'
        out.append("${" + part.name + "}")
        before = ""
    return "".join(out)


def hcl_string(text: Text | str) -> str:
    """A quoted HCL string; variable parts become ``${NAME}`` interpolations."""
    return '"' + _template(text, escape_string) + '"'


def json_template(text: Text | str) -> str:
    """The same value as an HCL-JSON string template (before JSON quoting)."""
    return _template(text, escape_template)


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


@lru_cache(maxsize=4096)
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
    # ASCII only: HCL's JSON scanner, like its native one, reads grapheme clusters, and a raw
    # joining character next to a quote would merge with it.
    return json.dumps(value, indent=2) + "\n"
