#!/usr/bin/env bash
# `npm run image`: builds the container image worth-auth-mock:dev from the Dockerfile with docker, or with podman
# when docker is missing or its daemon does not answer. Extra arguments go to the build, e.g.
#   npm run image -- --build-arg BASE=localhost/wam-node24-base:…     (a machine that cannot pull node:24-slim)
# WORTH_MOCK_IMAGE names another tag.
set -euo pipefail
cd "$(dirname "$0")/.."

tag=${WORTH_MOCK_IMAGE:-worth-auth-mock:dev}
if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  engine=(docker build)
elif command -v podman >/dev/null 2>&1; then
  # --format docker: the OCI format has no HEALTHCHECK, so podman would drop it.
  engine=(podman build --format docker)
else
  echo "npm run image: neither docker (with a running daemon) nor podman is available: install one (Debian: apt-get install podman)" >&2
  exit 1
fi

version=$(node -p 'require("./package.json").version')
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
source_url=$(git remote get-url origin 2>/dev/null || true)

start=$(date +%s)
"${engine[@]}" --tag "$tag" \
  --build-arg "VERSION=$version" --build-arg "REVISION=$revision" --build-arg "SOURCE=$source_url" \
  "$@" .
size=$("${engine[0]}" image inspect --format '{{.Size}}' "$tag")
echo "npm run image: built $tag with ${engine[0]} in $(($(date +%s) - start)) s, $((size / 1000000)) MB"
