"""The node tree of a YAML text from libyaml's parser events, when PyYAML has libyaml.

PyYAML's own scanner and parser are pure Python and take most of the time of loading a large
matrix; libyaml (which PyYAML's wheels ship) reads the same grammar about thirty times
faster. Only its events are used: the nodes are put together here, as PyYAML's composer
does (same tag resolution, same anchors, the same nodes), so nesting is counted as it is
read and nothing is built past the depth limit.

A document this cannot take as it is, whatever the reason (a syntax error, nesting deeper
than the limit, an undefined alias, several documents, text libyaml refuses), gets REFUSED,
and the caller reads it again with PyYAML's pure-Python loader, whose refusals and messages
are the ones users see. So every error message is PyYAML's, as before.

The two scanners differ in a few corners, so text in those corners goes to PyYAML too:
- tabs: libyaml reads a key with a tab inside as one key, where PyYAML refuses the tab;
- a byte order mark past the start;
- a text that does not end with a line break: an empty value at the very end is placed at
  the end of the text, and the two see that end one line apart;
- in a flow collection, a `?` inside a plain scalar (`{a: b?c}`: PyYAML ends the scalar
  there) and an empty plain scalar (`{a: }`: the two place it one column apart);
- explicit tags: libyaml takes tag text that PyYAML refuses;
- a block scalar header other than `|` or `>` with chomping and indentation (libyaml takes
  `|#`).
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver


def _libyaml_parser() -> Any:
    try:
        from yaml._yaml import CParser
    except ImportError:  # PyYAML built without libyaml
        return None
    return CParser


_PARSER = _libyaml_parser()


class Refused(Enum):
    """The answer "read this one with the pure-Python loader"."""

    REFUSED = "refused"


REFUSED = Refused.REFUSED
_NO_KEY = object()
# A block scalar header as PyYAML reads it: the indicator, then chomping and indentation in
# either order, then a space or the end of the line.
_BLOCK_HEADER = re.compile(r"[|>](?:[+-][1-9]?|[1-9][+-]?)?[ \r\n\x85\u2028\u2029]")


def compose_fast(text: str, max_depth: int) -> Node | Refused | None:
    """The node tree of a one-document text (None for a text with no document), or
    REFUSED when the pure-Python loader must read it."""
    if _PARSER is None or "\t" in text or "\ufeff" in text or not text.endswith("\n"):
        return REFUSED
    try:
        parser = _PARSER(text)
    except (UnicodeError, ValueError, TypeError):
        return REFUSED  # e.g. a lone surrogate, which libyaml cannot be given
    try:
        return _compose(text, parser.get_event, max_depth)
    except yaml.YAMLError:
        return REFUSED
    finally:
        parser.dispose()


def _compose(text: str, get: Any, max_depth: int) -> Node | Refused | None:
    if type(get()) is not StreamStartEvent:
        return REFUSED
    event = get()
    if type(event) is StreamEndEvent:
        return None
    if type(event) is not DocumentStartEvent:
        return REFUSED
    resolve = Resolver().resolve
    # The tag of a plain scalar depends on its text alone, and texts repeat a lot (`{}`,
    # `true`, axis names): each is resolved once. Other scalars resolve by style alone.
    plain_tags: dict[str, str] = {}
    other_tags: dict[Any, str] = {}
    anchors: dict[str, Node] = {}
    # Open collections: each with the key node that waits for its value (mappings) and
    # whether it is a flow collection (`[...]`, `{...}`).
    stack: list[list[Any]] = []
    flows = 0  # how many of them are flow collections
    root: Node | None = None
    while True:
        event = get()
        kind = type(event)
        node: Node
        if kind is ScalarEvent:
            anchor = event.anchor
            if (
                len(stack) >= max_depth  # the pure-Python loader says how deep is too deep
                or event.tag is not None
                or (anchor is not None and anchor in anchors)
            ):
                return REFUSED
            value = event.value
            style = event.style
            if flows and not style and ("?" in value or not value):
                return REFUSED  # the scanners differ here (see above)
            if (style == "|" or style == ">") and not _BLOCK_HEADER.match(
                text, event.start_mark.index
            ):
                return REFUSED
            implicit = event.implicit
            if implicit[0]:
                tag = plain_tags.get(value)
                if tag is None:
                    tag = plain_tags[value] = resolve(ScalarNode, value, implicit)  # type: ignore[no-untyped-call]
            else:
                tag = other_tags.get(implicit)
                if tag is None:
                    tag = other_tags[implicit] = resolve(ScalarNode, value, implicit)  # type: ignore[no-untyped-call]
            node = ScalarNode(tag, value, event.start_mark, event.end_mark, style=style or None)
            if anchor is not None:
                anchors[anchor] = node
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            anchor = event.anchor
            if (
                len(stack) >= max_depth
                or event.tag is not None
                or (anchor is not None and anchor in anchors)
            ):
                return REFUSED
            node_class = MappingNode if kind is MappingStartEvent else SequenceNode
            tag = resolve(node_class, None, event.implicit)  # type: ignore[no-untyped-call]
            node = node_class(tag, [], event.start_mark, None, flow_style=event.flow_style)
            if anchor is not None:
                anchors[anchor] = node
            flow = event.flow_style is True
            stack.append([node, _NO_KEY, flow])
            flows += flow
            continue
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            node, _, flow = stack.pop()
            node.end_mark = event.end_mark
            flows -= flow
        elif kind is AliasEvent:
            if len(stack) >= max_depth or event.anchor not in anchors:
                return REFUSED
            node = anchors[event.anchor]
        elif kind is DocumentEndEvent:
            break
        else:
            return REFUSED
        # `node` is complete: it is the root, an item, a key, or a key's value.
        if not stack:
            root = node
            continue
        top = stack[-1]
        if top[0].__class__ is SequenceNode:
            top[0].value.append(node)
        elif top[1] is _NO_KEY:
            top[1] = node
        else:
            top[0].value.append((top[1], node))
            top[1] = _NO_KEY
    if type(get()) is not StreamEndEvent:
        return REFUSED  # another document follows
    return root
