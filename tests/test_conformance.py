"""The test evaluator of bake files agrees with real `docker buildx bake --print`.

Every case of the conformance corpus (tests/conformance/bake, recorded with a real buildx;
tests/conformance/README.md says how) runs through tests/bakeeval: printed targets must equal
what buildx printed, and files buildx refused must be refused with buildx's words.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.bakeeval.errors import BakeError
from tests.bakeeval.files import run

ROOT = Path(__file__).resolve().parents[1]


def corpus_dir() -> Path:
    """The project's copy of the corpus (tests/conformance/bake), or another one named by
    BAKEGEN_CONFORMANCE_DIR (e.g. a newer recording to compare against)."""
    return Path(
        os.environ.get("BAKEGEN_CONFORMANCE_DIR") or ROOT / "tests" / "conformance" / "bake"
    )


CORPUS = corpus_dir()
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "case.json").is_file())
_REESCAPED = {"args", "labels", "extra-hosts", "annotations", "dockerfile-inline"}


def _unescape(s: str) -> str:
    return s.replace("$${", "${").replace("%%{", "%{")


def unescape_print(printed: dict[str, Any]) -> dict[str, Any]:
    """Undoes the `$${`/`%%{` re-escaping --print applies to some fields."""
    for target in printed.get("target", {}).values():
        for key in _REESCAPED & target.keys():
            value = target[key]
            if isinstance(value, dict):
                target[key] = {k: _unescape(v) for k, v in value.items()}
            elif isinstance(value, list):
                target[key] = [_unescape(v) for v in value]
            else:
                target[key] = _unescape(value)
    return printed


def test_corpus_is_present() -> None:
    assert len(CASES) >= 371, f"the recorded cases are missing from {CORPUS}"


@pytest.mark.parametrize("case", CASES)
def test_case(case: str) -> None:
    folder = CORPUS / case
    spec = json.loads((folder / "case.json").read_text())
    call = (folder, spec["files"], spec["env"], spec["targets"], spec["set"])
    if (folder / "print.json").is_file():
        expected = json.loads((folder / "print.json").read_text(encoding="utf-8"))
        printed = run(*call)
        assert unescape_print(printed) == unescape_print(expected)
        for name, target in expected["target"].items():
            assert list(printed["target"][name]) == list(target), f"field order of {name}"
    else:
        recorded = (folder / "error.txt").read_text(encoding="utf-8")
        with pytest.raises(BakeError) as refused:
            run(*call)
        assert refused.value.detail in recorded, recorded
