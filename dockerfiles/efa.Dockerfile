# syntax=docker/dockerfile:1.10
# AWS EFA variants of any runtime, dev or local-dev image (named context `image`).

# image is a named build context given by the bake file, not an image (DL3006).
# hadolint ignore=DL3006
FROM image AS runtime-aws
ARG ARCH=amd64
ARG ARCH_ALT=x86_64
ARG EFA_VERSION=1.45.1
USER 0
RUN echo "efa ${EFA_VERSION} ${ARCH} ${ARCH_ALT}" > /etc/efa-version
USER 1000

# image is a named build context given by the bake file, not an image (DL3006).
# hadolint ignore=DL3006
FROM image AS dev-aws
ARG ARCH=amd64
ARG ARCH_ALT=x86_64
ARG EFA_VERSION=1.45.1
RUN echo "efa ${EFA_VERSION} ${ARCH} ${ARCH_ALT}" > /etc/efa-version

# image is a named build context given by the bake file, not an image (DL3006).
# hadolint ignore=DL3006
FROM image AS local-dev-aws
ARG ARCH=amd64
ARG ARCH_ALT=x86_64
ARG EFA_VERSION=1.45.1
USER 0
RUN echo "efa ${EFA_VERSION} ${ARCH} ${ARCH_ALT}" > /etc/efa-version
USER 1000
