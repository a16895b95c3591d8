"""Rules for image tags and references, checked before anything is written."""

from __future__ import annotations

import re

from bakegen.envbool import parse_bool
from bakegen.errors import ManifestError
from bakegen.templating import Text, Var

# The bake global that holds `<registry>/<image name>`.
IMAGE = Var("IMAGE")

MAX_TAG = 128
_NOT_TAG = re.compile(r"[^A-Za-z0-9_.-]")
_TAG_TEXT = re.compile(r"[A-Za-z0-9_.-]*")
_REPO = re.compile(
    r"^(?:[A-Za-z0-9.-]+(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
    r"(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$"
)


def image_tag(text: Text) -> Text:
    """A tag template's result as a full reference: a bare tag goes under `${IMAGE}:`, a
    full `repo:tag` reference stays as it is."""
    # Only literal parts can hold a ':' (checked part by part: this runs for every tag).
    for part in text:
        if isinstance(part, str) and ":" in part:
            return text
    first = text[0] if text else None
    if isinstance(first, str):
        return (IMAGE, ":" + first, *text[1:])
    return (IMAGE, ":", *text)


def _literal_len(text: Text) -> int:
    return sum(len(p) for p in text if isinstance(p, str))


def tag_problem(text: Text) -> tuple[str, str | None] | None:
    """Why a rendered tag (a bare tag or a full `repo:tag` reference) can never be legal.

    Variable parts are checked by bake at build time; only the literal parts are judged here.

    >>> tag_problem(("v1-linux/amd64",))[0]
    "tag 'v1-linux/amd64' has characters a tag cannot hold: '/'"
    """
    if plain_reference(text) is not None:
        return None
    return _tag_problem(text)


def _tag_problem(text: Text) -> tuple[str, str | None] | None:
    shown = "".join(p if isinstance(p, str) else "${" + p.name + "}" for p in text)
    repo: Text = ()
    tag = text
    joined = "".join(p if isinstance(p, str) else "\0" for p in text)
    if ":" in joined.replace("://", ""):
        cut = joined.rindex(":")
        if "/" not in joined[cut:]:
            repo, tag = _split(text, cut)
            repo_text = "".join(p for p in repo if isinstance(p, str))
            if all(isinstance(p, str) for p in repo) and not _REPO.match(repo_text):
                return (
                    f"{repo_text!r} is not a valid image repository",
                    "lowercase letters, digits, '.', '_', '-' and '/' only",
                )
    if not tag:
        return (f"tag {shown!r} is empty", None)
    literal = "".join(p for p in tag if isinstance(p, str))
    bad = sorted(set(_NOT_TAG.findall(literal)))
    if bad:
        return (
            f"tag {shown!r} has characters a tag cannot hold: " + ", ".join(repr(c) for c in bad),
            "use {axis.id}, which holds only [A-Za-z0-9_-]",
        )
    first = tag[0]
    if isinstance(first, str) and first[:1] in (".", "-"):
        return (f"tag {shown!r} may not start with {first[0]!r}", None)
    if _literal_len(tag) > MAX_TAG:
        return (f"tag {shown!r} is longer than {MAX_TAG} characters", None)
    return None


def plain_reference(text: Text) -> Text | None:
    """`image_tag(text)` when the tag is plainly legal (the common case, decided in one pass
    over its parts: this runs for every tag of every target); None when `tag_problem` must
    judge it."""
    size = 0
    for part in text:
        if isinstance(part, str):
            if not _TAG_TEXT.fullmatch(part):
                return None
            size += len(part)
    if not text or size > MAX_TAG:
        return None
    first = text[0]
    if isinstance(first, str):
        if first[:1] in (".", "-"):
            return None
        return (IMAGE, ":" + first, *text[1:])
    return (IMAGE, ":", *text)


def _split(text: Text, cut: int) -> tuple[Text, Text]:
    """Split a text at a character offset of its literal-joined form."""
    left: list[str | Var] = []
    right: list[str | Var] = []
    pos = 0
    for part in text:
        size = len(part) if isinstance(part, str) else 1
        if pos + size <= cut:
            left.append(part)
        elif pos > cut:
            right.append(part)
        else:
            assert isinstance(part, str)
            left.append(part[: cut - pos])
            right.append(part[cut - pos + 1 :])
        pos += size
    return tuple(p for p in left if p != ""), tuple(p for p in right if p != "")


def tag_latest(text: str) -> bool:
    """TAG_LATEST as bake reads a boolean variable from the environment (Go's ParseBool)."""
    try:
        return parse_bool(text)
    except ValueError:
        raise ManifestError(
            f"TAG_LATEST={text!r} is not a boolean: bake reads it with Go's strconv.ParseBool, "
            "which takes 1, t, T, TRUE, true, True, 0, f, F, FALSE, false or False"
        ) from None
