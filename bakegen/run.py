"""`bakegen run`: start a container of a matrix cell's image, with the options run.sh had.

The image is the tag the bake file gives the cell, so what `docker buildx bake` built is what
runs. The Hugging Face cache is mounted under the home of the user the container runs as.
"""

from __future__ import annotations

import platform as host
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bakegen.errors import MatrixError, RunError, TemplateError
from bakegen.matrix.names import suggest
from bakegen.matrix.tags import tag_latest
from bakegen.pipeline import Compiled
from bakegen.resolve.scope import Names
from bakegen.resolve.targets import Target
from bakegen.templating import evaluate, expand, plain

_MACHINES = {
    "x86_64": "linux/amd64",
    "amd64": "linux/amd64",
    "aarch64": "linux/arm64",
    "arm64": "linux/arm64",
}


@dataclass(frozen=True, kw_only=True)
class RunOptions:
    name: str | None = None
    gpus: str = "all"
    runtime: str = "nvidia"
    entrypoint: str | None = None
    workdir: str = "/workspace"
    privileged: bool = False
    rm: bool = True
    volumes: tuple[str, ...] = ()
    ports: tuple[str, ...] = ()
    env: tuple[str, ...] = ()
    interactive: bool = False
    mount_workspace: bool = False
    use_nixl_gds: bool = False
    hf_home: str | None = None
    network: str = "host"
    user: str | None = None
    command: tuple[str, ...] = ()


def host_platform() -> str:
    return _MACHINES.get(host.machine().lower(), "linux/amd64")


def choose_image(
    compiled: Compiled, key: str | None, wanted: Mapping[str, str]
) -> tuple[str | None, Compiled]:
    """The image (key and part) of a file with several that `--image-key` names, else the
    only one with every axis value asked for; (None, compiled) for a file of one image."""
    if not compiled.images:
        if key is not None:
            raise RunError("--image-key picks one of `images`: this matrix has a single image")
        return None, compiled
    parts = dict(compiled.images)
    if key is not None:
        if key not in parts:
            hint = suggest(key, list(parts)) or f"images: {', '.join(parts)}"
            raise RunError(f"the matrix has no image {key!r}; {hint}")
        return key, parts[key]
    fits = [
        k
        for k, part in parts.items()
        if all(v in getattr(part.matrix.model.axes.get(a), "values", {}) for a, v in wanted.items())
    ]
    if len(fits) == 1:
        return fits[0], parts[fits[0]]
    shown = ", ".join(f"{a}={v}" for a, v in wanted.items()) or "the options given"
    among = fits or list(parts)
    raise RunError(
        f"{'several images fit' if fits else 'no image has'} {shown} "
        f"(images: {', '.join(among)}): pick one with --image-key"
    )


def choose_cell(compiled: Compiled, wanted: Mapping[str, str], platform: str) -> Target:
    """The cell with the values asked for. Among the cells that have them, the one that also
    has the most preferred values: `run.defaults`, and the value built for this machine's
    platform; ties go to the first cell."""
    model = compiled.matrix.model
    for axis, value in wanted.items():
        if axis not in model.axes:
            hint = suggest(axis, list(model.axes))
            raise RunError(f"the matrix has no axis {axis!r}" + (f"; {hint}" if hint else ""))
        if value not in model.axes[axis].values:
            known = list(model.axes[axis].values)
            hint = suggest(value, known) or f"values: {', '.join(known)}"
            raise RunError(f"{value!r} is not a value of axis {axis!r}; {hint}")
    preferred = dict(model.run.defaults)
    for axis, spec in model.axes.items():
        native = [v for v, a in spec.values.items() if a and platform in (a.platforms or [])]
        if native and axis not in preferred:
            preferred[axis] = native[0]
    candidates = [
        t
        for t in compiled.resolution.targets
        if t.kind == "cell" and all(dict(t.values)[a] == v for a, v in wanted.items())
    ]
    if not candidates:
        shown = ", ".join(f"{a}={v}" for a, v in wanted.items())
        raise RunError(f"the matrix builds no image with {shown} (is it excluded?)")
    return max(candidates, key=lambda t: sum(preferred.get(a) == v for a, v in t.values))


def image_of(target: Target, values: Mapping[str, str]) -> str:
    """The tag a plain `docker buildx bake` gives the cell: its moving alias while
    TAG_LATEST is on (as run.sh used), else its versioned tag."""
    latest = tag_latest(values.get("TAG_LATEST", "true"))
    text = target.latest_tags[0] if latest and target.latest_tags else target.tags[0]
    return evaluate(text, values)


def home_of(compiled: Compiled, target: Target, user: str | None) -> str:
    """Where the container user's home is: /root for --user root or 0, `run.user_home` for
    another --user, else the image's own user's, `run.home`."""
    spec = compiled.matrix.model.run
    if user is not None and user.split(":", 1)[0] in ("root", "0"):
        return "/root"
    template = spec.user_home if user is not None and spec.user_home else spec.home
    scope = Names.of(compiled.matrix.model, compiled.matrix.ids).scope(target.values, target.name)
    try:
        return plain(expand(template, scope))
    except TemplateError as exc:
        raise MatrixError(
            [compiled.matrix.source.problem(("run", "home"), exc.message, exc.hint)]
        ) from None


def workspace_root(start: Path) -> Path:
    """The repository mounted by --mount-workspace: the git work tree holding `start`."""
    for candidate in (start, *start.parents):
        if (candidate / ".git").exists():
            return candidate
    return start


def docker_command(
    options: RunOptions, image: str, home: str, workspace: Path, environ: Mapping[str, str]
) -> tuple[list[str], Path | None]:
    """The `docker run` argv, and the host directory of the HF cache (to create) if any."""
    argv = ["docker", "run"]
    use_gpus = options.gpus.lower() != "none"
    if use_gpus:
        argv += ["--gpus", options.gpus]
    if options.interactive:
        argv.append("-it")
    if options.rm:
        argv.append("--rm")
    argv += ["--network", options.network]
    if use_gpus and options.runtime:
        argv += ["--runtime", options.runtime]
    argv += [
        "--shm-size=10G",
        "--ulimit",
        "memlock=-1",
        "--ulimit",
        "stack=67108864",
        "--ulimit",
        "nofile=65536:65536",
    ]
    env = list(options.env)
    volumes: list[str] = []
    hf_home = options.hf_home if options.hf_home is not None else environ.get("HF_HOME") or None
    if options.mount_workspace:
        volumes += [f"{workspace}:/workspace", "/tmp:/tmp", "/mnt/:/mnt"]
        env.append("HF_TOKEN")
        if hf_home is None:
            hf_home = str(workspace / ".cache" / "huggingface")
    if options.use_nixl_gds:
        volumes.append("/run/udev:/run/udev:ro")
        if not options.mount_workspace:
            volumes.append("/tmp:/tmp")
    cache: Path | None = None
    if hf_home is not None and hf_home.lower() != "none":
        cache = Path(hf_home)
        volumes.append(f"{hf_home}:{home.rstrip('/')}/.cache/huggingface")
    volumes += options.volumes
    for item in env:
        argv += ["-e", item]
    for item in volumes:
        argv += ["-v", item]
    for item in options.ports:
        argv += ["-p", item]
    argv += ["-w", options.workdir, "--cap-add", "CAP_SYS_PTRACE"]
    if options.use_nixl_gds:
        argv.append("--cap-add=IPC_LOCK")
    argv += ["--ipc", "host"]
    if options.privileged:
        argv.append("--privileged")
    if options.user is not None:
        argv += ["--user", options.user]
        # Docker drops the image's supplementary groups for an explicit user; keep group 0,
        # which owns the image's writable directories.
        if options.user.split(":", 1)[0] not in ("root", "0"):
            argv += ["--group-add", "0"]
    if options.name:
        argv += ["--name", options.name]
    if options.entrypoint:
        argv += ["--entrypoint", options.entrypoint]
    argv.append(image)
    argv += options.command
    return argv, cache


def execute(argv: list[str], cache: Path | None) -> int:
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
    try:
        return subprocess.run(argv, check=False).returncode
    except FileNotFoundError:
        raise RunError("docker is not installed or not on PATH") from None
