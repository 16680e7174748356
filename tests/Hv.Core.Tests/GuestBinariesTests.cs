using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using Hv.Core.Guests;

namespace Hv.Core.Tests
{
    /// <summary>
    /// Assembles every test guest in guests/ with NASM (build.sh installs it) and boots it through the
    /// loader its "; loader:" line names, so a guest whose header or layout disagrees with the loaders
    /// fails here rather than inside Bochs.
    /// </summary>
    public class GuestBinariesTests
    {
        private static string GuestsFolder()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "guests");
                if (File.Exists(Path.Combine(candidate, "README.md")))
                    return candidate;
            }
            throw new DirectoryNotFoundException("guests/ not found above " + AppContext.BaseDirectory);
        }

        public static IEnumerable<object[]> Guests()
        {
            foreach (string file in Directory.GetFiles(GuestsFolder(), "*.asm"))
                yield return new object[] { Path.GetFileName(file) };
        }

        private static byte[] Assemble(string source)
        {
            string output = Path.Combine(Path.GetTempPath(), $"hv-guest-{Guid.NewGuid():N}.bin");
            var start = new ProcessStartInfo("nasm", $"-f bin -i \"{Path.Combine(GuestsFolder(), "include")}/\" -o \"{output}\" \"{source}\"")
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            Process nasm;
            try
            {
                nasm = Process.Start(start);
            }
            catch (System.ComponentModel.Win32Exception)
            {
                throw new InvalidOperationException("nasm is needed to build the test guests: apt-get install nasm (build.sh does)");
            }
            string errors = nasm.StandardError.ReadToEnd();
            nasm.WaitForExit();
            Assert.True(nasm.ExitCode == 0, errors);
            Assert.True(errors.Trim().Length == 0, "nasm warnings: " + errors);
            byte[] image = File.ReadAllBytes(output);
            File.Delete(output);
            return image;
        }

        [Theory]
        [MemberData(nameof(Guests))]
        public void GuestAssemblesAndItsLoaderAcceptsIt(string name)
        {
            string path = Path.Combine(GuestsFolder(), name);
            string[] lines = File.ReadAllLines(path);
            string loader = null;
            bool expects = false, outcome = false;
            foreach (string line in lines)
            {
                if (line.StartsWith("; loader: ")) loader = line.Substring(10).Split(' ')[0];
                if (line.StartsWith("; expect: ")) expects = true;
                if (line.StartsWith("; expect-exit: ") || line.StartsWith("; expect-stop: ")) outcome = true;
            }
            Assert.True(expects && outcome, name + " lacks its '; expect' lines");

            byte[] image = Assemble(path);
            var state = new GuestEntryState();
            const ulong ram = 16 << 20;
            var memory = new LoaderTestMemory(ram);
            switch (loader)
            {
                case "real":
                    Assert.Equal(GuestLoadStatus.Ok, RealModeLoader.Load(image, memory, ram, state));
                    break;
                case "long":
                    Assert.Equal(GuestLoadStatus.Ok, LongModeLoader.Load(image, memory, ram, state));
                    break;
                case "multiboot":
                    Assert.Equal(GuestLoadStatus.Ok, MultibootLoader.Load(image, memory, ram, "test"u8, state));
                    Assert.InRange(state.Rip, 0x100000UL, 0x100000UL + 0x200000);
                    break;
                default:
                    Assert.Fail(name + ": unknown loader '" + loader + "'");
                    break;
            }
            Assert.Empty(VmEntryGuestChecks.Violations(state));
        }
    }
}
