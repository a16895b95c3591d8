# syntax=docker/dockerfile:1.10
# Stages shared by every framework, built once per CUDA version and platform:
#   base           the CUDA devel image with the toolchain the frameworks build on
#   wheel_builder  builds the Dynamo wheels (manylinux), optionally through sccache
# Framework Dockerfiles receive them as the named contexts `dynamo_base` and `wheel_builder`.

ARG BASE_IMAGE=nvcr.io/nvidia/cuda-dl-base
ARG BASE_IMAGE_TAG=25.06-cuda12.9-devel-ubuntu24.04

FROM ${BASE_IMAGE}:${BASE_IMAGE_TAG} AS base
ARG ARCH=amd64
ARG ARCH_ALT=x86_64
ARG CUDA_VERSION=12.9
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
ENV DYNAMO_CUDA_VERSION=${CUDA_VERSION} \
    DYNAMO_ARCH=${ARCH} \
    RUSTARCH=${ARCH_ALT}-unknown-linux-gnu \
    VIRTUAL_ENV=/opt/dynamo/venv
# Versions follow the pinned base image tag; pinning each package again would break on
# every base image update (DL3008).
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl git \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /workspace

# dynamo_base is a named build context given by the bake file, not an image (DL3006).
# hadolint ignore=DL3006
FROM dynamo_base AS wheel_builder
ARG ARCH=amd64
ARG ARCH_ALT=x86_64
ARG USE_SCCACHE=false
ARG SCCACHE_BUCKET=""
ARG SCCACHE_REGION=""
ENV SCCACHE_BUCKET=${SCCACHE_BUCKET} \
    SCCACHE_REGION=${SCCACHE_REGION} \
    SCCACHE_S3_KEY_PREFIX=${ARCH}
WORKDIR /workspace
COPY . /workspace
# Credentials reach sccache only as secrets: never as build args, never in a layer.
RUN --mount=type=secret,id=aws-key-id,env=AWS_ACCESS_KEY_ID \
    --mount=type=secret,id=aws-secret-id,env=AWS_SECRET_ACCESS_KEY \
    mkdir -p /opt/dynamo/wheelhouse \
 && if [ "${USE_SCCACHE}" = "true" ]; then export RUSTC_WRAPPER=sccache; fi \
 && echo "building wheels for ${ARCH_ALT}" > /opt/dynamo/wheelhouse/BUILD_INFO
