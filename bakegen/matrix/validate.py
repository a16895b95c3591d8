"""Stage 2, validate: raw YAML → checked MatrixFile, or a MatrixError listing every problem."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

import pydantic

from bakegen.errors import KeyPath, MatrixError, Problem
from bakegen.load.extends import load_layers
from bakegen.load.images import image_parts, problems_in_file
from bakegen.load.nfc import normalise
from bakegen.load.source import Source, load_text
from bakegen.matrix.credentials import CredentialRule, credential_reads, secret_hint
from bakegen.matrix.model import Attributes, MatrixFile
from bakegen.matrix.model_images import EXTENSION_PREFIX, MatrixDocument
from bakegen.matrix.names import (
    reserved_axis,
    reserved_value_id,
    reserved_variable,
    suggest,
    value_id,
)
from bakegen.matrix.references import feature_problems
from bakegen.matrix.schema import schema_problems
from bakegen.matrix.selectors import RawSelector, Selector, is_glob


@dataclass(frozen=True)
class Matrix:
    """A validated matrix and the source it came from (for locating later problems); for a
    file with several images, the model of the first and each image's own matrix."""

    model: MatrixFile
    source: Source
    warnings: tuple[Problem, ...] = ()
    images: tuple[tuple[str, Matrix], ...] = ()

    @cached_property
    def ids(self) -> dict[str, dict[str, str]]:
        """Axis → value → the value's id in target and group names."""
        out: dict[str, dict[str, str]] = {}
        for axis, spec in self.model.axes.items():
            out[axis] = {
                value: attrs.id
                if attrs is not None and attrs.id is not None
                else value_id(spec.id, value)
                for value, attrs in spec.values.items()
            }
        return out


def attribute_blocks(model: MatrixFile) -> Iterator[tuple[KeyPath, Attributes]]:
    """Every block of target attributes in the file, with its key path."""
    yield ("defaults",), model.defaults
    for axis_name, axis in model.axes.items():
        for value, attrs in axis.values.items():
            if attrs is not None:
                yield ("axes", axis_name, "values", value), attrs
    for i, inc in enumerate(model.include):
        yield ("include", i), inc
    for i, ovr in enumerate(model.overrides):
        yield ("overrides", i), ovr
    for name, stage in model.shared.items():
        yield ("shared", name), stage


class _Checker:
    def __init__(self, model: MatrixFile, source: Source) -> None:
        self.model = model
        self.source = source
        self.problems: list[Problem] = []

    def add(self, path: KeyPath, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(path=path, message=message, hint=hint))

    def run(self) -> None:
        self.check_axes()
        for i, sel in enumerate(self.model.exclude):
            self.check_selector(("exclude", i), sel)
        for i, inc in enumerate(self.model.include):
            self.check_selector(("include", i, "cell"), inc.cell)
        for i, ovr in enumerate(self.model.overrides):
            self.check_selector(("overrides", i, "select"), ovr.select)
        self.check_selector(("run", "defaults"), dict(self.model.run.defaults))
        for path, block in attribute_blocks(self.model):
            self.check_block(path, block)
        self.check_shared()
        self.check_variables()
        manifest = self.model.ci.manifest
        if manifest is not None and manifest.axis not in self.model.axes:
            self.add(
                ("ci", "manifest", "axis"),
                f"unknown axis {manifest.axis!r}",
                suggest(manifest.axis, list(self.model.axes)),
            )
        self.problems.extend(feature_problems(self.model))

    def check_variables(self) -> None:
        for name, spec in self.model.variables.items():
            where = ("variables", name)
            why = reserved_variable(name)
            if why:
                self.add(where, why, "choose another name")
            if spec.choices is not None and spec.default not in spec.choices:
                self.add(
                    (*where, "default"),
                    f"the default {spec.default!r} is not one of its choices",
                    f"choices: {', '.join(spec.choices)}",
                )
            if spec.default in spec.reject:
                self.add(
                    (*where, "default"),
                    f"the default {spec.default!r} is one of the values it rejects",
                    "every bake would fail its validation",
                )
        self.check_credentials()

    def check_credentials(self) -> None:
        """The one credential rule: no credential-named bake variable, and no template that
        reads one (an attribute, a tag, an output, a command line: each would copy it)."""
        rule = CredentialRule.of(self.model.credentials)
        for name in self.model.variables:
            if rule(name):
                self.add(
                    ("variables", name),
                    f"{name} is named like a credential: as a bake variable its value would "
                    "be read from the environment into the bake file's values",
                    secret_hint(name),
                )
        for path, name in credential_reads(self.source.data, rule):
            self.add(
                path,
                f"{{var.{name}}} would copy a credential into a value bakegen writes "
                "(bake file, image, tag or command line)",
                secret_hint(name),
            )

    def check_axes(self) -> None:
        matrix = Matrix(self.model, self.source)
        owners: dict[str, str] = {}
        for axis_name, axis in self.model.axes.items():
            if reserved_axis(axis_name):
                self.add(("axes", axis_name), str(reserved_axis(axis_name)), "rename the axis")
            if "{value}" not in axis.id:
                self.add(("axes", axis_name, "id"), "must contain {value}", None)
            seen: dict[str, str] = {}
            for value, vid in matrix.ids[axis_name].items():
                where = ("axes", axis_name, "values", value)
                why = reserved_value_id(vid) if vid else None
                if why:
                    self.add(where, f"the id {vid!r} is reserved: {why}", "set another 'id'")
                if vid and vid not in seen and owners.get(vid, axis_name) != axis_name:
                    self.add(
                        where,
                        f"the id {vid!r} is already the id of a value of axis "
                        f"{owners[vid]!r}: both would name the group {vid!r}",
                        "set a distinct 'id' on one of them",
                    )
                owners.setdefault(vid, axis_name)
                if not vid:
                    self.add(("axes", axis_name, "values", value), "gives an empty id")
                elif vid in seen:
                    self.add(
                        ("axes", axis_name, "values", value),
                        f"value {value!r} has the id {vid!r}, already the id of {seen[vid]!r}",
                        "set a distinct 'id' on one of them",
                    )
                seen[vid] = value

    def check_selector(self, path: KeyPath, selector: RawSelector) -> None:
        axes = {name: list(axis.values) for name, axis in self.model.axes.items()}
        self.problems.extend(Selector.parse(selector).problems(path, axes))

    def check_block(self, path: KeyPath, block: Attributes) -> None:
        for ctx, stage in block.uses.items():
            if stage is not None and stage not in self.model.shared:
                self.add(
                    (*path, "uses", ctx),
                    f"no shared stage named {stage!r}",
                    suggest(stage, list(self.model.shared)) or "declare it under 'shared'",
                )
        for ctx, link in block.links.items():
            self.check_selector((*path, "links", ctx), dict(link))
            for axis_name, value in link.items():
                if is_glob(value):
                    self.add((*path, "links", ctx, axis_name), "a link names one cell: no globs")
        for name in block.contexts:
            if name in block.uses or name in block.links:
                self.add((*path, "contexts", name), f"context {name!r} is given twice")

    def check_shared(self) -> None:
        shared = self.model.shared
        for name, stage in shared.items():
            why = reserved_value_id(name)
            if why:
                self.add(("shared", name), f"the name {name!r} is reserved: {why}", "rename it")
            for i, axis_name in enumerate(stage.axes):
                if axis_name not in self.model.axes:
                    self.add(
                        ("shared", name, "axes", i),
                        f"unknown axis {axis_name!r}",
                        suggest(axis_name, list(self.model.axes)),
                    )
            inherited = self.model.defaults.dockerfile if "defaults" in stage.inherit else None
            if (stage.dockerfile or inherited) is None or stage.stage is None:
                self.add(("shared", name), "a shared stage needs 'dockerfile' and 'stage'")
            if stage.tags is not None:
                self.add(
                    ("shared", name, "tags"),
                    "a shared stage gets no tags: bake builds it only as a context of the "
                    "targets that use it",
                    "remove 'tags'",
                )
            for ctx, dep in stage.uses.items():
                if dep in shared and not set(shared[dep].axes) <= set(stage.axes):
                    extra = sorted(set(shared[dep].axes) - set(stage.axes))
                    self.add(
                        ("shared", name, "uses", ctx),
                        f"uses {dep!r}, which varies by {', '.join(extra)} but {name!r} does not",
                        f"add {', '.join(extra)} to shared.{name}.axes",
                    )
        self.check_cycles()

    def check_cycles(self) -> None:
        shared = self.model.shared
        state: dict[str, int] = {}

        def visit(name: str, trail: list[str]) -> None:
            state[name] = 1
            for ctx, dep in shared[name].uses.items():
                if dep not in shared:
                    continue
                if state.get(dep) == 1:
                    cycle = [*trail[trail.index(dep) :], dep] if dep in trail else [name, dep]
                    self.add(
                        ("shared", name, "uses", ctx),
                        f"shared stages form a cycle: {' -> '.join(cycle)}",
                    )
                elif state.get(dep) is None:
                    visit(dep, [*trail, dep])
            state[name] = 2

        for name in shared:
            if name not in state:
                visit(name, [name])


def _pydantic_problems(source: Source, exc: pydantic.ValidationError) -> list[Problem]:
    out = []
    for err in exc.errors():
        path = tuple(p for p in err["loc"] if isinstance(p, (str, int)))
        out.append(source.problem(path, err["msg"]))
    return out


def _in_nfc(source: Source) -> tuple[Source, tuple[Problem, ...]]:
    """The source with its text in NFC (as buildx reads it), and a warning per change."""
    normal = normalise(source.data)
    if normal.problems:
        raise MatrixError(normal.problems).located(source.locate)
    positions = dict(source.positions)
    for new, old in normal.renamed.items():
        for path, place in source.positions.items():
            if path[: len(old)] == old:
                positions[(*new, *path[len(old) :])] = place
    located = tuple(replace(w, location=source.locate(w.path)) for w in normal.warnings)
    return replace(source, data=normal.data, positions=positions), located


def _without_extensions(source: Source) -> Source:
    """The source without its top-level `x-` keys, which are ignored (the schema allows
    them there and nowhere else)."""
    data = source.data
    if not isinstance(data, dict) or not any(
        isinstance(k, str) and k.startswith(EXTENSION_PREFIX) for k in data
    ):
        return source
    kept = {k: v for k, v in data.items() if not str(k).startswith(EXTENSION_PREFIX)}
    return replace(source, data=kept)


def validate_source(source: Source) -> Matrix:
    """Schema, then models, then cross-references; all problems are raised together."""
    source, warnings = _in_nfc(source)
    found = schema_problems(source)
    if found:
        raise MatrixError([source.problem(p, m, h) for p, m, h in found])
    source = _without_extensions(source)
    parts = image_parts(source)
    if parts:
        images: list[tuple[str, Matrix]] = []
        problems: list[Problem] = []
        for key, image in parts:
            try:
                images.append((key, validate_source(image)))
            except MatrixError as exc:
                problems += problems_in_file(exc.problems, key, image, source)
        if problems:
            raise MatrixError(problems)
        return Matrix(images[0][1].model, source, warnings, tuple(images))
    try:
        model = MatrixFile.model_validate(source.data)
    except pydantic.ValidationError as exc:
        raise MatrixError(_pydantic_problems(source, exc)) from None
    checker = _Checker(model, source)
    checker.run()
    if checker.problems:
        raise MatrixError(checker.problems).located(source.locate)
    return Matrix(model, source, warnings)


# What a file extended may hold at its top level (besides `x-` extensions).
MATRIX_KEYS = frozenset(f.alias or n for n, f in MatrixDocument.model_fields.items())


def load_matrix(path: Path) -> Matrix:
    return validate_source(load_layers(path, MATRIX_KEYS))


def load_matrix_text(text: str, display: str = "matrix.yaml") -> Matrix:
    return validate_source(load_text(text, display))
