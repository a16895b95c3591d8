"""Every golden bake file, read by the real `docker buildx bake --print`: bake accepts it and
gives each target the args, tags, outputs and contexts our own reading of the file gives.
Skips where no docker buildx is installed."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.bake_eval import Bake
from tests.support.helpers import buildx_available, clean_env

CASES = sorted(p for p in (Path(__file__).parent / "cases").iterdir() if p.is_dir())


pytestmark = pytest.mark.skipif(not buildx_available(), reason="needs docker buildx")


def _print(case: Path, name: str, group: str, **env: str) -> dict[str, Any]:
    done = subprocess.run(
        ["docker", "buildx", "bake", "-f", name, "--print", group],
        cwd=case,
        capture_output=True,
        text=True,
        check=False,
        env={**clean_env(), **env},
    )
    assert done.returncode == 0, done.stderr
    printed: dict[str, Any] = json.loads(done.stdout)
    return printed


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
@pytest.mark.parametrize("fmt", ["hcl", "json"])
def test_buildx_reads_the_golden_file_as_we_do(case: Path, fmt: str) -> None:
    ours = Bake((case / "expected.hcl").read_text())
    group = "all" if "all" in ours.groups else "default"
    printed = _print(case, f"expected.{fmt}", group)
    printed_group = printed["group"].get(group) or printed["group"]["default"]
    assert sorted(printed_group["targets"]) == sorted(ours.group(group))
    for name, target in printed["target"].items():
        mine = ours.target(name)
        assert target.get("args", {}) == mine.get("args", {}), name
        assert target.get("tags", []) == mine.get("tags", []), name
        assert target.get("contexts", {}) == mine.get("contexts", {}), name
        # Bake prints a target pulled in only as a dependency with a cacheonly output.
        if name in ours.group(group):
            assert len(target.get("output", [])) == len(mine.get("output", [])), name


def test_an_optional_arg_is_passed_only_while_its_variable_is_set() -> None:
    case = Path(__file__).parent / "cases" / "opt-out-and-outputs"
    for fmt in ("hcl", "json"):
        unset = _print(case, f"expected.{fmt}", "local")["target"]["local"]
        assert "PIP_EXTRA_INDEX_URL" not in unset.get("args", {})
        set_ = _print(case, f"expected.{fmt}", "local", EXTRA_INDEX="https://pypi.example/simple")
        assert (
            set_["target"]["local"]["args"]["PIP_EXTRA_INDEX_URL"] == "https://pypi.example/simple"
        )
