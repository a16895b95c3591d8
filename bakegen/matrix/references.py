"""Cross-reference checks of the newer matrix keys: selectors of tag rules, groups and
required variables, `apply_order` axes, names of user groups and shared-stage templates."""

from __future__ import annotations

from bakegen.errors import KeyPath, Problem
from bakegen.matrix.model import MatrixFile, mirror_parts
from bakegen.matrix.names import reserved_value_id, sanitize, suggest
from bakegen.matrix.selectors import RawSelector, Selector
from bakegen.matrix.version_scheme import scheme_problems


def feature_problems(model: MatrixFile) -> list[Problem]:
    axes = {name: list(axis.values) for name, axis in model.axes.items()}
    selectors: list[tuple[KeyPath, RawSelector]] = []
    selectors += [
        (("image", "tag_rules", i, "select"), r.select) for i, r in enumerate(model.image.tag_rules)
    ]
    selectors += [(("groups", name, "select"), g.select) for name, g in model.groups.items()]
    selectors += [
        (("variables", name, "required_by"), v.required_by)
        for name, v in model.variables.items()
        if v.required_by is not None
    ]
    problems = scheme_problems(model.versioning)
    if model.image.name is None:
        problems.append(
            Problem(
                path=("image",),
                message="missing required key 'name'",
                hint="the image repository name, e.g. 'dynamo' (under images.<key>.image "
                "in a file with several images)",
            )
        )
    for path, raw in selectors:
        problems += Selector.parse(raw).problems(path, axes)
    for i, rule in enumerate(model.image.tag_rules):
        for k, axis in enumerate(rule.first_of):
            if axis not in model.axes:
                problems.append(
                    Problem(
                        path=("image", "tag_rules", i, "first_of", k),
                        message=f"unknown axis {axis!r}",
                        hint=suggest(axis, list(model.axes)),
                    )
                )
    for i, axis in enumerate(model.apply_order or ()):
        if axis not in model.axes:
            problems.append(
                Problem(
                    path=("apply_order", i),
                    message=f"unknown axis {axis!r}",
                    hint=suggest(axis, list(model.axes)),
                )
            )
    if model.groups and "all" in model.groups and "default" in model.groups:
        problems.append(
            Problem(
                path=("groups", "all"),
                message="'all' is the group of every cell when 'default' is your own",
                hint="choose another name",
            )
        )
    for name in model.groups:
        why = reserved_value_id(name) if name != "default" else None
        if why:
            problems.append(Problem(path=("groups", name), message=why, hint="rename the group"))
    if "default" in model.groups:
        # The built-in group of every cell is `all` then: a value's group of that name would
        # be left out.
        for axis, spec in model.axes.items():
            for value, attrs in spec.values.items():
                vid = attrs.id if attrs is not None and attrs.id is not None else None
                vid = vid or sanitize(spec.id.replace("{value}", value))
                if vid == "all":
                    problems.append(
                        Problem(
                            path=("axes", axis, "values", value),
                            message="the id 'all' names the group of every cell when "
                            "'default' is one of your groups",
                            hint="give the value another id (`id: ...`)",
                        )
                    )
    problems += _mirror_problems(model)
    if model.image.push_by_digest and model.ci.manifest is None:
        problems.append(
            Problem(
                path=("image", "push_by_digest"),
                message="cells that push by digest have no tags until `bakegen manifest` "
                "joins them, and nothing says how: there is no ci.manifest",
                hint="add ci.manifest with the axis to join (the platform) and the tags",
            )
        )
    for name, stage in model.shared.items():
        template = stage.name
        if template is not None and "{stage}" not in template and len(model.shared) > 1:
            problems.append(
                Problem(
                    path=("shared", name, "name"),
                    message="a shared stage's name template must contain {stage}",
                    hint="or two stages could take the same name",
                )
            )
    return problems


# The distribution spec's limit on a repository name, registry host included.
MAX_NAME = 255


def _registry_key(registry: str) -> str:
    """A registry as registries compare it: the host is case-insensitive (DNS)."""
    host, slash, path = registry.partition("/")
    return host.lower() + slash + path


def _mirror_problems(model: MatrixFile) -> list[Problem]:
    """A mirror that is the image's repository itself or listed twice would push every tag
    twice to one place; one too long makes every mirrored reference one a registry refuses."""
    problems: list[Problem] = []
    image_name = model.image.name or ""
    seen = (
        {_registry_key(model.image.registry) + "/" + image_name: "image.registry"}
        if model.image.registry
        else {}
    )
    for i, mirror in enumerate(model.image.mirrors):
        registry, own_name = mirror_parts(mirror)
        name = own_name or image_name
        where = ("image", "mirrors", i)
        shown = registry if own_name is None else f"{registry}/{own_name}"
        key = _registry_key(registry) + "/" + name
        if not registry:
            problems.append(Problem(path=where, message="a mirror is empty", hint="drop it"))
        elif key in seen:
            problems.append(
                Problem(
                    path=where,
                    message=f"{shown!r} is {seen[key]} again (registry hosts compare "
                    "without case): every tag would be pushed there twice",
                    hint="drop it",
                )
            )
        elif len(registry) + 1 + len(name) > MAX_NAME:
            problems.append(
                Problem(
                    path=where,
                    message=f"the mirror is {len(registry)} characters: with the repository "
                    f"name, {len(registry) + 1 + len(name)}, over the {MAX_NAME} a registry takes",
                    hint="a registry host and namespace, e.g. ghcr.io/acme",
                )
            )
        seen.setdefault(key, f"image.mirrors[{i}]")
    return problems
