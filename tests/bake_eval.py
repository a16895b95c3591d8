"""Bake files evaluated the way `docker buildx bake` reads them, for tests.

A thin view over tests/bakeeval, the evaluator that agrees with every case of the
conformance corpus (tests/test_conformance.py): variables with defaults and environment
overrides, validation, functions, templates, inheritance and merging with bake's rules.
`Bake.print()` is the whole `docker buildx bake --print`; the other methods answer the
questions the tests ask of one file.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from tests.bakeeval import entries, model
from tests.bakeeval.config import Config, Group, Reader
from tests.bakeeval.errors import BakeError
from tests.bakeeval.files import BUILTINS, parse_text
from tests.bakeeval.resolve import Resolver, bake_print
from tests.bakeeval.tree import Body

__all__ = ["Bake", "BakeError"]


def _plain(value: Any) -> Any:
    """Numbers as int/float, the rest as is: what a test compares against."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _view(target: model.Target, keep_empty: bool = False) -> dict[str, Any]:
    """A target's fields by bake name; entries as written (or as CSV when written as objects)."""
    out: dict[str, Any] = {}
    for key, kind in model.FIELDS.items():
        value = target.f[key]
        if value is None or (not keep_empty and value in ("", [], {})):
            continue
        if kind in model.ENTRY_KINDS:
            value = [entries.text(kind, e) for e in value]
        out[key] = value
    return out


class Bake:
    """One or more bake files (HCL, or HCL-JSON when the text is a JSON object), in order."""

    def __init__(self, *texts: str, env: dict[str, str] | None = None) -> None:
        self.env = dict(env or {})
        bodies: list[Body] = []
        for i, text in enumerate(texts):
            json_like = text.lstrip().startswith("{")
            bodies.append(parse_text(f"file{i}.{'json' if json_like else 'hcl'}", text))
        self._reader = Reader(bodies, self.env, BUILTINS)
        self._reader.resolve_variables()
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        """The files as bake reads them; raises BakeError where bake refuses them."""
        if self._config is None:
            failures = self._reader.violations()
            if failures:
                first = failures[0][1]
                raise BakeError(first.detail, first.summary, first.where)
            self._config = self._reader.finish()
        return self._config

    # -- names -------------------------------------------------------------------------------
    @property
    def variables(self) -> dict[str, Any]:
        return {name: self.value(name) for name in self._reader.names.variables}

    def value(self, name: str) -> Any:
        """A variable's or top-level attribute's value after environment overrides."""
        return _plain(self._reader.names.resolve(name))

    def violations(self) -> list[str]:
        """Every failing validation as "VARIABLE: message" (bake stops at the first)."""
        return [f"{name}: {error.detail}" for name, error in self._reader.violations()]

    # -- blocks ------------------------------------------------------------------------------
    @property
    def targets(self) -> dict[str, model.Target]:
        return {t.name: t for t in self.config.targets}

    @property
    def groups(self) -> dict[str, Group]:
        return {g.name: g for g in self.config.groups}

    def group(self, name: str) -> list[str]:
        group = self.config.group(name)
        if group is None:
            raise KeyError(name)
        return list(group.targets)

    def raw_target(self, name: str) -> dict[str, Any]:
        """A target's own attributes (all its blocks merged), without inheritance."""
        return _view(self.targets[name], keep_empty=True)

    def target(self, name: str, sets: tuple[str, ...] = ()) -> dict[str, Any]:
        """A target as bake resolves it: parents, own blocks, `--set` values, defaults."""
        return _view(Resolver(self.config, list(sets), self.env).resolve(name))

    def print(
        self, *targets: str, sets: tuple[str, ...] = (), cwd: Path = Path()
    ) -> dict[str, Any]:
        """What `docker buildx bake --print [--set S]... [TARGET]...` writes, parsed."""
        return bake_print(self.config, list(targets) or ["default"], list(sets), self.env, cwd)
