namespace Hv.Protocol.Wire
{
    /// <summary>
    /// Operation codes. A response carries the request's code with bit 7 set. Values are stable: never
    /// renumber, only append.
    /// </summary>
    public enum Opcode
    {
        None = 0,
        Handshake = 1,
        HostInfo = 2,
        ListTemplates = 3,
        CreateVm = 4,
        StartVm = 5,
        StopVm = 6,
        PauseVm = 7,
        ResumeVm = 8,
        RemoveVm = 9,
        ListVms = 10,
        GetVm = 11,
        ReadConsole = 12,
        WriteConsole = 13,
        GetMetrics = 14,

        // ---- templates, clones, snapshots, transfers (appended; see PROTOCOL.md) ----------------------------

        /// <summary>Several VMs from one template, named "base-1".."base-N", all or none.</summary>
        CreateVms = 15,
        /// <summary>A copy-on-write copy of a paused VM.</summary>
        ForkVm = 16,
        CheckpointVm = 17,
        ListSnapshots = 18,
        RestoreSnapshot = 19,
        RemoveSnapshot = 20,
        BeginTemplateUpload = 21,
        UploadTemplateChunk = 22,
        CommitTemplateUpload = 23,
        RemoveTemplate = 24,
        BeginExport = 25,
        ReadExport = 26,
        EndExport = 27,
        BeginImport = 28,
        WriteImport = 29,
        CommitImport = 30,
        AbortImport = 31,
        /// <summary>How far an export's image is prepared (BeginExport answers before it is ready).</summary>
        GetExport = 32,
        /// <summary>Changes a VM's settings: memory, vCPUs, CPU weight and cap, name, notes.</summary>
        SetVm = 33,

        // ---- a VM's disk drive (34..39; 40.. are the network's) ----------------------------------------------

        /// <summary>A VM's disk drive: size, host memory it holds, I/O counters.</summary>
        GetHardDiskDrive = 34,
        /// <summary>A blank raw disk image in the host's store.</summary>
        CreateDisk = 35,
        /// <summary>Puts a host disk (a copy-on-write fork) into the drive of a VM that is off.</summary>
        AddHardDiskDrive = 36,
        /// <summary>Empties the drive of a VM that is off.</summary>
        RemoveHardDiskDrive = 37,
        /// <summary>Starts or resumes the upload of a raw disk image (chunks go as UploadTemplateChunk).</summary>
        BeginDiskUpload = 38,
        /// <summary>Checks a disk upload's SHA-256 and adds the disk to the host's store.</summary>
        CommitDiskUpload = 39,
        // ---- host switches and VM network adapters (40..46; 34..39 are left to the disk messages) ------------

        /// <summary>A new named virtual switch on the host.</summary>
        CreateSwitch = 40,
        /// <summary>The host's switches with their ports and counters.</summary>
        ListSwitches = 41,
        /// <summary>Removes a switch that has no adapter connected.</summary>
        RemoveSwitch = 42,
        /// <summary>Gives a PC VM that is off its virtio-net adapter.</summary>
        AddNetworkAdapter = 43,
        /// <summary>Takes a VM's adapter away (the VM off).</summary>
        RemoveNetworkAdapter = 44,
        /// <summary>A VM's adapter: MAC, switch, link and counters.</summary>
        GetNetworkAdapter = 45,
        /// <summary>Connects a VM's adapter to a switch, or disconnects it (empty switch name).</summary>
        ConnectNetworkAdapter = 46,
        // ---- the host's disk images (47..48; 34..39 are the VM's drive and the images' creation) --------------

        /// <summary>The host's disk images with their size and the memory they hold.</summary>
        ListDisks = 47,
        /// <summary>Removes a host disk image (the forks in VMs' drives stay theirs).</summary>
        RemoveDisk = 48,

        /// <summary>Server → client, unauthenticated: "your frame was refused" (body: ErrorCode.AuthFailed).</summary>
        Refused = 0x7F,

        /// <summary>OR-ed into a request's opcode to make the response's.</summary>
        ResponseBit = 0x80,
    }
}
