#!/usr/bin/env bash
# Runs the unit and integration tests (server, client, SDK and console: real SQLite files, a
# real PostgreSQL and Redis) on another Node.js release than the installed one, so that the
# server is known to run on the releases production should use (docs/deployment.md).
#
#   bash tooling/test-on-node.sh 26.12.1
#
# Node.js comes from the npm registry (the `node-linux-<arch>` package: the official binary
# and its headers), so nothing beyond the registry is needed. better-sqlite3, the one native
# addon, is built for that release from those headers; the installed build is put back after.
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:?usage: tooling/test-on-node.sh <Node.js version, e.g. 26.12.1>}
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64) arch=arm64 ;;
  *)
    echo "test-on-node: no Node.js package for $(uname -m)" >&2
    exit 1
    ;;
esac

addon=node_modules/better-sqlite3/build
work=$(mktemp -d)
restore() {
  if [ -d "$work/build" ]; then
    rm -rf "$addon"
    mv "$work/build" "$addon"
  fi
  rm -rf "$work"
}
trap restore EXIT

echo "test-on-node: fetching Node.js $version (node-linux-$arch) from the npm registry"
(cd "$work" && npm pack --silent "node-linux-$arch@$version" > /dev/null && tar xzf node-linux-*.tgz)
home="$work/package"
export PATH="$home/bin:$PATH"
[ "$(node --version)" = "v$version" ] || {
  echo "test-on-node: expected Node.js v$version, got $(node --version)" >&2
  exit 1
}

echo "test-on-node: building better-sqlite3 for Node.js $version"
cp -a "$addon" "$work/build"
npm_config_nodedir="$home" npm rebuild better-sqlite3 > "$work/rebuild.log" 2>&1 || {
  cat "$work/rebuild.log" >&2
  exit 1
}

echo "test-on-node: unit and integration tests on Node.js $version"
npx vitest run
