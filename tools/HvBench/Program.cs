using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Hv.Emulators;
using Hv.Protocol.Client;

// Figures, one per line as "name: value unit". TSC figures come from Bochs, whose TSC counts instructions, so they
// repeat exactly; millisecond figures are wall-clock and vary with the machine. Arguments pick sections (image, soak,
// serial, tcp, ingest, export, linux, net; e.g. `tools/hv-bench tcp`); none runs them all.
string root = HvBoot.RepositoryRoot;
string art = Path.Combine(root, "artifacts");
string[] sections = args;
bool Runs(string section) => sections.Length == 0 || sections.Contains(section);

if (Runs("image"))
{
    Print("image_elf_size", new FileInfo(Path.Combine(art, "image", "hv.elf")).Length, "bytes");
    Print("image_iso_size", new FileInfo(Path.Combine(art, "hv.iso")).Length, "bytes");
    Print("image_build_time", long.Parse(File.ReadAllText(Path.Combine(art, "image", "build-ms.txt"))), "ms");

    // One boot: boot cost, VM creation, and the cpuid guest's own RDTSC loops (1000 CPUID / 1000 UART writes).
    var boot = HvBoot.Run("bochs", "hv.bench hv.run=cpuid hv.exit=idle hv.panic=poweroff", 300);
    if (boot.ExitCode != 0) Fail("the benchmark boot failed:\n" + boot.Log);
    Print("boot_to_ready_tsc", Number(boot.Log, @"ready at tsc (\d+)"), "ticks");
    Print("cpuid_exit_tsc", Number(boot.Log, @"cpuid_exit_tsc=(\d+)"), "ticks");
    Print("uart_write_exit_tsc", Number(boot.Log, @"uart_write_exit_tsc=(\d+)"), "ticks");
    // The image's own measurements (src/Hv.Kernel/Host/Benchmarks.cs): "bench: name=value".
    PrintImageFigures(boot.Log);
}

// The soak (src/Hv.Kernel/Host/Soak.cs): 10^5 VM create/remove cycles, 10^3 uploads, snapshots, exports and PC-VM cycles
// (platform, PCI bus, disk) as requests to the management handlers; heap bytes, free pages and VM-table slots must come
// back to where they started.
if (Runs("soak"))
{
    var soak = HvBoot.Run("bochs", "hv.soak=100000 hv.soak_rounds=1000 hv.exit=idle hv.panic=poweroff", 3600);
    if (soak.ExitCode != 0 || !soak.Log.Contains("bench: soak_tsc=")) Fail("the soak boot failed:\n" + soak.Log);
    PrintImageFigures(soak.Log);
}

// Host-info round trip over the emulated serial line (115200 baud), median of 21; then the module's own figures
// (import time, Get-HvVm of 100 VMs end to end) against the same booted image.
if (Runs("serial"))
using (var host = RunningHost.Start())
using (host.Within(TimeSpan.FromSeconds(600)))
{
    using (var client = host.Connect())
    {
        Print("mgmt_rtt_ms", Median(21, () => client.GetHostInfo()), "ms");
    }
    // Bytes on the wire (both directions, whole frames) to list 100 VMs named "vm-0000" .. "vm-0099".
    var counting = new CountingTransport(new TcpTransport("127.0.0.1", host.Port, 10000));
    using (var client = host.Connect(transport: counting))
    {
        var ids = Enumerable.Range(0, 100).Select(i => client.CreateVm("hello", $"vm-{i:D4}")).ToArray();
        counting.Reset();
        var vms = client.ListVms();
        if (vms.Length != 100) Fail($"listed {vms.Length} VMs");
        Print("list_100_vms_bytes", counting.Total, "bytes");
        foreach (uint id in ids) client.RemoveVm(id);
    }
    var psi = new ProcessStartInfo(Path.Combine(root, "tools", "hv-script"),
        $"{Path.Combine(root, "tools", "bench-module.ps1")} -SerialPort tcp://127.0.0.1:{host.Port} -Key {host.KeyHex} -Count 100")
        { RedirectStandardOutput = true, UseShellExecute = false };
    using var script = Process.Start(psi)!;
    string output = script.StandardOutput.ReadToEnd();
    script.WaitForExit();
    if (script.ExitCode != 0) Fail("bench-module.ps1 failed:\n" + output);
    foreach (string line in output.Split('\n').Where(l => Regex.IsMatch(l, @"^\w+: [\d.]+ \w+")))
        Console.WriteLine(line.TrimEnd());
}

// Management over TCP in the secure channel (Bochs' e1000 through slirp's forwarded port) and both channels' upload rates.
if (Runs("tcp"))
using (var host = RunningHost.Start("bochs", nic: "e1000"))
using (host.Within(TimeSpan.FromSeconds(3600)))
{
    host.WaitForLog("(dhcp)", TimeSpan.FromSeconds(120));
    byte[] key = Convert.FromHexString(host.KeyHex);
    using (var tcp = HvClient.Connect(new SecureTransport(new TcpTransport("127.0.0.1", host.NetPort, 10000), key), key, RunningHost.ClientBackstopMs))
    {
        Print("mgmt_rtt_ms_tcp", Median(21, () => tcp.GetHostInfo()), "ms");
        Print("upload_kib_per_s_tcp", UploadRate(tcp, "bench-tcp", 16 << 20), "KiB/s");
    }
    using (var serial = host.Connect())
        Print("upload_kib_per_s_serial", UploadRate(serial, "bench-serial", 128 << 10), "KiB/s");
    Console.WriteLine("upload_serial_line_rate: " + 115200 / 10 / 1024.0 + " KiB/s");
    var psi = new ProcessStartInfo(Path.Combine(root, "tools", "hv-script"),
        $"{Path.Combine(root, "tools", "bench-module.ps1")} -Port {host.NetPort} -Key {host.KeyHex} -Count 1000 -Repeat 3")
        { RedirectStandardOutput = true, UseShellExecute = false };
    using var script = Process.Start(psi)!;
    string output = script.StandardOutput.ReadToEnd();
    script.WaitForExit();
    if (script.ExitCode != 0) Fail("bench-module.ps1 over TCP failed:\n" + output);
    var listed = Regex.Match(output, @"get_hvvm_1000_ms: ([\d.]+) ms");
    if (!listed.Success) Fail("no get_hvvm_1000_ms in:\n" + output);
    Print("get_hvvm_1000_ms_tcp", listed.Groups[1].Value, "ms");
}

// Management ingest while a guest spins: 64 KiB of garbage ahead of a client, in host time (Bochs' TSC), against the
// line's 11.25 KiB/s at 115200 baud.
if (Runs("ingest"))
using (var host = RunningHost.Start(cmdline: "hv.run=spin"))
using (host.Within(TimeSpan.FromSeconds(900)))
{
    host.WaitForLog("spin start", TimeSpan.FromSeconds(60));
    SerialFlood flood = SerialFlood.Run(host, 64 * 1024, seed: 14);
    Print("serial_ingest_kib_per_s", Math.Round(flood.KibPerSecond, 1), "KiB/s");
    Print("serial_client_after_flood_ms", Math.Round(flood.SecondsAfterFlood * 1000), "ms");
}

if (Runs("export")) ExportStall();

if (Runs("linux")) LinuxFigures();

if (Runs("net")) NetFigures();

return 0;

// Two clones of the primed linux template (nic=1) on one host switch: the average round trip of 20 pings between them
// (busybox ping's avg, guest time), in TSC ticks at the rate the guest calibrated ("tsc: Detected N MHz" while priming),
// and in microseconds.
static void NetFigures()
{
    using var host = RunningHost.Start(cmdline: "hv.prime=linux");
    using var guard = host.Within(TimeSpan.FromSeconds(3600));
    host.WaitForLog("template: linux primed in", TimeSpan.FromSeconds(3600));
    Match mhz = Regex.Match(host.Log, @"tsc: Detected ([\d.]+) MHz processor");
    if (!mhz.Success) Fail("the guest did not say its TSC rate:\n" + host.Log);
    using var client = host.Connect();
    client.CreateSwitch("bench");
    var vms = new uint[2];
    var offsets = new ulong[2];
    for (int i = 0; i < 2; i++)
    {
        vms[i] = client.CreateVm("linux", "net-bench-" + (i + 1));
        client.StartVm(vms[i]);
        client.ConnectNetworkAdapter(vms[i], "bench");
        string mac = NetMac(client.GetNetworkAdapter(vms[i]).Mac);
        GuestCommand(host, client, vms[i], ref offsets[i], 1, "ip link set eth0 down; ip link set eth0 address " + mac + "; ip addr add 10.0.0." + (i + 1)
            + "/24 dev eth0; ip link set eth0 up");
    }
    GuestCommand(host, client, vms[0], ref offsets[0], 2, "ping -c 2 -W 20 10.0.0.2 >/dev/null"); // ARP resolved before the measured run
    string ping = GuestCommand(host, client, vms[0], ref offsets[0], 3, "ping -c 20 -i 0.2 10.0.0.2");
    Match rtt = Regex.Match(ping, @"round-trip min/avg/max = ([\d.]+)/([\d.]+)/([\d.]+) ms");
    if (!rtt.Success) Fail("no round-trip summary from ping:\n" + ping);
    double avgMs = double.Parse(rtt.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
    double ticksPerMs = double.Parse(mhz.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) * 1000;
    Print("net_ping_rtt_tsc", Math.Round(avgMs * ticksPerMs), "ticks");
    Print("net_ping_rtt_us", Math.Round(avgMs * 1000), "us");
}

static string NetMac(ulong mac) =>
    string.Join(":", Enumerable.Range(0, 6).Select(i => ((byte)(mac >> ((5 - i) * 8))).ToString("x2")));

// Debian's Linux in a VM: the linux template primed in the background (hv.prime=linux) from VM start to its shell prompt
// (host ticks, exits and the three largest exit reasons, as the host logs them), then a clone of the primed template
// answering its first command (the clone's own run time in ticks: it starts at the prompt).
static void LinuxFigures()
{
    using var host = RunningHost.Start(cmdline: "hv.prime=linux");
    using var guard = host.Within(TimeSpan.FromSeconds(3600));
    host.WaitForLog("template: linux primed in", TimeSpan.FromSeconds(3600));
    Match primed = Regex.Match(host.Log, @"template: linux primed in (\d+) ticks, (\d+) exits \((.*)\)");
    if (!primed.Success) Fail("the linux template was not primed:\n" + host.Log);
    Print("linux_boot_to_shell_tsc", primed.Groups[1].Value, "ticks");
    Print("linux_boot_exits", primed.Groups[2].Value, "exits");
    foreach (Match reason in Regex.Matches(primed.Groups[3].Value, @"([^,=]+?) = (\d+)"))
        Print("linux_boot_exits_" + Regex.Replace(reason.Groups[1].Value.Trim().ToLowerInvariant(), "[^a-z0-9]+", "_"), reason.Groups[2].Value, "exits");
    using var client = host.Connect();
    uint clone = client.CreateVm("linux", "clone-bench");
    client.StartVm(clone);
    client.WriteConsole(clone, System.Text.Encoding.ASCII.GetBytes("echo answer-$((6*7))\n"));
    var console = new System.Text.StringBuilder();
    ulong offset = 0;
    host.WaitUntil(() =>
    {
        var chunk = client.ReadConsole(clone, offset);
        console.Append(System.Text.Encoding.ASCII.GetString(chunk.Data));
        offset = chunk.NextOffset;
        return console.ToString().Contains("answer-42");
    }, TimeSpan.FromSeconds(600), "the clone's answer");
    Print("linux_clone_to_shell_tsc", client.GetMetrics(clone).Get(Hv.CounterId.GuestTsc), "ticks");
    DiskFigures(host, client, clone, ref offset);
}

// dd inside the clone on its 16 MiB virtio disk: the whole disk written from a non-zero file in the initramfs (zeros over
// never-written pages would cost the host nothing) and synced, then read back with the page cache dropped. MiB/s by the
// guest's own clock (/proc/uptime, which Bochs' TSC drives: emulated time), and host ticks of the clone's run time per
// MiB (Bochs' TSC counts instructions, so these repeat).
static void DiskFigures(RunningHost host, HvClient client, uint clone, ref ulong offset)
{
    const int MiB = 16;
    GuestCommand(host, client, clone, ref offset, 1, "dmesg -n 1; tr '\\0' x < /dev/zero | head -c " + (MiB << 20) + " > /tmp/disk-bench");
    foreach (var (name, dd) in new[]
    {
        ("write", "dd if=/tmp/disk-bench of=/dev/vda bs=1M 2>/dev/null; sync"),
        ("read", "echo 3 > /proc/sys/vm/drop_caches; dd if=/dev/vda of=/dev/null bs=1M 2>/dev/null"),
    })
    {
        ulong before = client.GetMetrics(clone).Get(Hv.CounterId.GuestTsc);
        string output = GuestCommand(host, client, clone, ref offset, name == "write" ? 2 : 3,
            "a=$(cut -d' ' -f1 /proc/uptime); " + dd + "; b=$(cut -d' ' -f1 /proc/uptime); echo T $a $b");
        ulong ticks = client.GetMetrics(clone).Get(Hv.CounterId.GuestTsc) - before;
        Match t = Regex.Match(output, @"T ([\d.]+) ([\d.]+)");
        if (!t.Success) Fail("no timing from dd in:\n" + output);
        double seconds = double.Parse(t.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)
                       - double.Parse(t.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Print($"disk_{name}_mib_s", seconds > 0 ? Math.Round(MiB / seconds, 2) : 0, "MiB/s");
        Print($"disk_{name}_tsc_per_mib", ticks / MiB, "ticks");
    }
}

// Types a command line into a VM's shell and waits for the marker the shell computes after it (the echoed input shows
// "$((...))", not the number); the console text between the two markers.
static string GuestCommand(RunningHost host, HvClient client, uint vm, ref ulong offset, int n, string command)
{
    client.WriteConsole(vm, System.Text.Encoding.ASCII.GetBytes($"echo B{n}-$((1+{n})); {command}; echo E{n}-$((2+{n}))\n"));
    var console = new System.Text.StringBuilder();
    ulong from = offset;
    host.WaitUntil(() =>
    {
        var chunk = client.ReadConsole(vm, from);
        console.Append(System.Text.Encoding.ASCII.GetString(chunk.Data));
        from = chunk.NextOffset;
        return Regex.IsMatch(console.ToString(), $@"E{n}-{2 + n}\r?\n");
    }, TimeSpan.FromSeconds(1800), "the guest's answer to " + command);
    offset = from;
    Match m = Regex.Match(console.ToString(), $@"B{n}-{1 + n}\r?\n(.*)E{n}-{2 + n}\r?\n", RegexOptions.Singleline);
    if (!m.Success) Fail("no answer in:\n" + console);
    return m.Groups[1].Value;
}


// No operation monopolises the host: a paused 256 MiB VM is exported while a ticker VM runs and the VM list is asked for
// after every answer about the export's preparation. The figure is the longest wall-clock gap between two answered
// requests from BeginExport until the image is ready (the preparation is what scales with the VM's memory); the longest
// gap without an export and the median gap during it put it in proportion.
static void ExportStall()
{
    using (var host = RunningHost.Start(memoryMiB: 768))
    using (host.Within(TimeSpan.FromSeconds(1800)))
    using (var client = host.Connect())
    {
        uint big = client.CreateVm("ticker", "big", memoryMiB: 256);
        client.StartVm(big);
        client.PauseVm(big);
        uint clock = client.CreateVm("ticker", "clock");
        client.StartVm(clock);
        var watch = Stopwatch.StartNew();
        double last = 0;
        var gaps = new System.Collections.Generic.List<double>();
        void Answered()
        {
            double now = watch.Elapsed.TotalMilliseconds;
            gaps.Add(now - last);
            last = now;
        }
        // The same line and guests without an export, for comparison: the longest gap of 50 listings.
        for (int i = 0; i < 50; i++)
        {
            client.ListVms();
            Answered();
        }
        Print("export_256mib_baseline_gap_ms", Math.Round(gaps.Max()), "ms");
        gaps.Clear();
        watch.Restart();
        last = 0;
        TransferStart export = client.BeginExport(big, preparing: (done, work) =>
        {
            Answered();
            client.ListVms();
            Answered();
        });
        Answered();
        Print("export_256mib_prepare_ms", Math.Round(watch.Elapsed.TotalMilliseconds), "ms");
        Print("export_256mib_stall_ms", Math.Round(gaps.Max()), "ms");
        Print("export_256mib_median_gap_ms", Math.Round(gaps.OrderBy(g => g).ElementAt(gaps.Count / 2)), "ms");
        client.EndExport(export.Id);
    }
}

// Median wall-clock milliseconds of `runs` calls.
static double Median(int runs, Action call)
{
    var times = Enumerable.Range(0, runs).Select(_ =>
    {
        var watch = Stopwatch.StartNew();
        call();
        return watch.Elapsed.TotalMilliseconds;
    }).OrderBy(t => t).ToArray();
    return Math.Round(times[times.Length / 2], 1);
}

// Uploads `bytes` of random data as a template (pipelined chunks, SHA-256 checked by the host) and removes it again.
static long UploadRate(HvClient client, string name, int bytes)
{
    byte[] image = new byte[bytes];
    new Random(1).NextBytes(image);
    byte[] sha = System.Security.Cryptography.SHA256.HashData(image);
    var watch = Stopwatch.StartNew();
    client.UploadTemplate(name, Hv.GuestEntryMode.Long, 32, null, new MemoryStream(image), sha); // loaded at 1 MiB: 16 MiB fits in 32
    double seconds = watch.Elapsed.TotalSeconds;
    client.RemoveTemplate(name);
    return (long)(bytes / 1024.0 / seconds);
}

static void Print(string name, object value, string unit) => Console.WriteLine($"{name}: {value} {unit}");

static void PrintImageFigures(string log)
{
    foreach (Match m in Regex.Matches(log, @"bench: (\w+)=(-?\d+)"))
    {
        string name = m.Groups[1].Value;
        string unit = name.EndsWith("_tsc") || name.Contains("_tsc_") ? "ticks" : name.EndsWith("_kib") ? "KiB"
                    : name.EndsWith("_leaked") || name.EndsWith("_pages_delta") ? "pages"
                    : name.EndsWith("_bytes") ? "bytes" : name.EndsWith("_blocks_delta") ? "blocks"
                    : name.EndsWith("_slots_delta") ? "slots" : name.EndsWith("_templates_delta") ? "templates"
                    : name.EndsWith("_cycles") ? "cycles" : name.EndsWith("_rounds") ? "rounds"
                    : name.EndsWith("_failures") ? "requests" : "clones";
        Print(name, long.Parse(m.Groups[2].Value), unit);
    }
}

static long Number(string log, string pattern)
{
    var m = Regex.Match(log, pattern);
    if (!m.Success) Fail($"no match for {pattern} in the log:\n{log}");
    return long.Parse(m.Groups[1].Value);
}

// Throws rather than exits, so the `using` blocks shut the emulators down on the way out.
static void Fail(string message)
{
    Console.Error.WriteLine("hv-bench: " + message);
    throw new InvalidOperationException("hv-bench failed: " + message.Split('\n')[0]);
}

sealed class CountingTransport : HvTransport
{
    private readonly HvTransport _inner;
    public long Total { get; private set; }
    public CountingTransport(HvTransport inner) { _inner = inner; }
    public void Reset() => Total = 0;
    public override string Description => _inner.Description;
    public override bool IsOpen => _inner.IsOpen;
    public override void Open() => _inner.Open();
    public override void Close() => _inner.Close();
    public override void Write(byte[] buffer, int offset, int count) { Total += count; _inner.Write(buffer, offset, count); }
    public override int Read(byte[] buffer, int offset, int count, int timeoutMs)
    {
        int n = _inner.Read(buffer, offset, count, timeoutMs);
        Total += n;
        return n;
    }
}
