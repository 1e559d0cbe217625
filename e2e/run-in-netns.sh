#!/usr/bin/env bash
# Runs the browser tests inside a loopback-only network namespace, so that WebRTC sees only
# loopback candidates and no test traffic can leave the machine (see ../shared/TESTING.md).
# Needs root (CI runs as root). Extra arguments go to `playwright test`.
set -euo pipefail
cd "$(dirname "$0")/.."
ns="flux-e2e-$$"
cleanup() { ip netns del "$ns" 2>/dev/null || true; }
trap cleanup EXIT
ip netns add "$ns"
ip netns exec "$ns" ip link set lo up
ip netns exec "$ns" npx playwright test -c e2e/playwright.config.ts "$@"
