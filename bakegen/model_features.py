"""Parts of the matrix model that stand alone: versioning, `bakegen run`, tag rules, user
groups and sccache arg names (model.py holds the rest and re-exports these)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

ArgName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
Selector = dict[str, str | list[str]]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TagRule(_Strict):
    """Tags added to the cells a selector matches, after the image's own tags."""

    select: Selector = Field(
        default_factory=dict, description="Axis → value, glob or list (empty: every cell)."
    )
    first_of: list[str] = Field(
        default_factory=list,
        description="Axes whose first value the cell must have (list the newest release or "
        "the primary OS first): a rule that follows the matrix as values are added.",
    )
    tags: list[str] = Field(default_factory=list, description="Tag templates added.")
    latest: list[str] = Field(
        default_factory=list,
        description="Moving alias templates added, written only while TAG_LATEST is true.",
    )


class UserGroup(_Strict):
    """A bake group of the cells a selector matches."""

    select: Selector = Field(description="Axis → value, glob or list of them.")
    description: str | None = Field(None, description="Shown by `bake --list`.")


class SccacheArgs(_Strict):
    """The build-arg names sccache's settings reach the Dockerfile under."""

    use: ArgName = Field("USE_SCCACHE", description="Arg that switches sccache on.")
    bucket: ArgName = Field("SCCACHE_BUCKET", description="Arg holding the S3 bucket.")
    region: ArgName = Field("SCCACHE_REGION", description="Arg holding the S3 region.")


class Versioning(_Strict):
    """How the image version is derived from git (see docs/matrix.md)."""

    value: str | None = Field(None, description="A fixed version; git is not asked.")
    default: str = Field("dev", description="VERSION default in the main bake file.")
    tag_glob: str = Field("v*", description="Release tags.")
    ignore: list[str] = Field(
        default_factory=lambda: ["*test-rc*"], description="Tags to disregard (globs)."
    )
    release_branches: str | None = Field(
        "origin/release/*",
        description="Remote release branches, preferred over tags when present.",
    )
    fallback: str = Field("0.0.1", description="Release used when git has none.")


class Run(_Strict):
    """`bakegen run`: which cell runs when axes are not given, and the user's home in it."""

    defaults: dict[str, str] = Field(
        default_factory=dict,
        description="Axis values used when `bakegen run` does not name them; other axes take "
        "the value built for the host's platform, else their first value.",
    )
    home: str = Field(
        "/root",
        description="Home of the image's user (template), where the HF cache is mounted.",
    )
    user_home: str | None = Field(
        None, description="Home of a non-root user given with --user (default: home)."
    )


class UserVariable(_Strict):
    """A bake variable of the matrix's own, set from the environment at bake time."""

    default: str = Field(description="Its value when the environment does not set it.")
    description: str | None = Field(None, description="Shown by `bake --list=variables`.")
    choices: list[str] | None = Field(None, description="The only values it may take.")
    reject: list[str] = Field(default_factory=list, description="Values it may not take.")
    message: str | None = Field(None, description="Why a rejected value is wrong.")
    required_by: Selector | None = Field(
        None,
        description="Cells that cannot be built while the variable is empty; checked when "
        "one of them is built (other targets build without it).",
    )
