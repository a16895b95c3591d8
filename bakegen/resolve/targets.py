"""Resolved targets: the record every stage after resolve reads, and the facts about a target
that several stages need (so each fact has one definition)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, Literal

from bakegen.errors import KeyPath
from bakegen.matrix.model import Secret
from bakegen.templating import Text, plain

if TYPE_CHECKING:
    from bakegen.errors import Problem


def is_remote_context(context: str) -> bool:
    """Whether a build context names something bake fetches (a URL, a git remote, an image
    or another target) rather than a directory on this machine."""
    return "://" in context or context.startswith(("git@", "target:"))


def default_stage(stage_names: list[str | None]) -> str:
    """The stage BuildKit builds when no `target` is given: the last one (by name, or by
    index when it has none)."""
    last = stage_names[-1]
    return last if last else str(len(stage_names) - 1)


Entries = tuple[Text, ...]


@dataclass(frozen=True, slots=True)
class CacheRefs:
    """A target's cache entries: one (backend, cache-from, cache-to) per backend it may use
    (one, unless CACHE_BACKEND chooses at bake time); the tag parts of its registry refs
    (registries refuse tags over 128 characters); the targets whose cache it reads."""

    choices: tuple[tuple[str, Entries, Entries], ...] = ()
    switched: bool = False
    tags: tuple[Text, ...] = ()
    reads: tuple[tuple[str, KeyPath], ...] = ()
    # Made from the defaults alone (validated names and scopes): nothing to read again.
    default: bool = False

    @property
    def switched_choices(self) -> tuple[tuple[str, Entries, Entries], ...]:
        return self.choices if self.switched else ()

    @property
    def fixed(self) -> tuple[Entries, Entries]:
        """cache-from and cache-to of a file whose backend is fixed."""
        if self.switched or not self.choices:
            return (), ()
        return self.choices[0][1], self.choices[0][2]


NO_CACHE = CacheRefs()


@dataclass(frozen=True, kw_only=True, slots=True)
class Target:
    """One bake target, every attribute resolved (variable parts stay bake variables)."""

    name: str
    kind: Literal["cell", "shared"]
    values: tuple[tuple[str, str], ...]
    description: Text
    context: Text
    dockerfile: Text
    stage: Text
    platforms: tuple[str, ...]
    args: tuple[tuple[str, Text], ...]
    labels: tuple[tuple[str, Text], ...]
    contexts: tuple[tuple[str, Text], ...]
    tags: tuple[Text, ...]
    latest_tags: tuple[Text, ...]
    secrets: tuple[Secret, ...]
    cache: CacheRefs = NO_CACHE
    depends_on: tuple[str, ...]
    # Attributes bake takes as written (attributes.PASSED_THROUGH): (bake key, value).
    extra: tuple[tuple[str, Any], ...] = ()
    # Pushed untagged by digest to the image's repository (image.push_by_digest).
    by_digest: bool = False
    # Args left out at bake time when their value comes out empty.
    optional_args: tuple[str, ...] = ()
    origins: Mapping[str, KeyPath] = field(compare=False, repr=False)

    @property
    def cache_from(self) -> tuple[Text, ...]:
        """cache-from of a file whose backend is fixed when rendering."""
        return self.cache.fixed[0]

    @property
    def cache_to(self) -> tuple[Text, ...]:
        """cache-to of a file whose backend is fixed (written behind CACHE_EXPORT)."""
        return self.cache.fixed[1]

    @property
    def cache_choices(self) -> tuple[tuple[str, tuple[Text, ...], tuple[Text, ...]], ...]:
        """(backend, cache-from, cache-to) of each backend CACHE_BACKEND may choose."""
        return self.cache.switched_choices

    def has_local_context(self) -> bool:
        """Whether the build context is a directory here (so its files can be read)."""
        return not is_remote_context(plain(self.context))

    def dockerfile_path(self) -> PurePosixPath:
        """The Dockerfile, relative to where bake runs: bake reads it inside the context."""
        return PurePosixPath(plain(self.context)) / plain(self.dockerfile)

    def context_origin(self, key: str) -> str:
        """The origin key of the named context `key`: it was set by `uses`, `links` or
        `contexts` (the last also when nothing recorded it)."""
        for origin in (f"uses.{key}", f"links.{key}"):
            if origin in self.origins:
                return origin
        return f"contexts.{key}"


@dataclass(frozen=True)
class Resolution:
    """The targets a run builds (selected ones and what they depend on), which were
    selected, and the warnings found on the way."""

    targets: tuple[Target, ...]
    selected: tuple[str, ...]
    warnings: tuple[Problem, ...]
