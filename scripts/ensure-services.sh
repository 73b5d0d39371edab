#!/usr/bin/env bash
# Installs the system programs the test suite runs for real — redis-server, Chromium, and podman with runc
# and busybox-static (test/image.test.ts builds and runs the container image) — from Debian's packages when
# they are missing. Tests start their own instances on loopback ports.
set -euo pipefail

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v podman >/dev/null 2>&1 || missing+=(podman)
command -v runc >/dev/null 2>&1 || missing+=(runc)
command -v busybox >/dev/null 2>&1 || missing+=(busybox-static)
((${#missing[@]} == 0)) && exit 0

if [[ $(id -u) -ne 0 ]] && ! command -v sudo >/dev/null 2>&1; then
  echo "ensure-services: ${missing[*]} missing and not root: install them with apt-get (Debian packages: ${missing[*]})" >&2
  exit 1
fi
sudo_=""; [[ $(id -u) -ne 0 ]] && sudo_="sudo"
echo "ensure-services: installing ${missing[*]} from Debian's packages…"
export DEBIAN_FRONTEND=noninteractive
$sudo_ apt-get update -qq
$sudo_ apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The Debian package starts a system redis on 6379; the tests start their own, so leave it be.
for program in redis-server chromium podman runc busybox; do command -v "$program" >/dev/null; done
echo "ensure-services: done"
