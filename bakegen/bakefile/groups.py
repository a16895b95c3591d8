"""The groups of a bake file: `default`, the user's groups and one per axis value.

Without a user group named `default`, `default` holds every selected cell. With one, that
group is the default (what a bare `docker buildx bake` builds) and `all` holds every cell.
User groups come next, in file order, then one group per axis value."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bakegen.bakefile.hcl import Expr, hcl_string
from bakegen.errors import Problem
from bakegen.matrix.model import MatrixFile
from bakegen.matrix.selectors import Selector
from bakegen.resolve.targets import Target
from bakegen.templating import Text


@dataclass(frozen=True, kw_only=True)
class Group:
    name: str
    description: str
    targets: tuple[str, ...]


def user_groups(model: MatrixFile, cells: list[Target], selected: tuple[str, ...]) -> list[Group]:
    """`default` (or `all` and the user's `default`), then the user's other groups."""
    groups: list[Group] = []
    every = Group(name="default", description="every cell of the matrix", targets=selected)
    if "default" in model.groups:
        every = Group(name="all", description="every cell of the matrix", targets=selected)
    mine = []
    for name, spec in model.groups.items():
        selector = Selector.parse(spec.select)
        names = tuple(c.name for c in cells if selector(dict(c.values)))
        description = spec.description or f"cells matching {_shown(spec.select)}"
        mine.append(Group(name=name, description=description, targets=names))
    groups = [g for g in mine if g.name == "default"] + [every]
    groups += [g for g in mine if g.name != "default"]
    return groups


def default_group_problems(model: MatrixFile, cells: tuple[Target, ...]) -> list[Problem]:
    """A `default` group of the user's that matches no cell of the whole matrix: a bare
    `docker buildx bake` would build nothing."""
    spec = model.groups.get("default")
    if spec is None:
        return []
    selector = Selector.parse(spec.select)
    if any(selector(dict(c.values)) for c in cells if c.kind == "cell"):
        return []
    return [
        Problem(
            path=("groups", "default", "select"),
            message="the default group matches no cell: a bare `docker buildx bake` would "
            "build nothing",
            hint="select cells the matrix has (see `bakegen list`), or drop the group",
        )
    ]


def _shown(select: Mapping[str, str | list[str]]) -> str:
    return ", ".join(
        f"{axis}={'|'.join(v) if isinstance(v, list) else v}" for axis, v in select.items()
    )


def optional_arg(value: Text) -> Expr:
    """An arg left out at bake time when its value comes out empty: bake passes no arg
    whose value is null, so the Dockerfile's ARG default applies."""
    text = hcl_string(value)
    return Expr(f'{text} == "" ? null : {text}')
