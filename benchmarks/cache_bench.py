"""Registry-cache benchmark: does a fresh builder's rebuild come from the registry cache?

Builds a toy project shaped like the default matrix (tests/support/cache_toy.py: shared base
whose stage COPYs from the context, wheel builder, runtime, dev, local-dev, -aws, two
frameworks, two CUDA versions), rendered by bakegen:

1. cold: one `docker buildx bake` call on a fresh, empty builder, exporting the registry
   cache (CACHE_EXPORT=true) into a new cache repository;
2. rebuild (a): the same single call on another fresh, empty builder that only imports the
   registry cache;
3. rebuild (b): every `bakegen ci` job in layer order, each on its own fresh, empty builder.

For each phase it prints the RUN steps executed and taken from cache (read from buildx's
`--progress=rawjson`). What should hold: the cold build executes each unique RUN step once,
and both rebuilds execute none.

    python benchmarks/cache_bench.py --registry 127.0.0.1:5000 --base-image 127.0.0.1:5000/busybox
    python benchmarks/cache_bench.py ... --fresh-builder './new-buildkitd.sh'  # prints a builder name
    python benchmarks/cache_bench.py ... --copy plain   # the same toy with plain COPY (no --link)

A fresh builder comes from `--fresh-builder CMD` (a shell command that starts an empty
BuildKit and prints the name of a buildx builder using it), or by default from
`docker buildx create --driver docker-container --driver-opt network=host` (removed again
afterwards). Without docker buildx, a reachable builder or the registry, it says so and
exits 0.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.cache_engine import main

if __name__ == "__main__":
    sys.exit(main())
