"""Image references as BuildKit reads them in `FROM`, `COPY --from` and `RUN --mount=from=`.

BuildKit looks a named context up by the image's short ("familiar") name: `docker.io/library/`
dropped and a `:latest` tag dropped, so `FROM alpine`, `FROM alpine:latest` and
`FROM docker.io/library/alpine` all read a context named `alpine`.
"""

from __future__ import annotations

import re

# One path component of an image name (lower-case, separators inside), as the reference
# grammar allows it.
_COMPONENT = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")
_TAG = re.compile(r"^[\w][\w.-]{0,127}$")
_DIGEST = re.compile(r"^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}$")
_DOMAIN = re.compile(
    r"^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?\.?)+(?::[0-9]+)?$|^\[[0-9a-fA-F:]+\](?::[0-9]+)?$"
)

DEFAULT_DOMAIN = "docker.io"


def split(ref: str) -> tuple[str, str, str | None, str | None]:
    """(domain, path, tag, digest) of a reference, with Docker Hub's defaults filled in."""
    name, _, digest = ref.partition("@")
    tag = None
    last_slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > last_slash:
        name, tag = name[:colon], name[colon + 1 :]
    first, sep, rest = name.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost" or first != first.lower()):
        domain, path = first, rest
    else:
        domain, path = DEFAULT_DOMAIN, name
    if domain in (DEFAULT_DOMAIN, "index.docker.io"):
        domain = DEFAULT_DOMAIN
        if "/" not in path:
            path = f"library/{path}"
    return domain, path, tag, digest or None


def is_valid(ref: str) -> bool:
    """Whether BuildKit can parse `ref` as an image reference."""
    if not ref or ref != ref.strip():
        return False
    domain, path, tag, digest = split(ref)
    if domain != DEFAULT_DOMAIN and not _DOMAIN.match(domain):
        return False
    if not all(_COMPONENT.match(c) for c in path.split("/")):
        return False
    if tag is not None and not _TAG.match(tag):
        return False
    return digest is None or bool(_DIGEST.match(digest))


def familiar(ref: str) -> str:
    """The short name BuildKit looks a named context up by (`docker.io/library/x:latest` → `x`)."""
    domain, path, tag, digest = split(ref)
    name = path.removeprefix("library/") if domain == DEFAULT_DOMAIN else f"{domain}/{path}"
    if tag is not None:
        name += f":{tag}"
    if digest is not None:
        name += f"@{digest}"
    return name.removesuffix(":latest")


def has_port_registry(ref: str) -> bool:
    """Whether the reference names a registry with a port (`localhost:5000/img:1`)."""
    first, sep, _ = ref.partition("/")
    return bool(sep) and re.search(r":[0-9]+$", first) is not None


def is_image_reference(ref: str) -> bool:
    """`FROM x` names an image (rather than a stage or named context) when it has a
    registry, path, tag or digest, or is `scratch`."""
    return ref.lower() == "scratch" or any(c in ref for c in "/:@")


def is_pinned(ref: str) -> bool:
    if ref.lower() == "scratch" or "@" in ref:
        return True
    last = ref.rsplit("/", 1)[-1]
    return ":" in last and last.rsplit(":", 1)[1] not in ("", "latest")
