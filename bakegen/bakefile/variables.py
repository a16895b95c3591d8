"""The bake variables and global attributes every generated file declares, and the
matrix's own variables with their `validation` blocks."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass

from bakegen.bakefile.hcl import Expr, hcl_list
from bakegen.bakefile.tag_validations import TAG_START, TagLimits, tag_checks
from bakegen.errors import RenderError
from bakegen.matrix.model import MatrixFile, UserVariable
from bakegen.matrix.model_cache import MODES, backend_choices
from bakegen.resolve.dates import BUILD_DATE, BUILD_TIME, uses_dates
from bakegen.resolve.targets import Target
from bakegen.templating import Var

# The variables cache entries may read, and CACHE_EXPORT, which switches every cache-to.
_CACHE_PARTS = frozenset({"CACHE_IMAGE", "CACHE_SCOPE", "CACHE_MODE"})
ALL_CACHE_USES = _CACHE_PARTS | {"CACHE_EXPORT"}


@dataclass(frozen=True, kw_only=True)
class Variable:
    name: str
    default: str | bool
    description: str
    # (HCL condition written by bakegen, error message) pairs: bake's `validation` blocks.
    validations: tuple[tuple[Expr, str], ...] = ()


def _user_variable(name: str, spec: UserVariable, limits: TagLimits) -> Variable:
    checks: list[tuple[Expr, str]] = []
    if spec.choices is not None:
        checks.append(
            (
                Expr(f"contains({hcl_list(spec.choices)}, {name})"),
                spec.message or f"{name} must be one of: {', '.join(spec.choices)}",
            )
        )
    if spec.reject:
        checks.append(
            (
                Expr(f"!contains({hcl_list(spec.reject)}, {name})"),
                spec.message or f"{name} may not be {' or '.join(spec.reject)}",
            )
        )
    return Variable(
        name=name,
        default=spec.default,
        description=spec.description or name,
        validations=(*checks, *tag_checks(name, limits)),
    )


def cache_uses(targets: Sequence[Target]) -> frozenset[str]:
    """The cache variables some target's entries read (CACHE_IMAGE, CACHE_SCOPE,
    CACHE_MODE), and CACHE_EXPORT when some target writes a cache: a file declares only
    those, so a matrix without registry refs has no CACHE_REGISTRY to set in vain."""
    found: set[str] = set()
    for target in targets:
        for _, cache_from, cache_to in target.cache.choices:
            if cache_to:
                found.add("CACHE_EXPORT")
            for entry in (*cache_from, *cache_to):
                found.update(p.name for p in entry if isinstance(p, Var) and p.name in _CACHE_PARTS)
        if len(found) == len(ALL_CACHE_USES):
            break  # all of them: the rest of the targets can add none
    return frozenset(found)


def variables(
    model: MatrixFile, limits: TagLimits, cache_used: frozenset[str]
) -> tuple[Variable, ...]:
    image, cache, sccache = model.image, model.cache, model.sccache
    out = [
        Variable(
            name="REGISTRY",
            default=image.registry,
            description="Registry and namespace of the images, e.g. ghcr.io/acme",
        ),
        Variable(name="IMAGE_NAME", default=image.name or "", description="Image repository name"),
        Variable(
            name="VERSION",
            default=model.versioning.default,
            description="Image version (docker-bake.override.hcl sets it from git)",
            validations=tag_checks("VERSION", limits, required=True),
        ),
        Variable(
            name="COMMIT_SHA",
            default="",
            description="Source commit (docker-bake.override.hcl sets it from git)",
        ),
        Variable(
            name="TAG_LATEST",
            default=image.tag_latest,
            description="Also tag the moving latest aliases",
        ),
    ]
    if "CACHE_IMAGE" in cache_used:
        out.append(
            Variable(
                name="CACHE_REGISTRY",
                default=cache.registry,
                description="Repository of the registry cache ('' = <image>-cache)",
            )
        )
    if "CACHE_SCOPE" in cache_used:
        out.append(
            Variable(
                name="CACHE_SCOPE",
                default=cache.scope,
                description="Cache tag suffix, e.g. the branch name with '/' as '-'",
                validations=tag_checks("CACHE_SCOPE", limits, required=True) or _scope_checks(),
            )
        )
    if "CACHE_EXPORT" in cache_used:
        out.append(
            Variable(
                name="CACHE_EXPORT",
                default=cache.export,
                description="Write the registry cache (cache-to)",
            )
        )
    out += _backend_variables(model)
    out += [
        Variable(
            name="USE_SCCACHE",
            default="true" if sccache.enabled else "false",
            description="Compile through sccache (credentials come as secrets)",
            validations=(
                (
                    Expr('contains(["true", "false"], USE_SCCACHE)'),
                    "USE_SCCACHE must be true or false",
                ),
                (
                    Expr('USE_SCCACHE != "true" || (SCCACHE_BUCKET != "" && SCCACHE_REGION != "")'),
                    "USE_SCCACHE=true needs SCCACHE_BUCKET and SCCACHE_REGION",
                ),
            ),
        ),
        Variable(name="SCCACHE_BUCKET", default=sccache.bucket, description="sccache S3 bucket"),
        Variable(name="SCCACHE_REGION", default=sccache.region, description="sccache S3 region"),
    ]
    out += [_user_variable(name, spec, limits) for name, spec in model.variables.items()]
    return tuple(out)


def _backend_variables(model: MatrixFile) -> list[Variable]:
    """CACHE_BACKEND and CACHE_MODE, where the backend is chosen at bake time: a value
    the file was not written for stops bake before any build."""
    choices = backend_choices(model.cache.enabled, model.cache.backends)
    if not choices:
        return []
    return [
        Variable(
            name="CACHE_BACKEND",
            default=model.cache.backend,
            description="Cache backend of every target: " + ", ".join(choices),
            validations=(
                (
                    Expr(f"contains({hcl_list(choices)}, CACHE_BACKEND)"),
                    f"CACHE_BACKEND must be one of: {', '.join(choices)}",
                ),
            ),
        ),
        Variable(
            name="CACHE_MODE",
            default=model.cache.mode,
            description="cache-to mode: min (the final image's layers) or max (every stage)",
            validations=(
                (
                    Expr(f"contains({hcl_list(MODES)}, CACHE_MODE)"),
                    f"CACHE_MODE must be one of: {', '.join(MODES)}",
                ),
            ),
        ),
    ]


def _scope_checks() -> tuple[tuple[Expr, str], ...]:
    """CACHE_SCOPE where no registry tag holds it (a gha scope, a local folder, an s3 name):
    still one word, so that a '/' or '..' cannot reach another scope or leave the cache
    folder."""
    return (
        (
            Expr(f'can(regex("{TAG_START}", CACHE_SCOPE))'),
            (
                "CACHE_SCOPE must be letters, digits, '_', '.' and '-', starting with a letter, "
                "digit or '_' (a '/' or '..' would reach another cache scope or folder)"
            ),
        ),
    )


def cache_image(image: str) -> Expr:
    """CACHE_IMAGE: the repository of the registry cache refs, `<image>-cache` beside the
    image (`image` the variable holding it) unless CACHE_REGISTRY names one."""
    return Expr(f'CACHE_REGISTRY == "" ? "${{{image}}}-cache" : CACHE_REGISTRY')


def global_attributes(cache_used: frozenset[str]) -> tuple[tuple[str, Expr], ...]:
    out = [("IMAGE", Expr('REGISTRY == "" ? IMAGE_NAME : "${REGISTRY}/${IMAGE_NAME}"'))]
    if "CACHE_IMAGE" in cache_used:
        out.append(("CACHE_IMAGE", cache_image("IMAGE")))
    return tuple(out)


# 9999-12-31T23:59:59Z: the last second a four-digit year (`{date}`, RFC 3339) can show.
MAX_EPOCH = 253_402_300_799


def render_time() -> time.struct_time:
    """SOURCE_DATE_EPOCH (whole seconds since 1970, as reproducible-builds.org defines it),
    else the clock. A value set but malformed is an error, not a silent fallback to the
    clock: the build it was set for would not be reproducible."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return time.gmtime(int(time.time()))
    if not (raw.isascii() and raw.isdigit()):
        raise RenderError(
            f"SOURCE_DATE_EPOCH={raw[:40]!r} is not a number of seconds since 1970-01-01 "
            "(digits only, e.g. the commit time: git log -1 --format=%ct); unset it to use "
            "the clock"
        )
    if len(raw) > len(str(MAX_EPOCH)) or int(raw) > MAX_EPOCH:
        raise RenderError(
            f"SOURCE_DATE_EPOCH={raw[:40]!r} is after the year 9999 "
            f"(at most {MAX_EPOCH}); set it to a real time, e.g. git log -1 --format=%ct"
        )
    return time.gmtime(int(raw))


def date_variables(model: MatrixFile) -> tuple[Variable, ...]:
    """The date variables the matrix uses, their defaults taken from one timestamp."""
    names = uses_dates(model)
    if not names:
        return ()
    stamp = render_time()
    formats = {
        BUILD_DATE.name: ("%Y%m%d", "Build date in tags, UTC"),
        BUILD_TIME.name: ("%Y-%m-%dT%H:%M:%SZ", "Build time, RFC 3339 UTC"),
    }
    return tuple(
        Variable(
            name=name,
            default=time.strftime(fmt, stamp),
            description=f"{words} (from SOURCE_DATE_EPOCH, else the render time)",
        )
        for name, (fmt, words) in formats.items()
        if name in names
    )
