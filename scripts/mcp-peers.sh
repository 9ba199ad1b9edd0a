#!/usr/bin/env bash
# Installs the real MCP peers the tests talk to, when missing, into .tmp/npm (gitignored), and prints the
# variables that point the tests at them, for: eval "$(bash scripts/mcp-peers.sh)".
# Only the export line goes to stdout; npm's output goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

SERVER_EVERYTHING_VERSION=2026.8.31
prefix=.tmp/npm
package="$prefix/node_modules/@modelcontextprotocol/server-everything"

installed_version() {
  [ -f "$package/package.json" ] && node -p "require('./$package/package.json').version" 2>/dev/null || true
}

if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  echo "mcp-peers: node and npm are not installed; the proxy tests will skip (or fail under CI=true)." >&2
  exit 0
fi

if [ "$(installed_version)" != "$SERVER_EVERYTHING_VERSION" ]; then
  mkdir -p "$prefix"
  npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error \
    "@modelcontextprotocol/server-everything@$SERVER_EVERYTHING_VERSION" >&2
fi

bin=$(node -p "const p=require('./$package/package.json'); typeof p.bin === 'string' ? p.bin : Object.values(p.bin)[0]")
echo "export POLICYLAYER_SERVER_EVERYTHING=$(pwd)/$package/${bin#./}"
