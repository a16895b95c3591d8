"""`bakegen manifest`: join per-platform images into multi-arch tags with
`docker buildx imagetools create`, as CI does after building each platform on its own runner.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bakegen.errors import ManifestError, MatrixError, TemplateError
from bakegen.gitmeta import git_info
from bakegen.pipeline import Compiled
from bakegen.scope import Names
from bakegen.tags import image_tag, tag_problem
from bakegen.templating import evaluate, expand


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
    values["IMAGE"] = f"{registry}/{values['IMAGE_NAME']}" if registry else values["IMAGE_NAME"]
    return values


def joins(compiled: Compiled, values: Mapping[str, str]) -> list[Join]:
    """One join per group of cells that differ only in the manifest axis."""
    manifest = compiled.matrix.model.ci.manifest
    if manifest is None:
        raise ManifestError("the matrix has no ci.manifest: nothing says which cells to join")
    matrix = compiled.matrix
    groups: dict[tuple[tuple[str, str], ...], list[str]] = {}
    selected = set(compiled.resolution.selected)
    for target in compiled.resolution.targets:
        if target.name not in selected or not target.tags:
            continue
        rest = tuple((a, v) for a, v in target.values if a != manifest.axis)
        groups.setdefault(rest, []).append(evaluate(target.tags[0], values))
    latest = values.get("TAG_LATEST", "true").lower() in ("1", "true")
    templates = [("tags", i, t) for i, t in enumerate(manifest.tags)]
    templates += [("latest", i, t) for i, t in enumerate(manifest.latest)] if latest else []
    out = []
    for rest, sources in groups.items():
        scope = Names.of(matrix.model, matrix.ids).scope(rest, "")
        tags = []
        for key, i, template in templates:
            where = ("ci", "manifest", key, i)
            try:
                text = expand(template, scope)
            except TemplateError as exc:
                raise MatrixError([matrix.source.problem(where, exc.message, exc.hint)]) from None
            problem = tag_problem(text)
            if problem:
                raise MatrixError([matrix.source.problem(where, problem[0], problem[1])])
            tags.append(evaluate(image_tag(text), values))
        out.append(Join(tags=tuple(tags), sources=tuple(sources)))
    return out
