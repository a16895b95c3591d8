"""The cache-ref rule, in one place: each target's `cache-from` and `cache-to` entries for
every backend it may use (the file's, or each one CACHE_BACKEND may choose at bake time),
from the file's `cache` and the target's own merged `cache` attribute."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any

from bakegen.errors import KeyPath, Problems
from bakegen.matrix.model import MatrixFile
from bakegen.matrix.model_cache import backend_choices
from bakegen.resolve.cascade import Merged
from bakegen.resolve.fill import Templates
from bakegen.resolve.targets import NO_CACHE, CacheRefs, Entries
from bakegen.templating import Part, Text, Var, join, literal

CACHE_IMAGE, CACHE_SCOPE, CACHE_MODE = Var("CACHE_IMAGE"), Var("CACHE_SCOPE"), Var("CACHE_MODE")
CACHE_BACKEND, CACHE_EXPORT = "CACHE_BACKEND", "CACHE_EXPORT"
DEFAULT_NAME = "{target}-{scope}"
DEFAULT_REPOSITORY = "{cache_image}"
DEFAULT_DIR = ".buildx-cache"

# The options each backend takes besides those written from the settings (type, ref,
# scope, src, dest, name, bucket, region, prefix, mode, ignore-error), as buildx and
# BuildKit's cache exporters and importers read them; True: cache-from takes it too.
_COMPRESSION = {
    "compression": False,
    "compression-level": False,
    "force-compression": False,
    "oci-mediatypes": False,
    "image-manifest": False,
}
OPTIONS: Mapping[str, Mapping[str, bool]] = {
    "registry": _COMPRESSION,
    "local": _COMPRESSION,
    # gha: `repository` (cache-to) names the repository whose cache API a `ghtoken` reads;
    # the token itself is a credential (below).
    "gha": {"version": True, "timeout": True, "repository": False},
    "s3": {
        "endpoint_url": True,
        "use_path_style": True,
        "blobs_prefix": True,
        "manifests_prefix": True,
        "upload_parallelism": False,
        "touch_refresh": False,
    },
    "inline": {},
}
# Options that carry credentials: buildx reads them from its environment (AWS_*,
# ACTIONS_RUNTIME_TOKEN), and a bake file must never hold them.
CREDENTIAL_OPTIONS = frozenset(
    {"access_key_id", "secret_access_key", "session_token", "token", "ghtoken", "url", "url_v2"}
)


class _Settings:
    """A target's merged `cache` keys, each with where it was set."""

    def __init__(self, merged: Merged) -> None:
        self.entries: Mapping[str, tuple[Any, KeyPath]] = merged.maps.get("cache", {})

    def get(self, key: str, default: Any = None) -> Any:
        found = self.entries.get(key)
        return default if found is None else found[0]

    def where(self, key: str) -> KeyPath:
        found = self.entries.get(key)
        return found[1] if found is not None else ("cache",)


def cache_refs(
    model: MatrixFile,
    templates: Templates,
    merged: Merged,
    scope: dict[str, Part],
    name: str,
    tags: tuple[Text, ...],
) -> CacheRefs:
    """The cache entries of target `name` (`tags`: its image tags, which inline cache
    reads). Bad settings are added to the templates' problems."""
    cache = model.cache
    if not cache.enabled:
        return NO_CACHE
    settings = _Settings(merged)
    problems = templates.problems
    own = settings.get("backend")
    choices = backend_choices(model.cache.enabled, model.cache.backends)
    if own == "none":
        return NO_CACHE
    if choices and own is not None:
        problems.add(
            settings.where("backend"),
            f"the cache backend is chosen at bake time by CACHE_BACKEND ({', '.join(choices)})",
            "a target may only say `backend: none`; or leave `cache.backends` empty to fix "
            "each target's backend when rendering",
        )
    backends = [b for b in choices if b != "none"] if choices else [own or cache.backend]
    if backends == ["none"]:
        return NO_CACHE
    if backends == ["registry"] and not choices and not settings.entries:
        return default_registry(model, name)
    maker = _Maker(model, templates, settings, scope, name, tags, switched=bool(choices))
    made = tuple((b, *maker.entries(b)) for b in backends)
    maker.check_options(backends)
    return CacheRefs(
        choices=made, switched=bool(choices), tags=tuple(maker.tags), reads=tuple(maker.reads)
    )


def default_registry(model: MatrixFile, name: str) -> CacheRefs:
    """The registry refs of a target that sets nothing of its cache: what _Maker makes of the
    defaults, written directly, since it runs for every target of most matrices.
    `<cache image>:<target>-<CACHE_SCOPE>`, read and written, and one ref a fallback scope."""
    # Written as `join` would merge them (tests/resolve/test_cache_backends.py holds the two
    # paths equal): a literal part between each variable.
    head = "type=registry,ref="
    own: Text = (f"{name}-", CACHE_SCOPE)
    fallbacks = [(f"{name}-{scope}",) for scope in model.cache.fallback]
    read = (
        (head, CACHE_IMAGE, f":{name}-", CACHE_SCOPE),
        *((head, CACHE_IMAGE, f":{tag[0]}") for tag in fallbacks),
    )
    written = (head, CACHE_IMAGE, f":{name}-", CACHE_SCOPE, f",mode={model.cache.mode}")
    return CacheRefs(
        choices=(("registry", read, (written,)),), tags=(own, *fallbacks), default=True
    )


class _Maker:
    def __init__(
        self,
        model: MatrixFile,
        templates: Templates,
        settings: _Settings,
        scope: dict[str, Part],
        name: str,
        tags: tuple[Text, ...],
        *,
        switched: bool,
    ) -> None:
        self.model, self.templates, self.settings = model, templates, settings
        self.name, self.image_tags = name, tags
        self.scope = scope
        mode = settings.get("mode")
        self.mode: Text = (
            (f",mode={mode}",)
            if mode
            else ((",mode=", CACHE_MODE) if switched else (f",mode={model.cache.mode}",))
        )
        self.ignore_error = ",ignore-error=true" if settings.get("ignore_error") else ""
        self.export = settings.get("export", True)
        default_sources = [f"scope:{fallback}" for fallback in model.cache.fallback]
        self.sources: list[str] = settings.get("from", default_sources)
        self.options: dict[str, str] = settings.get("options") or {}
        self.tags: list[Text] = []
        self.reads: list[tuple[str, KeyPath]] = []

    @cached_property
    def own_scope(self) -> dict[str, Part]:
        """The target's placeholders and the cache's own; made only where a template is read
        (the default registry ref is written without one, for every target)."""
        return {**self.scope, "target": self.name, "scope": CACHE_SCOPE, "cache_image": CACHE_IMAGE}

    def text(self, key: str, default: str, over: dict[str, Part]) -> Text:
        scope = {**self.own_scope, **over} if over else self.own_scope
        template = self.settings.get(key)
        if template is None:
            return self.templates.text(default, scope, ("cache",))
        return self.templates.text(template, scope, self.settings.where(key))

    def scopes(self) -> list[tuple[str, dict[str, Part]]]:
        """What each cache read changes in the target's own template scope: nothing for its
        own, then each source's (`scope:` and `target:` sources; `image:` ones are read as
        written)."""
        out: list[tuple[str, dict[str, Part]]] = [("own", {})]
        for source in self.sources:
            kind, value = source.split(":", 1)
            if kind == "scope":
                out.append((kind, {"scope": value}))
            elif kind == "target":
                out.append((kind, {"target": value, "name": value}))
        return out

    def images(self) -> list[Text]:
        return [
            join("type=registry,ref=", self.templates.text(s[6:], self.own_scope, self.where))
            for s in self.sources
            if s.startswith("image:")
        ]

    @property
    def where(self) -> KeyPath:
        return self.settings.where("from")

    def entries(self, backend: str) -> tuple[Entries, Entries]:
        if backend == "inline":
            return self.inline()
        places = [(kind, self.place(backend, scope)) for kind, scope in self.scopes()]
        if any(kind == "target" for kind, _ in places):
            self.reads += [
                (s.split(":", 1)[1], self.where) for s in self.sources if s.startswith("target:")
            ]
        read_key, write_key = {"local": ("src", "dest")}.get(backend, (None, None))
        cache_from = [self.entry(backend, place, read_key, reading=True) for _, place in places]
        cache_from += self.images()
        if not self.export:
            return tuple(cache_from), ()
        place = places[0][1]
        written = self.entry(backend, place, write_key, reading=False)
        return tuple(cache_from), (written,)

    def place(self, backend: str, scope: dict[str, Part]) -> Text:
        """Where a cache is: a registry ref, a gha scope, a local directory, an s3 name."""
        if backend == "registry":
            if self.settings.get("name") is None and self.settings.get("repository") is None:
                # The default, written part by part: this runs for every target.
                read = scope.get("scope", CACHE_SCOPE)
                tag: Text = (
                    (f"{self.name}-", CACHE_SCOPE)
                    if read is CACHE_SCOPE
                    else (f"{self.name}-{read}",)
                )
                if scope.get("target", self.name) != self.name:
                    tag = self.text("name", DEFAULT_NAME, scope)
                self.tags.append(tag)
                return (CACHE_IMAGE, ":", *tag)
            tag = self.text("name", DEFAULT_NAME, scope)
            self.tags.append(tag)
            return join(self.text("repository", DEFAULT_REPOSITORY, scope), ":", tag)
        if backend == "local":
            return join(
                self.text("dir", DEFAULT_DIR, scope), "/", self.text("name", DEFAULT_NAME, scope)
            )
        return self.text("name", DEFAULT_NAME, scope)

    def entry(self, backend: str, place: Text, key: str | None, *, reading: bool) -> Text:
        head = {"registry": "ref", "gha": "scope", "local": key, "s3": "name"}[backend]
        parts: list[Text | str] = [f"type={backend}"]
        if backend == "s3":
            parts += [",region=", self.s3_value("region"), ",bucket=", self.s3_value("bucket")]
        parts += [f",{head}=", place]
        if backend == "s3" and self.settings.get("prefix") is not None:
            parts += [",prefix=", self.text("prefix", "", {})]
        if not reading:
            parts += [self.mode]
        taken = OPTIONS[backend]
        parts += [
            f",{k}={v}"
            for k, v in sorted(self.options.items())
            if k in taken and (taken[k] or not reading)
        ]
        if not reading:
            parts += [self.ignore_error]
        return join(*parts)

    def s3_value(self, key: str) -> Text:
        if self.settings.get(key) is None:
            self.templates.problems.add(
                self.settings.where("backend"),
                f"the s3 cache of {self.name!r} needs `cache.{key}`",
                "set bucket and region in `defaults.cache`; credentials come from the "
                "environment of buildx, never from the matrix",
                kind=f"s3-{key}",  # once per setting, not once per target it reaches
            )
            return literal(key)
        return self.text(key, "", {})

    def inline(self) -> tuple[Entries, Entries]:
        """Inline cache travels in the pushed image: read from the target's own image (its
        first tag) and the `image:` sources; shared stages push no image and have none."""
        if not self.image_tags:
            return (), ()
        cache_from = (join("type=registry,ref=", self.image_tags[0]), *self.images())
        return cache_from, ((("type=inline",),) if self.export else ())

    def check_options(self, backends: list[str]) -> None:
        problems: Problems = self.templates.problems
        where = self.settings.where("options")
        for key, value in self.options.items():
            if key in CREDENTIAL_OPTIONS:
                problems.add(
                    where,
                    f"cache option {key!r} holds a credential, which a bake file must not",
                    "remove it: buildx reads credentials from its environment, "
                    "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN for s3, "
                    "ACTIONS_RUNTIME_TOKEN and ACTIONS_CACHE_URL for gha; see docs/ci.md",
                )
            elif not any(key in OPTIONS[b] for b in backends):
                takes = sorted({k for b in backends for k in OPTIONS[b]})
                problems.add(
                    where,
                    f"the {'/'.join(backends)} cache takes no option {key!r}",
                    f"options it takes: {', '.join(takes) or 'none'}",
                )
            elif "," in value or not value:
                problems.add(where, f"cache option {key!r} needs a value without ','")
