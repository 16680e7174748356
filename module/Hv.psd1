# Module manifest for Hv, the PowerShell module that drives Hv hypervisor hosts.
# ModuleVersion matches <Version> in Directory.Build.props (the build keeps them in step).
@{
    RootModule             = 'Hv.dll'
    ModuleVersion          = '0.1.0'
    GUID                   = '5b0e6c1a-8f0d-4c57-9a44-3f1d2c7e9b61'
    Author                 = 'Hv contributors'
    CompanyName            = 'Hv'
    Copyright              = '(c) Hv contributors.'
    Description            = 'Manage Hv hypervisor hosts: connect over TCP or serial, upload templates, create VMs and copy-on-write clones, start, stop, snapshot and restore them, export, import and move them between hosts, watch their consoles and measure them, across many hosts in parallel.'
    PowerShellVersion      = '5.1'
    CompatiblePSEditions   = @('Core', 'Desktop')
    DotNetFrameworkVersion = '4.7.2'
    RequiredAssemblies     = @('Hv.Protocol.dll')
    FormatsToProcess       = @('Hv.format.ps1xml')
    CmdletsToExport        = @(
        'Connect-HvHost'
        'Disconnect-HvHost'
        'Get-HvHost'
        'Get-HvTemplate'
        'New-HvVm'
        'Get-HvVm'
        'Set-HvVm'
        'Start-HvVm'
        'Stop-HvVm'
        'Suspend-HvVm'
        'Resume-HvVm'
        'Restart-HvVm'
        'Remove-HvVm'
        'Get-HvVmConsole'
        'Send-HvVmConsole'
        'Wait-HvVm'
        'Measure-HvVm'
        'Copy-HvVm'
        'Checkpoint-HvVm'
        'Get-HvVmSnapshot'
        'Restore-HvVmSnapshot'
        'Remove-HvVmSnapshot'
        'New-HvTemplate'
        'Remove-HvTemplate'
        'Export-HvVm'
        'Import-HvVm'
        'Move-HvVm'
        'Get-HvVmHardDiskDrive'
        'Add-HvVmHardDiskDrive'
        'Remove-HvVmHardDiskDrive'
        'New-HvDisk'
        'Get-HvDisk'
        'Remove-HvDisk'
        'New-HvSwitch'
        'Get-HvSwitch'
        'Remove-HvSwitch'
        'Add-HvVmNetworkAdapter'
        'Get-HvVmNetworkAdapter'
        'Remove-HvVmNetworkAdapter'
        'Connect-HvVmNetworkAdapter'
        'Disconnect-HvVmNetworkAdapter'
    )
    FunctionsToExport      = @()
    VariablesToExport      = @()
    AliasesToExport        = @()
    PrivateData            = @{
        PSData = @{
            Tags       = @('Hv', 'Hypervisor', 'VT-x', 'VM')
        }
    }
}
