"""Layers of attribute blocks merged into one set of attributes, by each attribute's merge
rule in the registry, remembering which block set each value."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any, assert_never

from bakegen.attributes import MERGED, Attribute, Merge
from bakegen.errors import KeyPath
from bakegen.matrix.model import Attributes


@dataclass(frozen=True)
class Layer:
    """What one block sets, each value paired with the key path that set it (the pairs are
    made once per block and shared by every target the block applies to)."""

    replaced: tuple[tuple[str, tuple[Any, KeyPath]], ...]
    # Map attributes: (attribute, ((key, (value or None to remove, where)), ...)).
    by_key: tuple[tuple[str, tuple[tuple[str, tuple[Any, KeyPath]], ...]], ...]

    @classmethod
    def of(cls, block: Attributes, path: KeyPath, rows: Iterable[Attribute] = MERGED) -> Layer:
        written = block.model_fields_set
        replaced: list[tuple[str, tuple[Any, KeyPath]]] = []
        by_key: list[tuple[str, tuple[tuple[str, tuple[Any, KeyPath]], ...]]] = []
        for row in rows:
            value = getattr(block, row.name)
            match row.merge:
                case Merge.REPLACE:
                    if row.name in written and value is not None:
                        replaced.append((row.name, (value, (*path, row.name))))
                case Merge.BY_KEY:
                    entries = tuple((k, (v, (*path, row.name, k))) for k, v in value.items())
                    if entries:
                        by_key.append((row.name, entries))
                case Merge.NOT_MERGED:
                    pass
                case _:
                    assert_never(row.merge)
        return cls(replaced=tuple(replaced), by_key=tuple(by_key))

    @cached_property
    def origins(self) -> dict[str, KeyPath | None]:
        """Each origin key this block sets, with where it set it (None: a map entry it
        removes). Made once per block: origins are asked of thousands of targets."""
        out: dict[str, KeyPath | None] = {}
        for name, (_, where) in self.replaced:
            out[name] = where
        for name, entries in self.by_key:
            for key, (value, where) in entries:
                out[origin_key(name, key)] = None if value is None else where
        return out


_MAPS = tuple(a.name for a in MERGED if a.merge is Merge.BY_KEY)


class Merged:
    """Layers applied in order: later replaced values win, maps merge by key, and a null
    map value removes the key."""

    def __init__(self, layers: Iterable[Layer] = ()) -> None:
        self.scalars: dict[str, tuple[Any, KeyPath]] = {}
        self.maps: dict[str, dict[str, tuple[Any, KeyPath]]] = {name: {} for name in _MAPS}
        for layer in layers:
            self.apply(layer)

    def apply(self, layer: Layer) -> None:
        self.scalars.update(layer.replaced)
        for name, entries in layer.by_key:
            merged = self.maps[name]
            for key, pair in entries:
                if pair[0] is None:
                    merged.pop(key, None)
                else:
                    merged[key] = pair

    def get(self, name: str, default: Any = None) -> Any:
        return self.scalars[name][0] if name in self.scalars else default

    def where(self, name: str) -> KeyPath | None:
        return self.scalars[name][1] if name in self.scalars else None


@lru_cache(maxsize=65536)
def origin_key(name: str, key: str) -> str:
    # One string per distinct key, shared by every target's origins (memory at 100k cells).
    return f"{name}.{key}"


class Origins(Mapping[str, KeyPath]):
    """Where each attribute of a target was set: the key path of the block behind every
    value. Worked out again from the target's layers when asked (explain, errors, lint),
    which keeps one small object per target instead of a dict of every attribute."""

    __slots__ = ("_layers", "_missing", "_set")

    def __init__(
        self,
        layers: tuple[Layer, ...],
        missing: tuple[tuple[str, KeyPath], ...] = (),
        set_: tuple[tuple[str, KeyPath], ...] = (),
    ) -> None:
        self._layers = layers
        self._missing = missing  # origins of values the blocks did not set
        self._set = set_  # origins that replace the blocks' own (tags, cache)

    def _all(self) -> dict[str, KeyPath]:
        # The layers' own origin tables, applied in order as `Merged` applies the layers.
        out: dict[str, KeyPath] = {}
        for layer in self._layers:
            for key, where in layer.origins.items():
                if where is None:
                    out.pop(key, None)
                else:
                    out[key] = where
        for key, where in self._missing:
            out.setdefault(key, where)
        out.update(self._set)
        return out

    def __getitem__(self, key: str) -> KeyPath:
        # One key, found without working out the others (lint and errors ask key by key).
        for name, where in reversed(self._set):
            if name == key:
                return where
        found = self._in_layers(key)
        if found is not None:
            return found
        for name, where in self._missing:
            if name == key:
                return where
        raise KeyError(key)

    def _in_layers(self, key: str) -> KeyPath | None:
        """Where the last layer that set `key` set it (None if none did, or the last one to
        name a map entry removed it)."""
        for layer in reversed(self._layers):
            origins = layer.origins
            if key in origins:
                return origins[key]
        return None

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())
