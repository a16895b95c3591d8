"""Selector syntax, in one place: `{axis: value | glob | [values or globs]}` picks the cells
whose value of every named axis matches (used by exclude, include, overrides, links and
`run.defaults`). Target-name globs (`--select`) match names the same way."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import lru_cache

from bakegen.errors import KeyPath, Problem
from bakegen.matrix.names import suggest

_GLOB_CHARS = re.compile(r"[*?\[]")
RawSelector = Mapping[str, "str | list[str]"]


def is_glob(text: str) -> bool:
    return bool(_GLOB_CHARS.search(text))


def matches_any(name: str, globs: Iterable[str]) -> bool:
    """Whether `name` matches one of `globs` (shell-style, case-sensitive)."""
    return any(fnmatchcase(name, g) for g in globs)


@lru_cache(maxsize=65536)
def _value_matches(value: str, patterns: tuple[str, ...]) -> bool:
    # Selectors are asked about every cell, but cells share their axis values: each
    # (value, patterns) pair is matched once.
    return matches_any(value, patterns)


@dataclass(frozen=True)
class Selector:
    """A parsed selector: each named axis with the patterns one of which its value matches."""

    patterns: tuple[tuple[str, tuple[str, ...]], ...]
    # Whether each axis was given one pattern (not a list): errors then point at the axis key.
    single: tuple[bool, ...]

    @classmethod
    def parse(cls, raw: RawSelector) -> Selector:
        return cls(
            patterns=tuple(
                (axis, (wanted,) if isinstance(wanted, str) else tuple(wanted))
                for axis, wanted in raw.items()
            ),
            single=tuple(isinstance(wanted, str) for wanted in raw.values()),
        )

    def __call__(self, values: Mapping[str, str]) -> bool:
        """Whether a cell with these axis values is selected."""
        for axis, patterns in self.patterns:
            value = values.get(axis)
            if value is None or not _value_matches(value, patterns):
                return False
        return True

    def accepts(self, axis: str, value: str) -> bool:
        """Whether `value` meets what this selector asks of `axis` (an axis it does not
        name asks nothing): a cell of every axis is selected when each of its values is."""
        for named, patterns in self.patterns:
            if named == axis:
                return _value_matches(value, patterns)
        return True

    def names_one_cell(self, axes: Iterable[str]) -> bool:
        """Whether it names one plain value of every axis (and so one cell exactly)."""
        return {a for a, _ in self.patterns} == set(axes) and all(
            len(p) == 1 and not is_glob(p[0]) for _, p in self.patterns
        )

    def problems(self, path: KeyPath, axes: Mapping[str, list[str]]) -> list[Problem]:
        """Unknown axes and patterns that match no value, each at its key path."""
        out: list[Problem] = []
        for (axis, patterns), single in zip(self.patterns, self.single, strict=True):
            if axis not in axes:
                hint = suggest(axis, list(axes)) or f"axes: {', '.join(axes)}"
                out.append(Problem(path=(*path, axis), message=f"unknown axis {axis!r}", hint=hint))
                continue
            values = axes[axis]
            for j, pattern in enumerate(patterns):
                where = (*path, axis) if single else (*path, axis, j)
                if is_glob(pattern):
                    if not any(fnmatchcase(v, pattern) for v in values):
                        out.append(
                            Problem(
                                path=where,
                                message=f"pattern {pattern!r} matches no value of axis {axis!r}",
                                hint=f"values: {', '.join(values)}",
                            )
                        )
                elif pattern not in values:
                    out.append(
                        Problem(
                            path=where,
                            message=f"{pattern!r} is not a value of axis {axis!r}",
                            hint=suggest(pattern, values) or f"values: {', '.join(values)}",
                        )
                    )
        return out
