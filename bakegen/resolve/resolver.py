"""Stage 4, resolve: cells and shared stages → fully specified bake targets.

Each target is the merge of its attribute blocks (cascade.py) with every placeholder filled
in; the shared stages a target uses are resolved once, the first time a target needs them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, NamedTuple

from bakegen.attributes import Attribute
from bakegen.errors import KeyPath, Problem, Problems
from bakegen.matrix.model import Attributes, MatrixFile
from bakegen.matrix.selectors import Selector
from bakegen.resolve.cache_checks import unknown_reads
from bakegen.resolve.cache_refs import cache_refs
from bakegen.resolve.cascade import Layer, Merged, Origins, origin_key
from bakegen.resolve.digest_push import refuse_tags, with_digest_output
from bakegen.resolve.expand import Cell, Expansion, ValueIds
from bakegen.resolve.fill import Templates, labels, passed_through, sccache_args
from bakegen.resolve.links import dependencies
from bakegen.resolve.scope import Names
from bakegen.resolve.shared_stages import (
    SHARED_FROM_AXES,
    defaults_block,
    inherited_blocks,
    shared_name,
)
from bakegen.resolve.tag_rules import Located, TagRules, mirrored
from bakegen.resolve.targets import Target
from bakegen.templating import Part, Text, literal


@dataclass(frozen=True)
class Resolved:
    """Every target of the matrix (cells in cell order, then shared stages), and warnings."""

    cells: tuple[Target, ...]
    shared: tuple[Target, ...]
    warnings: tuple[Problem, ...]


class Draft(NamedTuple):
    """What a target is made of before its attributes are filled in (a named tuple: one is
    made for every target and dropped at once)."""

    name: str
    kind: Literal["cell", "shared"]
    values: tuple[tuple[str, str], ...]
    layers: tuple[Layer, ...]
    merged: Merged
    scope: dict[str, Part]
    contexts: dict[str, Text]
    depends: tuple[str, ...]
    tags: tuple[Located, ...]  # templates with where each was written
    latest: tuple[Located, ...]
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
        # (stage, the values of its axes) → its target's name: many targets share one.
        self.shared_names: dict[tuple[str, tuple[tuple[str, str], ...]], str] = {}
        self.layers: dict[tuple[KeyPath, tuple[str, ...] | None], Layer] = {}
        self.axis_layers: dict[tuple[str, str], Layer | None] = {}
        self.defaults_layer = self.layer(model.defaults, ("defaults",))
        self.origins_set: dict[
            tuple[tuple[Located, ...], tuple[Located, ...], bool], tuple[tuple[str, KeyPath], ...]
        ] = {}
        self.tuples: dict[tuple[tuple[str, KeyPath], ...], tuple[tuple[str, KeyPath], ...]] = {}
        self.overrides = [Selector.parse(o.select) for o in model.overrides]
        self.overrides_used: set[int] = set()
        # The overrides each axis value meets (a bit per override): a cell, which has a value
        # of every axis, gets those all its values meet, found once per such set.
        self.overrides_met: dict[tuple[str, str], int] = {}
        self.override_layers: dict[int, tuple[Layer, ...]] = {}
        # Exact only when every axis a selector names is an axis of the matrix (validation
        # sees to that; otherwise each selector is asked about each cell).
        named = {axis for s in self.overrides for axis, _ in s.patterns}
        self.overrides_by_value = named <= set(model.axes)
        # Axis values apply in `apply_order` (the rest in the order of `axes`).
        order = [a for a in model.apply_order or () if a in model.axes]
        self.apply_order = (*order, *(a for a in model.axes if a not in order))
        firsts = {name: next(iter(axis.values)) for name, axis in model.axes.items()}
        self.tag_rules = TagRules(model.image.tag_rules, firsts)
        # The image's labels come first, so any block can change or (with null) remove one.
        labels = tuple((k, (v, ("image", "labels", k))) for k, v in model.image.labels.items())
        self.image_labels = Layer(replaced=(), by_key=(("labels", labels),))
        image = model.image
        self.image_tags: tuple[Located, ...] = tuple(
            (t, ("image", "tags", i)) for i, t in enumerate(image.tags)
        )
        self.image_latest: tuple[Located, ...] = tuple(
            (t, ("image", "latest", i)) for i, t in enumerate(image.latest)
        )

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

    def shared_tuple(self, items: list[tuple[str, KeyPath]]) -> tuple[tuple[str, KeyPath], ...]:
        """The items as a tuple, one tuple shared by every target with the same items."""
        key = tuple(items)
        return self.tuples.setdefault(key, key)

    def set_origins(
        self, tags: tuple[Located, ...], latest: tuple[Located, ...], cached: bool
    ) -> tuple[tuple[str, KeyPath], ...]:
        """Origins of the tags, moving aliases and cache refs, once per distinct list: most
        targets have the image's tags only."""
        key = (tags, latest, cached)
        known = self.origins_set.get(key)
        if known is not None:
            return known
        out: list[tuple[str, KeyPath]] = [("cache", ("cache",))] if cached else []
        mirrors = self.model.image.mirrors
        for name, kind in (("tags", tags), ("latest", latest)):
            out += [(origin_key(name, str(i)), where) for i, (_, where) in enumerate(kind)]
            if mirrors:  # the copies under each mirror come after
                copies = range(len(kind), len(kind) * (len(mirrors) + 1))
                out += [(f"{name}.{i}", ("image", "mirrors")) for i in copies]
        self.origins_set[key] = tuple(out)
        return self.origins_set[key]

    def axis_layer(self, axis: str, value: str) -> Layer | None:
        """The layer of an axis value's block (None for a value without one), once a run."""
        pair = (axis, value)
        if pair not in self.axis_layers:
            attrs = self.model.axes[axis].values.get(value)
            where = ("axes", axis, "values", value)
            self.axis_layers[pair] = None if attrs is None else self.layer(attrs, where)
        return self.axis_layers[pair]

    def cell_layers(self, cell: Cell) -> list[Layer]:
        model = self.model
        layers = [self.image_labels, self.defaults_layer]
        values = dict(cell.values)
        known_layers = self.axis_layers
        for axis in self.apply_order:
            pair = (axis, values[axis])
            # Looked up here first: this runs for every axis of every cell.
            layer = known_layers[pair] if pair in known_layers else self.axis_layer(*pair)
            if layer is not None:
                layers.append(layer)
        layers += [self.layer(model.include[i], ("include", i)) for i in cell.includes]
        if not self.overrides_by_value:
            for i, selector in enumerate(self.overrides):
                if selector(values):
                    self.overrides_used.add(i)
                    layers.append(self.layer(model.overrides[i], ("overrides", i)))
        elif self.overrides:
            met = (1 << len(self.overrides)) - 1
            for pair in cell.values:
                known = self.overrides_met.get(pair)
                met &= self._overrides_met(pair) if known is None else known
            chosen = self.override_layers.get(met)
            layers += self._override_layers(met) if chosen is None else chosen
        return layers

    def _overrides_met(self, pair: tuple[str, str]) -> int:
        axis, value = pair
        met = sum(1 << i for i, s in enumerate(self.overrides) if s.accepts(axis, value))
        self.overrides_met[pair] = met
        return met

    def _override_layers(self, met: int) -> tuple[Layer, ...]:
        chosen = [i for i in range(len(self.overrides)) if met >> i & 1]
        self.overrides_used.update(chosen)
        layers = tuple(self.layer(self.model.overrides[i], ("overrides", i)) for i in chosen)
        self.override_layers[met] = layers
        return layers

    def resolve_cell(self, cell: Cell) -> Target:
        layers = tuple(self.cell_layers(cell))
        merged = Merged(layers)
        scope = self.names.scope(cell.values, cell.name)
        contexts, depends = dependencies(self, merged, cell.values, scope, cell)
        tags, latest = self.image_tags, self.image_latest
        if self.tag_rules.rules:
            added, added_latest = self.tag_rules.tags(dict(cell.values))
            tags, latest = (*tags, *added), (*latest, *added_latest)
        if "tags" in merged.scalars:
            extra, where = merged.scalars["tags"]
            tags = (*tags, *((t, (*where, i)) for i, t in enumerate(extra)))
        draft = Draft(
            name=cell.name,
            kind="cell",
            values=cell.values,
            layers=layers,
            merged=merged,
            scope=scope,
            contexts=contexts,
            depends=tuple(depends),
            tags=tags,
            latest=latest,
            description=" ".join([v for _, v in cell.values]),
            origin=cell.origin,
        )
        return build(self, draft)

    def shared_target(
        self, stage: str, values: tuple[tuple[str, str], ...], where: KeyPath
    ) -> str | None:
        """The name of the shared stage's target for these values, made on first use."""
        axes = self.model.shared[stage].axes
        key = (stage, tuple([p for p in values if p[0] in axes]))
        known = self.shared_names.get(key)
        if known is not None:
            return known
        name = self._shared_target(stage, dict(values), where)
        if name is not None:
            self.shared_names[key] = name
        return name

    def _shared_target(self, stage: str, values: dict[str, str], where: KeyPath) -> str | None:
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
        name = shared_name(self.model, self.ids, stage, own)
        if name not in self.shared:
            self.shared[name] = self.make_shared(stage, own, name)
        return name

    def make_shared(self, stage: str, own: tuple[tuple[str, str], ...], name: str) -> Target:
        spec = self.model.shared[stage]
        layers = [self.layer(*defaults_block(self.model, spec))]
        values = dict(own)
        for axis in self.apply_order:
            attrs = self.model.axes[axis].values.get(values.get(axis, ""))
            if axis in values and attrs is not None:
                where = ("axes", axis, "values", values[axis])
                layers.append(self.layer(attrs, where, SHARED_FROM_AXES))
        layers += [self.layer(*block) for block in inherited_blocks(self.model, spec, values)]
        layers.append(self.layer(spec, ("shared", stage)))
        merged = Merged(layers)
        scope = self.names.scope(own, name)
        contexts, depends = dependencies(self, merged, own, scope, None)
        draft = Draft(
            name=name,
            kind="shared",
            values=own,
            layers=tuple(layers),
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
    # Origins of values no block set (the origins of values set here whatever the blocks
    # said, tags and cache refs, come from `set_origins`).
    missing: list[tuple[str, KeyPath]] = []
    args = {k: templates.text(v, scope, w) for k, (v, w) in merged.maps["args"].items()}
    secrets = list(merged.get("secrets", []))
    if merged.get("sccache", False):
        extra_args = sccache_args(model.sccache)
        args.update(extra_args)
        secrets += [s for s in model.sccache.secrets if s not in secrets]
        where_sccache = merged.scalars["sccache"][1]
        missing += [(f"args.{name}", where_sccache) for name in extra_args]
        missing.append(("secrets", where_sccache))
    target_labels = labels(templates, model.image, draft.kind == "cell", merged, scope, missing)
    description = literal(draft.description)
    if "description" in merged.scalars:
        template, where = merged.scalars["description"]
        description = templates.text(template, scope, where)
    mirrors = model.image.mirrors
    tags = mirrored(tuple(templates.tag(t, scope, w) for t, w in draft.tags), mirrors)
    cache = cache_refs(model, templates, merged, scope, draft.name, tags)
    extra = tuple(passed_through(templates, merged, scope))
    by_digest = model.image.push_by_digest and draft.kind == "cell"
    if by_digest:
        refuse_tags(resolver.problems, [*draft.tags, *draft.latest])
        extra = with_digest_output(extra)
        if "output" not in merged.scalars:  # else the cell's own outputs say where it is set
            missing.append(("output", ("image", "push_by_digest")))
    return Target(
        name=draft.name,
        kind=draft.kind,
        values=draft.values,
        description=description,
        context=templates.text(merged.get("context", "."), scope, merged.where("context") or ()),
        dockerfile=templates.text(dockerfile, scope, merged.where("dockerfile") or draft.origin),
        stage=templates.text(merged.get("stage", ""), scope, merged.where("stage") or draft.origin),
        platforms=tuple(merged.get("platforms", [])),
        args=tuple(sorted(args.items())),
        labels=tuple(sorted(target_labels.items())),
        contexts=tuple(sorted(draft.contexts.items())),
        tags=tags,
        latest_tags=mirrored(tuple(templates.tag(t, scope, w) for t, w in draft.latest), mirrors),
        secrets=tuple(secrets),
        cache=cache,
        depends_on=tuple(dict.fromkeys(draft.depends)),
        extra=extra,
        by_digest=by_digest,
        optional_args=tuple(merged.get("optional_args", ())),
        origins=Origins(
            draft.layers,
            resolver.shared_tuple(missing),
            resolver.set_origins(draft.tags, draft.latest, bool(cache.choices)),
        ),
    )


def resolve(model: MatrixFile, ids: ValueIds, expansion: Expansion) -> Resolved:
    """Resolve every cell and the shared stages they use; raises with every problem found."""
    resolver = Resolver(model, ids, expansion)
    cells = tuple(resolver.resolve_cell(c) for c in expansion.cells)
    unknown_reads((*cells, *resolver.shared.values()), resolver.problems)
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
