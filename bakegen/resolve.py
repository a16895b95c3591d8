"""Stage 4, resolve: cells and shared stages → fully specified bake targets."""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any, Literal

from bakegen.checks import check_targets
from bakegen.errors import KeyPath, MatrixError, Problem, TemplateError
from bakegen.expand import Cell, Expansion, override_warnings
from bakegen.model import Settings
from bakegen.tags import tag_problem
from bakegen.targets import Resolution, Target
from bakegen.templating import Part, Text, Var, expand, join, literal, plain
from bakegen.validate import Matrix, sanitize

# Bake variables and global attributes the generated file declares.
VERSION, COMMIT_SHA, IMAGE = Var("VERSION"), Var("COMMIT_SHA"), Var("IMAGE")
CACHE_IMAGE, CACHE_SCOPE = Var("CACHE_IMAGE"), Var("CACHE_SCOPE")

_SCALARS = (
    "description",
    "dockerfile",
    "stage",
    "context",
    "platforms",
    "tags",
    "secrets",
    "sccache",
)
_MAPS = ("args", "labels", "contexts", "links", "uses")
# What a shared stage takes from the values of the axes it varies by.
_SHARED_FROM_AXES = frozenset({"args", "platforms"})


_Delta = tuple[
    dict[str, tuple[Any, KeyPath]],
    tuple[tuple[str, tuple[tuple[str, Any, KeyPath], ...]], ...],
]


def delta_of(block: Settings, path: KeyPath, only: frozenset[str] | None = None) -> _Delta:
    """What a block sets (scalars, and map entries where None removes), each with where."""
    given = block.model_fields_set
    scalars = {
        name: (getattr(block, name), (*path, name))
        for name in _SCALARS
        if (only is None or name in only) and name in given and getattr(block, name) is not None
    }
    maps = tuple(
        (name, tuple((k, v, (*path, name, k)) for k, v in getattr(block, name).items()))
        for name in _MAPS
        if only is None or name in only
    )
    return scalars, maps


class _Acc:
    """Attributes merged in order: later scalars and lists replace, maps merge by key,
    and a null map value removes the key."""

    def __init__(self) -> None:
        self.scalars: dict[str, tuple[Any, KeyPath]] = {}
        self.maps: dict[str, dict[str, tuple[Any, KeyPath]]] = {m: {} for m in _MAPS}

    def apply(self, delta: _Delta) -> None:
        scalars, maps = delta
        self.scalars.update(scalars)
        for name, entries in maps:
            merged = self.maps[name]
            for key, value, where in entries:
                if value is None:
                    merged.pop(key, None)
                else:
                    merged[key] = (value, where)

    def get(self, name: str, default: Any = None) -> Any:
        return self.scalars[name][0] if name in self.scalars else default

    def origins(self) -> dict[str, KeyPath]:
        out = {name: where for name, (_, where) in self.scalars.items()}
        for name, entries in self.maps.items():
            for key, (_, where) in entries.items():
                out[f"{name}.{key}"] = where
        return out


def make_scope(matrix: Matrix, values: tuple[tuple[str, str], ...], name: str) -> dict[str, Part]:
    """What templates may name for a combination of axis values (see docs/matrix.md)."""
    scope: dict[str, Part] = {
        "name": name,
        "version": VERSION,
        "commit_sha": COMMIT_SHA,
        "image": IMAGE,
    }
    for variable in matrix.model.variables:
        scope[f"var.{variable}"] = Var(variable)
    for axis, value in values:
        scope[axis] = value
        scope[f"{axis}.id"] = matrix.value_ids(axis).get(value, sanitize(value))
        attrs = matrix.model.axes[axis].values.get(value)
        for var, text in (attrs.vars if attrs else {}).items():
            scope[f"{axis}.{var}"] = text
    return scope


class Resolver:
    """Resolves every target of an expansion; problems are gathered, then raised together."""

    def __init__(self, matrix: Matrix, expansion: Expansion) -> None:
        self.matrix = matrix
        self.model = matrix.model
        self.cells = expansion.cells
        self.by_values = {c.values: c for c in self.cells}
        self.problems: list[Problem] = []
        self.shared: dict[str, Target] = {}
        self.shared_keys: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
        self.repeats: dict[tuple[KeyPath, str], tuple[int, set[str]]] = {}
        self.deltas: dict[tuple[KeyPath, frozenset[str] | None], _Delta] = {}
        # Where the tags of the cell being resolved came from (set by `tags`, read by `build`).
        self.tag_origins: dict[str, KeyPath] = {}

    def apply(
        self, acc: _Acc, block: Settings, path: KeyPath, only: frozenset[str] | None = None
    ) -> None:
        """Merge a block into `acc`; a block's delta is computed once per run (its key path
        names it uniquely)."""
        key = (path, only)
        if key not in self.deltas:
            self.deltas[key] = delta_of(block, path, only)
        acc.apply(self.deltas[key])

    def fail(
        self, path: KeyPath, message: str, hint: str | None = None, kind: str | None = None
    ) -> None:
        """Record a problem; one of the same `kind` at the same place is counted, not
        repeated for every target it affects."""
        if kind is not None:
            key = (tuple(path), kind)
            if key in self.repeats:
                self.repeats[key][1].add(message)
                return
            self.repeats[key] = (len(self.problems), {message})
        self.problems.append(self.matrix.source.problem(path, message, hint))

    def gathered(self) -> list[Problem]:
        out = list(self.problems)
        for index, messages in self.repeats.values():
            more = len(messages) - 1
            if more:
                p = out[index]
                out[index] = Problem(
                    location=p.location,
                    path=p.path,
                    hint=p.hint,
                    message=f"{p.message} (and {more} more like it)",
                )
        return out

    # -- scopes -----------------------------------------------------------------------------
    def scope(self, values: tuple[tuple[str, str], ...], name: str) -> dict[str, Part]:
        return make_scope(self.matrix, values, name)

    def text(self, template: str, scope: dict[str, Part], where: KeyPath) -> Text:
        return self.try_text(template, scope, where) or literal(template)

    def try_text(self, template: str, scope: dict[str, Part], where: KeyPath) -> Text | None:
        try:
            return expand(template, scope)
        except TemplateError as exc:
            self.fail(where, exc.message, exc.hint, kind="template")
            return None

    # -- cells ------------------------------------------------------------------------------
    def cell_settings(self, cell: Cell) -> _Acc:
        acc = _Acc()
        self.apply(acc, self.model.defaults, ("defaults",))
        for axis, value in cell.values:
            attrs = self.model.axes[axis].values.get(value)
            if attrs is not None:
                self.apply(acc, attrs, ("axes", axis, "values", value))
        for i in cell.includes:
            self.apply(acc, self.model.include[i], ("include", i))
        for i, ovr in enumerate(self.model.overrides):
            if cell.matches(ovr.select):
                self.apply(acc, ovr, ("overrides", i))
        return acc

    def resolve_cell(self, cell: Cell) -> Target:
        acc = self.cell_settings(cell)
        scope = self.scope(cell.values, cell.name)
        contexts, depends = self.dependencies(acc, cell.values, scope, cell)
        tags, latest = self.tags(acc, scope, cell.origin)
        default_description = " ".join(v for _, v in cell.values)
        return self.build(
            cell.name,
            "cell",
            cell.values,
            acc,
            scope,
            contexts,
            depends,
            tags,
            latest,
            default_description,
            cell.origin,
        )

    def dependencies(
        self,
        acc: _Acc,
        values: tuple[tuple[str, str], ...],
        scope: dict[str, Part],
        cell: Cell | None,
    ) -> tuple[dict[str, Text], list[str]]:
        contexts: dict[str, Text] = {}
        depends: list[str] = []
        for key, (value, where) in acc.maps["contexts"].items():
            contexts[key] = self.text(value, scope, where)
        for key, (stage, where) in acc.maps["uses"].items():
            name = self.shared_target(stage, dict(values), where)
            if name:
                contexts[key] = literal(f"target:{name}")
                depends.append(name)
        for key, (link, where) in acc.maps["links"].items():
            if cell is None:
                self.fail(where, "a shared stage cannot link to a cell")
                continue
            wanted = tuple((a, link.get(a, v)) for a, v in cell.values)
            other = self.by_values.get(wanted)
            if other is None:
                shown = ", ".join(f"{a}={v}" for a, v in wanted)
                self.fail(
                    where,
                    f"cell {cell.name!r} links {key!r} to ({shown}), which the "
                    "matrix does not build",
                    "is it excluded?",
                )
            elif other.name == cell.name:
                self.fail(where, f"cell {cell.name!r} links {key!r} to itself")
            else:
                contexts[key] = literal(f"target:{other.name}")
                depends.append(other.name)
        return contexts, depends

    def tags(
        self, acc: _Acc, scope: dict[str, Part], origin: KeyPath
    ) -> tuple[list[Text], list[Text]]:
        image = self.model.image
        templates: list[tuple[str, KeyPath]] = [
            (t, ("image", "tags", i)) for i, t in enumerate(image.tags)
        ]
        if "tags" in acc.scalars:
            extra, where = acc.scalars["tags"]
            templates += [(t, (*where, i)) for i, t in enumerate(extra)]
        latest: list[tuple[str, KeyPath]] = [
            (t, ("image", "latest", i)) for i, t in enumerate(image.latest)
        ]
        self.tag_origins = {f"tags.{i}": w for i, (_, w) in enumerate(templates)}
        self.tag_origins.update({f"latest.{i}": w for i, (_, w) in enumerate(latest)})
        return (
            [self.tag(t, scope, w) for t, w in templates],
            [self.tag(t, scope, w) for t, w in latest],
        )

    def tag(self, template: str, scope: dict[str, Part], where: KeyPath) -> Text:
        text = self.try_text(template, scope, where)
        if text is None:
            return literal(template)
        problem = tag_problem(text)
        if problem:
            self.fail(where, problem[0], problem[1], kind="tag")
        if ":" in plain(text):
            return text
        return join((IMAGE,), ":", text)

    # -- shared stages ----------------------------------------------------------------------
    def shared_target(self, stage: str, values: dict[str, str], where: KeyPath) -> str | None:
        spec = self.model.shared[stage]
        missing = [a for a in spec.axes if a not in values]
        if missing:
            self.fail(
                where,
                f"shared stage {stage!r} varies by {', '.join(missing)}, which "
                "this target does not have",
            )
            return None
        own = tuple((a, values[a]) for a in self.model.axes if a in spec.axes)
        name = "-".join([stage, *(self.matrix.value_ids(a)[v] for a, v in own)])
        key = (stage, own)
        if key in self.shared_keys:
            return name
        self.shared_keys.add(key)
        acc = _Acc()
        self.apply(acc, self.model.defaults, ("defaults",), frozenset({"context"}))
        for axis, value in own:
            attrs = self.model.axes[axis].values.get(value)
            if attrs is not None:
                self.apply(acc, attrs, ("axes", axis, "values", value), _SHARED_FROM_AXES)
        self.apply(acc, spec, ("shared", stage))
        scope = self.scope(own, name)
        contexts, depends = self.dependencies(acc, own, scope, None)
        description = f"shared stage {stage}" + "".join(f" {v}" for _, v in own)
        self.shared[name] = self.build(
            name,
            "shared",
            own,
            acc,
            scope,
            contexts,
            depends,
            [],
            [],
            description,
            ("shared", stage),
        )
        return name

    # -- assembly ---------------------------------------------------------------------------
    def build(
        self,
        name: str,
        kind: Literal["cell", "shared"],
        values: tuple[tuple[str, str], ...],
        acc: _Acc,
        scope: dict[str, Part],
        contexts: dict[str, Text],
        depends: list[str],
        tags: list[Text],
        latest: list[Text],
        description: str,
        origin: KeyPath,
    ) -> Target:
        dockerfile = acc.get("dockerfile")
        if dockerfile is None:
            self.fail(
                origin,
                f"target {name!r} has no dockerfile",
                "set 'dockerfile' in defaults, on an axis value or in an override",
                kind="dockerfile",
            )
            dockerfile = "Dockerfile"
        args = {k: self.text(v, scope, w) for k, (v, w) in acc.maps["args"].items()}
        secrets = list(acc.get("secrets", []))
        if acc.get("sccache", False):
            args.update(
                USE_SCCACHE=(Var("USE_SCCACHE"),),
                SCCACHE_BUCKET=(Var("SCCACHE_BUCKET"),),
                SCCACHE_REGION=(Var("SCCACHE_REGION"),),
            )
            secrets += [s for s in self.model.sccache.secrets if s not in secrets]
        labels: dict[str, Text] = {
            "org.opencontainers.image.revision": (COMMIT_SHA,),
            "org.opencontainers.image.version": (VERSION,),
        }
        image_labels = self.model.image.labels if kind == "cell" else {}
        for key, template in image_labels.items():
            labels[key] = self.text(template, scope, ("image", "labels", key))
        for key, (value, where) in acc.maps["labels"].items():
            labels[key] = self.text(value, scope, where)
        description_template = acc.get("description")
        if description_template is not None:
            description = plain(
                self.text(description_template, scope, acc.scalars["description"][1])
            )
        cache = self.model.cache
        cache_from: list[Text] = []
        cache_to: list[Text] = []
        if cache.enabled:
            ref = join("type=registry,ref=", (CACHE_IMAGE,), f":{name}-")
            cache_from = [join(ref, (CACHE_SCOPE,))]
            cache_from += [join(ref, sanitize(fb)) for fb in cache.fallback]
            cache_to = [join(ref, (CACHE_SCOPE,), f",mode={cache.mode}")]
        origins = acc.origins()
        if "sccache" in origins and acc.get("sccache", False):
            for key in ("USE_SCCACHE", "SCCACHE_BUCKET", "SCCACHE_REGION"):
                origins.setdefault(f"args.{key}", origins["sccache"])
            origins.setdefault("secrets", origins["sccache"])
        for key in image_labels:
            origins.setdefault(f"labels.{key}", ("image", "labels", key))
        if kind == "cell":
            origins.update(self.tag_origins)
        if cache.enabled:
            origins["cache"] = ("cache",)
        return Target(
            name=name,
            kind=kind,
            values=values,
            description=description,
            context=self.text(acc.get("context", "."), scope, origins.get("context", ())),
            dockerfile=self.text(dockerfile, scope, origins.get("dockerfile", origin)),
            stage=self.text(acc.get("stage", ""), scope, origins.get("stage", origin)),
            platforms=tuple(acc.get("platforms", [])),
            args=tuple(sorted(args.items())),
            labels=tuple(sorted(labels.items())),
            contexts=tuple(sorted(contexts.items())),
            tags=tuple(tags),
            latest_tags=tuple(latest),
            secrets=tuple(secrets),
            cache_from=tuple(cache_from),
            cache_to=tuple(cache_to),
            depends_on=tuple(dict.fromkeys(depends)),
            origins=origins,
        )


def resolve(matrix: Matrix, expansion: Expansion, select: tuple[str, ...] = ()) -> Resolution:
    """Resolve the selected cells (all by default) and everything they depend on."""
    resolver = Resolver(matrix, expansion)
    cells = {c.name: resolver.resolve_cell(c) for c in expansion.cells}
    if resolver.problems:
        # Later checks would only repeat the consequences of these.
        raise MatrixError(resolver.gathered())
    problems: list[Problem] = []
    every = {**cells, **resolver.shared}
    # Without --select every cell is built; a selection may also name shared stages.
    pool = every if select else cells
    selected = [n for n in pool if not select or any(fnmatchcase(n, g) for g in select)]
    if not selected:
        problems.append(
            Problem(
                location=matrix.source.locate(()),
                path=(),
                message=f"--select {' '.join(select)} matches no target",
                hint="see `bakegen list --format names`",
            )
        )
    wanted: dict[str, Target] = {}
    stack = list(reversed(selected))
    while stack:
        name = stack.pop()
        if name in wanted or name not in every:
            continue
        wanted[name] = every[name]
        stack.extend(reversed(every[name].depends_on))
    order = [*[n for n in cells if n in wanted], *[n for n in resolver.shared if n in wanted]]
    targets = tuple(wanted[n] for n in order)
    problems += check_targets(matrix, targets)
    if problems:
        raise MatrixError(problems)
    warnings = (*expansion.warnings, *override_warnings(matrix, expansion.cells))
    return Resolution(targets=targets, selected=tuple(selected), warnings=tuple(warnings))
