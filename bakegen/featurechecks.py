"""Cross-reference checks of the newer matrix keys: selectors of tag rules, groups and
required variables, `apply_order` axes, names of user groups and shared-stage templates."""

from __future__ import annotations

from bakegen.errors import KeyPath, Problem
from bakegen.model import MatrixFile
from bakegen.names import suggest
from bakegen.selectors import RawSelector, Selector
from bakegen.version_scheme import scheme_problems


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
