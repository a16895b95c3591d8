"""Cache entries are read the way buildx reads them, from their final text: a template value
cannot add a field, a registry ref is a reference a registry takes, and a local cache folder
stays inside the project (unless `exports.outside_project` says otherwise)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bakegen.errors import MatrixError
from bakegen.matrix.validate import load_matrix_text
from bakegen.pipeline import compile_matrix


def _matrix(cache: str, extra: str = "") -> str:
    return (
        "format: 1\nimage: {name: app}\nvariables: {BRANCH: {default: main}}\n"
        f"defaults: {{dockerfile: Dockerfile, stage: runtime, cache: {{{cache}}}}}\n"
        "axes:\n  os: {values: {jammy: {}, noble: {}}}\n" + extra
    )


def _problems(text: str) -> list[str]:
    with pytest.raises(MatrixError) as caught:
        compile_matrix(load_matrix_text(text))
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("cache", "message"),
    [
        (
            'backend: gha, name: "{target},b=c"',
            "defaults.cache.name: cache entry 'type=gha,scope=jammy,b=c' has fields bakegen "
            "did not write (b): a template value holds ',' or '='",
        ),
        (
            'name: "{target},mode=min"',
            "cache entry 'type=registry,ref=${CACHE_IMAGE}:jammy,mode=min' has fields bakegen "
            "did not write (mode)",
        ),
        (
            'name: "{target}/x"',
            "defaults.cache.name: cache ref of 'jammy': tag 'jammy/x' has characters a tag "
            "cannot hold: '/'",
        ),
        (
            'backend: gha, name: "{target}-{var.BRANCH}"',
            "defaults.cache.name: cache entry 'type=gha,scope=jammy-${BRANCH}' reads ${BRANCH}, "
            "set at bake time and not checked: its value could add fields",
        ),
        (
            "backend: local, dir: ../../etc",
            "defaults.cache.dir: the local cache folder '../../etc/jammy-${CACHE_SCOPE}' of "
            "'jammy' is outside the project",
        ),
        (
            "backend: local, dir: /var/cache",
            "defaults.cache.dir: the local cache folder '/var/cache/jammy-${CACHE_SCOPE}' of "
            "'jammy' is outside the project",
        ),
        (
            'backend: local, name: "../../{target}"',
            "defaults.cache.name: the local cache folder '.buildx-cache/../../jammy' of "
            "'jammy' is outside the project",
        ),
    ],
)
def test_a_cache_entry_buildx_would_read_otherwise_is_refused(cache: str, message: str) -> None:
    found = _problems(_matrix(cache))
    assert len(found) == 1, found
    assert message in found[0]
    assert found[0].startswith("matrix.yaml:4:")


@pytest.mark.parametrize(
    ("cache", "extra"),
    [
        ("backend: gha", ""),
        ("backend: local", ""),
        ("backend: local, dir: /var/cache", "exports: {outside_project: true}\n"),
        ('repository: "ghcr.io/acme/cache", name: "{target}-{scope}"', ""),
        ("backend: s3, bucket: b, region: eu-west-1, prefix: cache/", ""),
        ("mode: min, ignore_error: true", ""),
    ],
)
def test_cache_entries_bakegen_writes_are_taken(cache: str, extra: str, tmp_path: Path) -> None:
    compiled = compile_matrix(load_matrix_text(_matrix(cache, extra)))
    assert all(t.cache.choices for t in compiled.resolution.targets)
