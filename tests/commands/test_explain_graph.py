"""`bakegen explain` and `bakegen graph`: golden outputs on tests/golden/matrix.yaml (a frozen
copy of a Dynamo-shaped matrix, so editing matrix/default.yaml does not move them).
Set BAKEGEN_UPDATE_GOLDEN=1 to rewrite tests/golden/ after a deliberate change."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from bakegen.cli import main
from tests.support import ROOT

GOLDEN = Path(__file__).parents[1] / "golden"

CASES = {
    "explain-vllm-runtime.txt": ["explain", "vllm-cuda12-9-amd64-runtime"],
    "explain-wheel-builder.txt": ["explain", "wheel-builder-cuda13-0-arm64"],
    "explain-sglang-local-dev-aws.json": [
        "explain",
        "sglang-cuda13-0-arm64-local-dev-aws",
        "--format",
        "json",
    ],
    "graph-vllm-cuda12-9-amd64.mmd": ["graph", "-s", "vllm-cuda12-9-amd64-*"],
    "graph-trtllm.dot": ["graph", "--format", "dot", "-s", "trtllm-*-amd64-*"],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_output(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(GOLDEN)
    result = CliRunner().invoke(main, [*CASES[name], "-m", "matrix.yaml"])
    assert result.exit_code == 0, result.output
    path = GOLDEN / name
    if os.environ.get("BAKEGEN_UPDATE_GOLDEN") == "1":
        path.write_text(result.stdout)
    assert result.stdout == path.read_text()


def test_explain_names_the_override_that_set_an_arg(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(
        main, ["explain", "vllm-cuda13-0-arm64-runtime", "--format", "json"]
    )
    fields = {f["field"]: f for f in json.loads(result.stdout)["fields"]}
    tag = fields["args.RUNTIME_IMAGE_TAG"]
    assert tag["value"] == "13.0.2-runtime-ubuntu24.04"
    line = next(
        i
        for i, text in enumerate(
            (ROOT / "matrix" / "default.yaml").read_text().splitlines(), start=1
        )
        if 'RUNTIME_IMAGE_TAG: "{cuda.vllm_runtime_tag}"' in text
    )
    assert tag["origin"].startswith(f"matrix/default.yaml:{line}:")
    assert tag["origin"].endswith("overrides[1].args.RUNTIME_IMAGE_TAG")


def test_explain_unknown_target(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["explain", "vllm-cuda12-9-amd64-runtim"])
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: no target 'vllm-cuda12-9-amd64-runtim'; did you mean "
        "'vllm-cuda12-9-amd64-runtime'?\n"
    )


def test_graph_edges_follow_every_dependency(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    out = CliRunner().invoke(main, ["graph", "--format", "dot"]).stdout
    edges = [line for line in out.splitlines() if "->" in line]
    # 84 cells: 14 runtime cells use 2 shared stages each but sglang's 4 use one; 70 others
    # use one cell each; 4 wheel builders use a base.
    assert len(edges) == (14 * 2 - 4) + 70 + 4
