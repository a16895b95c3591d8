"""`bakegen manifest`: join per-platform images into multi-arch tags with
`docker buildx imagetools create`, as CI does after building each platform on its own runner.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bakegen.cellchecks import joined_groups, manifest_tag
from bakegen.envbool import parse_bool
from bakegen.errors import ManifestError
from bakegen.gitmeta import git_info
from bakegen.images import suffix
from bakegen.pipeline import Compiled
from bakegen.templating import evaluate


@dataclass(frozen=True)
class Join:
    tags: tuple[str, ...]
    sources: tuple[str, ...]

    def argv(self) -> list[str]:
        flags = [arg for tag in self.tags for arg in ("-t", tag)]
        return ["docker", "buildx", "imagetools", "create", *flags, *self.sources]


def bake_values(compiled: Compiled, environ: Mapping[str, str], where: Path) -> dict[str, str]:
    """The bake variables as a build would see them: the environment, else the override
    file's git values, else the defaults; plus IMAGE as bake computes it."""
    values = {
        v.name: str(v.default).lower() if isinstance(v.default, bool) else v.default
        for v in compiled.bake.variables
    }
    if "VERSION" not in environ or "COMMIT_SHA" not in environ:
        info = git_info(where, compiled.matrix.model.versioning)
        values.update(VERSION=info.version, COMMIT_SHA=info.sha)
    values.update({k: environ[k] for k in values if k in environ})
    registry = values["REGISTRY"]
    # IMAGE, and with several images each image's IMAGE_<KEY> from its IMAGE_NAME_<KEY>.
    for name in [n for n in values if n == "IMAGE_NAME" or n.startswith("IMAGE_NAME_")]:
        image = "IMAGE" + name.removeprefix("IMAGE_NAME")
        values[image] = f"{registry}/{values[name]}" if registry else values[name]
    return values


def image_values(values: Mapping[str, str], key: str | None) -> dict[str, str]:
    """The values as one image's templates read them: with several images, `{image}` and
    IMAGE_NAME are that image's own."""
    if key is None:
        return dict(values)
    tail = suffix(key)
    return {**values, "IMAGE": values[f"IMAGE_{tail}"], "IMAGE_NAME": values[f"IMAGE_NAME_{tail}"]}


def joins(compiled: Compiled, values: Mapping[str, str]) -> list[Join]:
    """One join per group of cells that differ only in the manifest axis (per image, with
    several, each under its own name)."""
    parts = [(k, c) for k, c in compiled.each_image() if c.matrix.model.ci.manifest is not None]
    if not parts:
        raise ManifestError("the matrix has no ci.manifest: nothing says which cells to join")
    return [j for key, part in parts for j in _joins(part, image_values(values, key))]


def _joins(compiled: Compiled, values: Mapping[str, str]) -> list[Join]:
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
    for rest, cells in joined_groups(matrix, chosen).items():
        sources = [evaluate(cell.tags[0], values) for cell in cells]
        tags = [
            evaluate(manifest_tag(matrix, rest, key, i, template), values)
            for key, i, template in templates
        ]
        # Two templates may give the same tag (e.g. when VERSION is "latest"): name it once.
        out.append(Join(tags=tuple(dict.fromkeys(tags)), sources=tuple(dict.fromkeys(sources))))
    return out


def tag_latest(text: str) -> bool:
    """TAG_LATEST as bake reads a boolean variable from the environment (Go's ParseBool)."""
    try:
        return parse_bool(text)
    except ValueError:
        raise ManifestError(
            f"TAG_LATEST={text!r} is not a boolean: bake reads it with Go's strconv.ParseBool, "
            "which takes 1, t, T, TRUE, true, True, 0, f, F, FALSE, false or False"
        ) from None
