"""Stage 2, validate: the model of a target's own cache settings (the `cache` attribute of
defaults, axis values, includes and overrides; the file-wide `cache` is in model.py)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# The cache backends a bake file can name, and `none`: no cache at all.
Backend = Literal["registry", "gha", "inline", "local", "s3", "none"]
BACKENDS: tuple[str, ...] = ("registry", "gha", "inline", "local", "s3", "none")
Mode = Literal["min", "max"]
MODES: tuple[str, ...] = ("min", "max")
# An extra cache-from source: another target's cache, another scope of this target's cache
# (the main branch's), or a published image (inline cache travels in the image).
Source = Annotated[str, StringConstraints(pattern=r"^(target|scope|image):\S+$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TargetCache(_Strict):
    """A target's cache, merged key by key like `args` (null removes an inherited key).
    Templates may use `{target}` (the target's name), `{scope}` (CACHE_SCOPE),
    `{cache_image}` (CACHE_IMAGE) and every placeholder of the target."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    backend: Backend | None = Field(None, description="This target's backend.")
    mode: Mode | None = Field(None, description="cache-to mode: min or max.")
    ignore_error: bool | None = Field(
        None, description="Write `ignore-error=true`: a failed cache export fails no build."
    )
    name: str | None = Field(
        None,
        description="The cache's name: registry tag, gha scope, local directory or s3 "
        "name (default `{target}-{scope}`, distinct per target).",
    )
    repository: str | None = Field(
        None,
        description="Registry repository (default `{cache_image}`), e.g. "
        "`{cache_image}/{target}` for one repository per target.",
    )
    dir: str | None = Field(
        None, description="local: the directory the cache directories are made in."
    )
    bucket: str | None = Field(None, description="s3: the bucket.")
    region: str | None = Field(None, description="s3: the bucket's region.")
    prefix: str | None = Field(None, description="s3: a prefix of every file name.")
    options: dict[str, str] | None = Field(
        None,
        description="More options of the backend, e.g. `{image-manifest: 'true', "
        "oci-mediatypes: 'true'}` for ECR; only options the backend takes.",
    )
    sources: list[Source] | None = Field(
        None,
        alias="from",
        description="cache-from sources besides the target's own: `target:<name>` (that "
        "target's cache), `scope:<scope>` (e.g. `scope:main`), `image:<reference>` (a "
        "published image); default: `scope:` each of `cache.fallback`.",
    )
    export: bool | None = Field(
        None, description="Write cache-to (false: only read, e.g. from a warming target)."
    )

    def items(self) -> Iterator[tuple[str, Any]]:
        """The keys this block sets (null ones too: they remove an inherited key), as the
        key-by-key merge reads a map."""
        fields = type(self).model_fields
        for key in sorted(self.model_fields_set):
            yield fields[key].alias or key, getattr(self, key)


def backend_choices(enabled: bool, backends: Sequence[str]) -> tuple[str, ...]:
    """The values the bake variable CACHE_BACKEND may take, given the file's `cache.enabled`
    and `cache.backends` (none: the backend is fixed when rendering)."""
    if not enabled or not backends:
        return ()
    return tuple(dict.fromkeys((*backends, "none")))
