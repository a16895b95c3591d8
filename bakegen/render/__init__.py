"""Stage 7, render and write: a `BakeFile` → HCL or HCL-JSON text → files on disk.

In: a `BakeFile` and where to write. Out: docker-bake.hcl (or .json) and its override file,
replaced as a pair, or the diff `--check` reports.
"""
