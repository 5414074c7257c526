# syntax=docker/dockerfile:1
# kube9-operator image. Two stages:
#  - build: runs on the builder's own platform ($BUILDPLATFORM), installs the locked npm
#    dependencies, compiles the operator with tsc and prunes to production dependencies. Its output
#    is plain JavaScript, identical for every target platform (no native addons).
#  - final: one per target platform, only COPY instructions (no RUN), so an arm64 image needs no
#    emulation when built on amd64.
# Base images are build arguments pinned by digest; override them to build from a mirror.
# BuildKit sets BUILDPLATFORM and TARGETPLATFORM itself; buildah 1.28 sets only TARGETPLATFORM
# (`kube9-release image build` passes both). The final stage names $TARGETPLATFORM explicitly:
# without it buildah 1.28 builds every platform's final stage from the $BUILDPLATFORM variant.
ARG BUILDPLATFORM
ARG TARGETPLATFORM
ARG BUILD_IMAGE=node:22-bookworm-slim@sha256:53ada149d435c38b14476cb57e4a7da73c15595aba79bd6971b547ceb6d018bf
# Must provide /nodejs/bin/node (the distroless nodejs layout) and the C/C++ runtime libraries.
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs22-debian13@sha256:773a62fbe24a3f8c8b24b16fd59154627f8b406737bc906f83bf1732bc8907dd

FROM --platform=$BUILDPLATFORM ${BUILD_IMAGE} AS build
WORKDIR /src
# The root manifest and lockfile pin every version; the other workspaces' package.json files are
# needed only so that npm sees the lockfile's workspaces; their sources never enter the context.
COPY package.json package-lock.json tsconfig.base.json ./
COPY operator/package.json operator/tsconfig.json operator/
COPY release/package.json release/
COPY infrastructure/package.json infrastructure/
# `npm install --no-save` installs exactly the locked versions (as scripts/setup.mjs does): `npm ci`
# refuses this lockfile because it also demands other platforms' optional binaries. Only the
# operator workspace and the root's devDependencies (TypeScript) are installed; no install scripts.
# Only POSIX sh, find and rmdir below, so that a busybox-based build image works too.
RUN npm install --no-save --ignore-scripts --no-audit --no-fund \
      --workspace operator --include-workspace-root
COPY operator/src operator/src
# The release version (a build argument) wins over operator/package.json's, so that
# `--version`, the status ConfigMap and the image labels all say the same thing.
ARG VERSION=""
RUN if [ -n "$VERSION" ]; then npm pkg set "version=$VERSION" --workspace operator; fi \
 && node_modules/.bin/tsc -p operator/tsconfig.json \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund --workspace operator --include-workspace-root \
 && mkdir -p /out \
 && cp operator/package.json /out/package.json \
 && cp -R operator/dist /out/dist \
 && find /out/dist \( -name '*.d.ts' -o -name '*.map' -o -name '.tsbuildinfo' \) -exec rm -f {} + \
 && cp -R node_modules /out/node_modules \
 && rm -rf /out/node_modules/.bin /out/node_modules/.package-lock.json /out/node_modules/kube9-operator \
 && find /out/node_modules -depth -type d -empty -exec rmdir {} \; \
 && chmod -R u=rwX,go=rX /out

FROM --platform=$TARGETPLATFORM ${RUNTIME_IMAGE}
ARG VERSION=""
ARG REVISION=""
ARG CREATED=""
ARG SOURCE="https://github.com/alto9/kube9-operator"
ARG TITLE="kube9-operator"
ARG DESCRIPTION="kube9-operator: reports cluster status into a ConfigMap, with health and Prometheus metrics endpoints"
ARG LICENSES="MIT"
LABEL org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.url="${SOURCE}" \
      org.opencontainers.image.title="${TITLE}" \
      org.opencontainers.image.description="${DESCRIPTION}" \
      org.opencontainers.image.licenses="${LICENSES}"
# Owned by root and not writable by the operator's user: the root filesystem can be read-only;
# Node.js needs nothing writable but /tmp (an emptyDir in the chart).
COPY --from=build /out /app
WORKDIR /app
ENV NODE_ENV=production
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/nodejs/bin/node", "/app/dist/main.js"]
