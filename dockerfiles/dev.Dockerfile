# syntax=docker/dockerfile:1.10
# Development images on top of any framework's runtime image (named context `runtime`),
# instead of concatenating Dockerfiles as text:
#   dev        root, with the build tool chain and the source tree installed editable
#   local-dev  dev with the `dynamo` user remapped to the host's UID/GID, so files written
#              into a mounted workspace belong to the developer

# runtime is a named build context given by the bake file, not an image (DL3006).
# hadolint ignore=DL3006
FROM runtime AS dev
ARG ARCH=amd64
ARG ARCH_ALT=x86_64
ARG FRAMEWORK=none
ARG DYNAMO_COMMIT_SHA=""
ARG RUST_VERSION=1.90.0
ARG NSIGHT_SYSTEMS_VERSION=2025.5.1
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
ENV FRAMEWORK=${FRAMEWORK} \
    DYNAMO_COMMIT_SHA=${DYNAMO_COMMIT_SHA} \
    RUSTUP_HOME=/usr/local/rustup \
    CARGO_HOME=/usr/local/cargo \
    CARGO_TARGET_DIR=/workspace/target \
    PATH=/usr/local/cargo/bin:${PATH}
# The dev image is a root workbench by design; local-dev is the non-root variant (DL3002).
# hadolint ignore=DL3002
USER 0
# Package versions follow the framework's pinned runtime image (DL3008).
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential clang cmake git gdb less \
        pkg-config protobuf-compiler sudo vim \
 && rm -rf /var/lib/apt/lists/* \
 && curl -fsSL https://sh.rustup.rs | sh -s -- -y --no-modify-path --profile minimal \
        --default-toolchain "${RUST_VERSION}" \
 && chmod -R g+w "${RUSTUP_HOME}" "${CARGO_HOME}" \
 && echo "dev tools for ${ARCH}/${ARCH_ALT}, nsight-systems ${NSIGHT_SYSTEMS_VERSION}" > /etc/dynamo-dev
WORKDIR /workspace
COPY . /workspace
RUN if command -v uv >/dev/null; then uv pip install --no-cache -e /workspace; \
    else pip install --no-cache-dir --break-system-packages -e /workspace; fi

FROM dev AS local-dev
ARG USER_UID=1000
ARG USER_GID=1000
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
# Building as root (UID 0) would make every file the developer writes root-owned.
RUN test "${USER_UID}" != 0 || { echo "USER_UID must not be 0" >&2; exit 1; } \
 && if getent group "${USER_GID}" >/dev/null; then \
        groupmod -n dynamo-host "$(getent group "${USER_GID}" | cut -d: -f1)"; \
    else groupadd --gid "${USER_GID}" dynamo-host; fi \
 && usermod --uid "${USER_UID}" --gid "${USER_GID}" --append --groups 0 dynamo \
 && echo "dynamo ALL=(ALL) NOPASSWD:ALL" > /etc/sudoers.d/dynamo \
 && chmod 0440 /etc/sudoers.d/dynamo
ENV HOME=/home/dynamo
USER ${USER_UID}:${USER_GID}
WORKDIR /workspace
