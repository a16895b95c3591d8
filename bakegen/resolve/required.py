"""Variables only some targets need (`variables.NAME.required_by`).

Bake checks a variable's `validation` for every target in the file, whichever are built, so a
variable only some targets need cannot be validated there. Instead each target that needs it
gets a named context from a tiny check target whose inline Dockerfile reads the variable with
`${NAME:?message}`: building one of those targets with the variable empty fails with the
message, and every other target builds as before."""

from __future__ import annotations

from dataclasses import replace

from bakegen.errors import MatrixError, Problem
from bakegen.matrix.model import MatrixFile
from bakegen.matrix.names import clashes, require_target
from bakegen.matrix.selectors import Selector
from bakegen.resolve.targets import Target
from bakegen.templating import Text, Var


def context_name(variable: str) -> str:
    return f"bakegen-require-{variable.lower().replace('_', '-')}"


def add_requirements(model: MatrixFile, cells: tuple[Target, ...]) -> tuple[Target, ...]:
    """The targets, cells given a context on the check target of every variable they
    require."""
    rules = [
        (name, Selector.parse(spec.required_by))
        for name, spec in model.variables.items()
        if spec.required_by is not None
    ]
    if not rules:
        return cells
    _check_context_names([name for name, _ in rules])
    out = []
    for cell in cells:
        if cell.kind != "cell":
            out.append(cell)
            continue
        values = dict(cell.values)
        added = {
            context_name(name): ("target:" + require_target(name),)
            for name, selector in rules
            if selector(values)
        }
        taken = [key for key, _ in cell.contexts if key in added]
        if taken:
            origin = cell.context_origin(taken[0])
            raise MatrixError(
                [
                    Problem(
                        path=cell.origins.get(origin, ("defaults", "contexts", taken[0])),
                        message=f"{cell.name} names a context {taken[0]!r}, the context "
                        "bakegen gives a target that requires a variable",
                        hint="name the context otherwise: bakegen-require-* is reserved",
                    )
                ]
            )
        if added:
            contexts = tuple(sorted({**dict(cell.contexts), **added}.items()))
            cell = replace(cell, contexts=contexts)
        out.append(cell)
    return tuple(out)


def _check_context_names(names: list[str]) -> None:
    """Each required variable has a context of its own; context names are lower case (a
    Dockerfile reads `FROM NAME` in lower case), so USER_UID and user_uid would share one
    and one check would be dropped."""
    problems = [
        Problem(
            path=("variables", name),
            message=f"{first} and {name} differ only in case: both required, they "
            f"would share the check context {context_name(name)!r}",
            hint="give one of them another name",
        )
        for first, name in clashes(names, context_name)
    ]
    if problems:
        raise MatrixError(problems)


def check_blocks(
    model: MatrixFile, targets: tuple[Target, ...]
) -> list[tuple[str, dict[str, object]]]:
    """(Name, bake values) of the check target of every required variable some written
    target uses."""
    used = {text for t in targets for _, text in t.contexts}
    out: list[tuple[str, dict[str, object]]] = []
    for name, spec in model.variables.items():
        if spec.required_by is None or ("target:" + require_target(name),) not in used:
            continue
        message = spec.message or f"{name} must be set to build this target"
        # The message sits inside a Dockerfile word: no quotes or braces that would end it.
        safe = "".join(c for c in message if c not in '"{}$\\\n')
        inline: Text = (f'FROM scratch\nARG {name}\nENV BAKEGEN_REQUIRED="${{{name}:?{safe}}}"\n',)
        out.append(
            (
                require_target(name),
                {
                    "description": f"fails when {name} is empty",
                    "dockerfile-inline": inline,
                    "args": ((name, (Var(name),)),),
                },
            )
        )
    return out
