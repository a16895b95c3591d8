"""Cells that push by digest (`image.push_by_digest`): built untagged per platform, pushed
to the image's repository, and joined into tags later by `bakegen manifest --metadata`
from the digests bake's `--metadata-file` records."""

from __future__ import annotations

from typing import Any

from bakegen.errors import KeyPath, Problems
from bakegen.matrix.tags import IMAGE
from bakegen.templating import Text, join

# The image exporter pushes the image under its repository without a tag; name-canonical
# records `<repository>@<digest>` in the metadata beside the bare name. No `push=true`:
# `docker buildx bake --push` sets it on image outputs (buildx 0.13+), so a build without
# --push (a pull request, a laptop) pushes nothing, as with tagged cells.
DIGEST_OUTPUT: Text = join("type=image,name=", (IMAGE,), ",push-by-digest=true,name-canonical=true")


def with_digest_output(extra: tuple[tuple[str, Any], ...]) -> tuple[tuple[str, Any], ...]:
    """The passed-through attributes with the push-by-digest output after the cell's own
    outputs (a `type=cacheonly` or local export stays beside it)."""
    outputs = dict(extra).get("output", ())
    rest = tuple((k, v) for k, v in extra if k != "output")
    return (*rest, ("output", (*outputs, DIGEST_OUTPUT)))


def refuse_tags(problems: Problems, tags: list[tuple[str, KeyPath]]) -> None:
    """A cell pushed by digest carries no tags: bake would push them as well, per platform,
    and each platform's push would replace the other's."""
    if tags:
        _, where = tags[0]
        problems.add(
            where,
            "image.push_by_digest: cells push by digest and carry no tags of their own",
            "set `image.tags: []` and drop the cells' `tags` (and tag rules, `image.latest`); "
            "the joined tags are ci.manifest's",
            kind="push-by-digest-tags",
        )
