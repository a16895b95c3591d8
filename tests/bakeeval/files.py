"""Which files bake reads (`-f`, BUILDX_BAKE_FILE, default lookup) and how each is read
(compose YAML, HCL-JSON, HCL), then the whole `docker buildx bake --print` run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.bakeeval import config as config_mod
from tests.bakeeval import hcljson, model, native
from tests.bakeeval.errors import BakeError
from tests.bakeeval.resolve import bake_print
from tests.bakeeval.tree import Body

DEFAULT_FILES = [
    "compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml",
    "docker-bake.json", "docker-bake.hcl", "docker-bake.override.json", "docker-bake.override.hcl",
]  # fmt: skip
BUILTINS = {"BAKE_CMD_CONTEXT": "cwd://", "BAKE_LOCAL_PLATFORM": "linux/amd64"}


def read_files(cwd: Path, files: list[str], env: dict[str, str]) -> list[tuple[str, str]]:
    default = not files
    if default and env.get("BUILDX_BAKE_FILE"):
        files, default = env["BUILDX_BAKE_FILE"].split(":"), False
    out = []
    for name in files or DEFAULT_FILES:
        path = cwd / name
        if not path.is_file():
            if default:
                continue
            raise BakeError(f"open {name}: no such file or directory")
        text = path.read_bytes().decode("utf-8")
        if default and not text:
            continue
        out.append((name, text))
    return out


def _is_compose(name: str, text: str) -> bool:
    if not name.endswith((".yml", ".yaml")):
        return False
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return False
    return isinstance(data, dict) and "services" in data


def parse_text(name: str, text: str) -> Body:
    """One bake file by its name: .json is HCL-JSON, .hcl is HCL, others HCL then JSON."""
    text = text.removeprefix("\ufeff")
    if name.endswith(".json"):
        return hcljson.parse(text, name)
    if name.endswith(".hcl"):
        return native.parse(text, name)
    try:
        return native.parse(text, name + ".hcl")
    except BakeError as first:
        try:
            return hcljson.parse(text, name + ".json")
        except BakeError:
            raise first from None


def _compose_targets(text: str) -> tuple[list[model.Target], list[str]]:
    services = yaml.safe_load(text).get("services") or {}
    targets = []
    for name, service in services.items():
        build = service.get("build")
        if build is None:
            continue
        build = {"context": build} if isinstance(build, str) else build
        t = model.Target(name.replace(".", "_"))
        t.f["context"] = build.get("context", ".")
        if "dockerfile" in build:
            t.f["dockerfile"] = build["dockerfile"]
        if "target" in build:
            t.f["target"] = build["target"]
        args = build.get("args")
        if isinstance(args, list):
            args = dict(a.split("=", 1) for a in args if "=" in a)
        if args:
            t.f["args"] = {k: str(v) for k, v in args.items()}
        tags = ([service["image"]] if service.get("image") else []) + list(build.get("tags") or [])
        if tags:
            t.f["tags"] = tags
        targets.append(t)
    return targets, [t.name for t in targets]


def load(texts: list[tuple[str, str]], env: dict[str, str]) -> config_mod.Config:
    bodies, compose_targets, compose_names = [], [], []
    for name, text in texts:
        if _is_compose(name, text):
            targets, names = _compose_targets(text)
            compose_targets += targets
            compose_names += names
        else:
            bodies.append(parse_text(name, text))
    cfg = config_mod.Reader(bodies, env, BUILTINS).read()
    if compose_targets:
        merged = config_mod.Config([config_mod.Group("default", "", compose_names)], [], cfg.names)
        for t in compose_targets + cfg.targets:
            existing = merged.target(t.name)
            if existing is None:
                merged.targets.append(t)
            else:
                existing.merge(t)
        for g in cfg.groups:
            old = merged.group(g.name)
            if old is None:
                merged.groups.append(g)
            else:
                old.targets = list(dict.fromkeys(old.targets + g.targets))
        cfg = merged
    return cfg


def run(
    cwd: Path, files: list[str], env: dict[str, str], targets: list[str], sets: list[str]
) -> dict[str, Any]:
    """`docker buildx bake --print [-f F]... [--set S]... [TARGET]...` run in `cwd`."""
    texts = read_files(cwd, files, env)
    if not texts:
        raise BakeError("couldn't find a bake definition")
    cfg = load(texts, env)
    return bake_print(cfg, targets or ["default"], sets, env, cwd)
