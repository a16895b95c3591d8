"""Target blocks of the bake file, and the private parents that carry what many targets have
alike: the attributes a parent gives are found one member at a time, and each target's own
block keeps what its parents do not give."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, assert_never, overload

from bakegen.attributes import BAKE_KEYS, BakeKey, Share

KEYS = {k.key: k for k in BAKE_KEYS}
T = TypeVar("T")
SHARED_KEYS = tuple(k for k in BAKE_KEYS if k.share is not Share.NEVER)
_BY_KEY = frozenset(k.key for k in BAKE_KEYS if k.share is Share.BY_KEY)


@dataclass(frozen=True, kw_only=True)
class Block:
    """A `target` block: the bake keys it sets itself (the rest it inherits or lacks)."""

    name: str
    inherits: tuple[str, ...] = ()
    values: tuple[tuple[str, Any], ...] = ()

    def get(self, key: str) -> Any:
        return dict(self.values).get(key)

    def attributes(self) -> Iterator[tuple[BakeKey, Any]]:
        """(key, value) in the order bakegen writes them."""
        own = dict(self.values)
        for key in BAKE_KEYS:
            if key.key in own:
                yield key, own[key.key]


class Alike:
    """What every member seen so far has alike, by each key's share rule: a whole value
    every member has the same, and the map entries every member has. Members are added one
    at a time, so no member's values need to be kept."""

    def __init__(self) -> None:
        self.members = 0
        self.whole: dict[str, Any] = {}
        self.by_key: dict[str, list[Any]] = {}

    def add(self, values: Mapping[str, Any]) -> None:
        self.members += 1
        if self.members == 1:
            for key in SHARED_KEYS:
                value = values.get(key.key)
                match key.share:
                    case Share.WHOLE:
                        if value:
                            self.whole[key.key] = value
                    case Share.BY_KEY:
                        self.by_key[key.key] = list(value or ())
                    case Share.NEVER:
                        pass
                    case _:
                        assert_never(key.share)
            return
        for name in [k for k, v in self.whole.items() if values.get(k) != v]:
            del self.whole[name]
        for name, common in self.by_key.items():
            if common:
                # Checked against the member's few entries: no set per member.
                entries = values.get(name, ())
                self.by_key[name] = [entry for entry in common if entry in entries]

    def block(self, name: str, taken: Block | None) -> Block:
        """The parent block: what every member has alike, less what `taken` (the common
        parent) already gives."""
        given = dict(taken.values) if taken else {}
        values: dict[str, Any] = {}
        for key in SHARED_KEYS:
            if key.key in self.whole and key.key not in given:
                values[key.key] = self.whole[key.key]
            taken_entries = given.get(key.key, ())
            common = [e for e in self.by_key.get(key.key, ()) if e not in taken_entries]
            if common:
                values[key.key] = tuple(sorted(common))
        return Block(name=name, values=tuple(values.items()))


@dataclass(frozen=True)
class Inherited:
    """The parents a target inherits, and what they give together (maps as dicts)."""

    names: tuple[str, ...]
    given: Mapping[str, Any]

    @classmethod
    def of(cls, parents: Sequence[Block]) -> Inherited:
        given: dict[str, Any] = {}
        for parent in parents:
            for key, value in parent.values:
                if KEYS[key].share is Share.BY_KEY:
                    given.setdefault(key, {}).update(value)
                else:
                    given[key] = value
        return cls(names=tuple(p.name for p in parents if p.values), given=given)

    def own_block(self, name: str, values: dict[str, Any]) -> Block:
        """The target's block: what no parent already gives."""
        given = self.given
        if not given:
            return Block(name=name, inherits=self.names, values=tuple(values.items()))
        own: list[tuple[str, Any]] = []
        for key, value in values.items():
            if key not in given:
                own.append((key, value))
            elif key in _BY_KEY:
                from_parents = given[key]
                rest = [(k, v) for k, v in value if from_parents.get(k) != v]
                if rest:
                    # The target's own tuple when no entry was inherited: one less copy.
                    own.append((key, value if len(rest) == len(value) else tuple(rest)))
        return Block(name=name, inherits=self.names, values=tuple(own))


class LaidOut(Sequence[Block]):
    """The blocks of many targets, each made when it is read: a file of 100,000 targets is
    written block by block without holding every block at once."""

    def __init__(self, names: tuple[str, ...], make: Callable[[int], Block]) -> None:
        self.names = names  # each block's name, known without making the block
        self._count = len(names)
        self._make = make

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> Block: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Block]: ...
    def __getitem__(self, index: int | slice) -> Block | Sequence[Block]:
        if isinstance(index, slice):
            return tuple(self._make(i) for i in range(*index.indices(self._count)))
        if not -self._count <= index < self._count:
            raise IndexError(index)
        return self._make(index % self._count)

    def __iter__(self) -> Iterator[Block]:
        return (self._make(i) for i in range(self._count))


class Deferred(Sequence[T]):
    """Items worked out when first read (commands that write no file never read them)."""

    def __init__(self, make: Callable[[], Sequence[T]]) -> None:
        self._make: Callable[[], Sequence[T]] | None = make
        self._items: Sequence[T] = ()

    def _all(self) -> Sequence[T]:
        if self._make is not None:
            self._items, self._make = self._make(), None
        return self._items

    def __len__(self) -> int:
        return len(self._all())

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[T]: ...
    def __getitem__(self, index: int | slice) -> T | Sequence[T]:
        return self._all()[index]

    def __iter__(self) -> Iterator[T]:
        return iter(self._all())
