# syntax=docker/dockerfile:1.10
# TensorRT-LLM (CUDA 13): three ways to get TensorRT-LLM, chosen by TRTLLM_INSTALL and kept
# apart so each target builds (and needs the inputs of) exactly one:
#   trtllm-pip    pip wheel TENSORRTLLM_PIP_WHEEL from TENSORRTLLM_INDEX_URL
#   trtllm-wheel  a local wheel directory, the named context `trtllm_wheel`
#   trtllm-git    a wheel built from TENSORRTLLM_GIT_URL at TENSORRTLLM_COMMIT
# Named contexts: dynamo_base, wheel_builder (and trtllm_wheel for the wheel strategy).

ARG PYTORCH_BASE_IMAGE=nvcr.io/nvidia/pytorch
ARG PYTORCH_BASE_IMAGE_TAG=25.12-py3
ARG RUNTIME_IMAGE=nvcr.io/nvidia/cuda-dl-base
ARG RUNTIME_IMAGE_TAG=25.12-cuda13.1-runtime-ubuntu24.04
ARG TRTLLM_INSTALL=pip

FROM ${PYTORCH_BASE_IMAGE}:${PYTORCH_BASE_IMAGE_TAG} AS trtllm-pip
ARG TENSORRTLLM_PIP_WHEEL=tensorrt-llm==1.3.0rc1
ARG TENSORRTLLM_INDEX_URL=https://pypi.nvidia.com/
# The version is pinned in TENSORRTLLM_PIP_WHEEL (name==version), which hadolint cannot see.
# hadolint ignore=DL3013
RUN pip install --no-cache-dir --extra-index-url "${TENSORRTLLM_INDEX_URL}" "${TENSORRTLLM_PIP_WHEEL}"

FROM ${PYTORCH_BASE_IMAGE}:${PYTORCH_BASE_IMAGE_TAG} AS trtllm-wheel
# trtllm_wheel is a named build context given by the bake file (DL3022).
# hadolint ignore=DL3022
COPY --from=trtllm_wheel / /trtllm_wheel/
RUN pip install --no-cache-dir /trtllm_wheel/*.whl

FROM ${PYTORCH_BASE_IMAGE}:${PYTORCH_BASE_IMAGE_TAG} AS trtllm-git
ARG TENSORRTLLM_GIT_URL=https://github.com/NVIDIA/TensorRT-LLM.git
ARG TENSORRTLLM_COMMIT=v1.3.0rc1
ARG ARCH_ALT=x86_64
RUN git clone --filter=blob:none "${TENSORRTLLM_GIT_URL}" /tmp/trtllm \
 && git -C /tmp/trtllm checkout "${TENSORRTLLM_COMMIT}" \
 && python3 /tmp/trtllm/scripts/build_wheel.py --dist_dir /tmp/dist --trt_root /usr/local/tensorrt \
 && pip install --no-cache-dir /tmp/dist/*.whl \
 && echo "tensorrt-llm ${TENSORRTLLM_COMMIT} for ${ARCH_ALT}" > /tmp/TRTLLM_INFO \
 && rm -rf /tmp/trtllm /tmp/dist

# The chosen strategy's stage, by name (a global ARG expands in FROM).
# hadolint ignore=DL3006
FROM trtllm-${TRTLLM_INSTALL} AS framework

FROM ${RUNTIME_IMAGE}:${RUNTIME_IMAGE_TAG} AS runtime
ARG ARCH=amd64
ARG ARCH_ALT=x86_64
ARG PYTHON_VERSION=3.12
ARG DYNAMO_COMMIT_SHA=""
ARG ENABLE_KVBM=true
ARG ENABLE_GPU_MEMORY_SERVICE=false
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
ENV DYNAMO_COMMIT_SHA=${DYNAMO_COMMIT_SHA} \
    DYNAMO_ARCH=${ARCH} \
    VIRTUAL_ENV=/opt/dynamo/venv \
    PATH=/opt/dynamo/venv/bin:${PATH} \
    NIXL_LIB_DIR=/opt/nvidia/nvda_nixl/lib/${ARCH_ALT}-linux-gnu
# dynamo_base is a named build context given by the bake file (DL3022).
# hadolint ignore=DL3022
COPY --from=dynamo_base --chown=1000:0 /opt/dynamo/venv /opt/dynamo/venv
# hadolint ignore=DL3022
COPY --from=dynamo_base /usr/local/bin/uv /usr/local/bin/uv
COPY --from=framework /usr/local/lib/python${PYTHON_VERSION}/dist-packages /opt/dynamo/venv/lib/python${PYTHON_VERSION}/site-packages
# wheel_builder is a named build context given by the bake file (DL3022).
# hadolint ignore=DL3022
COPY --from=wheel_builder /opt/dynamo/wheelhouse /opt/dynamo/wheelhouse
RUN uv pip install --no-cache /opt/dynamo/wheelhouse/*.whl \
 && if [ "${ENABLE_KVBM}" = "true" ]; then uv pip install --no-cache /opt/dynamo/wheelhouse/kvbm/*.whl; fi \
 && if [ "${ENABLE_GPU_MEMORY_SERVICE}" = "true" ]; then uv pip install --no-cache /opt/dynamo/wheelhouse/gms/*.whl; fi \
 && (id -u dynamo >/dev/null 2>&1 || useradd --uid 1000 --gid 0 --create-home --shell /bin/bash dynamo)
USER 1000
WORKDIR /workspace
ENTRYPOINT ["/opt/nvidia/nvidia_entrypoint.sh"]
