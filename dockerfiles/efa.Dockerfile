# syntax=docker/dockerfile:1.10
# AWS EFA variants of any runtime, dev or local-dev image (named context `image`). Each stage
# installs the EFA software and leaves the user as its base image had it. The installer runs
# from its own throwaway directory in a subshell, not from a WORKDIR of the image (DL3003).

# image is a named build context given by the bake file, not an image (DL3006).
# hadolint ignore=DL3006
FROM image AS runtime-aws
ARG ARCH=amd64
ARG ARCH_ALT=x86_64
ARG EFA_VERSION=1.45.1
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
USER 0
# hadolint ignore=DL3003
RUN curl -fsSL "https://efa-installer.amazonaws.com/aws-efa-installer-${EFA_VERSION}.tar.gz" | tar -xz -C /tmp \
 && (cd /tmp/aws-efa-installer && ./efa_installer.sh -y --skip-kmod --skip-limit-conf --no-verify) \
 && rm -rf /tmp/aws-efa-installer \
 && echo "efa ${EFA_VERSION} ${ARCH}/${ARCH_ALT}" > /etc/efa-version
USER 1000

# hadolint ignore=DL3006
FROM image AS dev-aws
ARG ARCH=amd64
ARG ARCH_ALT=x86_64
ARG EFA_VERSION=1.45.1
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
# hadolint ignore=DL3003
RUN curl -fsSL "https://efa-installer.amazonaws.com/aws-efa-installer-${EFA_VERSION}.tar.gz" | tar -xz -C /tmp \
 && (cd /tmp/aws-efa-installer && ./efa_installer.sh -y --skip-kmod --skip-limit-conf --no-verify) \
 && rm -rf /tmp/aws-efa-installer \
 && echo "efa ${EFA_VERSION} ${ARCH}/${ARCH_ALT}" > /etc/efa-version

# local-dev runs as the host's user: install as root, then return to that user.
# hadolint ignore=DL3006
FROM image AS local-dev-aws
ARG ARCH=amd64
ARG ARCH_ALT=x86_64
ARG EFA_VERSION=1.45.1
ARG USER_UID=1000
ARG USER_GID=1000
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
USER 0
# hadolint ignore=DL3003
RUN curl -fsSL "https://efa-installer.amazonaws.com/aws-efa-installer-${EFA_VERSION}.tar.gz" | tar -xz -C /tmp \
 && (cd /tmp/aws-efa-installer && ./efa_installer.sh -y --skip-kmod --skip-limit-conf --no-verify) \
 && rm -rf /tmp/aws-efa-installer \
 && echo "efa ${EFA_VERSION} ${ARCH}/${ARCH_ALT}" > /etc/efa-version
USER ${USER_UID}:${USER_GID}
