"""Cache entries read the way buildx reads them, from their final text: each `cache-from` and
`cache-to` is a CSV record of `key=value` fields, like an output (resolve/exports.py). A
template value with a ',' or '=' (a `name: "a,b=c"`) would add a field; a registry ref must be
a reference a registry takes; a local cache folder stays inside the project, as an output's
destination does."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from bakegen.errors import ExportError, KeyPath, Problem
from bakegen.matrix.tags import tag_problem
from bakegen.resolve.cache_refs import OPTIONS
from bakegen.resolve.exports import csv_fields, inside_project, unchecked
from bakegen.resolve.targets import Target
from bakegen.templating import Text

# The fields bakegen writes besides the backend's options; cache-from takes none of the
# written ones marked False.
_WRITTEN = {
    "type": True,
    "ref": True,
    "scope": True,
    "src": True,
    "dest": False,
    "name": True,
    "bucket": True,
    "region": True,
    "prefix": True,
    "mode": False,
    "ignore-error": False,
}
_HINT = "see docs/matrix.md, Cache"


def _flat(entry: Text) -> str:
    """The entry with each bake variable as `${NAME}`, as the file writes it: the bake file
    validates their values (CACHE_SCOPE, CACHE_MODE) or builds them from validated ones
    (CACHE_IMAGE), so none adds a field."""
    return "".join(p if isinstance(p, str) else "${" + p.name + "}" for p in entry)


# The cache's own bake variables: validated by the bake file (CACHE_SCOPE, CACHE_MODE) or
# built from validated ones (CACHE_IMAGE).
_CACHE_VARIABLES = frozenset({"CACHE_IMAGE", "CACHE_SCOPE", "CACHE_MODE"})


def _fields_problem(backend: str, entry: Text, *, writing: bool) -> str | None:
    text = _flat(entry)
    # An image's own IMAGE_<KEY> is built from its checked IMAGE_NAME_<KEY>.
    names = sorted(n for n in unchecked(entry, _CACHE_VARIABLES) if not n.startswith("IMAGE_"))
    if names:
        return (
            f"cache entry {text!r} reads {', '.join('${' + n + '}' for n in names)}, set "
            "at bake time and not checked: its value could add fields; use an axis value or "
            "a fixed text"
        )
    try:
        fields = csv_fields(text)
    except ExportError as exc:
        return f"cache entry {text!r} {exc}"
    keys = [k for k, _ in fields]
    # The inline cache is read from the pushed image, as a registry cache.
    kind = "registry" if backend == "inline" else backend
    taken = {
        k for k, both in (*_WRITTEN.items(), *OPTIONS.get(kind, {}).items()) if both or writing
    }
    extra = [k for k in keys if k not in taken]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if extra or twice or dict(fields).get("type") != kind:
        return (
            f"cache entry {text!r} has fields bakegen did not write "
            f"({', '.join(extra or twice) or 'type'}): a template value holds ',' or '='"
        )
    return None


def _entries(target: Target) -> Iterator[tuple[str, Text, bool]]:
    choices = target.cache.choices
    for backend, cache_from, cache_to in choices:
        yield from ((backend, e, False) for e in cache_from)
        yield from ((backend, e, True) for e in cache_to)


def _where(target: Target, key: str) -> KeyPath:
    return target.origins.get(f"cache.{key}", target.origins.get("cache.name", ("cache",)))


def cache_entry_problems(targets: Sequence[Target], outside: bool) -> list[Problem]:
    """Each target's cache entries as buildx parses them; the first problem of each kind at
    each place, as the same template gives it for many targets."""
    found: dict[tuple[KeyPath, str], Problem] = {}

    def add(path: KeyPath, kind: str, message: str, hint: str = _HINT) -> None:
        found.setdefault((path, kind), Problem(path=path, message=message, hint=hint))

    # Entries made from the defaults alone are right by construction (target names and
    # fallback scopes are validated words): reading them again would cost a parse per
    # target of most matrices.
    for target in (t for t in targets if not t.cache.default):
        misread = False  # one problem for one cause: a field too many spoils the tag as well
        for backend, entry, writing in _entries(target):
            if entry == ("type=inline",):
                continue
            why = _fields_problem(backend, entry, writing=writing)
            if why is not None:
                add(_where(target, "name"), "fields", why)
                misread = True
                continue
            place = dict(csv_fields(_flat(entry)))
            folder = place.get("dest") or place.get("src")
            if backend == "local" and folder and not outside and not inside_project(folder):
                add(
                    _where(target, "dir"),
                    "outside",
                    f"the local cache folder {folder!r} of {target.name!r} is outside the project",
                    "keep `dir` and `name` relative and inside the project, or set "
                    "`exports: {outside_project: true}`",
                )
        for tag in () if misread else target.cache.tags:
            problem = tag_problem(tag)
            if problem is not None:
                add(_where(target, "name"), "tag", f"cache ref of {target.name!r}: {problem[0]}")
    return list(found.values())
