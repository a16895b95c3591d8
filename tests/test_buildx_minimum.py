"""The minimum buildx version is stated once in code and agrees everywhere it is written."""

from __future__ import annotations

import re

from bakegen.bakefile.layout import MIN_BUILDX
from tests.support import ROOT


def test_validation_blocks_need_buildx_0_19() -> None:
    # Variable `validation` blocks are read from buildx 0.19 on; older versions ignore them.
    major, minor = (int(x) for x in MIN_BUILDX.split("."))
    assert (major, minor) >= (0, 19)


def test_readme_and_example_state_the_same_minimum() -> None:
    readme = (ROOT / "README.md").read_text()
    stated = re.findall(r"buildx \(?(\d+\.\d+) or newer", readme)
    assert stated == [MIN_BUILDX]
    example = (ROOT / "docker-bake.hcl.example").read_text()
    assert f"# Needs docker buildx >= {MIN_BUILDX}." in example
    for doc in (ROOT / "docs").glob("*.md"):
        for found in re.findall(r"buildx \(?(\d+\.\d+) or newer", doc.read_text()):
            assert found == MIN_BUILDX, doc.name
