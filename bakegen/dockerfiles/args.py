"""The values BuildKit gives a Dockerfile's args for one target on one platform.

BuildKit's rules, which this module follows:
- Before the first FROM (the global scope, read by FROM lines), the automatic platform args
  are defined: TARGETPLATFORM, TARGETOS, TARGETARCH, TARGETVARIANT from the platform being
  built, BUILDPLATFORM, BUILDOS, BUILDARCH, BUILDVARIANT from the builder's own platform.
- Global ARGs are read in file order: a value the build passes wins, else the default, which
  is expanded with what is defined so far (`ARG FLAVOR=${TARGETARCH}` is the platform's arch).
- Inside a stage, an arg is visible only once `ARG NAME` declares it there: its value is the
  one passed, else the stage's default, else the global value (or the automatic one).
- `ENV` values override args of the same name for the instructions after them.

A None value means the value cannot be known before the build: a bake variable passes it,
the builder's platform decides it, or it reads such a value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import dockerfile

from bakegen.dockerfiles.shellwords import expand

# `$NAME` or `${NAME…}` anywhere in a word (inside `${X:-…}` too).
_READS = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))")

Values = dict[str, str | None]


def platform_values(platform: str | None) -> Values:
    """The automatic platform args for building `platform` (None: the builder's own, which
    is known only on the builder). The BUILD* args are always the builder's."""
    values: Values = dict.fromkeys(("BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT"))
    if platform is None:
        values.update(dict.fromkeys(("TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT")))
        return values
    os_, _, rest = platform.partition("/")
    arch, _, variant = rest.partition("/")
    values.update(TARGETPLATFORM=platform, TARGETOS=os_, TARGETARCH=arch, TARGETVARIANT=variant)
    return values


def reads(word: str) -> set[str]:
    """Every variable name a word mentions (a superset of what its expansion reads)."""
    return {a or b for a, b in _READS.findall(word)}


def expand_known(word: str, values: Mapping[str, str | None]) -> str | None:
    """`word` expanded as BuildKit expands it; names missing from `values` are unset (empty),
    and the result is None when the word mentions a name whose value is None (unknown)."""
    if "$" not in word:
        return word
    if any(name in values and values[name] is None for name in reads(word)):
        return None
    known = {k: v for k, v in values.items() if v is not None}
    return expand(word, known).result


def _declared(cmd: dockerfile.Command) -> Iterable[tuple[str, str | None]]:
    for item in cmd.value:
        key, eq, default = item.partition("=")
        yield key, (default if eq else None)


def global_values(
    prelude: Iterable[dockerfile.Command],
    passed: Mapping[str, str | None],
    platform: str | None,
    unset: set[str] | None = None,
) -> Values:
    """The values of the global args (and the automatic platform args) that FROM lines see,
    for a build passing `passed` and building `platform`. A global ARG without a default
    that the build does not pass has the value None, as one whose value is unknown; its
    name also goes into `unset` when given (BuildKit expands it to nothing)."""
    values = platform_values(platform)
    unset = set() if unset is None else unset
    for cmd in prelude:
        if cmd.cmd.upper() != "ARG":
            continue
        for key, default in _declared(cmd):
            if key in passed:
                values[key] = passed[key]
            elif default is not None:
                values[key] = expand_known(default, {**_unset(unset), **values})
            elif key not in values:
                values[key] = None
                unset.add(key)
                continue
            unset.discard(key)
    return values


def declare(
    scope: Values,
    cmd: dockerfile.Command,
    passed: Mapping[str, str | None],
    global_scope: Mapping[str, str | None],
    unset: set[str],
) -> None:
    """Apply one ARG or ENV instruction of a stage to its `scope`. Names declared without a
    value (and none passed or inherited) go into `unset`: they expand to nothing."""
    keyword = cmd.cmd.upper()
    if keyword == "ARG":
        for key, default in _declared(cmd):
            if key in passed:
                scope[key] = passed[key]
            elif default is not None:
                scope[key] = expand_known(default, {**_unset(unset), **scope})
            elif key in global_scope:
                scope[key] = global_scope[key]
            else:
                unset.add(key)
                continue
            unset.discard(key)
    elif keyword == "ENV":
        words = list(cmd.value)
        for key, value in zip(words[0::2], words[1::2], strict=False):
            scope[key] = expand_known(value, {**_unset(unset), **scope})
            unset.discard(key)


def _unset(names: set[str]) -> dict[str, str | None]:
    return dict.fromkeys(names, "")
