#!/usr/bin/env bash
# Runs the JSON Schema Test Suite against the validator and regenerates docs/json-schema-conformance.md.
# The suite is found by walking up from the tool's output folder to shared/conformance/json-schema-test-suite,
# or under $POLICYLAYER_SHARED_DIR. Pass --failures to also print every failing test that is not excluded.
# Exits non-zero when a test fails that the exclusions file does not list.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet run -c Release --project tools/PolicyLayer.ConformanceReport -- docs/json-schema-conformance.md "$@"
