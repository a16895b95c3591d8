"""Resolution: the documented override order, shared stages, links, selection."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bakegen.ci.plan import plan
from bakegen.errors import MatrixError
from bakegen.matrix.selectors import Selector
from bakegen.matrix.validate import Matrix, load_matrix, load_matrix_text
from bakegen.pipeline import compile_matrix
from bakegen.resolve.targets import Target
from bakegen.templating import Var, plain
from tests.support import ROOT

BASE = """\
format: 1
image: {name: app, tags: ["{version}-{name}"], latest: ["latest-{name}"]}
defaults:
  dockerfile: Dockerfile
  args: {LEVEL: defaults, KEEP: "yes", DROP: "x"}
axes:
  fw:
    values:
      vllm: {args: {LEVEL: fw, FW: vllm}, vars: {runtime: nvcr.io/cuda}}
      sglang: {args: {LEVEL: fw, FW: sglang}, vars: {runtime: lmsys/sglang}}
  cuda:
    id: "cuda{value}"
    values:
      "12.9": {args: {LEVEL: cuda}, vars: {tag: "25.06"}}
      "13.0": {vars: {tag: "25.11"}}
  platform:
    values:
      linux/amd64: {id: amd64, platforms: [linux/amd64], args: {ARCH: amd64}}
      linux/arm64: {id: arm64, platforms: [linux/arm64], args: {ARCH: arm64}}
  target:
    values:
      runtime:
        stage: runtime
        uses: {dynamo_base: base}
        args: {RUNTIME: "{fw.runtime}"}
      dev:
        stage: dev
        links: {runtime: {target: runtime}}
shared:
  base:
    axes: [cuda, platform]
    dockerfile: base.Dockerfile
    stage: base
    args: {BASE_TAG: "{cuda.tag}"}
"""


def targets(text: str, select: tuple[str, ...] = ()) -> dict[str, Target]:
    matrix = load_matrix_text(text)
    return {t.name: t for t in compile_matrix(matrix, select).resolution.targets}


def args(target: Target) -> dict[str, str]:
    return {k: plain(v) for k, v in target.args}


def test_later_layers_win_and_null_removes() -> None:
    text = BASE + (
        "include:\n  - cell: {fw: vllm, cuda: '12.9'}\n    args: {LEVEL: include}\n"
        "overrides:\n"
        "  - select: {fw: vllm}\n    args: {LEVEL: override1, DROP: null}\n"
        "  - select: {fw: vllm, target: dev}\n    args: {LEVEL: override2}\n"
    )
    got = targets(text)
    assert args(got["vllm-cuda12-9-amd64-runtime"])["LEVEL"] == "override1"
    assert args(got["vllm-cuda12-9-amd64-dev"])["LEVEL"] == "override2"
    assert args(got["sglang-cuda12-9-amd64-dev"])["LEVEL"] == "cuda"
    assert args(got["sglang-cuda13-0-amd64-dev"])["LEVEL"] == "fw"
    assert "DROP" not in args(got["vllm-cuda13-0-arm64-dev"])
    assert args(got["sglang-cuda13-0-arm64-dev"])["DROP"] == "x"
    assert args(got["sglang-cuda13-0-arm64-dev"])["KEEP"] == "yes"


def test_include_applies_between_axes_and_overrides() -> None:
    text = BASE + "include:\n  - cell: {fw: sglang}\n    args: {LEVEL: include}\n"
    assert args(targets(text)["sglang-cuda12-9-arm64-runtime"])["LEVEL"] == "include"


def test_shared_stage_is_built_once_per_axis_combination() -> None:
    got = targets(BASE)
    shared = sorted(n for n, t in got.items() if t.kind == "shared")
    assert shared == [
        "base-cuda12-9-amd64",
        "base-cuda12-9-arm64",
        "base-cuda13-0-amd64",
        "base-cuda13-0-arm64",
    ]
    runtime = got["sglang-cuda13-0-arm64-runtime"]
    assert dict(runtime.contexts)["dynamo_base"] == ("target:base-cuda13-0-arm64",)
    base = got["base-cuda13-0-arm64"]
    # A shared stage takes args and platforms of its own axes only, and its own attributes.
    assert args(base) == {"ARCH": "arm64", "BASE_TAG": "25.11"}
    assert base.platforms == ("linux/arm64",)
    assert base.tags == ()


def test_shared_stage_takes_args_of_its_own_axes_only() -> None:
    # LEVEL comes from cuda 12.9 (an axis of the stage), not from defaults or fw.
    assert args(targets(BASE)["base-cuda12-9-amd64"]) == {
        "ARCH": "amd64",
        "BASE_TAG": "25.06",
        "LEVEL": "cuda",
    }


def test_links_point_at_the_sibling_cell() -> None:
    dev = targets(BASE)["vllm-cuda12-9-arm64-dev"]
    assert dict(dev.contexts) == {"runtime": ("target:vllm-cuda12-9-arm64-runtime",)}
    assert dev.depends_on == ("vllm-cuda12-9-arm64-runtime",)


def test_templates_read_axis_vars_and_bake_variables() -> None:
    got = targets(BASE)["sglang-cuda12-9-amd64-runtime"]
    assert args(got)["RUNTIME"] == "lmsys/sglang"
    assert got.tags == ((Var("IMAGE"), ":", Var("VERSION"), "-sglang-cuda12-9-amd64-runtime"),)
    assert got.latest_tags == ((Var("IMAGE"), ":latest-sglang-cuda12-9-amd64-runtime"),)


def test_select_keeps_dependencies() -> None:
    got = targets(BASE, ("vllm-cuda13-0-amd64-dev",))
    assert list(got) == [
        "vllm-cuda13-0-amd64-runtime",
        "vllm-cuda13-0-amd64-dev",
        "base-cuda13-0-amd64",
    ]


def test_select_matching_nothing_is_an_error() -> None:
    with pytest.raises(MatrixError, match=r"--select nope-\* matches no target"):
        targets(BASE, ("nope-*",))


def test_sccache_credentials_are_secrets_never_args() -> None:
    text = BASE.replace("    stage: base\n", "    stage: base\n    sccache: true\n")
    base = targets(text)["base-cuda12-9-amd64"]
    assert args(base)["USE_SCCACHE"] == "${USE_SCCACHE}"
    assert args(base)["SCCACHE_BUCKET"] == "${SCCACHE_BUCKET}"
    assert [(s.id, s.env) for s in base.secrets] == [
        ("aws-key-id", "AWS_ACCESS_KEY_ID"),
        ("aws-secret-id", "AWS_SECRET_ACCESS_KEY"),
    ]
    assert not any("AWS" in k for k in args(base))


def test_consumer_platforms_must_be_built_by_the_dependency() -> None:
    text = BASE.replace("    args: {BASE_TAG", "    platforms: [linux/amd64]\n    args: {BASE_TAG")
    with pytest.raises(MatrixError) as caught:
        targets(text)
    assert (
        "'vllm-cuda12-9-arm64-runtime' builds for linux/arm64 but uses "
        "'base-cuda12-9-arm64', built only for linux/amd64" in str(caught.value)
    )


def test_cell_link_cycle_is_an_error() -> None:
    text = BASE.replace(
        "        uses: {dynamo_base: base}\n",
        "        uses: {dynamo_base: base}\n        links: {dev: {target: dev}}\n",
    )
    with pytest.raises(MatrixError) as caught:
        targets(text)
    assert (
        "targets link in a cycle: vllm-cuda12-9-amd64-runtime -> vllm-cuda12-9-amd64-dev"
        " -> vllm-cuda12-9-amd64-runtime" in str(caught.value)
    )


def test_full_reference_tag_is_kept_whole() -> None:
    text = BASE.replace(
        'tags: ["{version}-{name}"]', 'tags: ["{version}-{name}", "ghcr.io/acme/app:{name}"]'
    )
    got = targets(text)["vllm-cuda12-9-amd64-dev"]
    assert plain(got.tags[1]) == "ghcr.io/acme/app:vllm-cuda12-9-amd64-dev"


def test_exclusive_attributes_name_both_keys() -> None:
    text = BASE + (
        "exclusive:\n"
        "  - [args.WHEEL, contexts.wheel_dir, args.GIT_URL]\n"
        "overrides:\n"
        "  - select: {fw: vllm}\n"
        "    args: {WHEEL: tensorrt-llm==1.0}\n"
        "  - select: {fw: vllm, cuda: '13.0'}\n"
        "    contexts: {wheel_dir: ./wheels}\n"
    )
    with pytest.raises(MatrixError) as caught:
        targets(text)
    assert str(caught.value) == (
        "matrix.yaml:41:16: overrides[1].contexts.wheel_dir: vllm-cuda13-0-amd64-runtime sets "
        "both args.WHEEL (at matrix.yaml:39:12) and contexts.wheel_dir, which exclude each "
        "other (keep one of them; `exclusive` in the matrix says they are alternatives)"
    )


def test_exclusive_attributes_alone_are_fine() -> None:
    text = BASE + (
        "exclusive:\n  - [args.WHEEL, args.GIT_URL]\n"
        "overrides:\n  - select: {fw: vllm}\n    args: {WHEEL: x}\n"
        "  - select: {fw: sglang}\n    args: {GIT_URL: y}\n"
    )
    assert args(targets(text)["vllm-cuda13-0-amd64-dev"])["WHEEL"] == "x"


def test_select_may_name_shared_stages() -> None:
    matrix = load_matrix_text(BASE)
    resolution = compile_matrix(matrix, ("base-cuda13-0-*",)).resolution
    assert resolution.selected == ("base-cuda13-0-amd64", "base-cuda13-0-arm64")
    assert [t.name for t in resolution.targets] == list(resolution.selected)


_VALUES = {"a": ["x1", "x2", "y1"], "b": ["p", "q"], "c": ["m1", "m2", "n"]}
# Patterns that match some value of their axis (one that matches none is an error).
_PATTERNS = {"a": ["x1", "x*", "*1", "y?", "[xy]1"], "b": ["p", "q", "?"], "c": ["m*", "n", "*"]}


@st.composite
def _select(draw: st.DrawFn) -> dict[str, list[str]]:
    axes = draw(st.lists(st.sampled_from(sorted(_VALUES)), min_size=1, max_size=3, unique=True))
    return {a: draw(st.lists(st.sampled_from(_PATTERNS[a]), min_size=1, max_size=2)) for a in axes}


@settings(max_examples=40, deadline=None)
@given(st.lists(_select(), min_size=1, max_size=6))
def test_each_cell_gets_exactly_the_overrides_whose_selector_it_meets(
    selects: list[dict[str, list[str]]],
) -> None:
    # Overrides are matched value by value; every cell must still get the same overrides,
    # in the same order, as asking each selector about the cell.
    axes = "\n".join(
        f"  {axis}:\n    values:\n" + "".join(f"      {v}: {{}}\n" for v in values)
        for axis, values in _VALUES.items()
    )
    overrides = "".join(
        f"  - select: {json.dumps(select)}\n    args: {{O{i}: 'yes', LAST: '{i}'}}\n"
        for i, select in enumerate(selects)
    )
    text = f"format: 1\nimage: {{name: app}}\ndefaults: {{dockerfile: Dockerfile}}\naxes:\n{axes}"
    text += f"overrides:\n{overrides}"
    compiled = compile_matrix(load_matrix_text(text))
    selectors = [Selector.parse(s) for s in selects]
    for target in compiled.resolution.targets:
        met = [i for i, s in enumerate(selectors) if s(dict(target.values))]
        args = dict(target.args)
        assert sorted(k for k in args if k.startswith("O")) == sorted(f"O{i}" for i in met)
        assert plain(args["LAST"]) == str(met[-1]) if met else "LAST" not in args


_REMOVED_AND_SET_AGAIN = BASE + (
    "include:\n  - cell: {fw: vllm, cuda: '12.9'}\n    args: {LEVEL: include}\n"
    "overrides:\n"
    "  - select: {fw: vllm}\n    args: {LEVEL: override1, DROP: null}\n"
    "  - select: {fw: vllm, target: dev}\n    args: {LEVEL: override2, DROP: again}\n"
    "  - select: {cuda: '13.0'}\n    labels: {note: null}\n    sccache: true\n"
)
_ORIGIN_CASES: dict[str, Callable[[], Matrix]] = {
    **{
        p.parent.name: partial(load_matrix, p)
        for p in sorted((ROOT / "tests" / "cases").glob("*/matrix.yaml"))
    },
    "default": partial(load_matrix, ROOT / "matrix" / "default.yaml"),
    "removed-and-set-again": partial(load_matrix_text, _REMOVED_AND_SET_AGAIN),
}


@pytest.mark.parametrize("name", sorted(_ORIGIN_CASES))
def test_each_origin_asked_alone_is_the_one_every_origin_gives(name: str) -> None:
    # An origin asked by key is found on its own (lint asks thousands); it must be the one
    # working out every origin gives, and a key without one must be missing from both.
    compiled = compile_matrix(_ORIGIN_CASES[name]())
    for target in compiled.resolution.targets:
        every = dict(target.origins.items())
        assert every
        for key, where in every.items():
            assert target.origins[key] == where, (target.name, key)
        for key in ("args.NO_SUCH_ARG", "labels.no.such", "no-such-key", "args", "uses.none"):
            assert key not in every
            assert target.origins.get(key) is None
    if name == "removed-and-set-again":
        targets = {t.name: t for t in compiled.resolution.targets}
        assert "args.DROP" not in targets["vllm-cuda12-9-amd64-runtime"].origins
        dev = targets["vllm-cuda12-9-amd64-dev"].origins
        assert dev["args.DROP"] == ("overrides", 1, "args", "DROP")


def test_oci_labels_false_drops_them_from_shared_stages_too() -> None:
    text = BASE.replace("image: {name: app,", "image: {name: app, oci_labels: false,")
    got = targets(text)
    for name in ("base-cuda12-9-amd64", "vllm-cuda12-9-amd64-runtime"):
        keys = {k for k, _ in got[name].labels}
        assert not {k for k in keys if k.startswith("org.opencontainers.image.")}, name
    # With the labels on (the default), shared stages carry them like cells.
    assert "org.opencontainers.image.version" in dict(targets(BASE)["base-cuda12-9-amd64"].labels)


def test_shared_stage_takes_platforms_from_defaults_when_its_axes_give_none() -> None:
    text = """\
format: 1
image: {name: app}
defaults:
  dockerfile: Dockerfile
  platforms: [linux/amd64, linux/arm64]
axes:
  fw: {values: {vllm: {}, sglang: {}}}
  cuda: {values: {"12.9": {}, "13.0": {platforms: [linux/amd64]}}}
  target: {values: {runtime: {stage: runtime, uses: {base: base}}}}
shared:
  base: {axes: [cuda], stage: base, dockerfile: Dockerfile}
"""
    got = targets(text)
    assert got["base-12-9"].platforms == ("linux/amd64", "linux/arm64")
    # An axis value of the stage's own axes still wins over defaults.
    assert got["base-13-0"].platforms == ("linux/amd64",)
    # So its CI job runs on the platforms' runner, not on a "default" one.
    compiled = compile_matrix(load_matrix_text(text), ())
    shared_jobs = [j for j in plan(compiled, 1) if "base-12-9" in j.targets]
    assert [j.platform for j in shared_jobs] == ["linux/amd64,linux/arm64"]
