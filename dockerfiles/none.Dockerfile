# syntax=docker/dockerfile:1.10
# Dynamo alone, no inference framework. Named contexts: dynamo_base, wheel_builder.

# dynamo_base is a named build context given by the bake file, not an image (DL3006).
# hadolint ignore=DL3006
FROM dynamo_base AS runtime
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
