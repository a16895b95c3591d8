"""docs/migration.md is true: every flag has a home, every example resolves as it says."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from bakegen import run as run_module
from bakegen.cli import main
from bakegen.errors import MatrixError
from bakegen.lint.linter import lint
from bakegen.matrix.validate import load_matrix_text
from bakegen.pipeline import compile_matrix
from bakegen.run import workspace_root
from tests.bake_eval import Bake
from tests.support import ROOT

DOC = (ROOT / "docs" / "migration.md").read_text()
MATRIX_TEXT = (ROOT / "matrix" / "default.yaml").read_text()

BUILD_FLAGS = [
    "--help",
    "--platform",
    "--framework",
    "--cuda-version",
    "--target",
    "--base-image",
    "--base-image-tag",
    "--build-arg",
    "--tag",
    "--no-tag-latest",
    "--cache-from",
    "--cache-to",
    "--no-cache",
    "--push",
    "--no-load",
    "--dry-run",
    "--build-context",
    "--enable-kvbm",
    "--enable-gpu-memory-service",
    "--enable-media-nixl",
    "--enable-media-ffmpeg",
    "--make-efa",
    "--efa-version",
    "--use-sccache",
    "--sccache-bucket",
    "--sccache-region",
    "--vllm-max-jobs",
    "--nixl-ref",
    "--uid",
    "--gid",
    "--tensorrtllm-pip-wheel",
    "--tensorrtllm-index-url",
    "--tensorrtllm-pip-wheel-dir",
    "--tensorrtllm-git-url",
    "--tensorrtllm-commit",
    "--release-build",
]
RUN_FLAGS = [
    "--help",
    "--image",
    "--framework",
    "--target",
    "--name",
    "--hf-home",
    "--hf-cache",
    "--gpus",
    "--runtime",
    "--entrypoint",
    "--workdir",
    "--privileged",
    "--rm",
    "-v",
    "-p",
    "--port",
    "-e",
    "-it",
    "--mount-workspace",
    "--use-nixl-gds",
    "--network",
    "--user",
    "--dry-run",
    "--",
]


def table(title: str) -> str:
    return DOC.split(f"## {title}")[1].split("\n## ")[0]


def sections() -> dict[str, list[tuple[str, str]]]:
    """Example title → its code blocks as (language, text)."""
    examples = DOC.split("## Examples")[1].split("\n## ")[0]
    out = {}
    for chunk in examples.split("\n### ")[1:]:
        title, _, body = chunk.partition("\n")
        out[title.strip()] = re.findall(r"```(\w+)\n(.*?)```", body, re.DOTALL)
    return out


SECTIONS = sections()


def test_every_build_sh_flag_has_a_row() -> None:
    rows = table("build.sh flags")
    for flag in BUILD_FLAGS:
        assert re.search(rf"`{re.escape(flag)}[ `,]", rows), flag


def test_every_run_sh_flag_has_a_row_and_bakegen_run_takes_it() -> None:
    rows = table("run.sh flags")
    help_text = CliRunner().invoke(main, ["run", "--help"]).stdout
    for flag in RUN_FLAGS:
        assert re.search(rf"`{re.escape(flag)}[ `,]", rows), flag
        if flag not in ("-it", "--"):
            assert re.search(rf"(^|[ ,]){re.escape(flag)}[ ,=\n]", help_text, re.MULTILINE), flag


def test_variables_named_in_the_table_exist() -> None:
    names = set(re.findall(r"`([A-Z][A-Z_]+)=", table("build.sh flags")))
    assert names >= {"ENABLE_KVBM", "USER_UID", "SCCACHE_BUCKET", "MAX_JOBS", "EFA_VERSION"}
    example = (ROOT / "docker-bake.hcl.example").read_text()
    for name in names:
        assert f'variable "{name}"' in example, name


def matrix_with(override: str | None) -> str:
    if override is None:
        return MATRIX_TEXT
    entries = yaml.safe_load(override)["overrides"]
    lines = "".join(
        f"  - {yaml.safe_dump(e, default_flow_style=True, width=1000)}" for e in entries
    )
    marker = "\n# A target may take TensorRT-LLM one way only."
    return MATRIX_TEXT.replace(marker, lines + marker)


def bake_of(title: str) -> tuple[Bake, str, Any]:
    blocks = SECTIONS[title]
    override = next((text for lang, text in blocks if lang == "yaml"), None)
    command = [text for lang, text in blocks if lang == "sh"][-1].strip()
    words = shlex.split(command)
    env = dict(w.split("=", 1) for w in words[: words.index("docker")])
    target = words[-1]
    compiled = compile_matrix(load_matrix_text(matrix_with(override), "matrix/default.yaml"))
    bake = Bake(compiled.text("hcl"), env=env)
    assert bake.violations() == []
    return bake, target, compiled


def test_vllm_dev() -> None:
    bake, name, _ = bake_of("vLLM dev image")
    target = bake.target(name)
    assert (target["dockerfile"], target["target"]) == ("dockerfiles/dev.Dockerfile", "dev")
    assert target["platforms"] == ["linux/amd64"]
    assert target["args"]["FRAMEWORK"] == "vllm"
    assert target["contexts"] == {"runtime": "target:vllm-cuda12-9-amd64-runtime"}
    assert target["tags"] == ["dynamo:dev-vllm-dev-amd64", "dynamo:latest-vllm-dev-amd64"]
    runtime = bake.target("vllm-cuda12-9-amd64-runtime")["args"]
    assert (runtime["ENABLE_KVBM"], runtime["ENABLE_GPU_MEMORY_SERVICE"]) == ("true", "true")


def test_trtllm_runtime_cuda13() -> None:
    bake, name, _ = bake_of("TRT-LLM runtime on CUDA 13")
    target = bake.target(name)
    assert target["dockerfile"] == "dockerfiles/trtllm.Dockerfile"
    assert target["args"]["TRTLLM_INSTALL"] == "pip"
    assert target["args"]["TENSORRTLLM_PIP_WHEEL"] == "tensorrt-llm==1.3.0rc1"
    assert target["args"]["RUNTIME_IMAGE_TAG"] == "25.12-cuda13.1-runtime-ubuntu24.04"
    assert target["contexts"] == {
        "dynamo_base": "target:base-cuda13-0-amd64",
        "wheel_builder": "target:wheel-builder-cuda13-0-amd64",
    }
    assert target["tags"][0] == "dynamo:dev-trtllm-runtime-cuda13-amd64"


def test_sglang_dev_with_kvbm_and_gms() -> None:
    bake, name, compiled = bake_of("SGLang dev with KVBM and the GPU memory service")
    runtime = bake.target(name)["contexts"]["runtime"].removeprefix("target:")
    args = bake.target(runtime)["args"]
    assert (args["ENABLE_KVBM"], args["ENABLE_GPU_MEMORY_SERVICE"]) == ("true", "true")
    without = Bake(compiled.text("hcl")).target(runtime)["args"]
    assert without["ENABLE_KVBM"] == "false"


def test_vllm_local_dev_for_your_user() -> None:
    bake, name, compiled = bake_of("vLLM local-dev for your user")
    target = bake.target(name)
    assert (target["target"], target["args"]["USER_UID"], target["args"]["USER_GID"]) == (
        "local-dev",
        "1000",
        "1000",
    )
    other = Bake(compiled.text("hcl"), env={"USER_UID": "1234"}).target(name)
    assert other["args"]["USER_UID"] == "1234"
    assert Bake(compiled.text("hcl"), env={"USER_UID": "0"}).violations() == [
        "USER_UID: local-dev maps the image user to USER_UID; 0 would make every file root's"
    ]


def test_vllm_runtime_through_sccache() -> None:
    bake, name, compiled = bake_of("vLLM runtime through sccache, pushed")
    wheels = bake.target(bake.target(name)["contexts"]["wheel_builder"].removeprefix("target:"))
    assert (
        wheels["args"]["USE_SCCACHE"],
        wheels["args"]["SCCACHE_BUCKET"],
        wheels["args"]["SCCACHE_REGION"],
    ) == ("true", "B", "R")
    assert wheels["secret"] == [
        "id=aws-key-id,env=AWS_ACCESS_KEY_ID",
        "id=aws-secret-id,env=AWS_SECRET_ACCESS_KEY",
    ]
    assert Bake(compiled.text("hcl"), env={"USE_SCCACHE": "true"}).violations() == [
        "USE_SCCACHE: USE_SCCACHE=true needs SCCACHE_BUCKET and SCCACHE_REGION"
    ]


def test_vllm_runtime_with_efa() -> None:
    bake, name, _ = bake_of("vLLM runtime with EFA")
    target = bake.target(name)
    assert (target["dockerfile"], target["target"]) == ("dockerfiles/efa.Dockerfile", "runtime-aws")
    assert target["contexts"] == {"image": "target:vllm-cuda12-9-amd64-runtime"}
    assert target["args"]["EFA_VERSION"] == "1.45.1"
    assert target["tags"][0] == "dynamo:dev-vllm-runtime-aws-amd64"


@pytest.mark.parametrize(
    ("title", "install", "extra"),
    [
        ("TRT-LLM from a pip wheel", "pip", {"TENSORRTLLM_PIP_WHEEL": "tensorrt-llm==1.2.0"}),
        ("TRT-LLM from a local wheel directory", "wheel", {}),
        (
            "TRT-LLM built from git",
            "git",
            {
                "TENSORRTLLM_GIT_URL": "https://github.com/NVIDIA/TensorRT-LLM.git",
                "TENSORRTLLM_COMMIT": "v1.2.0",
            },
        ),
    ],
)
def test_trtllm_install_strategies(
    title: str, install: str, extra: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bake, name, compiled = bake_of(title)
    target = bake.target(name)
    assert target["args"]["TRTLLM_INSTALL"] == install
    for key, value in extra.items():
        assert target["args"][key] == value
    strategies = {"TENSORRTLLM_PIP_WHEEL", "TENSORRTLLM_GIT_URL"} & set(target["args"])
    assert len(strategies) + ("trtllm_wheel" in target["contexts"]) == 1
    if install == "wheel":
        assert target["contexts"]["trtllm_wheel"] == "/tmp/trtllm_wheel"
    monkeypatch.chdir(ROOT)
    errors = [f for f in lint(compiled) if f.severity == "error"]
    assert errors == []


def test_two_trtllm_strategies_are_refused() -> None:
    override = (
        "overrides:\n  - select: {framework: trtllm, target: runtime}\n"
        "    contexts: {trtllm_wheel: /tmp/w}\n"
    )
    with pytest.raises(MatrixError) as caught:
        compile_matrix(load_matrix_text(matrix_with(override), "matrix/default.yaml"))
    message = str(caught.value)
    assert "sets both args.TENSORRTLLM_PIP_WHEEL (at matrix/default.yaml:" in message
    assert "and contexts.trtllm_wheel, which exclude each other" in message


RUN_TITLES = [
    "vLLM dev shell with the workspace mounted",
    "TRT-LLM on two GPUs on a bridge network",
    "SGLang with NIXL GDS and the workspace",
    "vLLM as UID 1000 in group 0",
]


@pytest.mark.parametrize("title", RUN_TITLES)
def test_run_examples_print_the_documented_command(
    title: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocks = SECTIONS[title]
    command = [text for lang, text in blocks if lang == "sh"][-1].strip()
    expected = next(text for lang, text in blocks if lang == "text").strip()
    words = shlex.split(command)
    start = words.index("bakegen")
    for key in ("HF_HOME", "TAG_LATEST", "REGISTRY", "IMAGE_NAME"):
        monkeypatch.delenv(key, raising=False)
    for assignment in words[:start]:
        key, value = assignment.split("=", 1)
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(run_module, "host_platform", lambda: "linux/amd64")
    monkeypatch.setattr("bakegen.commands.run.host_platform", lambda: "linux/amd64")
    result = CliRunner().invoke(main, words[start + 1 :])
    assert result.exit_code == 0, result.output
    repo = str(workspace_root(Path.cwd()))
    assert result.stdout.strip() == expected.replace("<repo>", repo)


def test_run_dry_run_creates_no_cache_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    cache = tmp_path / "hf"
    result = CliRunner().invoke(main, ["run", "--hf-home", str(cache), "--dry-run"])
    assert result.exit_code == 0
    assert f"-v {cache}:/root/.cache/huggingface" in result.stdout
    assert not cache.exists()
