# syntax=docker/dockerfile:1.10
# SGLang: Dynamo's wheels installed on the SGLang runtime image.
# Named contexts: dynamo_base (unused by this framework's stages), wheel_builder.

ARG RUNTIME_IMAGE=lmsysorg/sglang
ARG RUNTIME_IMAGE_TAG=v0.5.8-runtime

FROM ${RUNTIME_IMAGE}:${RUNTIME_IMAGE_TAG} AS runtime
ARG ARCH=amd64
ARG ARCH_ALT=x86_64
ARG DYNAMO_COMMIT_SHA=""
ENV DYNAMO_COMMIT_SHA=${DYNAMO_COMMIT_SHA} \
    DYNAMO_ARCH_ALT=${ARCH_ALT} \
    DYNAMO_ARCH=${ARCH}
# wheel_builder is a named build context given by the bake file (DL3022).
# hadolint ignore=DL3022
COPY --from=wheel_builder /opt/dynamo/wheelhouse /opt/dynamo/wheelhouse
WORKDIR /workspace
