using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text;
using System.Text.RegularExpressions;

namespace Hv.Script
{
    /// <summary>
    /// hv-script: runs a PowerShell script in the hosted PowerShell engine (System.Management.Automation) with the
    /// Hv module imported, rendering output through the module's format views, like `pwsh -File`.
    /// </summary>
    public static class Program
    {
        private const string Usage =
@"usage: hv-script [options] FILE.ps1 [script arguments...]
       hv-script [options] -c 'script text' [arguments, in $args]
       hv-script --generate-help [--module PSD1] --docs DIR --out FILE
options:
  --module PATH   the module manifest to import (default: $HV_MODULE, else artifacts/module/Hv/Hv.psd1 of the repo)
  --no-module     do not import the Hv module
  --width N       console width for tables (default: the terminal's, else 120)
  --color         keep ANSI styling in output (default: plain text unless stdout is a terminal)
Script arguments are bound like pwsh -File: '-Name value', '-Switch', '-Name:value'.
The time Import-Module took is in $HvScriptModuleImportMs.";

        public static int Main(string[] args)
        {
            string module = Environment.GetEnvironmentVariable("HV_MODULE");
            bool importModule = true;
            bool color = !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") == null;
            int width = 0;
            string file = null;
            string command = null;
            bool generateHelp = false;
            string docs = null;
            string output = null;
            int i = 0;
            for (; i < args.Length; i++)
            {
                string a = args[i];
                if (a == "--module" && i + 1 < args.Length) { module = args[++i]; }
                else if (a == "--no-module") { importModule = false; }
                else if (a == "--width" && i + 1 < args.Length) { width = int.Parse(args[++i]); }
                else if (a == "--color") { color = true; }
                else if (a == "--generate-help") { generateHelp = true; }
                else if (a == "--docs" && i + 1 < args.Length) { docs = args[++i]; }
                else if (a == "--out" && i + 1 < args.Length) { output = args[++i]; }
                else if (a == "-h" || a == "--help") { Console.WriteLine(Usage); return 0; }
                else if ((a == "-c" || a == "-Command") && i + 1 < args.Length) { command = args[++i]; i++; break; }
                else if (a.StartsWith("--", StringComparison.Ordinal)) { Console.Error.WriteLine("hv-script: unknown option " + a + "\n" + Usage); return 2; }
                else { file = a; i++; break; }
            }
            module = module ?? FindModule();
            if (generateHelp)
            {
                if (docs == null || output == null)
                {
                    Console.Error.WriteLine(Usage);
                    return 2;
                }
                return HelpGenerator.Run(module, docs, output);
            }
            if (file == null && command == null)
            {
                Console.Error.WriteLine(Usage);
                return 2;
            }
            if (file != null && !File.Exists(file))
            {
                Console.Error.WriteLine("hv-script: no script at " + file);
                return 2;
            }
            string[] rest = new string[args.Length - i];
            Array.Copy(args, i, rest, 0, rest.Length);

            ConsoleHost host = new ConsoleHost(width, color);
            InitialSessionState iss = InitialSessionState.CreateDefault2();
            if (OperatingSystem.IsWindows())
            {
                iss.ExecutionPolicy = Microsoft.PowerShell.ExecutionPolicy.Bypass;
            }
            using Runspace runspace = RunspaceFactory.CreateRunspace(host, iss);
            runspace.Open();
            Runspace.DefaultRunspace = runspace;
            if (!color)
            {
                Invoke(runspace, "if ($PSStyle) { $PSStyle.OutputRendering = 'PlainText' }", null);
            }
            if (importModule)
            {
                if (module == null || !File.Exists(module))
                {
                    Console.Error.WriteLine("hv-script: no module manifest at " + (module ?? "artifacts/module/Hv/Hv.psd1") + " (build it: dotnet publish module/Hv.Module.csproj -c Release -o artifacts/module/Hv)");
                    return 2;
                }
                Stopwatch watch = Stopwatch.StartNew();
                if (!Invoke(runspace, "Import-Module -Name $args[0] -ErrorAction Stop", new object[] { Path.GetFullPath(module) }))
                {
                    return 1;
                }
                runspace.SessionStateProxy.SetVariable("HvScriptModuleImportMs", watch.ElapsedMilliseconds);
            }

            string text = file != null ? "& " + Quote(Path.GetFullPath(file)) + " " + BindArguments(rest) : command;
            using PowerShell ps = PowerShell.Create();
            ps.Runspace = runspace;
            ps.AddScript(text);
            if (command != null)
            {
                foreach (string r in rest)
                {
                    ps.AddArgument(r);
                }
            }
            ps.Commands.Commands[0].MergeMyResults(PipelineResultTypes.Error, PipelineResultTypes.Output);
            ps.AddCommand("Out-Default");
            ConsoleCancelEventHandler cancel = (s, e) =>
            {
                e.Cancel = true;
                ps.BeginStop(null, null);
            };
            Console.CancelKeyPress += cancel;
            try
            {
                ps.Invoke();
            }
            catch (PipelineStoppedException)
            {
                return 130;
            }
            catch (RuntimeException e)
            {
                WriteError(host, e.ErrorRecord);
                return 1;
            }
            finally
            {
                Console.CancelKeyPress -= cancel;
            }
            if (host.ShouldExit)
            {
                return host.ExitCode;
            }
            object last = runspace.SessionStateProxy.GetVariable("LASTEXITCODE");
            return last is int code ? code : 0;
        }

        /// <summary>Runs setup text; prints errors and returns false if it failed.</summary>
        private static bool Invoke(Runspace runspace, string script, object[] arguments)
        {
            using PowerShell ps = PowerShell.Create();
            ps.Runspace = runspace;
            ps.AddScript(script);
            if (arguments != null)
            {
                foreach (object a in arguments)
                {
                    ps.AddArgument(a);
                }
            }
            try
            {
                ps.Invoke();
            }
            catch (RuntimeException e)
            {
                Console.Error.WriteLine("hv-script: " + e.Message);
                return false;
            }
            foreach (ErrorRecord e in ps.Streams.Error)
            {
                Console.Error.WriteLine("hv-script: " + e);
            }
            return ps.Streams.Error.Count == 0;
        }

        private static void WriteError(ConsoleHost host, ErrorRecord record)
        {
            string where = record.InvocationInfo?.MyCommand?.Name;
            host.UI.WriteErrorLine((string.IsNullOrEmpty(where) ? "" : where + ": ") + record);
        }

        /// <summary>pwsh -File binding: "-Name" tokens stay parameter names, everything else is a quoted string.</summary>
        internal static string BindArguments(string[] args)
        {
            StringBuilder sb = new StringBuilder();
            foreach (string a in args)
            {
                if (sb.Length > 0)
                {
                    sb.Append(' ');
                }
                Match m = Regex.Match(a, @"^(-[A-Za-z_][A-Za-z0-9_]*)(:(.*))?$", RegexOptions.Singleline);
                if (m.Success)
                {
                    sb.Append(m.Groups[1].Value);
                    if (m.Groups[2].Success)
                    {
                        string v = m.Groups[3].Value;
                        sb.Append(':').Append(v == "$true" || v == "$false" ? v : Quote(v));
                    }
                }
                else
                {
                    sb.Append(Quote(a));
                }
            }
            return sb.ToString();
        }

        private static string Quote(string s) => "'" + s.Replace("'", "''") + "'";

        /// <summary>artifacts/module/Hv/Hv.psd1 above the current directory or above this program.</summary>
        private static string FindModule()
        {
            foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            {
                for (DirectoryInfo d = new DirectoryInfo(start); d != null; d = d.Parent)
                {
                    string candidate = Path.Combine(d.FullName, "artifacts", "module", "Hv", "Hv.psd1");
                    if (File.Exists(candidate))
                    {
                        return candidate;
                    }
                }
            }
            return null;
        }
    }
}
