# syntax=docker/dockerfile:1.10
# vLLM: the framework stage builds on the shared base, the runtime stage on a CUDA runtime
# image. Named contexts: dynamo_base, wheel_builder.

ARG RUNTIME_IMAGE=nvcr.io/nvidia/cuda
ARG RUNTIME_IMAGE_TAG=12.9.1-runtime-ubuntu24.04

# dynamo_base is a named build context given by the bake file, not an image (DL3006).
# hadolint ignore=DL3006
FROM dynamo_base AS framework
ARG ARCH=amd64
ARG ARCH_ALT=x86_64
WORKDIR /opt/vllm
RUN echo "vllm for ${ARCH}/${ARCH_ALT}" > /opt/vllm/BUILD_INFO

FROM ${RUNTIME_IMAGE}:${RUNTIME_IMAGE_TAG} AS runtime
ARG ARCH=amd64
ARG ARCH_ALT=x86_64
ARG DYNAMO_COMMIT_SHA=""
ENV DYNAMO_COMMIT_SHA=${DYNAMO_COMMIT_SHA} \
    DYNAMO_ARCH_ALT=${ARCH_ALT} \
    DYNAMO_ARCH=${ARCH}
COPY --from=framework /opt/vllm /opt/vllm
# wheel_builder is a named build context given by the bake file (DL3022).
# hadolint ignore=DL3022
COPY --from=wheel_builder /opt/dynamo/wheelhouse /opt/dynamo/wheelhouse
WORKDIR /workspace
