"""Version schemes written as a tag pattern with named parts (`versioning.tag_pattern`):
the pattern compiled to an anchored regular expression, the newest tag it matches, and the
version a format template makes of it. Only text here: gitmeta.py asks git."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bakegen.errors import KeyPath, Problem
from bakegen.matrix.model import Versioning
from bakegen.matrix.names import suggest
from bakegen.matrix.tags import MAX_TAG, tag_problem
from bakegen.templating import Var

# The parts a pattern may name, most significant first: tags are ordered by them in this
# order, whatever order the pattern writes them in ("{day}.{month}.{year}" sorts by year).
PARTS = ("year", "month", "day", "major", "minor", "patch", "micro", "build", "pre")
# What a part matches: a digit run unless the pattern declares it a word ("{pre:word}").
KINDS = {"num": "[0-9]+", "word": "[A-Za-z0-9]+"}
# What a format may name besides the pattern's parts.
FACTS = ("tag", "sha", "short_sha", "distance", "timestamp", "branch")
# Characters git refuses in a tag name (git check-ref-format): a pattern holding one
# could never match, and without them the glob made from a pattern needs no escaping.
_NOT_IN_GIT_TAGS = re.compile(r"[\s~^:?*\[\\\x00-\x1f\x7f]")
_NOT_TAG_TEXT = re.compile(r"[^A-Za-z0-9_.-]")
_FIELD = re.compile(r"\{([^{}]*)\}")
_TAG_CHARS = "letters, digits, '_', '.' and '-' only, not first '.' or '-'"

Piece = str | tuple[str, str]  # literal text, or (part name, kind)


@dataclass(frozen=True)
class TagPattern:
    """A valid tag pattern: its pieces and the anchored regular expression they make."""

    text: str
    pieces: tuple[Piece, ...]

    @property
    def kinds(self) -> dict[str, str]:
        return {p[0]: p[1] for p in self.pieces if isinstance(p, tuple)}

    @property
    def regex(self) -> re.Pattern[str]:
        body = "".join(
            re.escape(p) if isinstance(p, str) else f"(?P<{p[0]}>{KINDS[p[1]]})"
            for p in self.pieces
        )
        return re.compile(rf"\A{body}\Z")

    def match(self, tag: str) -> dict[str, str] | None:
        """The named parts of `tag`, or None when the pattern does not match it whole."""
        found = self.regex.match(tag)
        return found.groupdict() if found else None

    def glob(self) -> str:
        """The pattern's shape as a glob for `git tag --list` ('b{build}' -> 'b*')."""
        return "".join(p if isinstance(p, str) else "*" for p in self.pieces)

    def zero(self) -> str:
        """The tag with every part 0: the release a repository without one falls back to."""
        return "".join(p if isinstance(p, str) else "0" for p in self.pieces)

    def order(self, parts: Mapping[str, str]) -> tuple[tuple[int, int | str], ...]:
        """Sort key of a matched tag's parts, most significant part first."""
        kinds = self.kinds
        key: list[tuple[int, int | str]] = []
        for name in PARTS:
            if name in kinds:
                value = parts[name]
                key.append((1, int(value)) if kinds[name] == "num" else (0, value))
        return tuple(key)

    def newest(self, tags: Iterable[str]) -> tuple[str, dict[str, str]] | None:
        """The newest tag the pattern matches (by its parts; ties by name), with its parts."""
        matched = [(t, parts) for t in tags if (parts := self.match(t)) is not None]
        if not matched:
            return None
        return max(matched, key=lambda m: (self.order(m[1]), m[0]))


def _fields(text: str) -> tuple[list[Piece], list[tuple[str, str | None]]]:
    """A template cut into literal text and `{field}`s; problems with its braces."""
    pieces: list[Piece] = []
    problems: list[tuple[str, str | None]] = []
    pos = 0
    for found in _FIELD.finditer(text):
        literal = text[pos : found.start()]
        if literal:
            pieces.append(literal)
        name, _, kind = found.group(1).partition(":")
        pieces.append((name.strip(), kind.strip() or "num"))
        pos = found.end()
    if text[pos:]:
        pieces.append(text[pos:])
    if any(isinstance(p, str) and ("{" in p or "}" in p) for p in pieces):
        problems.append(("a '{' or '}' without its pair", "write each part as {name}"))
    return pieces, problems


def parse_pattern(text: str) -> tuple[TagPattern | None, list[tuple[str, str | None]]]:
    """The pattern, or None with what is wrong with it (message, hint)."""
    pieces, problems = _fields(text)
    seen: set[str] = set()
    previous: Piece | None = None
    for piece in pieces:
        if isinstance(piece, str):
            bad = sorted(set(_NOT_IN_GIT_TAGS.findall(piece)))
            if bad:
                shown = ", ".join(repr(c) for c in bad)
                problems.append((f"git tags cannot hold {shown}", "remove it from the pattern"))
        else:
            name, kind = piece
            if name not in PARTS:
                hint = suggest(name, list(PARTS)) or "the parts are " + ", ".join(PARTS)
                problems.append((f"unknown named part {{{name}}}", hint))
            elif name in seen:
                problems.append((f"the part {{{name}}} appears twice", "name each part once"))
            if kind not in KINDS:
                hint = suggest(kind, list(KINDS)) or "a part is a digit run, or ':word'"
                problems.append((f"unknown kind {kind!r} of {{{name}}}", hint))
            if isinstance(previous, tuple):
                problems.append(
                    (
                        f"{{{previous[0]}}} and {{{name}}} touch: where one ends is unclear",
                        "put literal text between them, e.g. '{major}.{minor}'",
                    )
                )
            seen.add(name)
        previous = piece
    if not seen:
        problems.append(
            (
                "the pattern has no named part",
                "e.g. 'b{build}', '{major}.{minor}.{patch}' or '{year}.{month}.{micro}'",
            )
        )
    if problems:
        return None, problems
    return TagPattern(text, tuple(pieces)), []


def format_problems(template: str, pattern: TagPattern) -> list[tuple[str, str | None]]:
    """Why a version format is unusable: an unknown placeholder, or a version that could
    not stand in an image tag (the version goes into tags)."""
    pieces, problems = _fields(template)
    kinds = pattern.kinds
    text: list[str | Var] = []
    for piece in pieces:
        if isinstance(piece, str):
            text.append(piece)
            continue
        name = piece[0]
        if name == "tag":
            text += [p if isinstance(p, str) else Var(p[0]) for p in pattern.pieces]
        elif name in FACTS or name in kinds:
            text.append(Var(name))
        elif name in PARTS:
            problems.append((f"the tag pattern {pattern.text!r} has no part {{{name}}}", None))
        else:
            choices = [*FACTS, *kinds]
            hint = suggest(name, choices) or "placeholders: " + ", ".join(choices)
            problems.append((f"unknown placeholder {{{name}}}", hint))
    bad = sorted({c for p in text if isinstance(p, str) for c in _NOT_TAG_TEXT.findall(p)})
    if bad and not problems:
        shown = ", ".join(repr(c) for c in bad)
        problems.append((f"the version would hold {shown}, which image tags cannot", _TAG_CHARS))
    if not problems:
        found = tag_problem(tuple(text))
        if found is not None:
            message = found[0].replace("tag ", "the version ", 1)
            problems.append((f"{message}, and versions go into image tags", _TAG_CHARS))
    return problems


_RELEASE_BRANCHES_HINT = (
    "remove it, or remove tag_pattern to version by v<semver> tags and release branches"
)


def scheme_problems(spec: Versioning) -> list[Problem]:
    """Located-ready problems of `versioning`'s tag pattern, formats and fallback."""
    out: list[Problem] = []

    def add(key: str, found: list[tuple[str, str | None]]) -> None:
        path: KeyPath = ("versioning", key)
        out.extend(Problem(path=path, message=m, hint=h) for m, h in found)

    given = spec.model_fields_set
    if spec.tag_pattern is None:
        for key in ("format", "dev_format"):
            if key in given:
                add(key, [(f"{key} needs versioning.tag_pattern", _WITHOUT_PATTERN)])
        return out
    if "release_branches" in given:
        ignored = "is not read with versioning.tag_pattern: release branches belong to the "
        add(
            "release_branches",
            [(ignored + "v<semver> rule", _RELEASE_BRANCHES_HINT)],
        )
    pattern, found = parse_pattern(spec.tag_pattern)
    add("tag_pattern", found)
    if pattern is None:
        return out
    for key, template in (("format", spec.format), ("dev_format", spec.dev_format)):
        found = format_problems(template, pattern)
        if key in given:
            add(key, found)
        else:  # the pattern put it there, through the default format's {tag}
            add("tag_pattern", [(f"with the default {key} {template!r}: {m}", h) for m, h in found])
    if "fallback" in given and pattern.match(spec.fallback) is None:
        add(
            "fallback",
            [
                (
                    f"{spec.fallback!r} does not match the tag pattern {pattern.text!r}",
                    f"e.g. {pattern.zero()!r}",
                )
            ],
        )
    return out


_WITHOUT_PATTERN = (
    "without it the version is v<release> or v<release>.dev.<short sha>; "
    "set tag_pattern, e.g. 'b{build}', to choose the tags and the formats"
)


def compile_pattern(spec: Versioning) -> TagPattern:
    """`versioning.tag_pattern`, already checked by validation."""
    assert spec.tag_pattern is not None
    pattern, found = parse_pattern(spec.tag_pattern)
    assert pattern is not None, found
    return pattern


def fill(template: str, values: Mapping[str, str]) -> str:
    """A checked format with its placeholders filled in."""
    return _FIELD.sub(lambda m: values[m.group(1).strip()], template)


def version_problem(version: str) -> str | None:
    """Why a filled-in version cannot stand in an image tag (only length is left to check
    after validation: digit runs and branch names have no fixed size)."""
    if len(version) > MAX_TAG:
        return f"the version {version[:40]}… is longer than {MAX_TAG} characters"
    found = tag_problem((version,))
    return found[0] if found else None
