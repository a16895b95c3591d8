# syntax=docker/dockerfile:1.10
# Development images on top of any framework's runtime image (named context `runtime`):
#   dev        root, with the build tool chain and the source tree
#   local-dev  dev with the user remapped to the host's UID/GID

# runtime is a named build context given by the bake file, not an image (DL3006).
# hadolint ignore=DL3006
FROM runtime AS dev
ARG ARCH=amd64
ARG ARCH_ALT=x86_64
ARG FRAMEWORK=none
ARG DYNAMO_COMMIT_SHA=""
ENV FRAMEWORK=${FRAMEWORK} \
    DYNAMO_COMMIT_SHA=${DYNAMO_COMMIT_SHA} \
    DYNAMO_ARCH=${ARCH} \
    DYNAMO_ARCH_ALT=${ARCH_ALT}
# The dev image is a root workbench by design; local-dev is the non-root variant (DL3002).
# hadolint ignore=DL3002
USER 0
WORKDIR /workspace
COPY . /workspace

FROM dev AS local-dev
ARG USER_UID=1000
ARG USER_GID=1000
RUN echo "local-dev for ${USER_UID}:${USER_GID}" > /etc/dynamo-local-dev
USER ${USER_UID}:${USER_GID}
WORKDIR /workspace
