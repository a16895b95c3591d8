"""`bakegen manifest`: join per-platform images into multi-arch tags with
`docker buildx imagetools create`, as CI does after building each platform on its own runner.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from bakegen.bakefile.images import suffix
from bakegen.bakefile.tag_validations import TAG_START, tag_limits
from bakegen.ci.digests import Pushed, source
from bakegen.errors import ManifestError
from bakegen.gitmeta import git_info
from bakegen.matrix.credentials import CredentialRule
from bakegen.matrix.model import IMAGE_NAME_PATTERN, REGISTRY_PATTERN
from bakegen.matrix.tags import IMAGE, MAX_TAG, tag_latest
from bakegen.pipeline import Compiled
from bakegen.resolve.joins import (
    joined_groups,
    manifest_tag,
    repeated_platforms,
    several_platforms,
)
from bakegen.resolve.tag_rules import mirror_repository
from bakegen.resolve.targets import Target
from bakegen.templating import Text, evaluate, join


@dataclass(frozen=True)
class Join:
    tags: tuple[str, ...]
    sources: tuple[str, ...]
    # Why the join may not be what is meant (a source that builds several platforms).
    warnings: tuple[str, ...] = ()

    def argv(self) -> list[str]:
        flags = [arg for tag in self.tags for arg in ("-t", tag)]
        return ["docker", "buildx", "imagetools", "create", *flags, *self.sources]


def bake_values(
    compiled: Compiled,
    environ: Mapping[str, str],
    where: Path,
    warn: Callable[[str], None] = lambda _: None,
) -> dict[str, str]:
    """The bake variables as a build would see them: the environment, else the override
    file's git values, else the defaults; plus IMAGE as bake computes it. `warn` hears why
    git gave a fallback version."""
    values = {
        v.name: str(v.default).lower() if isinstance(v.default, bool) else v.default
        for v in compiled.bake.variables
    }
    if "VERSION" not in environ or "COMMIT_SHA" not in environ:
        info = git_info(where, compiled.matrix.model.versioning)
        if info.warning:
            warn(info.warning)
        values.update(VERSION=info.version, COMMIT_SHA=info.sha)
    # Only the file's own variables, and never one named like a credential (validate refuses
    # those; a name the rule only takes after an edit of `credentials` is skipped here too).
    rule = CredentialRule.of(compiled.matrix.model.credentials)
    values.update({k: environ[k] for k in values if k in environ and not rule(k)})
    check_image_values(values, compiled)
    registry = values["REGISTRY"]
    # IMAGE, and with several images each image's IMAGE_<KEY> from its IMAGE_NAME_<KEY>.
    for name in [n for n in values if n == "IMAGE_NAME" or n.startswith("IMAGE_NAME_")]:
        image = "IMAGE" + name.removeprefix("IMAGE_NAME")
        values[image] = f"{registry}/{values[name]}" if registry else values[name]
    return values


def check_image_values(values: Mapping[str, str], compiled: Compiled) -> None:
    """REGISTRY, IMAGE_NAME and VERSION by the rules the matrix and the bake file's
    validation blocks apply, before any of them goes into a reference: a ':' or '/' too many
    would name another repository."""
    limits = tag_limits(compiled.resolution.targets)
    room = min(limits.limit("VERSION") or MAX_TAG, MAX_TAG)
    # With several images each has its own IMAGE_NAME_<KEY> (and no IMAGE_NAME).
    names = [n for n in values if n == "IMAGE_NAME" or n.startswith("IMAGE_NAME_")]
    rules = (
        ("REGISTRY", REGISTRY_PATTERN, "a registry host with an optional namespace"),
        *((n, IMAGE_NAME_PATTERN, "a lowercase repository path") for n in names or ["IMAGE_NAME"]),
        ("VERSION", TAG_START, "tag text starting with a letter, digit or '_'"),
    )
    for name, pattern, what in rules:
        value = values.get(name, "")
        if not re.fullmatch(pattern, value):
            raise ManifestError(
                f"{name}={value!r} is not {what}: bake refuses it, or it would name another "
                "repository; set it to one"
            )
    if len(values["VERSION"]) > room:
        raise ManifestError(
            f"VERSION is {len(values['VERSION'])} characters; the tags allow {room} "
            f"(registries refuse tags over {MAX_TAG} characters)"
        )


def image_values(values: Mapping[str, str], key: str | None) -> dict[str, str]:
    """The values as one image's templates read them: with several images, `{image}` and
    IMAGE_NAME are that image's own."""
    if key is None:
        return dict(values)
    tail = suffix(key)
    return {**values, "IMAGE": values[f"IMAGE_{tail}"], "IMAGE_NAME": values[f"IMAGE_NAME_{tail}"]}


def joins(
    compiled: Compiled, values: Mapping[str, str], pushes: dict[str, Pushed] | None = None
) -> list[Join]:
    """One join per group of cells that differ only in the manifest axis and per repository
    the image is published in (its own and each mirror's; per image, with several, each
    under its own name). Cells pushed by digest are joined from the digests in `pushes`
    (bake's metadata files). Nothing to join is an error: a join job that joins nothing
    would pass while no multi-arch tag exists."""
    parts = [(k, c) for k, c in compiled.each_image() if c.matrix.model.ci.manifest is not None]
    if not parts:
        raise ManifestError("the matrix has no ci.manifest: nothing says which cells to join")
    by_digest = any(c.matrix.model.image.push_by_digest for _, c in parts)
    if by_digest and pushes is None:
        raise ManifestError(
            "the cells push by digest (image.push_by_digest): pass the metadata files of "
            "the build jobs (`docker buildx bake --metadata-file FILE`) with --metadata FILE "
            "or a folder of them"
        )
    if not by_digest and pushes is not None:
        raise ManifestError(
            "--metadata is for cells that push by digest (image.push_by_digest); these cells "
            "push tags, which are joined by name"
        )
    found = [j for key, part in parts for j in _joins(part, image_values(values, key), pushes)]
    if not found:
        raise ManifestError(
            "nothing to join: no selected cell is pushed (cells with tags, or pushed by "
            "digest), so no multi-arch tag would be made"
        )
    return found


def repositories(compiled: Compiled) -> list[Text]:
    """Where the image is published: its own repository, then each mirror's."""
    return [(IMAGE,), *(mirror_repository(m) for m in compiled.matrix.model.image.mirrors)]


def _in_repository(text: Text, repository: Text) -> Text | None:
    """A reference under the image, moved to another repository (None: not under it)."""
    if repository == (IMAGE,):
        return text
    return join(repository, text[1:]) if text[:1] == (IMAGE,) else None


def _joins(
    compiled: Compiled, values: Mapping[str, str], pushes: dict[str, Pushed] | None
) -> list[Join]:
    manifest = compiled.matrix.model.ci.manifest
    if manifest is None:
        return []
    matrix = compiled.matrix
    selected = set(compiled.resolution.selected)
    chosen = [t for t in compiled.resolution.targets if t.name in selected]
    latest = tag_latest(values.get("TAG_LATEST", "true"))
    templates = [("tags", i, t) for i, t in enumerate(manifest.tags)]
    templates += [("latest", i, t) for i, t in enumerate(manifest.latest)] if latest else []
    out = []
    for rest, cells in joined_groups(matrix.model, chosen).items():
        texts = [
            manifest_tag(matrix.model, matrix.ids, rest, key, i, template)
            for key, i, template in templates
        ]
        digests = None
        if pushes is not None and any(cell.by_digest for cell in cells):
            digests = [source(cell.name, values["IMAGE"], pushes) for cell in cells]
        for repository in repositories(compiled):
            tags = [
                evaluate(moved, values)
                for moved in (_in_repository(t, repository) for t in texts)
                if moved is not None
            ]
            if not tags:
                continue  # every tag template names a full reference of its own
            # Two templates may give the same tag (e.g. when VERSION is "latest"): name it once.
            tags = list(dict.fromkeys(tags))
            if digests is not None:
                # One push per cell, to the image's own repository: imagetools copies the
                # blobs to each mirror.
                sources = digests
            else:
                sources = [_source(cell, repository, values) for cell in cells]
            warnings = _several_platforms(manifest.axis, tags[0], cells, sources)
            out.append(
                Join(tags=tuple(tags), sources=tuple(dict.fromkeys(sources)), warnings=warnings)
            )
    return out


def _source(cell: Target, repository: Text, values: Mapping[str, str]) -> str:
    """A cell's first tag, as pushed to this repository (a mirror has a copy of each tag
    under the image), else as pushed to the image's own."""
    moved = _in_repository(cell.tags[0], repository)
    return evaluate(moved if moved is not None and moved in cell.tags else cell.tags[0], values)


def _several_platforms(
    axis: str, tag: str, cells: list[Target], sources: list[str]
) -> tuple[str, ...]:
    """A warning per source of the join that builds several platforms; an error, before
    anything is joined, when the index would then list a platform twice."""
    source_of = {cell.name: source for cell, source in zip(cells, sources, strict=True)}
    out = []
    several = several_platforms(cells)
    repeated = repeated_platforms(cells) if several else []
    for cell in several:
        others = ", ".join(source_of[c.name] for c in cells if c is not cell)
        what = (
            f"{source_of[cell.name]} builds several platforms ({', '.join(cell.platforms)}) "
            f"and is joined with {others}"
        )
        if repeated:
            raise ManifestError(
                f"{tag}: the index would list {', '.join(repeated)} twice: {what}; {_instead(axis)}"
            )
        out.append(f"{tag}: {what} into one index; {_instead(axis)}")
    return tuple(out)


def _instead(axis: str) -> str:
    return (
        f"build each platform in a cell of its own (one platform per value of the {axis} "
        "axis), or leave the multi-platform value out of the join (a separate matrix, or "
        "tags of its own)"
    )
