"""The matrix document: one image (`image`, `axes`, …) or several under `images`, each with
its own axes and attribute blocks and sharing the rest of the file (registries, labels,
variables, cache, sccache, versioning)."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from bakegen.matrix.model import (
    CI,
    Attributes,
    Axis,
    Image,
    Include,
    MatrixFile,
    Name,
    Override,
    Selector,
    SharedStage,
    Strict,
)
from bakegen.matrix.model_features import Run, UserGroup

# Keys an image of `images` may set; everything else belongs to the whole file.
IMAGE_KEYS = (
    "image",
    "axes",
    "name",
    "defaults",
    "shared",
    "exclude",
    "include",
    "overrides",
    "groups",
    "apply_order",
    "ci",
    "run",
)


class ImagePart(Strict):
    """One image of a file with several: laid over the rest of the file (mappings merge key by
    key, other values replace), then compiled like a file of its own."""

    image: Image = Field(description="Its name, tags and labels (over the file's `image`).")
    axes: dict[Name, Axis] = Field(description="Its axes.", min_length=1)
    name: str | None = Field(
        None, description="Target name template; default: `<image key>-` and the axis ids."
    )
    defaults: Attributes = Field(default_factory=Attributes)
    shared: dict[Name, SharedStage] = Field(default_factory=dict)
    exclude: list[Selector] = Field(default_factory=list)
    include: list[Include] = Field(default_factory=list)
    overrides: list[Override] = Field(default_factory=list)
    groups: dict[Name, UserGroup] = Field(default_factory=dict)
    apply_order: list[str] | None = None
    ci: CI | None = None
    run: Run | None = None


# Top-level keys that start with this are extensions, ignored (Docker Compose's convention):
# a place for YAML anchors that are not themselves values of the matrix.
EXTENSION_PREFIX = "x-"


class MatrixDocument(MatrixFile):
    """A bakegen build matrix: one image, or several under `images`."""

    model_config = ConfigDict(
        json_schema_extra={
            "patternProperties": {
                f"^{EXTENSION_PREFIX}": {
                    "description": "An extension, ignored: a place to define YAML anchors."
                }
            }
        }
    )

    image: Image = Field(
        default_factory=Image, description="The image (or what every image shares)."
    )
    axes: dict[Name, Axis] = Field(
        default_factory=dict, description="Axes in order; cells are their product.", min_length=1
    )
    images: dict[Name, ImagePart] = Field(
        default_factory=dict,
        description="Several images in one file, each compiled on its own and written to "
        "one bake file with a group per image.",
    )
