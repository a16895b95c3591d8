"""Filling in a target's attributes: placeholders (each malformed template reported once),
labels, sccache args and the attributes bake takes as written."""

from __future__ import annotations

from typing import Any, assert_never

from bakegen.attributes import PASSED_THROUGH, Kind
from bakegen.errors import KeyPath, Problems, TemplateError
from bakegen.matrix.model import Image, Sccache
from bakegen.matrix.tags import image_tag, plain_reference, tag_problem
from bakegen.resolve.cascade import Merged
from bakegen.resolve.dates import BUILD_TIME, CREATED_LABEL
from bakegen.resolve.scope import COMMIT_SHA, VERSION
from bakegen.resolve.tag_rules import is_reference_variable
from bakegen.templating import LITERALS, Part, Text, Var, expand, literal

# The bake variables behind sccache's settings; the build args they reach the Dockerfile
# under are configurable (sccache.args).
SCCACHE_VARIABLES = ("USE_SCCACHE", "SCCACHE_BUCKET", "SCCACHE_REGION")
BUILTIN_LABELS = {
    "org.opencontainers.image.revision": COMMIT_SHA,
    "org.opencontainers.image.version": VERSION,
}

_BUILTIN_TEXTS: dict[str, Text] = {key: (var,) for key, var in BUILTIN_LABELS.items()}


class Templates:
    """Fills in placeholders, recording each malformed template once."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems
        # Whether each tag template is a variable holding a whole reference (asked per tag).
        self._references: dict[str, bool] = {}

    def text(self, template: str, scope: dict[str, Part], where: KeyPath) -> Text:
        known = LITERALS.get(template)  # most templates: answered without a call
        if known is not None:
            return known
        text = self.try_text(template, scope, where)
        # Only a malformed template keeps its own text (an empty result is a result).
        return literal(template) if text is None else text

    def try_text(self, template: str, scope: dict[str, Part], where: KeyPath) -> Text | None:
        try:
            return expand(template, scope)
        except TemplateError as exc:
            self.problems.add(where, exc.message, exc.hint, kind="template")
            return None

    def tag(self, template: str, scope: dict[str, Part], where: KeyPath) -> Text:
        text = self.try_text(template, scope, where)
        if text is None:
            return literal(template)
        reference_variable = self._references.get(template)
        if reference_variable is None:
            reference_variable = self._references[template] = is_reference_variable(template)
        if reference_variable and len(text) == 1 and isinstance(text[0], Var):
            return text  # the variable holds a whole reference, registry and all
        reference = plain_reference(text)
        if reference is not None:
            return reference
        problem = tag_problem(text)
        if problem:
            self.problems.add(where, problem[0], problem[1], kind="tag")
        return image_tag(text)


def sccache_args(sccache: Sccache) -> dict[str, Text]:
    names = sccache.args
    arg_names = (names.use, names.bucket, names.region)
    return {arg: (Var(var),) for arg, var in zip(arg_names, SCCACHE_VARIABLES, strict=True)}


def labels(
    templates: Templates,
    image: Image,
    cell: bool,
    merged: Merged,
    scope: dict[str, Part],
    missing: list[tuple[str, KeyPath]],
) -> dict[str, Text]:
    """The built-in OCI labels (unless the image switches them off, for cells and shared
    stages alike) and the created label (cells only), then the merged `labels` attribute
    (which starts with the image's). The created label's origin, unless a block sets it, is
    added to `missing`."""
    out: dict[str, Text] = {}
    if image.oci_labels:
        out.update(_BUILTIN_TEXTS)
    if cell and image.created:
        out[CREATED_LABEL] = (BUILD_TIME,)
        missing.append((f"labels.{CREATED_LABEL}", ("image", "created")))
    for key, (value, where) in merged.maps["labels"].items():
        out[key] = templates.text(value, scope, where)
    return out


def passed_through(
    templates: Templates, merged: Merged, scope: dict[str, Part]
) -> list[tuple[str, Any]]:
    """Attributes bake takes as written, with their placeholders filled in."""
    out: list[tuple[str, Any]] = []
    for row in PASSED_THROUGH:
        assert row.bake_key is not None
        if row.name in merged.maps:
            entries = merged.maps[row.name]
            value: Any = tuple(
                (k, templates.text(v, scope, w)) for k, (v, w) in sorted(entries.items())
            )
        elif row.name in merged.scalars:
            raw, where = merged.scalars[row.name]
            match row.kind:
                case Kind.TEXT:
                    value = templates.text(raw, scope, where)
                case Kind.TEXT_LIST:
                    value = tuple(templates.text(v, scope, (*where, i)) for i, v in enumerate(raw))
                case Kind.NAMES:
                    value = tuple(raw)
                case Kind.FLAG:
                    value = bool(raw)
                case Kind.TEXT_MAP | Kind.OTHER:
                    raise AssertionError(f"{row.name}: a {row.kind} is not passed through")
                case _:
                    assert_never(row.kind)
        else:
            continue
        out.append((row.bake_key, value))
    return out
