# syntax=docker/dockerfile:1.10
# TensorRT-LLM (CUDA 13 only): framework on the NGC PyTorch image, runtime on cuda-dl-base.
# Named contexts: dynamo_base, wheel_builder.

ARG PYTORCH_BASE_IMAGE=nvcr.io/nvidia/pytorch
ARG PYTORCH_BASE_IMAGE_TAG=25.12-py3
ARG RUNTIME_IMAGE=nvcr.io/nvidia/cuda-dl-base
ARG RUNTIME_IMAGE_TAG=25.12-cuda13.1-runtime-ubuntu24.04

FROM ${PYTORCH_BASE_IMAGE}:${PYTORCH_BASE_IMAGE_TAG} AS framework
ARG ARCH_ALT=x86_64
WORKDIR /opt/trtllm
RUN echo "tensorrt-llm for ${ARCH_ALT}" > /opt/trtllm/BUILD_INFO

FROM ${RUNTIME_IMAGE}:${RUNTIME_IMAGE_TAG} AS runtime
ARG ARCH=amd64
ARG ARCH_ALT=x86_64
ARG DYNAMO_COMMIT_SHA=""
ENV DYNAMO_COMMIT_SHA=${DYNAMO_COMMIT_SHA} \
    DYNAMO_ARCH_ALT=${ARCH_ALT} \
    DYNAMO_ARCH=${ARCH}
# dynamo_base is a named build context given by the bake file (DL3022).
# hadolint ignore=DL3022
COPY --from=dynamo_base /etc/os-release /opt/dynamo/base-os-release
COPY --from=framework /opt/trtllm /opt/trtllm
# wheel_builder is a named build context given by the bake file (DL3022).
# hadolint ignore=DL3022
COPY --from=wheel_builder /opt/dynamo/wheelhouse /opt/dynamo/wheelhouse
WORKDIR /workspace
