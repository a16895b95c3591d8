"""benchmarks/print_bench.py measures what it says: both files print the same targets, and
each run's CPU time is buildx's own, counted by the kernel for that process."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.support import ROOT
from tests.support.helpers import buildx_available

sys.path.insert(0, str(ROOT / "benchmarks"))
import print_bench

# A stand-in for `docker buildx` where the harness itself is under test: it burns some CPU,
# notes which file it read, then prints the targets the file names (a file holding JSON here).
STAND_IN = """
import json, pathlib, sys, time
end = time.process_time() + 0.05
while time.process_time() < end:
    pass
with open(pathlib.Path(sys.argv[0]).with_name("runs.log"), "a") as log:
    log.write(sys.argv[-1] + "\\n")
print(json.dumps({"target": json.loads(open(sys.argv[-1]).read())}))
"""


def stand_in(tmp_path: Path) -> list[str]:
    script = tmp_path / "buildx.py"
    script.write_text(STAND_IN)
    return [sys.executable, str(script)]


def test_each_run_counts_the_child_processes_own_cpu_time(tmp_path: Path) -> None:
    file = tmp_path / "a.hcl"
    file.write_text(json.dumps({"a": {"context": "."}}))
    wall, cpu, printed = print_bench.run_print(stand_in(tmp_path), file)
    assert printed == {"target": {"a": {"context": "."}}}
    # The 50 ms of CPU the child burnt are counted (the benchmark itself only waits).
    assert 0.05 <= cpu < 0.05 + wall
    assert wall >= 0.05


def test_pairs_alternate_which_file_runs_first_and_refuse_files_that_differ(
    tmp_path: Path,
) -> None:
    files = {"bakegen": tmp_path / "bakegen.bakefile.hcl", "native": tmp_path / "native.hcl"}
    for file in files.values():
        file.write_text(json.dumps({"a": {"context": "."}}))
    times = print_bench.measure_pairs(stand_in(tmp_path), files, runs=3)
    assert {label: len(t[1]) for label, t in times.items()} == {"bakegen": 3, "native": 3}
    assert all(cpu >= 0.05 for _, cpus in times.values() for cpu in cpus)
    runs = (tmp_path / "runs.log").read_text().split()
    first, second = "bakegen.bakefile.hcl", "native.hcl"
    assert runs == [first, second, second, first, first, second]

    files["native"].write_text(json.dumps({"a": {"context": "other"}}))
    with pytest.raises(SystemExit, match="do not resolve alike"):
        print_bench.measure_pairs(stand_in(tmp_path), files, runs=1)


@pytest.mark.skipif(not buildx_available(), reason="needs docker buildx")
def test_bakegens_file_and_the_native_file_print_the_same_targets(tmp_path: Path) -> None:
    """200 cells: twenty flavours, enough for bakegen to write `matrix` blocks."""
    for name in ("Dockerfile", "Dockerfile.base"):
        (tmp_path / name).write_text("FROM scratch\n")
    ours = print_bench.bakegen_hcl(200, tmp_path)
    assert "matrix = {" in ours
    files = {"bakegen": tmp_path / "bakegen.bakefile.hcl", "native": tmp_path / "native.hcl"}
    files["bakegen"].write_text(ours)
    files["native"].write_text(print_bench.native_hcl(200, print_bench.header_of(ours)))
    command = print_bench.buildx()
    assert command is not None
    times = print_bench.measure_pairs(command, files, runs=1)
    assert all(cpus[0] > 0 for _, cpus in times.values())
    _, _, printed = print_bench.run_print(command, files["bakegen"])
    assert len([t for t in printed["target"] if not t.startswith("base-")]) == 200
