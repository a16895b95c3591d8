"""What `{placeholders}` may name for one combination of axis values (docs/matrix.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bakegen.dates import BUILD_DATE, BUILD_TIME
from bakegen.expand import ValueIds
from bakegen.model import MatrixFile
from bakegen.names import sanitize
from bakegen.tags import IMAGE
from bakegen.templating import Part, Var

# Bake variables the generated file declares and templates may name.
VERSION, COMMIT_SHA = Var("VERSION"), Var("COMMIT_SHA")


@dataclass(frozen=True, kw_only=True)
class Names:
    """The names templates may use besides the built-ins: the matrix's variables, each
    axis value's id and its `vars`."""

    variables: tuple[str, ...]
    ids: ValueIds
    vars: Mapping[str, Mapping[str, Mapping[str, str]]]  # axis → value → name → text

    @classmethod
    def of(cls, model: MatrixFile, ids: ValueIds) -> Names:
        return cls(
            variables=tuple(model.variables),
            ids=ids,
            vars={
                axis: {value: dict(a.vars) for value, a in spec.values.items() if a is not None}
                for axis, spec in model.axes.items()
            },
        )

    def scope(self, values: tuple[tuple[str, str], ...], name: str) -> dict[str, Part]:
        scope: dict[str, Part] = {
            "name": name,
            "version": VERSION,
            "commit_sha": COMMIT_SHA,
            "image": IMAGE,
            "date": BUILD_DATE,
            "date_time": BUILD_TIME,
        }
        for variable in self.variables:
            scope[f"var.{variable}"] = Var(variable)
        for axis, value in values:
            scope[axis] = value
            vid = self.ids[axis].get(value)
            scope[f"{axis}.id"] = sanitize(value) if vid is None else vid
            for var, text in self.vars[axis].get(value, {}).items():
                scope[f"{axis}.{var}"] = text
        return scope
