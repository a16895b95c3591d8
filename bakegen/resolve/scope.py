"""What `{placeholders}` may name for one combination of axis values (docs/matrix.md)."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from bakegen.matrix.model import MatrixFile
from bakegen.matrix.names import id_of
from bakegen.matrix.tags import IMAGE
from bakegen.resolve.dates import BUILD_DATE, BUILD_TIME
from bakegen.resolve.expand import ValueIds
from bakegen.templating import Part, Var

# Bake variables the generated file declares and templates may name.
VERSION, COMMIT_SHA = Var("VERSION"), Var("COMMIT_SHA")

Values = tuple[tuple[str, str], ...]
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def named_axes(template: str, axes: Iterable[str]) -> set[str]:
    """The axes a template names, by themselves or by one of their fields ({cuda.id})."""
    named = set(PLACEHOLDER.findall(template))
    return {a for a in axes if any(n == a or n.startswith(a + ".") for n in named)}


def distinct(
    template: str, axes: Collection[str], combos: Iterable[tuple[Values, str]]
) -> list[tuple[Values, str]]:
    """One (values, name) per distinct result: a template's text depends only on the axes it
    names (and on the name when it uses {name}), so only those combinations are expanded."""
    named = named_axes(template, axes)
    by_name = "name" in PLACEHOLDER.findall(template)
    if not named and not by_name:
        # The same text for every combination (a fixed home such as /root): the first.
        first = next(iter(combos), None)
        return [first] if first is not None else []
    out: dict[tuple[Values, str], tuple[Values, str]] = {}
    for values, name in combos:
        key = (tuple((a, v) for a, v in values if a in named), name if by_name else "")
        out.setdefault(key, (values, name))
    return list(out.values())


@dataclass(frozen=True, kw_only=True)
class Names:
    """The names templates may use besides the built-ins: the matrix's variables, each
    axis value's id and its `vars`."""

    variables: tuple[str, ...]
    ids: ValueIds
    vars: Mapping[str, Mapping[str, Mapping[str, str]]]  # axis → value → name → text
    # What each (axis, value) adds to a scope, worked out on first use: every target with
    # that value shares it.
    _entries: dict[tuple[str, str], dict[str, Part]] = field(
        default_factory=dict, compare=False, repr=False
    )

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
        for pair in values:
            entries = self._entries.get(pair)
            if entries is None:
                entries = self._entries[pair] = self._value_entries(*pair)
            scope.update(entries)
        return scope

    def _value_entries(self, axis: str, value: str) -> dict[str, Part]:
        entries: dict[str, Part] = {
            axis: value,
            f"{axis}.id": id_of(self.ids[axis], value),
        }
        for var, text in self.vars[axis].get(value, {}).items():
            entries[f"{axis}.{var}"] = text
        return entries
