"""Stage 4, resolve: cells and shared stages → fully specified bake targets.

Each target is the merge of its attribute blocks (cascade.py) with every placeholder filled
in; the shared stages a target uses are resolved once, the first time a target needs them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, assert_never

from bakegen.attributes import MERGED, PASSED_THROUGH, Attribute, Kind
from bakegen.cascade import Layer, Merged
from bakegen.errors import KeyPath, Problem, Problems, TemplateError
from bakegen.expand import Cell, Expansion, ValueIds
from bakegen.links import dependencies
from bakegen.model import Attributes, MatrixFile
from bakegen.scope import COMMIT_SHA, VERSION, Names
from bakegen.selectors import Selector
from bakegen.tags import image_tag, tag_problem
from bakegen.targets import Target
from bakegen.templating import Part, Text, Var, expand, join, literal

CACHE_IMAGE, CACHE_SCOPE = Var("CACHE_IMAGE"), Var("CACHE_SCOPE")
SCCACHE_ARGS = ("USE_SCCACHE", "SCCACHE_BUCKET", "SCCACHE_REGION")
# What a shared stage takes from `defaults` and from the values of the axes it varies by.
SHARED_FROM_DEFAULTS = tuple(a for a in MERGED if a.shared_from_defaults)
SHARED_FROM_AXES = tuple(a for a in MERGED if a.shared_from_axes)
BUILTIN_LABELS = {
    "org.opencontainers.image.revision": COMMIT_SHA,
    "org.opencontainers.image.version": VERSION,
}


@dataclass(frozen=True)
class Resolved:
    """Every target of the matrix (cells in cell order, then shared stages), and warnings."""

    cells: tuple[Target, ...]
    shared: tuple[Target, ...]
    warnings: tuple[Problem, ...]


class Templates:
    """Fills in placeholders, recording each malformed template once."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems

    def text(self, template: str, scope: dict[str, Part], where: KeyPath) -> Text:
        text = self.try_text(template, scope, where)
        # An empty result is a result: only a malformed template keeps its own text.
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
        problem = tag_problem(text)
        if problem:
            self.problems.add(where, problem[0], problem[1], kind="tag")
        return image_tag(text)


@dataclass(frozen=True, kw_only=True)
class Draft:
    """What a target is made of before its attributes are filled in."""

    name: str
    kind: Literal["cell", "shared"]
    values: tuple[tuple[str, str], ...]
    merged: Merged
    scope: dict[str, Part]
    contexts: dict[str, Text]
    depends: tuple[str, ...]
    tags: tuple[tuple[str, KeyPath], ...]  # templates with where each was written
    latest: tuple[tuple[str, KeyPath], ...]
    description: str
    origin: KeyPath


class Resolver:
    """The state of one resolution: problems, layers computed once, shared stages made once."""

    def __init__(self, model: MatrixFile, ids: ValueIds, expansion: Expansion) -> None:
        self.model = model
        self.ids = ids
        self.names = Names.of(model, ids)
        self.by_values = {c.values: c for c in expansion.cells}
        self.problems = Problems()
        self.templates = Templates(self.problems)
        self.shared: dict[str, Target] = {}
        self.layers: dict[tuple[KeyPath, tuple[str, ...] | None], Layer] = {}
        self.overrides = [Selector.parse(o.select) for o in model.overrides]
        self.overrides_used: set[int] = set()
        # The image's labels come first, so any block can change or (with null) remove one.
        labels = tuple((k, v, ("image", "labels", k)) for k, v in model.image.labels.items())
        self.image_labels = Layer(replaced=(), by_key=(("labels", labels),))

    def layer(
        self, block: Attributes, path: KeyPath, rows: tuple[Attribute, ...] | None = None
    ) -> Layer:
        """A block's layer, computed once per run (its key path names it uniquely)."""
        key = (path, None if rows is None else tuple(r.name for r in rows))
        if key not in self.layers:
            self.layers[key] = (
                Layer.of(block, path) if rows is None else Layer.of(block, path, rows)
            )
        return self.layers[key]

    def cell_layers(self, cell: Cell) -> list[Layer]:
        model = self.model
        layers = [self.image_labels, self.layer(model.defaults, ("defaults",))]
        for axis, value in cell.values:
            attrs = model.axes[axis].values.get(value)
            if attrs is not None:
                layers.append(self.layer(attrs, ("axes", axis, "values", value)))
        layers += [self.layer(model.include[i], ("include", i)) for i in cell.includes]
        values = dict(cell.values)
        for i, selector in enumerate(self.overrides):
            if selector(values):
                self.overrides_used.add(i)
                layers.append(self.layer(model.overrides[i], ("overrides", i)))
        return layers

    def resolve_cell(self, cell: Cell) -> Target:
        merged = Merged(self.cell_layers(cell))
        scope = self.names.scope(cell.values, cell.name)
        contexts, depends = dependencies(self, merged, cell.values, scope, cell)
        image = self.model.image
        tags: list[tuple[str, KeyPath]] = [
            (t, ("image", "tags", i)) for i, t in enumerate(image.tags)
        ]
        extra, where = merged.scalars.get("tags", ([], ()))
        tags += [(t, (*where, i)) for i, t in enumerate(extra)]
        draft = Draft(
            name=cell.name,
            kind="cell",
            values=cell.values,
            merged=merged,
            scope=scope,
            contexts=contexts,
            depends=tuple(depends),
            tags=tuple(tags),
            latest=tuple((t, ("image", "latest", i)) for i, t in enumerate(image.latest)),
            description=" ".join(v for _, v in cell.values),
            origin=cell.origin,
        )
        return build(self, draft)

    def shared_target(self, stage: str, values: dict[str, str], where: KeyPath) -> str | None:
        """The name of the shared stage's target for these values, made on first use."""
        spec = self.model.shared[stage]
        missing = [a for a in spec.axes if a not in values]
        if missing:
            self.problems.add(
                where,
                f"shared stage {stage!r} varies by {', '.join(missing)}, which "
                "this target does not have",
            )
            return None
        own = tuple((a, values[a]) for a in self.model.axes if a in spec.axes)
        name = "-".join([stage, *(self.ids[a][v] for a, v in own)])
        if name not in self.shared:
            self.shared[name] = self.make_shared(stage, own, name)
        return name

    def make_shared(self, stage: str, own: tuple[tuple[str, str], ...], name: str) -> Target:
        layers = [self.layer(self.model.defaults, ("defaults",), SHARED_FROM_DEFAULTS)]
        for axis, value in own:
            attrs = self.model.axes[axis].values.get(value)
            if attrs is not None:
                layers.append(self.layer(attrs, ("axes", axis, "values", value), SHARED_FROM_AXES))
        layers.append(self.layer(self.model.shared[stage], ("shared", stage)))
        merged = Merged(layers)
        scope = self.names.scope(own, name)
        contexts, depends = dependencies(self, merged, own, scope, None)
        draft = Draft(
            name=name,
            kind="shared",
            values=own,
            merged=merged,
            scope=scope,
            contexts=contexts,
            depends=tuple(depends),
            tags=(),
            latest=(),
            description=f"shared stage {stage}" + "".join(f" {v}" for _, v in own),
            origin=("shared", stage),
        )
        return build(self, draft)


def build(resolver: Resolver, draft: Draft) -> Target:
    """Fill in every attribute of a drafted target."""
    merged, scope, templates = draft.merged, draft.scope, resolver.templates
    model = resolver.model
    dockerfile = merged.get("dockerfile")
    if dockerfile is None:
        resolver.problems.add(
            draft.origin,
            f"target {draft.name!r} has no dockerfile",
            "set 'dockerfile' in defaults, on an axis value or in an override",
            kind="dockerfile",
        )
        dockerfile = "Dockerfile"
    origins = merged.origins()
    args = {k: templates.text(v, scope, w) for k, (v, w) in merged.maps["args"].items()}
    secrets = list(merged.get("secrets", []))
    if merged.get("sccache", False):
        args.update({name: (Var(name),) for name in SCCACHE_ARGS})
        secrets += [s for s in model.sccache.secrets if s not in secrets]
        for name in SCCACHE_ARGS:
            origins.setdefault(f"args.{name}", origins["sccache"])
        origins.setdefault("secrets", origins["sccache"])
    labels = _labels(resolver, draft)
    description = literal(draft.description)
    if "description" in merged.scalars:
        template, where = merged.scalars["description"]
        description = templates.text(template, scope, where)
    cache_from, cache_to = _cache(model, draft.name)
    if cache_from:
        origins["cache"] = ("cache",)
    for key, kind in (("tags", draft.tags), ("latest", draft.latest)):
        origins.update({f"{key}.{i}": where for i, (_, where) in enumerate(kind)})
    return Target(
        name=draft.name,
        kind=draft.kind,
        values=draft.values,
        description=description,
        context=templates.text(merged.get("context", "."), scope, origins.get("context", ())),
        dockerfile=templates.text(dockerfile, scope, origins.get("dockerfile", draft.origin)),
        stage=templates.text(merged.get("stage", ""), scope, origins.get("stage", draft.origin)),
        platforms=tuple(merged.get("platforms", [])),
        args=tuple(sorted(args.items())),
        labels=tuple(sorted(labels.items())),
        contexts=tuple(sorted(draft.contexts.items())),
        tags=tuple(templates.tag(t, scope, w) for t, w in draft.tags),
        latest_tags=tuple(templates.tag(t, scope, w) for t, w in draft.latest),
        secrets=tuple(secrets),
        cache_from=cache_from,
        cache_to=cache_to,
        depends_on=tuple(dict.fromkeys(draft.depends)),
        extra=tuple(_passed_through(templates, merged, scope)),
        origins=origins,
    )


def _labels(resolver: Resolver, draft: Draft) -> dict[str, Text]:
    labels: dict[str, Text] = {key: (var,) for key, var in BUILTIN_LABELS.items()}
    for key, (value, where) in draft.merged.maps["labels"].items():
        labels[key] = resolver.templates.text(value, draft.scope, where)
    return labels


def _cache(model: MatrixFile, name: str) -> tuple[tuple[Text, ...], tuple[Text, ...]]:
    cache = model.cache
    if not cache.enabled:
        return (), ()
    ref = join("type=registry,ref=", (CACHE_IMAGE,), f":{name}-")
    cache_from = [join(ref, (CACHE_SCOPE,)), *(join(ref, fb) for fb in cache.fallback)]
    return tuple(cache_from), (join(ref, (CACHE_SCOPE,), f",mode={cache.mode}"),)


def _passed_through(
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


def resolve(model: MatrixFile, ids: ValueIds, expansion: Expansion) -> Resolved:
    """Resolve every cell and the shared stages they use; raises with every problem found."""
    resolver = Resolver(model, ids, expansion)
    cells = tuple(resolver.resolve_cell(c) for c in expansion.cells)
    resolver.problems.raise_if_any()
    unused = [
        Problem(path=("overrides", i, "select"), message="this override matches no cell")
        for i in range(len(model.overrides))
        if i not in resolver.overrides_used
    ]
    return Resolved(
        cells=cells,
        shared=tuple(resolver.shared.values()),
        warnings=(*expansion.warnings, *unused),
    )
