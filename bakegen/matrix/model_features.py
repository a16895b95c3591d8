"""Parts of the matrix model that stand alone: versioning, `bakegen run`, tag rules, user
groups and sccache arg names (model.py holds the rest and re-exports these)."""

from __future__ import annotations

from typing import Annotated, Literal

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
    tag_glob: str = Field(
        "v*",
        description="Release tags (a glob); with tag_pattern, it narrows the tags the pattern "
        "is tried on and defaults to the pattern's shape (e.g. 'b*').",
    )
    tag_pattern: str | None = Field(
        None,
        description="Release tags as a pattern with named parts, e.g. 'b{build}', "
        "'{major}.{minor}.{patch}', '{year}.{month}.{micro}', 'release-{major}.{minor}' "
        "(each part a digit run; '{pre:word}' for letters and digits). Replaces the "
        "v<semver> rule.",
    )
    format: str = Field(
        "{tag}",
        description="With tag_pattern: the version when HEAD carries a matching tag.",
    )
    dev_format: str = Field(
        "{tag}.dev.{short_sha}",
        description="With tag_pattern: the version otherwise, from the newest matching tag "
        "(placeholders: tag, the pattern's parts, sha, short_sha, distance, timestamp, "
        "branch).",
    )
    ignore: list[str] = Field(
        default_factory=lambda: ["*test-rc*"], description="Tags to disregard (globs)."
    )
    release_branches: str | None = Field(
        "origin/release/*",
        description="Remote release branches, preferred over tags when present.",
    )
    fallback: str = Field(
        "0.0.1",
        description="Release used when git has none (with tag_pattern: a tag it matches; "
        "default: the pattern with every part 0).",
    )


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


class Credentials(_Strict):
    """Which variable names hold credentials (docs/matrix.md, "Credentials"): no value bakegen
    writes or passes on may read them; they reach a build only as secrets."""

    names: list[Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_*?]+$")]] = Field(
        default_factory=list,
        description="More credential names, as globs matched without regard to case "
        "(e.g. `*_LOGIN`), on top of the built-in ones.",
    )
    allow: list[ArgName] = Field(
        default_factory=list,
        description="Names the built-in rule takes for credentials that are not (e.g. "
        "`ACTIONS_ID_TOKEN_REQUEST_URL`).",
    )


class Exports(_Strict):
    """Where outputs may write (docs/matrix.md, "Outputs"): inside the project unless this
    says otherwise."""

    outside_project: bool = Field(
        False,
        description="Allow `dest=` of outputs outside the folder bake runs in (absolute paths, "
        "`..`); off, so that a matrix cannot write over other files of the machine.",
    )


class MetadataAction(_Strict):
    """docker/metadata-action's tags, labels and annotations on every cell (docs/ci.md)."""

    target: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]+$")] = Field(
        "docker-metadata-action",
        description="The bake target its bake file defines (its `bake-target` input).",
    )
    tags: Literal["join", "replace", "none"] = Field(
        "join",
        description="join: each of its tags is added with '-<target name>' after it; replace: "
        "its tags as they are instead of the cell's own (one tagged cell only); none: unused.",
    )
    labels: bool = Field(
        True,
        description="Cells inherit its target first: its labels merge under the cell's own.",
    )
    annotations: bool = Field(
        False, description="Add its annotations (DOCKER_METADATA_OUTPUT_ANNOTATIONS)."
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
