"""`bakegen manifest`: join per-platform images into multi-arch tags with
`docker buildx imagetools create`, as CI does after building each platform on its own runner.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from bakegen.cellchecks import joined_groups, manifest_tag
from bakegen.envbool import parse_bool
from bakegen.errors import ManifestError
from bakegen.gitmeta import git_info
from bakegen.pipeline import Compiled
from bakegen.templating import evaluate


@dataclass(frozen=True)
class Join:
    tags: tuple[str, ...]
    sources: tuple[str, ...]

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
    values.update({k: environ[k] for k in values if k in environ})
    registry = values["REGISTRY"]
    values["IMAGE"] = f"{registry}/{values['IMAGE_NAME']}" if registry else values["IMAGE_NAME"]
    return values


def joins(compiled: Compiled, values: Mapping[str, str]) -> list[Join]:
    """One join per group of cells that differ only in the manifest axis."""
    manifest = compiled.matrix.model.ci.manifest
    if manifest is None:
        raise ManifestError("the matrix has no ci.manifest: nothing says which cells to join")
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
