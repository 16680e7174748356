#!/usr/bin/env bash
# Cake's bootstrapper: restore the pinned Cake tool, then run build.cake with the given arguments
# (e.g. ./build.sh --target=Test).
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet tool restore >/dev/null
exec dotnet cake build.cake "$@"
