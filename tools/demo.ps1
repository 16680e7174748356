<#
.SYNOPSIS
    The Hv demo: connect, list templates, create three VMs from 'hello', start them, watch them, measure them,
    stop and remove them; then boot Debian's Linux from the 'linux' template, ask its shell a command, and shut it
    down through ACPI (-NoLinux leaves that out).
.EXAMPLE
    tools/hv-script tools/demo.ps1 -Port 47001 -Key 0f1e2d3c-...      # hv-boot --net-port 47001
.EXAMPLE
    tools/hv-script tools/demo.ps1 -SerialPort tcp://127.0.0.1:7001 -Key 0f1e2d3c-...   # hv-boot --mgmt-port 7001
.EXAMPLE
    pwsh -File tools/demo.ps1 -ComputerName hv1.example -Key $env:HV_KEY
#>
param(
    [string] $ComputerName = '127.0.0.1',
    [int] $Port = 47000,
    [string] $SerialPort,   # instead of the network: COM3, or tcp://127.0.0.1:7001 (an emulator's COM1, hv-boot --mgmt-port)
    [string] $Key = $env:HV_KEY,
    [string] $Template = 'hello',
    [string[]] $Name = @('demo1', 'demo2', 'demo3'),
    [int] $TimeoutSec = 300,
    [switch] $NoLinux,
    [int] $LinuxTimeoutSec = 3600   # a Linux boot in an emulator: minutes
)
# Only engine cmdlets and Hv cmdlets: the script runs in hv-script's hosted engine and in pwsh alike.
$ErrorActionPreference = 'Stop'

$line = if ($SerialPort) { @{ SerialPort = $SerialPort } } else { @{ ComputerName = $ComputerName; Port = $Port } }
$hv = Connect-HvHost @line -Key $Key -TimeoutSec $TimeoutSec -NotDefault
try {
    # Each step goes to Out-Default on its own, so each gets its own table (one pipeline of mixed types would
    # render everything after the first type as lists).
    $hv | Out-Default                                         # the host: version, memory, VM count
    Get-HvTemplate -Server $hv | Out-Default                  # what it can run

    $vms = New-HvVm -Name $Name -Template $Template -Server $hv
    $vms | Start-HvVm -PassThru | Out-Default                 # three running VMs
    Get-HvVm -Server $hv -Name $Name | Out-Default

    # Until each guest has stopped, or printed its last line.
    $vms | Wait-HvVm -State Stopped -ConsolePattern 'hello from guest 5' -Timeout $TimeoutSec -PassThru | Out-Default
    $vms | Get-HvVmConsole | Out-Default                      # "[demo1] hello from guest 1" ...
    $vms | Measure-HvVm | Out-Default                         # exits by reason, console bytes, run time

    $vms | Stop-HvVm -Force -TimeoutSec 5 -PassThru | Out-Default   # already stopped ones are left alone

    if (-not $NoLinux) {
        # A real operating system: the unmodified Debian kernel boots to its busybox shell on the VM's serial console.
        $linux = New-HvVm -Name demo-linux -Template linux -Server $hv | Start-HvVm -PassThru
        $linux | Wait-HvVm -ConsolePattern 'hv-linux:/# ' -Timeout $LinuxTimeoutSec | Out-Null
        Send-HvVmConsole -VM $linux -Text 'echo "the answer from $(uname -s) $(uname -r): $((6*7))"' -Confirm:$false
        $linux | Wait-HvVm -ConsolePattern 'the answer from Linux .*: 42' -Timeout $LinuxTimeoutSec | Out-Null
        @((($linux | Get-HvVmConsole -Raw) -join "`n") -split "`n" -match 'the answer from Linux .*: 42')[-1] | Out-Default
        $linux | Measure-HvVm | Out-Default
        # Without -TurnOff the host presses the VM's ACPI power button and Linux powers itself off.
        $linux | Stop-HvVm -Force -TimeoutSec $LinuxTimeoutSec -PassThru | Out-Default
    }
}
finally {
    Get-HvVm -Server $hv -Name ($Name + 'demo-linux') -ErrorAction SilentlyContinue | Remove-HvVm -Force
    Disconnect-HvHost -Server $hv
}
