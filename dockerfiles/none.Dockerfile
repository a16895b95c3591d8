# syntax=docker/dockerfile:1.10
# Dynamo alone, no inference framework: the runtime is the shared base with the Dynamo wheels.
# Named contexts: dynamo_base, wheel_builder.

# dynamo_base is a named build context given by the bake file, not an image (DL3006).
# hadolint ignore=DL3006
FROM dynamo_base AS runtime
ARG ARCH=amd64
ARG ARCH_ALT=x86_64
ARG DYNAMO_COMMIT_SHA=""
ARG ENABLE_KVBM=false
ARG ENABLE_GPU_MEMORY_SERVICE=false
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
ENV DYNAMO_COMMIT_SHA=${DYNAMO_COMMIT_SHA} \
    DYNAMO_ARCH=${ARCH} \
    NIXL_LIB_DIR=/opt/nvidia/nvda_nixl/lib/${ARCH_ALT}-linux-gnu
# wheel_builder is a named build context given by the bake file (DL3022).
# hadolint ignore=DL3022
COPY --from=wheel_builder /opt/dynamo/wheelhouse /opt/dynamo/wheelhouse
RUN uv pip install --no-cache /opt/dynamo/wheelhouse/*.whl \
 && if [ "${ENABLE_KVBM}" = "true" ]; then uv pip install --no-cache /opt/dynamo/wheelhouse/kvbm/*.whl; fi \
 && if [ "${ENABLE_GPU_MEMORY_SERVICE}" = "true" ]; then uv pip install --no-cache /opt/dynamo/wheelhouse/gms/*.whl; fi
USER 1000
WORKDIR /workspace
ENTRYPOINT ["/opt/nvidia/nvidia_entrypoint.sh"]
