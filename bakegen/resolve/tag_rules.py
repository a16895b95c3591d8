"""Tags beyond the image's own: tag rules that add tags to the cells a selector matches, tags
that are a bake variable holding a full reference, and mirror registries.

The tags of a cell come in this order: `image.tags`, then the `tags` of every matching tag
rule in file order, then the cell's own `tags` attribute (the last one set by defaults, axis
values, includes and overrides). Moving aliases: `image.latest`, then each matching rule's
`latest`. Every tag under the image is then repeated under each mirror."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

from bakegen.errors import KeyPath
from bakegen.matrix.model import Mirror, mirror_parts
from bakegen.matrix.model_features import TagRule
from bakegen.matrix.selectors import Selector
from bakegen.matrix.tags import IMAGE
from bakegen.templating import Text, Var, join

IMAGE_NAME = Var("IMAGE_NAME")
Located = tuple[str, KeyPath]


class TagRules:
    """A matrix's tag rules, their selectors parsed once."""

    def __init__(self, rules: Sequence[TagRule], firsts: Mapping[str, str]) -> None:
        self.rules = [(Selector.parse(r.select), r) for r in rules]
        self.firsts = firsts  # each axis's first value

    def tags(self, values: Mapping[str, str]) -> tuple[list[Located], list[Located]]:
        """(Tags, moving aliases) the rules matching these axis values add, each with where
        it was written."""
        tags: list[Located] = []
        latest: list[Located] = []
        for i, (selector, rule) in enumerate(self.rules):
            if not selector(dict(values)):
                continue
            if any(values.get(axis) != self.firsts.get(axis) for axis in rule.first_of):
                continue
            where = ("image", "tag_rules", i)
            tags += [(t, (*where, "tags", k)) for k, t in enumerate(rule.tags)]
            latest += [(t, (*where, "latest", k)) for k, t in enumerate(rule.latest)]
        return tags, latest


@lru_cache(maxsize=4096)
def is_reference_variable(template: str) -> bool:
    """`{var.NAME}` alone: the variable holds a whole image reference, written as it is."""
    body = template.strip()
    return body.startswith("{var.") and body.endswith("}") and body.count("{") == 1


def mirror_repository(mirror: str | Mirror) -> Text:
    """A mirror's repository: `<registry>/${IMAGE_NAME}`, or `<registry>/<name>` for a
    mirror that names its repository."""
    registry, name = mirror_parts(mirror)
    return join(f"{registry}/", (IMAGE_NAME,)) if name is None else (f"{registry}/{name}",)


def mirrored(tags: tuple[Text, ...], mirrors: Sequence[str | Mirror]) -> tuple[Text, ...]:
    """The tags, then each tag under the image again under every mirror registry."""
    if not mirrors and len(tags) < 2:
        return tags
    out = list(tags)
    for mirror in mirrors:
        repository = mirror_repository(mirror)
        for tag in tags:
            if tag[:1] == (IMAGE,):
                out.append(join(repository, tag[1:]))
    return tuple(dict.fromkeys(out))
