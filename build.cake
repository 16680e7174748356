// Hv build: ./build.sh --target=Image|Module|Test|Demo|Bench
using System.Diagnostics;
using System.Text.RegularExpressions;

var target = Argument("target", "Image");
var configuration = Argument("configuration", "Release");

var root = MakeAbsolute(Directory(".")).FullPath;
var artifacts = $"{root}/artifacts";
var imageDir = $"{artifacts}/image";
var isoRoot = $"{artifacts}/iso-root";
var iso = $"{artifacts}/hv.iso";
const string IlcVersion = "10.0.14";

// Debian packages the build and the system tests need; installed when missing (as root), else the command is printed.
// bochs-term satisfies Bochs' need for a GUI plugin without pulling in wxWidgets (Hv runs it headless: rfb, no sound).
var debianPackages = new[] { "nasm", "lld", "grub-pc-bin", "grub-common", "xorriso", "mtools", "e2fsprogs", "bochs", "bochs-term", "bochsbios", "vgabios", "qemu-system-x86" };
var requiredCommands = new[] { "nasm", "ld.lld", "grub-mkrescue", "xorriso", "mformat", "bochs", "qemu-system-x86_64" };

int Run(string file, string args, string workingDirectory = null, bool quiet = false)
{
    var psi = new ProcessStartInfo(file, args) { WorkingDirectory = workingDirectory ?? root, UseShellExecute = false };
    if (quiet) { psi.RedirectStandardOutput = true; psi.RedirectStandardError = true; }
    using var p = Process.Start(psi);
    string output = quiet ? p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd() : "";
    p.WaitForExit();
    if (p.ExitCode != 0 && quiet) Information(output);
    return p.ExitCode;
}

void Must(string file, string args, string workingDirectory = null, bool quiet = false)
{
    int code = Run(file, args, workingDirectory, quiet);
    if (code != 0) throw new Exception($"'{file} {args}' failed with exit code {code}");
}

bool OnPath(string command) => Run("sh", $"-c \"command -v {command} >/dev/null 2>&1\"") == 0;

string NuGetPackages() =>
    Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? $"{Environment.GetEnvironmentVariable("HOME")}/.nuget/packages";

Task("Prerequisites").Does(() =>
{
    var missing = requiredCommands.Where(c => !OnPath(c)).ToList();
    if (missing.Count == 0) return;
    string install = "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends " + string.Join(" ", debianPackages);
    bool isRoot = Environment.GetEnvironmentVariable("USER") == "root" || Run("sh", "-c \"test $(id -u) -eq 0\"") == 0;
    if (!isRoot)
        throw new Exception($"missing {string.Join(", ", missing)}; install them with:\n  sudo sh -c '{install}'");
    Information($"Installing {string.Join(" ", debianPackages)} (missing: {string.Join(", ", missing)})");
    Must("sh", $"-c \"{install}\"", quiet: true);
});

// Guest images shipped in the ISO as Multiboot2 modules; guests/guests.cfg says how each one boots.
IEnumerable<(string Name, string Args)> Guests() =>
    System.IO.File.ReadAllLines($"{root}/guests/guests.cfg")
        .Select(l => l.Trim())
        .Where(l => l.Length > 0 && !l.StartsWith("#"))
        .Select(l => { int sp = l.IndexOf(' '); return (l.Substring(0, sp), l.Substring(sp + 1).Trim()); });

// The Linux template's kernel and initramfs, from Debian's packages (guests/linux/build.sh); rebuilt when a file of
// guests/linux is newer than them.
var linuxDir = $"{artifacts}/linux";
Task("LinuxGuest").Does(() =>
{
    var outputs = new[] { $"{linuxDir}/vmlinuz", $"{linuxDir}/initrd.cpio", $"{linuxDir}/disk.img" }.Select(p => new System.IO.FileInfo(p)).ToList();
    DateTime newestSource = System.IO.Directory.GetFiles($"{root}/guests/linux").Max(f => System.IO.File.GetLastWriteTimeUtc(f));
    if (outputs.All(o => o.Exists && o.LastWriteTimeUtc >= newestSource)) return;
    Must("bash", $"{root}/guests/linux/build.sh {linuxDir}");
});

Task("Image")
    .IsDependentOn("Prerequisites")
    .IsDependentOn("LinuxGuest")
    .Does(() =>
{
    var watch = Stopwatch.StartNew();
    EnsureDirectoryExists(imageDir);
    Must("dotnet", $"build src/Hv.Kernel -c {configuration} -o {imageDir}/il -nologo -v:q -clp:ErrorsOnly");

    string ilc = $"{NuGetPackages()}/runtime.linux-x64.microsoft.dotnet.ilcompiler/{IlcVersion}/tools/ilc";
    Must(ilc, $"{imageDir}/il/Hv.Kernel.dll -r {imageDir}/il/Hv.CoreLib.dll {imageDir}/il/Hv.CoreLib.dll -o {imageDir}/Hv.Kernel.o " +
              "--systemmodule:Hv.CoreLib --nativelib -O --targetos:linux --targetarch:x64 --instruction-set:x86-64 " +
              $"--map:{imageDir}/Hv.Kernel.map.xml");

    var objects = new List<string> { $"{imageDir}/Hv.Kernel.o" };
    foreach (var asm in GetFiles($"{root}/boot/*.asm"))
    {
        string obj = $"{imageDir}/{asm.GetFilenameWithoutExtension()}.o";
        Must("nasm", $"-f elf64 -o {obj} {asm.FullPath}");
        objects.Insert(0, obj);
    }
    // The ISO ships the image without its symbol table (two fifths of the file); hv.debug.elf keeps the symbols
    // for addr2line and gdb on a panic's RIP.
    string link = "-T boot/linker.ld -nostdlib -static --no-pie -z max-page-size=0x1000 -z noexecstack " + string.Join(" ", objects);
    Must("ld.lld", $"{link} -o {imageDir}/hv.debug.elf");
    Must("ld.lld", $"{link} --strip-all -o {imageDir}/hv.elf");

    CleanDirectory(isoRoot);
    EnsureDirectoryExists($"{isoRoot}/boot/grub");
    EnsureDirectoryExists($"{isoRoot}/boot/guests");
    CopyFile($"{imageDir}/hv.elf", $"{isoRoot}/boot/hv.elf");
    var modules = new List<string>();
    foreach (var (name, args) in Guests())
    {
        // mode=linux: the kernel of guests/linux/build.sh, and its initramfs and disk image as the data modules the
        // initrd= and diskimage= fields name.
        var initrd = Regex.Match(args, @"(?:^| )initrd=(\S+)");
        var diskImage = Regex.Match(args, @"(?:^| )diskimage=(\S+)");
        var file = Regex.Match(args, @"(?:^| )file=(\S+)");
        if (Regex.IsMatch(args, @"(?:^| )mode=data(?: |$)") && file.Success)
            CopyFile($"{root}/guests/{file.Groups[1].Value}", $"{isoRoot}/boot/guests/{name}.bin");
        else if (Regex.IsMatch(args, @"(?:^| )mode=linux(?: |$)"))
        {
            CopyFile($"{linuxDir}/vmlinuz", $"{isoRoot}/boot/guests/{name}.bin");
            if (initrd.Success)
            {
                CopyFile($"{linuxDir}/initrd.cpio", $"{isoRoot}/boot/guests/{initrd.Groups[1].Value}.cpio");
                modules.Add($"    module2 /boot/guests/{initrd.Groups[1].Value}.cpio name={initrd.Groups[1].Value} mode=data");
            }
            if (diskImage.Success)
            {
                CopyFile($"{linuxDir}/disk.img", $"{isoRoot}/boot/guests/{diskImage.Groups[1].Value}.img");
                modules.Add($"    module2 /boot/guests/{diskImage.Groups[1].Value}.img name={diskImage.Groups[1].Value} mode=data");
            }
        }
        else
            Must("nasm", $"-f bin -i {root}/guests/include/ -o {isoRoot}/boot/guests/{name}.bin {root}/guests/{name}.asm");
        modules.Add($"    module2 /boot/guests/{name}.bin name={name} {args}");
    }
    string cmdline = Argument("cmdline", "");
    string grubCfg = System.IO.File.ReadAllText($"{root}/boot/grub/grub.cfg")
        .Replace("@CMDLINE@", cmdline)
        .Replace("    @MODULES@", string.Join("\n", modules));
    System.IO.File.WriteAllText($"{isoRoot}/boot/grub/grub.cfg", grubCfg);
    Must("grub-mkrescue", $"-o {iso} {isoRoot}", quiet: true);
    watch.Stop();
    System.IO.File.WriteAllText($"{imageDir}/build-ms.txt", watch.ElapsedMilliseconds.ToString());
    Information($"Image: {iso} ({new System.IO.FileInfo($"{imageDir}/hv.elf").Length} bytes ELF, {watch.ElapsedMilliseconds} ms)");
});

var testResults = $"{artifacts}/test-results";

// Runs one test project; results land as TRX so the Test target can print one closing count.
void RunTests(FilePath project)
{
    string name = project.GetFilenameWithoutExtension().ToString();
    Must("dotnet", $"test {project.FullPath} -c {configuration} -nologo -v:q --results-directory {testResults} " +
                   $"--logger \"trx;LogFileName={name}.trx\" --logger \"console;verbosity=normal\"");
}

IEnumerable<FilePath> TestProjects(bool system) =>
    GetFiles($"{root}/tests/*.Tests/*.Tests.csproj").Where(p => p.FullPath.Contains("System.Tests") == system);

Task("CleanTestResults").Does(() => { EnsureDirectoryExists(testResults); CleanDirectory(testResults); });

// The unit tests assemble the test guests with NASM, so they need the Debian packages too, and load the Linux guest.
Task("UnitTests")
    .IsDependentOn("Prerequisites")
    .IsDependentOn("LinuxGuest")
    .IsDependentOn("Module")
    .IsDependentOn("CleanTestResults")
    .Does(() => { foreach (var project in TestProjects(system: false)) RunTests(project); });

Task("SystemTests")
    .IsDependentOn("CleanTestResults")
    .IsDependentOn("Image")
    .IsDependentOn("Tools")
    .Does(() => { foreach (var project in TestProjects(system: true)) RunTests(project); });

Task("Test")
    .IsDependentOn("UnitTests")
    .IsDependentOn("SystemTests")
    .Does(() =>
{
    int passed = 0, failed = 0, skipped = 0;
    foreach (var trx in GetFiles($"{testResults}/*.trx"))
    {
        var counters = System.Xml.Linq.XDocument.Load(trx.FullPath).Descendants().First(e => e.Name.LocalName == "Counters");
        passed += (int)counters.Attribute("passed");
        failed += (int)counters.Attribute("failed");
        skipped += (int)counters.Attribute("notExecuted");
    }
    Console.WriteLine($"{passed} passed, {failed} failed, {skipped} skipped");
});

Task("Module").Does(() =>
{
    // The binary module with its manifest, format views and help, laid out as PowerShell loads it.
    Must("dotnet", $"publish module/Hv.Module.csproj -c {configuration} -o {artifacts}/module/Hv -nologo -v:q -clp:ErrorsOnly");
    Information($"Module: {artifacts}/module/Hv/Hv.psd1");
});

// The helpers tools/hv-boot and tools/hv-script run: built once here, not by the first test that needs them.
Task("Tools").Does(() =>
{
    Must("dotnet", $"build tools/HvRelay -c Release -o {artifacts}/tools/relay -nologo -v:q -clp:ErrorsOnly");
    Must("dotnet", "build tools/HvScript/HvScript.csproj -c Release -nologo -v:q -clp:ErrorsOnly");
});

// The main job: boot the image in Bochs (VT-x), then drive it from PowerShell through the module over COM1 (NASM guests,
// then Debian's Linux answering a command: minutes of emulation, hence the hour-long backstop).
Task("Demo")
    .IsDependentOn("Image")
    .IsDependentOn("Module")
    .IsDependentOn("Tools")
    .Does(() =>
{
    string key = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();
    int port = Argument("port", 47001);
    var log = new System.Text.StringBuilder();
    var psi = new ProcessStartInfo($"{root}/tools/hv-boot",
        $"--emulator bochs --timeout 3600 --mgmt-port {port} --cmdline \"hv.key={key}\"")
        { RedirectStandardOutput = true, UseShellExecute = false };
    using var host = Process.Start(psi);
    host.OutputDataReceived += (_, e) => { if (e.Data == null) return; lock (log) log.AppendLine(e.Data); Console.WriteLine("  | " + e.Data); };
    host.BeginOutputReadLine();
    // A far wall-clock backstop only: Bochs boots in seconds on an idle machine, but the machine may be busy.
    var watch = Stopwatch.StartNew();
    while (!log.ToString().Contains("ready at tsc"))
    {
        if (host.HasExited || watch.Elapsed.TotalMinutes > 15) throw new Exception("the image did not come up");
        System.Threading.Thread.Sleep(100);
    }
    try
    {
        Must($"{root}/tools/hv-script", $"{root}/tools/demo.ps1 -SerialPort tcp://127.0.0.1:{port} -Key {key}");
    }
    finally
    {
        host.Kill(entireProcessTree: true);
        host.WaitForExit();
    }
});

Task("Bench")
    .IsDependentOn("Image")
    .IsDependentOn("Module")
    .IsDependentOn("Tools")
    .Does(() =>
{
    Must($"{root}/tools/hv-bench", "");
});

RunTarget(target);
