<#
.SYNOPSIS
    Module figures: how long Import-Module Hv takes, and Get-HvVm of -Count VMs end to end (cmdlet, protocol,
    socket, management server), as the median of -Repeat runs. Prints:
        module_import_ms: N ms
        get_hvvm_100_ms: N ms
.EXAMPLE
    tools/hv-script tools/bench-module.ps1 -SerialPort tcp://127.0.0.1:7001 -Key $env:HV_KEY
#>
param(
    [string] $ComputerName = '127.0.0.1',
    [int] $Port = 47000,
    [string] $SerialPort,   # instead of the network: COM3, or tcp://127.0.0.1:7001 (an emulator's COM1, hv-boot --mgmt-port)
    [string] $Key = $env:HV_KEY,
    [int] $Count = 100,
    [int] $Repeat = 7,
    [string] $Template = 'spin',
    [int] $TimeoutSec = 600  # a backstop per request: an emulated host on a busy machine answers slowly
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

if (Get-Module Hv) {
    $importMs = $HvScriptModuleImportMs                     # hv-script imported it and timed it
}
else {
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    Import-Module (Join-Path $PSScriptRoot '../artifacts/module/Hv/Hv.psd1')
    $importMs = $watch.ElapsedMilliseconds
}
"module_import_ms: $importMs ms"

$line = if ($SerialPort) { @{ SerialPort = $SerialPort } } else { @{ ComputerName = $ComputerName; Port = $Port } }
$hv = Connect-HvHost @line -Key $Key -NotDefault -TimeoutSec $TimeoutSec
$names = foreach ($i in 1..$Count) { 'bench-{0:d4}' -f $i }
try {
    $null = New-HvVm -Name $names -Template $Template -Server $hv
    $null = Get-HvVm -Server $hv                           # warm-up (JIT)
    $times = foreach ($i in 1..$Repeat) {
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $vms = Get-HvVm -Server $hv -Name 'bench-*'
        $watch.Elapsed.TotalMilliseconds
        if (@($vms).Count -ne $Count) { throw "expected $Count VMs, got $(@($vms).Count)" }
    }
    $sorted = [double[]]$times
    [array]::Sort($sorted)
    $median = $sorted[[int][math]::Floor($sorted.Length / 2)]
    "get_hvvm_$($Count)_ms: $([math]::Round($median, 1)) ms"
}
finally {
    Get-HvVm -Server $hv -Name 'bench-*' -ErrorAction SilentlyContinue | Remove-HvVm -Force
    Disconnect-HvHost -Server $hv
}
