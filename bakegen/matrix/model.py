"""Stage 2, validate: the pydantic models of the matrix file (the JSON Schema comes from them)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from bakegen.matrix import model_features as features
from bakegen.matrix.model_cache import Backend, Mode, TargetCache
from bakegen.matrix.model_features import (
    Run,
    SccacheArgs,
    TagRule,
    UserGroup,
    UserVariable,
    Versioning,
)

# Defined beside the model, imported from here like the rest of it.
__all__ = ["Run", "UserVariable", "Versioning"]

FORMAT_VERSION = 1

# The bake variables and global attributes every generated file declares (bakefile.py);
# a matrix's own `variables` may not take these names.
BUILTIN_VARIABLES = frozenset(
    {
        "REGISTRY",
        "IMAGE_NAME",
        "VERSION",
        "COMMIT_SHA",
        "TAG_LATEST",
        "CACHE_REGISTRY",
        "CACHE_SCOPE",
        "CACHE_EXPORT",
        "CACHE_BACKEND",
        "CACHE_MODE",
        "USE_SCCACHE",
        "SCCACHE_BUCKET",
        "SCCACHE_REGION",
        "IMAGE",
        "CACHE_IMAGE",
        "BUILD_DATE",
        "BUILD_TIME",
    }
)

Name = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]+$")]
ArgName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
PlatformStr = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+/[a-z0-9_]+(/[a-z0-9]+)?$")]
Selector = dict[str, str | list[str]]
# Image references as the distribution spec allows them: a registry host (with port) and a
# lowercase path, or just the path.
_PATH = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
_HOST = r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*(?::[0-9]+)?)"
IMAGE_NAME_PATTERN, REGISTRY_PATTERN = rf"^{_PATH}$", rf"^(?:{_HOST}(?:/{_PATH})?)?$"
ImageName = Annotated[str, StringConstraints(pattern=IMAGE_NAME_PATTERN)]
Registry = Annotated[str, StringConstraints(pattern=REGISTRY_PATTERN)]
Repository = Annotated[str, StringConstraints(pattern=rf"^(?:(?:{_HOST}/)?{_PATH})?$")]
TagPart = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Secret(Strict):
    """A BuildKit secret read from the environment of `docker buildx bake`."""

    id: Name = Field(description="Secret id, as in `RUN --mount=type=secret,id=<id>`.")
    env: ArgName = Field(description="Environment variable that holds the secret's value.")

    def bake_spec(self) -> str:
        """The entry of a bake target's `secret` list."""
        return f"id={self.id},env={self.env}"


class Attributes(Strict):
    """Attributes of a bake target. Strings may use `{placeholders}` (see docs/matrix.md)."""

    description: str | None = Field(None, description="Text shown by `bake --list`.")
    dockerfile: str | None = Field(None, description="Dockerfile path, relative to the root.")
    stage: str | None = Field(None, description="Dockerfile stage to build (bake `target`).")
    context: str | None = Field(None, description="Build context (default `.`).")
    args: dict[ArgName, str | None] = Field(
        default_factory=dict, description="Build args; null removes an inherited arg."
    )
    labels: dict[str, str | None] = Field(
        default_factory=dict, description="Image labels; null removes an inherited label."
    )
    tags: list[str] | None = Field(
        None,
        description="Extra tags: a tag suffix (`{version}-x`) or a full `image:tag` reference.",
    )
    platforms: list[PlatformStr] | None = Field(None, description="Target platforms.")
    contexts: dict[Name, str | None] = Field(
        default_factory=dict,
        description="Named build contexts (path, docker-image://…, https://…).",
    )
    links: dict[Name, dict[str, str]] = Field(
        default_factory=dict,
        description=(
            "Named contexts taken from another cell of the matrix: the cell with the same "
            "axis values except those given here, wired as `target:<name>`."
        ),
    )
    uses: dict[Name, str | None] = Field(
        default_factory=dict,
        description="Named contexts taken from shared stages: context name → shared stage.",
    )
    secrets: list[Secret] | None = Field(None, description="BuildKit secrets for this target.")
    sccache: bool | None = Field(
        None, description="Pass the sccache build args and credential secrets to this target."
    )
    optional_args: list[ArgName] | None = Field(
        None,
        description="Args left out at bake time when their value comes out empty (an empty "
        "bake variable): the Dockerfile's ARG default applies then.",
    )
    output: list[str] | None = Field(
        None,
        description="Bake outputs, e.g. `type=registry`, `type=docker`, `type=cacheonly`, "
        "`type=local,dest=out`, `type=image,push-by-digest=true,name-canonical=true,push=true`.",
    )
    annotations: list[str] | None = Field(
        None, description="OCI annotations, `[index,manifest:]key=value`."
    )
    attest: list[str] | None = Field(
        None, description="Attestations, e.g. `type=sbom`, `type=provenance,mode=max`."
    )
    cache: TargetCache = Field(
        default_factory=TargetCache,
        description="This target's cache: backend, names, mode, sources, export.",
    )
    vars: dict[Name, str] = Field(
        default_factory=dict,
        description="Free values for templates, read as `{axis.name}` (axis values only).",
    )


class AxisValue(Attributes):
    """One value of an axis, and the attributes it gives every cell that has it."""

    id: Name | None = Field(
        None, description="Name of this value in target and group names (default: the axis id)."
    )


class Axis(Strict):
    """A named dimension of the matrix."""

    description: str | None = Field(None, description="What the axis means.")
    id: str = Field(
        "{value}",
        description="How values are named in target and group names; `{value}` is the value, "
        "with characters outside [A-Za-z0-9_-] turned into `-`.",
    )
    values: dict[str, AxisValue | None] = Field(
        description="The axis values in build order, each with its attributes.", min_length=1
    )


class Include(Attributes):
    """GitHub-Actions-style include: add attributes to matching cells, or add a new cell."""

    cell: Selector = Field(
        description="Axis values (globs allowed) to match; a full combination of plain values "
        "that matches no cell adds that cell."
    )


class Override(Attributes):
    """Attributes applied, in file order, to every cell the selector matches."""

    select: Selector = Field(description="Axis → value, glob or list of them.")


class SharedStage(Attributes):
    """A stage built once per combination of some axes and shared by every cell using it."""

    axes: list[str] = Field(description="The axes this stage varies by (e.g. cuda, platform).")
    name: str | None = Field(
        None,
        description="Target name template ({stage} and the stage's axes); default: the "
        "stage name, then its axes' ids in the order of the matrix `name` template.",
    )
    inherit: list[Literal["defaults", "include", "overrides"]] = Field(
        default_factory=list,
        description="Also take every attribute of `defaults`, and of includes and overrides "
        "whose selector names only this stage's axes and matches its values.",
    )


class Mirror(Strict):
    """A mirror registry whose repository may have a name of its own."""

    registry: Registry = Field(description="The registry (with namespace), e.g. quay.io/acme.")
    name: ImageName | None = Field(
        None, description="The repository's name there; default: the image's (IMAGE_NAME)."
    )


def mirror_parts(mirror: str | Mirror) -> tuple[str, str | None]:
    """(registry, repository name or None for the image's own) of a mirror entry."""
    return (mirror, None) if isinstance(mirror, str) else (mirror.registry, mirror.name)


class Image(Strict):
    """Image naming: `<registry>/<name>:<tag>` and the OCI labels."""

    registry: Registry = Field(
        "", description="Default of the bake variable REGISTRY, e.g. ghcr.io/acme."
    )
    name: ImageName | None = Field(
        None, description="Default of the bake variable IMAGE_NAME (required)."
    )
    tags: list[str] = Field(
        default_factory=lambda: ["{version}-{name}"],
        description="Tag templates of every cell.",
    )
    latest: list[str] = Field(
        default_factory=list,
        description="Moving alias templates, added when the bake variable TAG_LATEST is true.",
    )
    tag_latest: bool = Field(True, description="Default of the bake variable TAG_LATEST.")
    labels: dict[str, str] = Field(default_factory=dict, description="Label templates.")
    tag_rules: list[TagRule] = Field(
        default_factory=list,
        description="Tags added to the cells each selector matches, in file order.",
    )
    mirrors: list[Registry | Mirror] = Field(
        default_factory=list,
        description="More registries (with namespace): every tag under the image is also "
        "written under <mirror>/<name>, or <registry>/<its name> for a `{registry, name}` "
        "entry that renames the repository.",
    )
    push_by_digest: bool = Field(
        False,
        description="Cells push by digest, untagged (output `type=image,name=<image>,"
        "push-by-digest=true,name-canonical=true`, pushed by `bake --push`); `bakegen "
        "manifest --metadata` joins the digests under ci.manifest's tags. Needs ci.manifest "
        "and no cell tags.",
    )
    oci_labels: bool = Field(
        True, description="Write the OCI version and revision labels (from VERSION/COMMIT_SHA)."
    )
    created: bool = Field(
        False, description="Write the OCI created label: the render's timestamp ({date_time})."
    )


class Cache(Strict):
    """The cache every target reads and writes by default (a target's own `cache`
    attribute changes it), and the bake variables that choose it at bake time."""

    registry: Repository = Field(
        "", description="Default of CACHE_REGISTRY, the cache repository ('' = <image>-cache)."
    )
    scope: TagPart = Field("main", description="Default of CACHE_SCOPE, the cache tag suffix.")
    fallback: list[TagPart] = Field(
        default_factory=lambda: ["main"],
        description="Scopes also read from, e.g. the main branch's cache (a target's "
        "`cache.from` replaces them).",
    )
    export: bool = Field(False, description="Default of CACHE_EXPORT: write cache-to.")
    mode: Mode = Field("max", description="cache-to mode (default of CACHE_MODE).")
    enabled: bool = Field(True, description="Emit cache-from/cache-to at all.")
    backend: Backend = Field("registry", description="Backend of targets that name none.")
    backends: list[Backend] = Field(
        default_factory=list,
        description="Backends the bake variable CACHE_BACKEND may choose at bake time "
        "(`none` is always allowed): every target is written for each of them. Empty: "
        "`backend` is fixed when rendering.",
    )


class Sccache(Strict):
    """sccache settings: bucket and region as build args, credentials as secrets only."""

    enabled: bool = Field(False, description="Default of USE_SCCACHE.")
    bucket: str = Field("", description="Default of SCCACHE_BUCKET.")
    region: str = Field("", description="Default of SCCACHE_REGION.")
    secrets: list[Secret] = Field(
        default_factory=lambda: [
            Secret(id="aws-key-id", env="AWS_ACCESS_KEY_ID"),
            Secret(id="aws-secret-id", env="AWS_SECRET_ACCESS_KEY"),
        ],
        description="Credential secrets given to sccache targets.",
    )
    args: SccacheArgs = Field(
        default_factory=SccacheArgs, description="Build-arg names of the sccache settings."
    )


class Manifest(Strict):
    """Multi-arch images: cells that differ only in one axis are joined under these tags."""

    axis: str = Field(description="The axis whose cells are joined (e.g. platform).")
    tags: list[str] = Field(
        description="Tag templates of the joined image; they cannot use the joined axis.",
        min_length=1,
    )
    latest: list[str] = Field(
        default_factory=list, description="Moving aliases, joined while TAG_LATEST is true."
    )


class CI(Strict):
    """CI fan-out: which runner builds which platform, and the multi-arch join."""

    runners: dict[PlatformStr, str] = Field(
        default_factory=dict, description="Runner label per platform."
    )
    default_runner: str = Field(
        "ubuntu-latest", description="Runner for targets of other or several platforms."
    )
    manifest: Manifest | None = Field(None, description="How per-platform images are joined.")
    metadata_action: features.MetadataAction | None = Field(None, description="See docs/ci.md.")


class MatrixFile(Strict):
    """A bakegen build matrix."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, title="bakegen matrix", populate_by_name=True
    )

    schema_: str | None = Field(None, alias="$schema", description="Editor schema hint.")
    format: Literal[1] = Field(description="Matrix format version.")
    image: Image
    axes: dict[Name, Axis] = Field(
        description="Axes in order; cells are their product.", min_length=1
    )
    name: str | None = Field(
        None, description="Target name template; default: the axis ids joined by '-'."
    )
    defaults: Attributes = Field(
        default_factory=Attributes, description="Attributes of every cell."
    )
    shared: dict[Name, SharedStage] = Field(
        default_factory=dict, description="Shared stages, used by cells through `uses`."
    )
    extends: list[str] = Field(
        default_factory=list,
        description="Matrix files (relative to this one) this file is laid over, in order.",
    )
    extends_root: str | None = Field(
        None, description="A folder (relative to this file) extended files may also be in."
    )
    apply_order: list[str] | None = Field(
        None,
        description="The order axis values' attributes apply in (later wins); default: the "
        "order of `axes`.",
    )
    groups: dict[Name, UserGroup] = Field(
        default_factory=dict,
        description="Bake groups of the cells a selector matches; a `default` group here "
        "makes the built-in one `all`.",
    )
    exclude: list[Selector] = Field(default_factory=list, description="Cells to drop.")
    include: list[Include] = Field(default_factory=list, description="Cells to add or extend.")
    overrides: list[Override] = Field(default_factory=list, description="Per-cell attributes.")
    cache: Cache = Field(default_factory=Cache)
    sccache: Sccache = Field(default_factory=Sccache)
    versioning: Versioning = Field(default_factory=Versioning)
    ci: CI = Field(default_factory=CI)
    run: Run = Field(default_factory=Run)
    variables: dict[ArgName, UserVariable] = Field(
        default_factory=dict,
        description="Bake variables of this matrix, read in templates as {var.NAME}.",
    )
    credentials: features.Credentials = Field(default_factory=features.Credentials)
    exports: features.Exports = Field(default_factory=features.Exports)
    exclusive: list[
        Annotated[
            list[Annotated[str, StringConstraints(pattern=r"^(args|labels|contexts)\.[^.]+$")]],
            Field(min_length=2),
        ]
    ] = Field(
        default_factory=list,
        description="Groups of attributes (args.X, labels.X, contexts.X) of which a target "
        "may set at most one, e.g. alternative install strategies.",
    )
