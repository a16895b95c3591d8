"""A toy project shaped like the default matrix, for the registry-cache benchmark.

Busybox stands in for the CUDA images: every RUN step only writes a small file, so a build
takes seconds and what is measured is which steps BuildKit executes and which it takes from
cache. The shape follows matrix/default.yaml: a shared `base` stage per CUDA version whose
stage COPYs from the build context, a `wheel-builder` on it that copies the source tree, a
runtime per framework, dev and local-dev on the runtime, and the three -aws variants, wired
with `uses` and `links` (so with `target:` named contexts).
"""

from __future__ import annotations

from pathlib import Path

FRAMEWORKS = ("fa", "fb")
CUDAS = ("12.9", "13.0")

# RUN steps per CUDA version (base 1, wheel builder 2) and per cell (runtime 1, dev 2,
# local-dev 1, the three -aws stages 1 each); the dev stage is shared by dev and local-dev.
RUNS_PER_CUDA = 3
RUNS_PER_CELL = 7

BASE = """\
ARG BASE_IMAGE=@BASE_IMAGE@
FROM ${BASE_IMAGE} AS base
ARG CUDA_VERSION=12.9
COPY --link toolkit.txt /opt/toolkit.txt
RUN echo "base cuda ${CUDA_VERSION}" > /opt/base-info

FROM ${BASE_IMAGE} AS wheel_builder
ARG CUDA_VERSION=12.9
COPY --from=dynamo_base /opt/base-info /opt/base-info
RUN echo "wheel builder deps for $(cat /opt/base-info)" > /opt/deps
WORKDIR /workspace
COPY --link . /workspace
RUN mkdir -p /opt/wheelhouse && cat /workspace/src/* /opt/deps > /opt/wheelhouse/toy.whl
"""

FRAMEWORK = """\
FROM dynamo_base AS runtime
ARG ENABLE_KVBM=false
COPY --from=wheel_builder /opt/wheelhouse /opt/wheelhouse
RUN echo "{name} runtime on $(cat /opt/base-info), kvbm=${{ENABLE_KVBM}}" > /opt/runtime-info
"""

DEV = """\
FROM runtime AS dev
ARG FRAMEWORK=none
RUN echo "dev tools for ${FRAMEWORK}" > /etc/dev-tools
WORKDIR /workspace
COPY --link . /workspace
RUN cat /workspace/src/* > /opt/editable-install

FROM dev AS local-dev
ARG USER_UID=1000
RUN echo "local user ${USER_UID}" > /etc/local-user
"""

EFA = """\
FROM image AS runtime-aws
ARG EFA_VERSION=1.45.1
RUN echo "efa ${EFA_VERSION} runtime" > /etc/efa-version

FROM image AS dev-aws
ARG EFA_VERSION=1.45.1
RUN echo "efa ${EFA_VERSION} dev" > /etc/efa-version

FROM image AS local-dev-aws
ARG EFA_VERSION=1.45.1
RUN echo "efa ${EFA_VERSION} local-dev" > /etc/efa-version
"""

MATRIX = """\
format: 1
image:
  name: toy
  tags: ["{{version}}-{{framework}}-{{target}}-{{cuda.id}}"]
axes:
  framework:
    values:
{frameworks}
  cuda:
    id: "cuda{{value}}"
    values:
{cudas}
  platform:
    values:
      linux/amd64:
        id: amd64
        platforms: [linux/amd64]
  target:
    values:
      runtime:
        dockerfile: "dockerfiles/{{framework}}.Dockerfile"
        stage: runtime
        uses: {{dynamo_base: base, wheel_builder: wheel-builder}}
      dev:
        dockerfile: dockerfiles/dev.Dockerfile
        stage: dev
        links: {{runtime: {{target: runtime}}}}
        args: {{FRAMEWORK: "{{framework}}"}}
      local-dev:
        dockerfile: dockerfiles/dev.Dockerfile
        stage: local-dev
        links: {{runtime: {{target: runtime}}}}
        args: {{FRAMEWORK: "{{framework}}"}}
      runtime-aws:
        dockerfile: dockerfiles/efa.Dockerfile
        stage: runtime-aws
        links: {{image: {{target: runtime}}}}
      dev-aws:
        dockerfile: dockerfiles/efa.Dockerfile
        stage: dev-aws
        links: {{image: {{target: dev}}}}
      local-dev-aws:
        dockerfile: dockerfiles/efa.Dockerfile
        stage: local-dev-aws
        links: {{image: {{target: local-dev}}}}
defaults:
  context: .
shared:
  base:
    axes: [cuda, platform]
    dockerfile: dockerfiles/base.Dockerfile
    stage: base
    args: {{CUDA_VERSION: "{{cuda}}"}}
  wheel-builder:
    axes: [cuda, platform]
    dockerfile: dockerfiles/base.Dockerfile
    stage: wheel_builder
    uses: {{dynamo_base: base}}
    args: {{CUDA_VERSION: "{{cuda}}"}}
cache:
  scope: bench
  fallback: []
"""


def expected_runs(frameworks: tuple[str, ...], cudas: tuple[str, ...]) -> int:
    """How many distinct RUN steps the toy has: what a cold build must execute once each."""
    return len(cudas) * (RUNS_PER_CUDA + len(frameworks) * RUNS_PER_CELL)


def write_toy(
    root: Path,
    base_image: str,
    frameworks: tuple[str, ...] = FRAMEWORKS,
    cudas: tuple[str, ...] = CUDAS,
) -> Path:
    """Write the toy project under `root`; returns the matrix file."""
    (root / "dockerfiles").mkdir(parents=True, exist_ok=True)
    (root / "src").mkdir(exist_ok=True)
    (root / "dockerfiles" / "base.Dockerfile").write_text(BASE.replace("@BASE_IMAGE@", base_image))
    (root / "dockerfiles" / "dev.Dockerfile").write_text(DEV)
    (root / "dockerfiles" / "efa.Dockerfile").write_text(EFA)
    for name in frameworks:
        (root / "dockerfiles" / f"{name}.Dockerfile").write_text(FRAMEWORK.format(name=name))
    (root / "toolkit.txt").write_text("toolkit\n")
    (root / "src" / "module.py").write_text("print('toy')\n")
    # Only the sources go into the context: the bake files written next to them would
    # otherwise change the context between runs.
    (root / ".dockerignore").write_text("*\n!src\n!toolkit.txt\n")
    matrix = root / "matrix.yaml"
    matrix.write_text(
        MATRIX.format(
            frameworks="\n".join(f"      {f}:" for f in frameworks),
            cudas="\n".join(f'      "{c}":' for c in cudas),
        )
    )
    return matrix
