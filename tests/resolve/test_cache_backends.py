"""Cache backends per target and the bake-time backend switch: each backend's entries as
bake resolves them (tests/bakeeval), bad values refused when rendering and by bake's
validation blocks, places two targets would both export to, credentials never in the file."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bakegen.cli import main
from bakegen.matrix.validate import load_matrix_text
from bakegen.pipeline import compile_matrix, compile_path
from tests.bake_eval import Bake
from tests.support import ROOT

CASES = Path(__file__).parents[1] / "cases"


def _bake(case: str, env: dict[str, str] | None = None) -> Bake:
    return Bake(compile_path(CASES / case / "matrix.yaml").text("hcl"), env=env)


def _entries(bake: Bake, target: str, key: str) -> list[str]:
    return [str(e) for e in bake.target(target).get(key, [])]


@pytest.fixture
def warming(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(CASES / "cache-warming", tmp_path / "case")
    monkeypatch.chdir(tmp_path / "case")
    return tmp_path / "case" / "matrix.yaml"


def test_cache_backend_chooses_the_entries_at_bake_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(CASES / "cache-warming")
    gha = _bake("cache-warming")
    assert _entries(gha, "cpu", "cache-from") == [
        "type=gha,scope=cpu-main",
        "type=gha,scope=warm-main",
    ]
    assert _entries(gha, "warm", "cache-to") == ["type=gha,scope=warm-main,mode=max"]
    assert "cache-to" not in gha.target("cpu")  # readers only read the warming target's
    local = _bake("cache-warming", {"CACHE_BACKEND": "local", "CACHE_MODE": "min"})
    assert _entries(local, "rocm", "cache-from") == [
        "type=local,src=.buildx-cache/rocm-main",
        "type=local,src=.buildx-cache/warm-main",
    ]
    assert _entries(local, "warm", "cache-to") == [
        "type=local,dest=.buildx-cache/warm-main,mode=min"
    ]
    off = _bake("cache-warming", {"CACHE_BACKEND": "none"})
    assert "cache-from" not in off.target("cpu")
    assert "cache-to" not in off.target("warm")
    no_export = _bake("cache-warming", {"CACHE_EXPORT": "false"})
    assert "cache-to" not in no_export.target("warm")


def test_bad_cache_backend_and_mode_stop_bake() -> None:
    text = compile_path(CASES / "cache-warming" / "matrix.yaml").text("hcl")
    assert Bake(text).violations() == []
    bad = Bake(text, env={"CACHE_BACKEND": "s4", "CACHE_MODE": "fast"}).violations()
    assert bad == [
        "CACHE_BACKEND: CACHE_BACKEND must be one of: gha, local, none",
        "CACHE_MODE: CACHE_MODE must be one of: min, max",
    ]


@pytest.mark.parametrize("case", ["cache-gha", "cache-backends", "cache-warming"])
@pytest.mark.parametrize("scope", ["../../etc", "main/other", ".hidden", ""])
def test_a_cache_scope_that_is_no_tag_is_still_one_word(case: str, scope: str) -> None:
    """Where only gha scopes or local folders read CACHE_SCOPE (no registry tag checks it),
    a '/' or '..' would reach another scope or leave the cache folder: bake refuses it."""
    text = compile_path(CASES / case / "matrix.yaml").text("hcl")
    assert Bake(text, env={"CACHE_SCOPE": "feature-1.2"}).violations() == []
    found = Bake(text, env={"CACHE_SCOPE": scope}).violations()
    assert [v.partition(":")[0] for v in found] == ["CACHE_SCOPE"]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "backend: gha\n",
            "backend: fast\n",
            'cache.backend: expected "registry", "gha", "inline", "local", "s3", "none", got \'fast\'',
        ),
        (
            "cache: {export: false,",
            "cache: {mode: fast, export: false,",
            'defaults.cache.mode: expected "min", "max", got \'fast\'',
        ),
        (
            "cache: {export: false,",
            "cache: {backend: local, export: false,",
            "the cache backend is chosen at bake time by CACHE_BACKEND",
        ),
        ('"target:warm"', '"target:warming"', "cache source 'target:warming' names no target"),
        (
            "cache: {export: true, from: []}",
            "cache: {export: true, from: [], options: {token: abc}}",
            "cache option 'token' holds a credential",
        ),
        (
            "cache: {export: true, from: []}",
            "cache: {export: true, from: [], options: {upload_parallelism: '4'}}",
            "the gha/local cache takes no option 'upload_parallelism'",
        ),
        (
            'cache: {export: false, from: ["target:warm"]}',
            "cache: {export: true, name: shared}",
            "targets 'warm' and 'cpu' both write their cache to 'type=gha,scope=shared'",
        ),
    ],
)
def test_bad_cache_settings_are_located_errors(
    warming: Path, old: str, new: str, message: str
) -> None:
    text = warming.read_text()
    assert old in text
    warming.write_text(text.replace(old, new))
    result = CliRunner().invoke(main, ["render", "-m", "matrix.yaml", "-o", "out.hcl"])
    assert result.exit_code == 1, result.output
    assert message in result.stderr
    assert "matrix.yaml:" in result.stderr
    assert not Path("out.hcl").exists()


def test_each_fixed_backend_writes_its_own_entries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CASES / "cache-backends")
    bake = _bake("cache-backends", {"VERSION": "1.2"})
    assert _entries(bake, "inline", "cache-from") == [
        "type=registry,ref=app:1.2-inline",
        "type=registry,ref=app:latest-inline",
    ]
    assert _entries(bake, "inline", "cache-to") == ["type=inline"]
    assert _entries(bake, "local", "cache-to") == [
        "type=local,dest=.cache/buildx/local-main,mode=min"
    ]
    s3_to = _entries(bake, "s3", "cache-to")
    assert s3_to == [
        "type=s3,region=eu-west-1,bucket=build-cache,name=s3-main,prefix=app/,mode=max,"
        "upload_parallelism=8,use_path_style=true"
    ]
    # Options cache-from does not take stay on cache-to only.
    assert _entries(bake, "s3", "cache-from")[0] == (
        "type=s3,region=eu-west-1,bucket=build-cache,name=s3-main,prefix=app/,use_path_style=true"
    )
    assert "cache-from" not in bake.target("none")
    assert "cache-to" not in bake.target("none")
    text = compile_path(CASES / "cache-backends" / "matrix.yaml").text("hcl")
    assert "AWS_" not in text
    assert "secret_access_key" not in text


def test_registry_refs_from_templates_and_a_repository_per_target(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(CASES / "cache-registry-refs")
    bake = _bake("cache-registry-refs")
    assert _entries(bake, "hipblas", "cache-from") == [
        "type=registry,ref=quay.io/go-skynet/ci-cache:cache-gpu-hipblas"
    ]
    assert _entries(bake, "hipblas", "cache-to") == [
        "type=registry,ref=quay.io/go-skynet/ci-cache:cache-gpu-hipblas,mode=max,"
        "image-manifest=true,oci-mediatypes=true,ignore-error=true"
    ]
    assert _entries(bake, "intel", "cache-to")[0].startswith(
        "type=registry,ref=quay.io/go-skynet/ci-cache-intel:main,mode=min,"
    )


def test_gha_scopes_are_distinct_per_target(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CASES / "cache-gha")
    bake = _bake("cache-gha")
    scopes = [_entries(bake, name, "cache-to") for name in bake.group("default")]
    assert len({tuple(s) for s in scopes}) == len(scopes) == 9
    # The fallback scope is the default scope here: bake reads the one entry once.
    assert _entries(bake, "cuda-server", "cache-from") == ["type=gha,scope=cuda-server-master"]


CACHE_VARIABLES = ("CACHE_REGISTRY", "CACHE_SCOPE", "CACHE_EXPORT", "CACHE_BACKEND", "CACHE_MODE")


@pytest.mark.parametrize(
    ("case", "declared"),
    [
        # gha scopes and local directories name CACHE_SCOPE, no registry ref reads CACHE_IMAGE
        ("cache-gha", ["CACHE_SCOPE", "CACHE_EXPORT"]),
        ("cache-backends", ["CACHE_SCOPE", "CACHE_EXPORT"]),
        ("cache-warming", ["CACHE_SCOPE", "CACHE_EXPORT", "CACHE_BACKEND", "CACHE_MODE"]),
        # registry refs in repositories of the project's own: no `{cache_image}` in any
        ("cache-registry-refs", ["CACHE_SCOPE", "CACHE_EXPORT"]),
        # the default refs `${CACHE_IMAGE}:<target>-${CACHE_SCOPE}`
        ("minimal", ["CACHE_REGISTRY", "CACHE_SCOPE", "CACHE_EXPORT"]),
    ],
)
def test_only_the_cache_variables_some_entry_uses_are_declared(
    case: str, declared: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(CASES / case)
    text = compile_path(CASES / case / "matrix.yaml").text("hcl")
    bake = Bake(text)
    assert [n for n in bake.variables if n.startswith("CACHE_")] == declared
    assert ("CACHE_IMAGE = " in text) == ("CACHE_REGISTRY" in declared)


def test_inline_only_and_read_only_caches_declare_nothing_they_do_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Dockerfile").write_text("FROM busybox AS runtime\n")
    matrix = (
        "format: 1\nimage: {name: app}\ncache: {backend: inline}\n"
        "defaults: {dockerfile: Dockerfile}\naxes:\n  os: {values: {a: {}, b: {}}}\n"
    )
    (tmp_path / "matrix.yaml").write_text(matrix)
    inline = Bake(compile_path(tmp_path / "matrix.yaml").text("hcl"))
    assert [n for n in inline.variables if n.startswith("CACHE_")] == ["CACHE_EXPORT"]
    (tmp_path / "matrix.yaml").write_text(
        matrix.replace(
            "{dockerfile: Dockerfile}", "{dockerfile: Dockerfile, cache: {export: false}}"
        )
    )
    text = compile_path(tmp_path / "matrix.yaml").text("hcl")
    assert [n for n in Bake(text).variables if n.startswith("CACHE_")] == []
    assert re.search(r"\bCACHE_", text) is None


def test_an_image_after_one_without_registry_refs_still_has_its_cache_image() -> None:
    text = """\
format: 1
image: {registry: docker.io/example, tags: ["{os}"]}
cache: {export: true}
defaults: {dockerfile: Dockerfile}
images:
  first:
    image: {name: first}
    defaults: {cache: {backend: inline}}
    axes:
      os: {values: {jammy: {}}}
  second:
    image: {name: second}
    axes:
      os: {values: {noble: {}}}
"""
    bake = Bake(compile_matrix(load_matrix_text(text)).text("hcl"))
    assert _entries(bake, "first-jammy", "cache-to") == ["type=inline"]
    assert _entries(bake, "first-jammy", "cache-from") == [
        "type=registry,ref=docker.io/example/first:jammy"
    ]
    assert _entries(bake, "second-noble", "cache-from") == [
        "type=registry,ref=docker.io/example/second-cache:second-noble-main"
    ]


def test_a_missing_s3_bucket_is_one_problem_and_a_credential_option_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Dockerfile").write_text("FROM busybox AS runtime\n")
    (tmp_path / "matrix.yaml").write_text(
        "format: 1\nimage: {name: app}\ndefaults:\n  dockerfile: Dockerfile\n"
        "  cache: {backend: s3, region: eu-west-1, options: {session_token: abc123}}\n"
        "axes:\n  os: {values: {a: {}, b: {}, c: {}}}\n"
    )
    result = CliRunner().invoke(main, ["render", "-m", "matrix.yaml", "-o", "out.hcl"])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "Error: invalid matrix (2 problems):"
    assert lines[1].startswith("  matrix.yaml:5:")
    assert "the s3 cache of 'a' needs `cache.bucket` (and 2 more like it)" in lines[1]
    assert "cache option 'session_token' holds a credential" in lines[2]
    assert "remove it" in lines[2]
    assert "AWS_SESSION_TOKEN" in lines[2]
    assert "abc123" not in result.stderr


def test_gha_takes_the_repository_option_on_cache_to_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Dockerfile").write_text("FROM busybox AS runtime\n")
    (tmp_path / "matrix.yaml").write_text(
        "format: 1\nimage: {name: app}\ncache: {backend: gha, export: true}\n"
        "defaults:\n  dockerfile: Dockerfile\n  cache: {options: {repository: acme/app}}\n"
        "axes:\n  os: {values: {a: {}}}\n"
    )
    bake = Bake(compile_path(tmp_path / "matrix.yaml").text("hcl"))
    assert _entries(bake, "a", "cache-to") == ["type=gha,scope=a-main,mode=max,repository=acme/app"]
    assert _entries(bake, "a", "cache-from") == ["type=gha,scope=a-main"]


def test_the_default_registry_refs_are_what_the_general_rule_makes() -> None:
    """Targets that set nothing of their cache take a direct path (it runs for every target of
    most matrices); a setting equal to the default takes the general one: same entries."""
    # The default matrix: shared stages and cells, a fallback scope, mode max.
    text = (ROOT / "matrix" / "default.yaml").read_text()
    assert "fallback: [main]" in text
    general = text.replace("defaults:\n", "defaults:\n  cache: {mode: max}\n", 1)
    assert general != text

    def entries(matrix: str) -> dict[str, tuple[object, object, object]]:
        compiled = compile_matrix(load_matrix_text(matrix))
        return {
            t.name: (t.cache.choices, t.cache.tags, t.cache.reads)
            for t in compiled.resolution.targets
        }

    direct, made = entries(text), entries(general)
    assert direct == made
    assert all(choices for choices, _, _ in direct.values())
