"""Invalid matrices: each gives exit code 1 and exactly these located messages, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bakegen.cli import main
from tests.helpers import MINIMAL

TAG = 'tags: ["{version}-{name}"]'

CASES: dict[str, tuple[str, list[str]]] = {
    "misspelt top-level key": (
        MINIMAL.replace("axes:", "axis:"),
        ["m.yaml:5:1: axis: unknown key 'axis' (did you mean 'axes'?)"],
    ),
    "misspelt attribute": (
        MINIMAL.replace("jammy: {args:", "jammy: {arg:"),
        ["m.yaml:8:15: axes.os.values.jammy.arg: unknown key 'arg' (did you mean 'args'?)"],
    ),
    "string where a list belongs": (
        MINIMAL.replace("defaults:\n", "defaults:\n  platforms: linux/amd64\n"),
        ["m.yaml:15:3: defaults.platforms: expected a list or null, got 'linux/amd64'"],
    ),
    "unquoted version number": (
        MINIMAL + "exclude:\n  - {os: 12.9}\n",
        [
            "m.yaml:17:6: exclude[0].os: expected a list or a string, got the number 12.9 "
            '(quote it: "12.9")'
        ],
    ),
    "duplicate key": (
        MINIMAL.replace("defaults:\n", "defaults:\n  stage: a\n  stage: b\n"),
        [
            "m.yaml:16:3: defaults.stage: duplicate key 'stage' (first defined at line 15; "
            "remove one of them)"
        ],
    ),
    "YAML syntax error": (
        MINIMAL.replace("  os:\n", "  os:\n   - x\n  y: [\n"),
        ["m.yaml:10:12: (top level): YAML syntax error: expected ',' or ']', but got ':'"],
    ),
    "empty file": (
        "",
        ["m.yaml: (top level): the file is empty (a matrix needs at least 'image' and 'axes')"],
    ),
    "missing format": (
        MINIMAL.replace("format: 1\n", ""),
        ["m.yaml:1:1: (top level): missing required key 'format'"],
    ),
    "unsupported format": (
        MINIMAL.replace("format: 1", "format: 2"),
        ["m.yaml:1:1: format: expected 1, got the number 2"],
    ),
    "malformed platform": (
        MINIMAL.replace("defaults:\n", "defaults:\n  platforms: [linux amd64]\n"),
        [
            "m.yaml:15:15: defaults.platforms[0]: 'linux amd64' is not valid: expected a platform "
            "of the form os/arch[/variant], e.g. linux/amd64"
        ],
    ),
    "build-arg name with a dash": (
        MINIMAL.replace("{OS: jammy}", "{BAD-NAME: jammy}"),
        [
            "m.yaml:8:22: axes.os.values.jammy.args.BAD-NAME: key 'BAD-NAME' is not valid: "
            "expected a build-arg name: letters, digits and '_', not starting with a digit"
        ],
    ),
    "exclude names an unknown axis": (
        MINIMAL + "exclude:\n  - {oss: jammy}\n",
        ["m.yaml:17:6: exclude[0].oss: unknown axis 'oss' (did you mean 'os'?)"],
    ),
    "exclude names an unknown value": (
        MINIMAL + "exclude:\n  - {os: jamy}\n",
        ["m.yaml:17:6: exclude[0].os: 'jamy' is not a value of axis 'os' (did you mean 'jammy'?)"],
    ),
    "unknown shared stage": (
        MINIMAL.replace("defaults:\n", "defaults:\n  uses: {base: bsae}\n")
        + "shared:\n  base: {axes: [os], dockerfile: Dockerfile, stage: base}\n",
        ["m.yaml:15:10: defaults.uses.base: no shared stage named 'bsae' (did you mean 'base'?)"],
    ),
    "shared stages in a cycle": (
        MINIMAL + "shared:\n  a: {axes: [os], dockerfile: D, stage: a, uses: {b: b}}\n"
        "  b: {axes: [os], dockerfile: D, stage: b, uses: {a: a}}\n",
        ["m.yaml:18:51: shared.b.uses.a: shared stages form a cycle: a -> b -> a"],
    ),
    "tag with a slash": (
        MINIMAL.replace(TAG, 'tags: ["{version}-{os}-{name}"]').replace("jammy:", "linux/jammy:"),
        [
            "m.yaml:4:10: image.tags[0]: tag '${VERSION}-linux/jammy-linux-jammy-runtime' has "
            "characters a tag cannot hold: '/' (and 1 more like it) (use {axis.id}, which holds "
            "only [A-Za-z0-9_-])"
        ],
    ),
    "misspelt placeholder": (
        MINIMAL.replace(TAG, 'tags: ["{verison}-{name}"]'),
        [
            "m.yaml:4:10: image.tags[0]: unknown placeholder {verison} in '{verison}-{name}' "
            "(did you mean {version}?)"
        ],
    ),
    "two values with one id": (
        MINIMAL.replace("noble: {args", "noble: {id: jammy, args"),
        [
            "m.yaml:9:7: axes.os.values.noble: value 'noble' has the id 'jammy', already the id "
            "of 'jammy' (set a distinct 'id' on one of them)"
        ],
    ),
    "an exclude that removes everything": (
        MINIMAL + "exclude:\n  - {os: '*'}\n",
        ["m.yaml:16:1: exclude: the matrix has no cells: every combination is excluded"],
    ),
    "two targets push one tag": (
        MINIMAL.replace(TAG, 'tags: ["{version}-{os}"]'),
        [
            "m.yaml:4:3: image.tags: targets 'jammy-runtime' and 'jammy-dev' would both push "
            "'${IMAGE}:${VERSION}-jammy' (and 1 more like it) (make the tag templates include "
            "every axis that differs)"
        ],
    ),
    "link to an excluded cell": (
        MINIMAL.replace(
            "dev: {stage: dev}", "dev: {stage: dev, links: {runtime: {target: runtime}}}"
        )
        + "exclude:\n  - {os: noble, target: runtime}\n",
        [
            "m.yaml:13:33: axes.target.values.dev.links.runtime: cell 'noble-dev' links 'runtime' "
            "to (os=noble, target=runtime), which the matrix does not build (is it excluded?)"
        ],
    ),
    "a list instead of a mapping": (
        "- a\n- b\n",
        ["m.yaml:1:1: (top level): expected a mapping, got a list"],
    ),
    "uppercase repository": (
        MINIMAL.replace(TAG, 'tags: ["{version}-{name}", "Acme/App:{name}"]'),
        [
            "m.yaml:4:30: image.tags[1]: 'Acme/App' is not a valid image repository "
            "(lowercase letters, digits, '.', '_', '-' and '/' only)"
        ],
    ),
    "no dockerfile anywhere": (
        MINIMAL.replace("defaults:\n  dockerfile: Dockerfile\n", ""),
        [
            "m.yaml:5:1: axes: target 'jammy-runtime' has no dockerfile (and 3 more like it) "
            "(set 'dockerfile' in defaults, on an axis value or in an override)"
        ],
    ),
    "YAML boolean for a string": (
        MINIMAL.replace("{stage: dev}", "{stage: yes}"),
        [
            "m.yaml:13:13: axes.target.values.dev.stage: expected a string or null, got yes "
            '(which YAML reads as true or false) (quote it: "yes")'
        ],
    ),
    "shared stage on an unknown axis": (
        MINIMAL + "shared:\n  a: {axes: [cuda], dockerfile: D, stage: a}\n",
        ["m.yaml:17:14: shared.a.axes[0]: unknown axis 'cuda'"],
    ),
    "glob in a link": (
        MINIMAL.replace(
            "dev: {stage: dev}", "dev: {stage: dev, links: {runtime: {target: 'run*'}}}"
        ),
        [
            "m.yaml:13:43: axes.target.values.dev.links.runtime.target: a link names one cell: "
            "no globs"
        ],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_invalid_matrix_is_reported_exactly(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text, expected = CASES[case]
    monkeypatch.chdir(tmp_path)
    Path("m.yaml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "-m", "m.yaml"])
    assert result.exit_code == 1
    count = len(expected)
    assert result.stderr.splitlines() == [
        f"Error: invalid matrix ({count} problem{'s' * (count != 1)}):",
        *(f"  {line}" for line in expected),
    ]
    assert "Traceback" not in result.output


def test_invalid_utf8_is_located(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("m.yaml").write_bytes(MINIMAL.encode() + b"x: \xff\xfe\n")
    result = CliRunner().invoke(main, ["validate", "-m", "m.yaml"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1] == (
        "  m.yaml:16: (top level): not valid UTF-8 (byte 0xff at offset 264) "
        "(save the file as UTF-8)"
    )


def test_every_problem_is_reported_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    text = MINIMAL.replace("axes:", "axis:").replace("format: 1", "format: 2")
    Path("m.yaml").write_text(text)
    result = CliRunner().invoke(main, ["validate", "-m", "m.yaml"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Error: invalid matrix (2 problems):",
        "  m.yaml:1:1: format: expected 1, got the number 2",
        "  m.yaml:5:1: axis: unknown key 'axis' (did you mean 'axes'?)",
    ]


def test_missing_matrix_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["validate", "-m", "nope.yaml"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1] == (
        "  nope.yaml: (top level): no such file (pass --matrix PATH)"
    )
