# worth-auth-mock for shared QA environments: the npm package on Node 24, production dependencies only,
# non-root, listening on 0.0.0.0:4010. Build it with `npm run image` (docker or podman), or:
#
#   docker build -t worth-auth-mock:dev .
#   docker run --rm -p 4010:4010 -e WORTH_MOCK_ADMIN_TOKEN=change-me worth-auth-mock:dev
#
# BASE is the Node 24 image every stage starts from. A machine that cannot pull node:24-slim (the project's
# test machines) passes a local image with the same layout (node, npm, /bin/sh, a `node` user with uid 1000):
#   podman build --format docker --build-arg BASE=localhost/wam-node24-base:… .
ARG BASE=node:24-slim

# 1. Every dependency, at the versions package-lock.json pins (a layer rebuilt only when they change).
FROM ${BASE} AS modules
WORKDIR /build
COPY package.json package-lock.json .npmrc ./
# --ignore-scripts: the only install scripts are the `node` devDependency's (it downloads a second Node 24;
# this image has one) and @scarf/scarf's analytics (package.json's allowScripts refuses it as well).
RUN npm ci --ignore-scripts

# 2. Production dependencies only, without what nothing runs (type declarations, source maps, docs).
FROM modules AS production-modules
RUN npm prune --omit=dev --ignore-scripts \
 && find node_modules -type f \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.map' -o -name '*.md' \) -exec rm -f {} +

# 3. The package: build dist/ (`npm run build`: the modules, the CLI's bundle) and pack it exactly as `npm publish` would.
FROM modules AS build
COPY tsconfig.json tsconfig.build.json ./
COPY bin bin
COPY spec spec
COPY pacts pacts
COPY scripts/build.ts scripts/build-spec.ts scripts/
COPY src src
RUN npm run build
# The README and the LICENSE go into the package too; copied after the build, so that editing them does not rebuild dist/.
COPY README.md LICENSE ./
RUN npm pack --ignore-scripts --pack-destination /tmp \
 && mkdir /package \
 && tar -xzf /tmp/worth-auth-mock-*.tgz -C /package --strip-components=1 \
 && chmod 755 /package/bin/worth-auth-mock.js

# 4. Runtime: Node 24, the package as npm installs it (node_modules/worth-auth-mock, its bin running the
#    built dist/) and its production dependencies; nothing else of the build.
FROM ${BASE}
# /data (owned by the runtime user) is where --state-file and --key-file go: mount a volume there.
RUN ln -s /app/node_modules/worth-auth-mock/bin/worth-auth-mock.js /usr/local/bin/worth-auth-mock \
 && mkdir -p /data && chown node:node /data
COPY --from=production-modules /build/node_modules /app/node_modules
COPY --from=build /package /app/node_modules/worth-auth-mock
# Beyond loopback, so the control API needs WORTH_MOCK_ADMIN_TOKEN: without it (or WORTH_MOCK_UNSAFE_OPEN_ADMIN=1)
# the mock refuses to start and says so in one line. WORTH_MOCK_ISSUER: the URL clients use (see README).
# PACT_DO_NOT_TRACK: `worth-auth-mock verify` runs Pact, which would otherwise report usage.
ENV WORTH_MOCK_HOST=0.0.0.0 \
    WORTH_MOCK_PORT=4010 \
    PACT_DO_NOT_TRACK=true
USER node
WORKDIR /data
VOLUME /data
EXPOSE 4010
# The bin stops the mock cleanly on SIGTERM (exit 0). Node is PID 1 (exec form below), and it handles the signal itself.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=5s --start-period=5s --retries=3 \
  CMD worth-auth-mock health --url "http://127.0.0.1:${WORTH_MOCK_PORT:-4010}"
# Labels last: a new version or commit changes no layer above.
ARG VERSION=dev
ARG REVISION=unknown
ARG SOURCE=
LABEL org.opencontainers.image.title="worth-auth-mock" \
      org.opencontainers.image.description="A stateful mock of Worth's Auth Service (sign-in, refresh, logout, users, invitations, password reset) with a real session in front of other mounted APIs" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.licenses="MIT"
ENTRYPOINT ["node", "/app/node_modules/worth-auth-mock/bin/worth-auth-mock.js"]
CMD ["start"]
