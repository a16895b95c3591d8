"""The registry of target attributes: every key a matrix attribute block may set, how layers
of blocks merge it, and every key a bake target block is written with.

Adding an attribute that bake takes as it is written (say `network`) is one row here and one
field in `model.Attributes`: resolve merges it by its rule, fills in its placeholders and
passes it on; the layout, both renderers and `explain` loop over these rows. A test fails
when a model field has no row or a row has no field.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import assert_never


class Merge(Enum):
    """How a later block's value meets an earlier one (defaults → axis values → includes →
    overrides, in file order)."""

    REPLACE = "replace"  # scalars and lists: the later value replaces
    BY_KEY = "by key"  # maps: merged key by key; a null value removes the key
    NOT_MERGED = "not merged"  # read by templates only; never part of a target


class Kind(Enum):
    """The shape of a value, which decides how placeholders are filled in and how it is
    written to bake."""

    TEXT = "text"  # one string template
    TEXT_LIST = "text list"  # a list of string templates
    TEXT_MAP = "text map"  # string keys → string templates
    NAMES = "names"  # a list of plain strings (no placeholders)
    FLAG = "flag"  # true or false
    OTHER = "other"  # resolve reads it itself (no bake key of its own)


class Share(Enum):
    """What the layout may move into a private parent block that several targets inherit."""

    WHOLE = "whole"  # the value, where every member has the same one
    BY_KEY = "by key"  # the entries every member has alike
    NEVER = "never"  # stays on each target


@dataclass(frozen=True, kw_only=True)
class Attribute:
    """A key of a matrix attribute block (`defaults`, axis values, includes, overrides,
    shared stages)."""

    name: str
    merge: Merge
    kind: Kind
    # Shared stages take it from the values of the axes they vary by, and from `defaults`.
    shared_from_axes: bool = False
    shared_from_defaults: bool = False
    # For attributes bake takes as written: the bake key. The others are read by resolve.
    bake_key: str | None = None


ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute(name="description", merge=Merge.REPLACE, kind=Kind.TEXT),
    Attribute(name="dockerfile", merge=Merge.REPLACE, kind=Kind.TEXT),
    Attribute(name="stage", merge=Merge.REPLACE, kind=Kind.TEXT),
    Attribute(name="context", merge=Merge.REPLACE, kind=Kind.TEXT, shared_from_defaults=True),
    Attribute(name="args", merge=Merge.BY_KEY, kind=Kind.TEXT_MAP, shared_from_axes=True),
    Attribute(name="labels", merge=Merge.BY_KEY, kind=Kind.TEXT_MAP),
    Attribute(name="tags", merge=Merge.REPLACE, kind=Kind.TEXT_LIST),
    Attribute(
        name="platforms",
        merge=Merge.REPLACE,
        kind=Kind.NAMES,
        shared_from_axes=True,
        shared_from_defaults=True,
    ),
    Attribute(name="contexts", merge=Merge.BY_KEY, kind=Kind.TEXT_MAP),
    Attribute(name="links", merge=Merge.BY_KEY, kind=Kind.OTHER),
    Attribute(name="uses", merge=Merge.BY_KEY, kind=Kind.OTHER),
    Attribute(name="secrets", merge=Merge.REPLACE, kind=Kind.OTHER),
    Attribute(name="sccache", merge=Merge.REPLACE, kind=Kind.FLAG),
    Attribute(name="optional_args", merge=Merge.REPLACE, kind=Kind.NAMES),
    Attribute(name="output", merge=Merge.REPLACE, kind=Kind.TEXT_LIST, bake_key="output"),
    Attribute(name="annotations", merge=Merge.REPLACE, kind=Kind.TEXT_LIST, bake_key="annotations"),
    Attribute(name="attest", merge=Merge.REPLACE, kind=Kind.TEXT_LIST, bake_key="attest"),
    Attribute(name="cache", merge=Merge.BY_KEY, kind=Kind.OTHER, shared_from_defaults=True),
    Attribute(name="vars", merge=Merge.NOT_MERGED, kind=Kind.OTHER),
)
BY_NAME = {a.name: a for a in ATTRIBUTES}
MERGED = tuple(a for a in ATTRIBUTES if a.merge is not Merge.NOT_MERGED)
PASSED_THROUGH = tuple(a for a in ATTRIBUTES if a.bake_key is not None)


@dataclass(frozen=True, kw_only=True)
class BakeKey:
    """A key of a bake `target` block, in the order bakegen writes them."""

    key: str
    kind: Kind
    share: Share
    # Keys of the first group are aligned in the HCL file: `context     = "."`.
    align: int = 0


BAKE_KEYS: tuple[BakeKey, ...] = (
    BakeKey(key="description", kind=Kind.TEXT, share=Share.NEVER, align=11),
    BakeKey(key="context", kind=Kind.TEXT, share=Share.WHOLE, align=11),
    BakeKey(key="dockerfile", kind=Kind.TEXT, share=Share.WHOLE, align=11),
    BakeKey(key="target", kind=Kind.TEXT, share=Share.WHOLE, align=11),
    BakeKey(key="platforms", kind=Kind.NAMES, share=Share.WHOLE, align=11),
    BakeKey(key="args", kind=Kind.TEXT_MAP, share=Share.BY_KEY),
    BakeKey(key="labels", kind=Kind.TEXT_MAP, share=Share.BY_KEY),
    BakeKey(key="contexts", kind=Kind.TEXT_MAP, share=Share.BY_KEY),
    BakeKey(key="tags", kind=Kind.TEXT_LIST, share=Share.NEVER),
    BakeKey(key="secret", kind=Kind.NAMES, share=Share.WHOLE),
    BakeKey(key="cache-from", kind=Kind.TEXT_LIST, share=Share.NEVER),
    BakeKey(key="cache-to", kind=Kind.TEXT_LIST, share=Share.NEVER, align=10),
    # Written only for the check targets of variables some targets require (required.py).
    BakeKey(key="dockerfile-inline", kind=Kind.TEXT, share=Share.NEVER),
    *(
        BakeKey(key=a.bake_key, kind=a.kind, share=Share.NEVER)
        for a in PASSED_THROUGH
        if a.bake_key is not None
    ),
)


def is_empty(kind: Kind, value: object) -> bool:
    """Whether a value of this kind says nothing (and so is left out of the bake file)."""
    match kind:
        case Kind.FLAG:
            return value is None
        case Kind.TEXT | Kind.TEXT_LIST | Kind.TEXT_MAP | Kind.NAMES | Kind.OTHER:
            return not value
        case _:
            assert_never(kind)
