"""What a shared stage is made of besides its own block, and its target name.

A shared stage takes `context` from `defaults` and `args`/`platforms` from the values of the
axes it varies by. With `inherit` it also takes every other attribute of `defaults`, and of
the includes and overrides whose selector names only its own axes and matches its values
(tags, description, links and uses stay the cells' own). The order is that of cells:
defaults, axis values (in `apply_order`), includes, overrides, then the stage's own block."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from bakegen.attributes import MERGED, Attribute
from bakegen.errors import KeyPath
from bakegen.matrix.model import Attributes, MatrixFile, SharedStage
from bakegen.matrix.names import joined, sanitize
from bakegen.matrix.selectors import Selector
from bakegen.resolve.expand import ValueIds
from bakegen.templating import expand, plain

SHARED_FROM_DEFAULTS = tuple(a for a in MERGED if a.shared_from_defaults)
SHARED_FROM_AXES = tuple(a for a in MERGED if a.shared_from_axes)
INHERITED = tuple(a for a in MERGED if a.name not in {"tags", "description", "links", "uses"})

Block = tuple[Attributes, KeyPath, tuple[Attribute, ...]]


def defaults_block(model: MatrixFile, spec: SharedStage) -> Block:
    rows = INHERITED if "defaults" in spec.inherit else SHARED_FROM_DEFAULTS
    return model.defaults, ("defaults",), rows


def inherited_blocks(
    model: MatrixFile, spec: SharedStage, values: Mapping[str, str]
) -> Iterator[Block]:
    """The includes, then the overrides, the stage takes (those it inherits and that match
    it by its own axes only)."""
    own = set(spec.axes)

    def applies(raw: Mapping[str, str | list[str]]) -> bool:
        selector = Selector.parse(dict(raw))
        return {a for a, _ in selector.patterns} <= own and selector(dict(values))

    if "include" in spec.inherit:
        for i, include in enumerate(model.include):
            if applies(include.cell):
                yield include, ("include", i), INHERITED
    if "overrides" in spec.inherit:
        for i, override in enumerate(model.overrides):
            if applies(override.select):
                yield override, ("overrides", i), INHERITED


def shared_name(
    model: MatrixFile, ids: ValueIds, stage: str, own: tuple[tuple[str, str], ...]
) -> str:
    """The stage's `name` template, else the stage name and its axes' ids: in the order the
    matrix `name` template names the axes (the order of `axes` without one)."""
    spec = model.shared[stage]
    value_ids = {a: ids[a][v] for a, v in own}
    if spec.name is not None:
        return sanitize(plain(expand(spec.name, {"stage": stage, **value_ids})))
    order = list(value_ids)
    if model.name is not None:
        named = [m.group(1) for m in re.finditer(r"\{([^{}.]+)\}", model.name)]
        order = [a for a in named if a in value_ids] + [a for a in order if a not in named]
    return joined([stage, *(value_ids[a] for a in order)])
