#!/usr/bin/env bash
# Runs every test of the solution. This is the command the README names and CI runs.
# It installs and starts what the tests need (see scripts/services.sh) and stops it afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
results=$(mktemp -d)
cleanup() { [ -f scripts/services.sh ] && bash scripts/services.sh stop >/dev/null 2>&1 || true; rm -rf "$results"; }
trap cleanup EXIT

if [ -f scripts/services.sh ]; then
  # Exports the addresses of the services it starts (for example POLICYLAYER_REDIS).
  eval "$(bash scripts/services.sh start)"
fi
eval "$(bash scripts/mcp-peers.sh)"

status=0
dotnet test PolicyLayer.Core.sln -c Release --logger "console;verbosity=minimal" 2>&1 | tee "$results/out.txt" || status=$?

# One closing line for the whole run: "N passed, N failed, N skipped".
awk '
  /(Passed|Failed)!  - Failed:/ {
    gsub(",", "");
    for (i = 1; i <= NF; i++) {
      if ($i == "Failed:") f += $(i + 1);
      if ($i == "Passed:") p += $(i + 1);
      if ($i == "Skipped:") s += $(i + 1);
    }
  }
  END { printf "%d passed, %d failed, %d skipped\n", p, f, s }
' "$results/out.txt"
exit $status
