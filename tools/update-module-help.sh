#!/usr/bin/env bash
# Regenerate module/en-US/Hv.dll-Help.xml from module/docs/*.md and the built cmdlets' metadata (run after changing
# a cmdlet's parameters or its markdown; the module tests fail while the two disagree).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dotnet publish "$root/module/Hv.Module.csproj" -c Release -o "$root/artifacts/module/Hv" -nologo -v:q -clp:ErrorsOnly
dotnet build "$root/tools/HvScript/HvScript.csproj" -c Release -nologo -v:q -clp:ErrorsOnly
dotnet "$root/tools/HvScript/bin/Release/net10.0/hv-script.dll" --generate-help --module "$root/artifacts/module/Hv/Hv.psd1" \
  --docs "$root/module/docs" --out "$root/module/en-US/Hv.dll-Help.xml"
dotnet publish "$root/module/Hv.Module.csproj" -c Release -o "$root/artifacts/module/Hv" -nologo -v:q -clp:ErrorsOnly
