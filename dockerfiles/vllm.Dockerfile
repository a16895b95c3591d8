# syntax=docker/dockerfile:1.10
# vLLM: the framework stage installs vLLM into the shared base's venv; the runtime stage
# carries that venv onto a CUDA runtime image with the Dynamo wheels.
# Named contexts: dynamo_base, wheel_builder.

ARG RUNTIME_IMAGE=nvcr.io/nvidia/cuda
ARG RUNTIME_IMAGE_TAG=12.9.1-runtime-ubuntu24.04

# dynamo_base is a named build context given by the bake file, not an image (DL3006).
# hadolint ignore=DL3006
FROM dynamo_base AS framework
ARG ARCH_ALT=x86_64
ARG VLLM_REF=v0.14.1
ARG FLASHINF_REF=v0.5.3
ARG LMCACHE_REF=0.3.12
ARG MAX_JOBS=16
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
ENV MAX_JOBS=${MAX_JOBS}
RUN uv pip install --no-cache "vllm==${VLLM_REF#v}" "flashinfer-python==${FLASHINF_REF#v}" \
        "lmcache==${LMCACHE_REF}" \
 && echo "vllm ${VLLM_REF} for ${ARCH_ALT}" > /opt/dynamo/venv/VLLM_INFO

FROM ${RUNTIME_IMAGE}:${RUNTIME_IMAGE_TAG} AS runtime
ARG ARCH=amd64
ARG ARCH_ALT=x86_64
ARG PYTHON_VERSION=3.12
ARG DYNAMO_COMMIT_SHA=""
ARG ENABLE_KVBM=true
ARG ENABLE_GPU_MEMORY_SERVICE=true
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
ENV DYNAMO_COMMIT_SHA=${DYNAMO_COMMIT_SHA} \
    DYNAMO_ARCH=${ARCH} \
    VIRTUAL_ENV=/opt/dynamo/venv \
    PATH=/opt/dynamo/venv/bin:${PATH} \
    NIXL_LIB_DIR=/opt/nvidia/nvda_nixl/lib/${ARCH_ALT}-linux-gnu
# Package versions follow the pinned runtime image tag (DL3008).
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends "python${PYTHON_VERSION}" ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 1000 --gid 0 --create-home --shell /bin/bash dynamo
COPY --from=framework /usr/local/bin/uv /usr/local/bin/uv
COPY --from=framework --chown=1000:0 /opt/dynamo/venv /opt/dynamo/venv
# wheel_builder is a named build context given by the bake file (DL3022).
# hadolint ignore=DL3022
COPY --from=wheel_builder /opt/dynamo/wheelhouse /opt/dynamo/wheelhouse
RUN uv pip install --no-cache /opt/dynamo/wheelhouse/*.whl \
 && if [ "${ENABLE_KVBM}" = "true" ]; then uv pip install --no-cache /opt/dynamo/wheelhouse/kvbm/*.whl; fi \
 && if [ "${ENABLE_GPU_MEMORY_SERVICE}" = "true" ]; then uv pip install --no-cache /opt/dynamo/wheelhouse/gms/*.whl; fi
USER 1000
WORKDIR /workspace
ENTRYPOINT ["/opt/nvidia/nvidia_entrypoint.sh"]
