using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Management.Automation.Runspaces;
using System.Security;
using System.Text;

namespace Hv.Testing
{
    /// <summary>Builds the module once per test run (when missing or older than its sources) and says where it is.</summary>
    public static class ModuleBuild
    {
        private static readonly object Lock = new object();
        private static string _manifest;

        public static string RepoRoot
        {
            get
            {
                for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
                {
                    if (File.Exists(Path.Combine(d.FullName, "module", "Hv.psd1")) && Directory.Exists(Path.Combine(d.FullName, "src")))
                    {
                        return d.FullName;
                    }
                }
                throw new InvalidOperationException("Cannot find the repository root above " + AppContext.BaseDirectory);
            }
        }

        public static string Manifest
        {
            get
            {
                lock (Lock)
                {
                    return _manifest ??= Build();
                }
            }
        }

        private static string Build()
        {
            string root = RepoRoot;
            string layout = Environment.GetEnvironmentVariable("HV_MODULE_DIR") ?? Path.Combine(root, "artifacts", "module", "Hv");
            string dll = Path.Combine(layout, "Hv.dll");
            if (!File.Exists(dll) || Newest(root) > File.GetLastWriteTimeUtc(dll))
            {
                var psi = new ProcessStartInfo("dotnet", $"publish \"{Path.Combine(root, "module", "Hv.Module.csproj")}\" -c Release -o \"{layout}\" -nologo -v:q -clp:ErrorsOnly")
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    WorkingDirectory = root,
                };
                using var p = Process.Start(psi);
                string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
                if (!p.WaitForExit(300_000) || p.ExitCode != 0)
                {
                    throw new InvalidOperationException("Publishing the module failed:\n" + output);
                }
            }
            return Path.Combine(layout, "Hv.psd1");
        }

        private static DateTime Newest(string root)
        {
            DateTime newest = DateTime.MinValue;
            foreach (string dir in new[] { Path.Combine(root, "module"), Path.Combine(root, "src", "Hv.Protocol") })
            {
                foreach (string f in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
                {
                    string rel = f.Substring(dir.Length);
                    if (rel.Contains("/bin/") || rel.Contains("/obj/") || rel.Contains("\\bin\\") || rel.Contains("\\obj\\"))
                    {
                        continue;
                    }
                    DateTime t = File.GetLastWriteTimeUtc(f);
                    if (t > newest)
                    {
                        newest = t;
                    }
                }
            }
            return newest;
        }
    }

    /// <summary>What one script run produced.</summary>
    public sealed class PsResult
    {
        public List<PSObject> Output = new List<PSObject>();
        public List<ErrorRecord> Errors = new List<ErrorRecord>();
        public List<ProgressRecord> Progress = new List<ProgressRecord>();
        public List<WarningRecord> Warnings = new List<WarningRecord>();
        public string HostText = "";
        public TimeSpan Elapsed;

        /// <summary>The output objects of a module type (by name: the test does not reference the module, it imports it).</summary>
        public dynamic[] Of(string typeName) => Output.Select(o => o.BaseObject).Where(o => o.GetType().FullName == "Hv.PowerShell." + typeName).ToArray();

        public string ErrorText => string.Join("\n", Errors.Select(e => e.FullyQualifiedErrorId + ": " + e));

        public PsResult NoErrors()
        {
            Assert.True(Errors.Count == 0, "unexpected errors:\n" + ErrorText);
            return this;
        }
    }

    /// <summary>
    /// A runspace of the real PowerShell engine with a host whose console is a string (so Out-Default renders the
    /// module's format views into <see cref="PsResult.HostText"/>) and the built module imported by its manifest.
    /// </summary>
    public sealed class PsSession : IDisposable
    {
        private readonly StringHost _host = new StringHost();
        private readonly Runspace _runspace;

        public PsSession(bool importModule = true)
        {
            var iss = InitialSessionState.CreateDefault2();
            if (OperatingSystem.IsWindows())
            {
                iss.ExecutionPolicy = Microsoft.PowerShell.ExecutionPolicy.Bypass;
            }
            _runspace = RunspaceFactory.CreateRunspace(_host, iss);
            _runspace.Open();
            Run("$PSStyle.OutputRendering = 'PlainText'").NoErrors();
            if (importModule)
            {
                Run("Import-Module -Name $args[0] -ErrorAction Stop", ModuleBuild.Manifest).NoErrors();
            }
        }

        /// <summary>Runs script text; <paramref name="args"/> are in $args. Terminating errors land in Errors too.</summary>
        public PsResult Run(string script, params object[] args)
        {
            var result = new PsResult();
            _host.Ui.Text.Clear();
            using var ps = PowerShell.Create();
            ps.Runspace = _runspace;
            ps.AddScript(script);
            foreach (object a in args)
            {
                ps.AddArgument(a);
            }
            var watch = Stopwatch.StartNew();
            try
            {
                foreach (PSObject o in ps.Invoke())
                {
                    if (o != null)
                    {
                        result.Output.Add(o);
                    }
                }
            }
            catch (RuntimeException e)
            {
                result.Errors.Add(e.ErrorRecord);
            }
            result.Elapsed = watch.Elapsed;
            result.Errors.InsertRange(0, ps.Streams.Error);
            result.Progress.AddRange(ps.Streams.Progress);
            result.Warnings.AddRange(ps.Streams.Warning);
            result.HostText = _host.Ui.Text.ToString();
            return result;
        }

        public void Set(string name, object value) => _runspace.SessionStateProxy.SetVariable(name, value);

        public object Get(string name) => _runspace.SessionStateProxy.GetVariable(name);

        public void Dispose()
        {
            // Every connection the session holds ($h = Connect-HvHost -NotDefault too) is closed: a serial line left
            // open keeps the emulator's relay from taking the next test's client until a finalizer runs.
            try
            {
                foreach (PSObject item in _runspace.SessionStateProxy.InvokeProvider.Item.Get(@"variable:\*"))
                {
                    object value = (item.BaseObject as PSVariable)?.Value;
                    if (value is PSObject wrapped) value = wrapped.BaseObject;
                    if (value is IDisposable connection && value.GetType().FullName == "Hv.PowerShell.HvHost") connection.Dispose();
                }
            }
            catch (Exception)
            {
            }
            _runspace.Dispose();
        }
    }

    public sealed class StringHost : PSHost
    {
        public readonly StringUI Ui = new StringUI();
        private readonly Guid _id = Guid.NewGuid();
        public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;
        public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;
        public override Guid InstanceId => _id;
        public override string Name => "HvModuleTests";
        public override PSHostUserInterface UI => Ui;
        public override Version Version => new Version(1, 0);
        public override void EnterNestedPrompt() => throw new NotSupportedException();
        public override void ExitNestedPrompt() => throw new NotSupportedException();
        public override void NotifyBeginApplication() { }
        public override void NotifyEndApplication() { }
        public override void SetShouldExit(int exitCode) { }
    }

    public sealed class StringUI : PSHostUserInterface
    {
        public readonly StringBuilder Text = new StringBuilder();
        private readonly RawUI _raw = new RawUI();
        public override PSHostRawUserInterface RawUI => _raw;
        // Plain text like a terminal without colours (the engine styles table headers with ANSI escapes).
        public override void Write(string value) { lock (Text) Text.Append(System.Text.RegularExpressions.Regex.Replace(value ?? "", "\x1b\\[[0-9;?]*[A-Za-z]", "")); }
        public override void Write(ConsoleColor f, ConsoleColor b, string value) => Write(value);
        public override void WriteLine(string value) => Write(value + "\n");
        public override void WriteErrorLine(string value) => Write("ERROR: " + value + "\n");
        public override void WriteDebugLine(string message) => Write("DEBUG: " + message + "\n");
        public override void WriteVerboseLine(string message) => Write("VERBOSE: " + message + "\n");
        public override void WriteWarningLine(string message) => Write("WARNING: " + message + "\n");
        public override void WriteProgress(long sourceId, ProgressRecord record) { }
        public override string ReadLine() => throw new PSInvalidOperationException("no input in tests");
        public override SecureString ReadLineAsSecureString() => throw new PSInvalidOperationException("no input in tests");
        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions)
            => throw new PSInvalidOperationException("no prompts in tests: " + message);
        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
            => throw new PSInvalidOperationException("no prompts in tests: " + message);
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName)
            => throw new PSInvalidOperationException("no prompts in tests");
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName,
            PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw new PSInvalidOperationException("no prompts in tests");
    }

    public sealed class RawUI : PSHostRawUserInterface
    {
        public override ConsoleColor BackgroundColor { get; set; }
        public override ConsoleColor ForegroundColor { get; set; }
        public override Size BufferSize { get => new Size(160, 9999); set { } }
        public override Coordinates CursorPosition { get; set; }
        public override int CursorSize { get; set; }
        public override bool KeyAvailable => false;
        public override Size MaxPhysicalWindowSize => new Size(160, 100);
        public override Size MaxWindowSize => new Size(160, 100);
        public override Coordinates WindowPosition { get; set; }
        public override Size WindowSize { get => new Size(160, 100); set { } }
        public override string WindowTitle { get; set; } = "";
        public override void FlushInputBuffer() { }
        public override BufferCell[,] GetBufferContents(Rectangle rectangle) => throw new NotSupportedException();
        public override KeyInfo ReadKey(ReadKeyOptions options) => throw new NotSupportedException();
        public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) { }
        public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) { }
        public override void SetBufferContents(Rectangle rectangle, BufferCell fill) { }
    }
}
