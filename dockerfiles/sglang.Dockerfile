# syntax=docker/dockerfile:1.10
# SGLang: the Dynamo wheels on SGLang's own runtime image (system Python, no venv).
# Named context: wheel_builder.

ARG RUNTIME_IMAGE=lmsysorg/sglang
ARG RUNTIME_IMAGE_TAG=v0.5.8-runtime

FROM ${RUNTIME_IMAGE}:${RUNTIME_IMAGE_TAG} AS runtime
ARG ARCH=amd64
ARG ARCH_ALT=x86_64
ARG DYNAMO_COMMIT_SHA=""
ARG ENABLE_KVBM=false
ARG ENABLE_GPU_MEMORY_SERVICE=true
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
ENV DYNAMO_COMMIT_SHA=${DYNAMO_COMMIT_SHA} \
    DYNAMO_ARCH=${ARCH} \
    NIXL_LIB_DIR=/opt/nvidia/nvda_nixl/lib/${ARCH_ALT}-linux-gnu
# wheel_builder is a named build context given by the bake file (DL3022).
# hadolint ignore=DL3022
COPY --from=wheel_builder /opt/dynamo/wheelhouse /opt/dynamo/wheelhouse
RUN pip install --no-cache-dir --break-system-packages /opt/dynamo/wheelhouse/*.whl \
 && if [ "${ENABLE_KVBM}" = "true" ]; then pip install --no-cache-dir --break-system-packages /opt/dynamo/wheelhouse/kvbm/*.whl; fi \
 && if [ "${ENABLE_GPU_MEMORY_SERVICE}" = "true" ]; then pip install --no-cache-dir --break-system-packages /opt/dynamo/wheelhouse/gms/*.whl; fi \
 && (id -u dynamo >/dev/null 2>&1 || useradd --uid 1000 --gid 0 --create-home --shell /bin/bash dynamo)
USER 1000
WORKDIR /workspace
