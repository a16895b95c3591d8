"""The digests that build jobs recorded with `docker buildx bake --metadata-file`, read for
`bakegen manifest --metadata`.

Bake writes one JSON object: per target a record with `containerimage.digest` (the pushed
manifest or index) and `image.name` (the names it was pushed under, comma-separated, with
`<name>@<digest>` among them under `name-canonical=true`), beside `buildx.*` keys of its own.
The files come from other jobs' artifacts: everything read is checked before it goes into a
reference."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from bakegen.errors import ManifestError

DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
# A metadata file holds a few records per target; anything far larger is not one.
MAX_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class Pushed:
    """One target's push as a metadata file records it."""

    digest: str
    names: tuple[str, ...]
    file: str


def metadata_files(paths: tuple[Path, ...]) -> list[Path]:
    """The files named, and every `*.json` under each folder named (downloaded artifacts
    come one folder per job)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*.json") if p.is_file())
            if not found:
                raise ManifestError(f"--metadata {path}: the folder holds no *.json file")
            out += found
        elif path.is_file():
            out.append(path)
        else:
            raise ManifestError(f"--metadata {path}: no such file or folder")
    return out


def read_pushes(paths: tuple[Path, ...]) -> dict[str, Pushed]:
    """Each target's push, from every metadata file; a target two files give different
    digests is refused (two builds of one cell: which one to join is unknown)."""
    pushes: dict[str, Pushed] = {}
    for path in metadata_files(paths):
        for target, pushed in _read_one(path).items():
            first = pushes.setdefault(target, pushed)
            if first.digest != pushed.digest:
                raise ManifestError(
                    f"{target} has two digests: {first.digest} in {first.file} and "
                    f"{pushed.digest} in {pushed.file}; pass the metadata of one build of it"
                )
    return pushes


def _read_one(path: Path) -> dict[str, Pushed]:
    try:
        with path.open("rb") as stream:
            raw = stream.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ManifestError(f"{path}: cannot read it ({exc.strerror})") from None
    if len(raw) > MAX_BYTES:
        raise ManifestError(f"{path}: over {MAX_BYTES // (1024 * 1024)} MiB: not a metadata file")
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ManifestError(f"{path}: not JSON ({exc}); pass bake's --metadata-file") from None
    if not isinstance(data, dict):
        raise ManifestError(f"{path}: not a JSON object of targets; pass bake's --metadata-file")
    out: dict[str, Pushed] = {}
    for target, record in data.items():
        if target.startswith("buildx."):
            continue  # bake's own keys (buildx.build.ref, buildx.build.warnings)
        if not isinstance(record, dict) or "containerimage.digest" not in record:
            continue  # a target that pushed nothing (a shared stage, a cache-only job)
        digest = record["containerimage.digest"]
        if not isinstance(digest, str) or not DIGEST.fullmatch(digest):
            raise ManifestError(
                f"{path}: {target}: containerimage.digest {_shown(digest)} is not "
                "sha256: and 64 lowercase hex digits"
            )
        names = record.get("image.name", "")
        if not isinstance(names, str):
            raise ManifestError(f"{path}: {target}: image.name is not a string")
        out[target] = Pushed(
            digest=digest, names=tuple(n.strip() for n in names.split(",") if n), file=str(path)
        )
    return out


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def normalized(repository: str) -> str:
    """A repository as a registry client reads it: Docker Hub's host and `library/` made
    explicit, the host in lower case."""
    host, slash, rest = repository.partition("/")
    if not slash or not ("." in host or ":" in host or host == "localhost"):
        host, rest = "docker.io", repository
    host = host.lower()
    if host in ("docker.io", "index.docker.io", "registry-1.docker.io"):
        host = "docker.io"
        if "/" not in rest:
            rest = f"library/{rest}"
    return f"{host}/{rest}"


def source(target: str, repository: str, pushes: dict[str, Pushed]) -> str:
    """`<repository>@<digest>` of the target's push, once the metadata shows it went to
    the cell's own repository under that digest."""
    pushed = pushes.get(target)
    if pushed is None:
        raise ManifestError(f"{target}: no metadata file names its digest")
    if not pushed.names:
        raise ManifestError(
            f"{pushed.file}: {target}: no image.name: the push went to no repository "
            f"({repository} expected)"
        )
    for entry in pushed.names:
        name, at, digest = entry.partition("@")
        if at and digest != pushed.digest:
            raise ManifestError(
                f"{pushed.file}: {target}: image.name {_shown(entry)} names another digest "
                f"than containerimage.digest {pushed.digest}"
            )
        if normalized(name) != normalized(repository):
            raise ManifestError(
                f"{pushed.file}: {target}: pushed to {_shown(name)}, not to its image "
                f"{repository}; pass the metadata of this matrix's build (with the same "
                "REGISTRY and IMAGE_NAME)"
            )
    return f"{repository}@{pushed.digest}"
