using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Security;
using Hv.Protocol.Client;

namespace Hv.PowerShell
{
    /// <summary>Shared by the completers: the hosts to ask (-Server already typed, else the default connection).</summary>
    internal static class CompletionHosts
    {
        public const int TimeoutMs = 2000;

        public static List<HvHost> From(IDictionary fakeBoundParameters)
        {
            List<HvHost> hosts = new List<HvHost>();
            object value = fakeBoundParameters != null && fakeBoundParameters.Contains("Server") ? fakeBoundParameters["Server"] : null;
            Add(hosts, value);
            if (hosts.Count == 0)
            {
                // A completer runs on the pipeline thread of the session: a script block reads the session's variable.
                try
                {
                    foreach (PSObject o in ScriptBlock.Create("$global:" + HvCmdlet.DefaultServerVariable).Invoke())
                    {
                        Add(hosts, o);
                    }
                }
                catch (Exception)
                {
                }
            }
            return hosts;
        }

        private static void Add(List<HvHost> hosts, object value)
        {
            if (value is PSObject p)
            {
                value = p.BaseObject;
            }
            if (value is HvHost h)
            {
                if (!h.IsClosed)
                {
                    hosts.Add(h);
                }
            }
            else if (value is IEnumerable e && !(value is string))
            {
                foreach (object o in e)
                {
                    Add(hosts, o);
                }
            }
        }

        /// <summary>
        /// The names <paramref name="list"/> gives on each host in -Server (or the default connection), matched against
        /// the word typed; a host that does not answer gives none (completion never fails loudly).
        /// </summary>
        public static IEnumerable<CompletionResult> HostNames(IDictionary fakeBoundParameters, string wordToComplete, string kind,
            Func<HvClient, IEnumerable<string>> list)
        {
            List<string> names = new List<string>();
            foreach (HvHost h in From(fakeBoundParameters))
            {
                try
                {
                    names.AddRange(list(h.Client));
                }
                catch (Exception)
                {
                }
            }
            return Match(names, wordToComplete, kind);
        }

        public static IEnumerable<CompletionResult> Match(IEnumerable<string> names, string wordToComplete, string kind)
        {
            string word = (wordToComplete ?? "").Trim('\'', '"');
            WildcardPattern pattern = WildcardPattern.Get(word + "*", WildcardOptions.IgnoreCase);
            SortedSet<string> seen = new SortedSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (string n in names)
            {
                if (n != null && pattern.IsMatch(n))
                {
                    seen.Add(n);
                }
            }
            foreach (string n in seen)
            {
                string text = n.IndexOfAny(new[] { ' ', '\'', '"', '$', '`', ',', ';', '(', ')', '{', '}', '@', '#' }) >= 0
                    ? "'" + n.Replace("'", "''") + "'" : n;
                yield return new CompletionResult(text, n, CompletionResultType.ParameterValue, kind + " " + n);
            }
        }
    }

    /// <summary>Completes VM names from the hosts in -Server (or the default connection).</summary>
    public sealed class VmNameCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            return CompletionHosts.HostNames(fakeBoundParameters, wordToComplete, "VM",
                c => c.ListVms(CompletionHosts.TimeoutMs).Select(vm => vm.Name));
        }
    }

    /// <summary>Completes template names from the hosts in -Server (or the default connection).</summary>
    public sealed class TemplateNameCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            return CompletionHosts.HostNames(fakeBoundParameters, wordToComplete, "Template",
                c => c.ListTemplates(CompletionHosts.TimeoutMs).Select(t => t.Name));
        }
    }

    /// <summary>
    /// Completes snapshot names of the VMs already given: -VM objects, or -VMName (wildcards) on the hosts in -Server
    /// (or the default connection).
    /// </summary>
    public sealed class SnapshotNameCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            List<string> names = new List<string>();
            try
            {
                foreach (HvVm vm in Vms(fakeBoundParameters, commandAst, wordToComplete))
                {
                    try
                    {
                        foreach (var s in vm.Server.Client.ListSnapshots(vm.Id, CompletionHosts.TimeoutMs))
                        {
                            names.Add(s.Name);
                        }
                    }
                    catch (Exception)
                    {
                    }
                }
            }
            catch (Exception)
            {
                // Completion never fails loudly.
            }
            return CompletionHosts.Match(names, wordToComplete, "Snapshot");
        }

        private static List<HvVm> Vms(IDictionary bound, CommandAst ast, string word)
        {
            List<HvVm> vms = new List<HvVm>();
            bound = bound ?? new Hashtable();
            // Completion binds without converting: a positional VM name may sit in VM (or Snapshot) as a string.
            List<string> patterns = new List<string>();
            foreach (string key in new[] { "VM", "VMName", "Snapshot" })
            {
                if (bound.Contains(key))
                {
                    AddVms(vms, bound[key]);
                    AddStrings(patterns, bound[key]);
                }
            }
            if (vms.Count > 0)
            {
                return vms;
            }
            if (patterns.Count == 0 && ast != null && ast.CommandElements.Count > 2
                && ast.CommandElements[1] is StringConstantExpressionAst first && first.Value != word)
            {
                // `Restore-HvVmSnapshot web1 <Tab>`: the first positional argument is the VM name (completion's binding
                // may not have placed it, as the default parameter set takes snapshot objects there).
                patterns.Add(first.Value);
            }
            if (patterns.Count == 0)
            {
                return vms;
            }
            foreach (HvHost h in CompletionHosts.From(bound))
            {
                foreach (var info in h.Client.ListVms(CompletionHosts.TimeoutMs))
                {
                    foreach (string p in patterns)
                    {
                        if (WildcardPattern.Get(p, WildcardOptions.IgnoreCase).IsMatch(info.Name))
                        {
                            vms.Add(new HvVm(h, info));
                            break;
                        }
                    }
                }
            }
            return vms;
        }

        private static void AddVms(List<HvVm> vms, object value)
        {
            if (value is PSObject p)
            {
                value = p.BaseObject;
            }
            if (value is HvVm vm)
            {
                if (vm.Server != null && !vm.Server.IsClosed)
                {
                    vms.Add(vm);
                }
            }
            else if (value is IEnumerable e && !(value is string))
            {
                foreach (object o in e)
                {
                    AddVms(vms, o);
                }
            }
        }

        private static void AddStrings(List<string> list, object value)
        {
            if (value is PSObject p)
            {
                value = p.BaseObject;
            }
            if (value is string s)
            {
                list.Add(s);
            }
            else if (value is IEnumerable e)
            {
                foreach (object o in e)
                {
                    AddStrings(list, o);
                }
            }
        }
    }

    /// <summary>Lets -Key take a plain string (e.g. the key the host printed) as well as a SecureString.</summary>
    public sealed class SecureStringTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            object value = inputData is PSObject p ? p.BaseObject : inputData;
            if (value is string s)
            {
                SecureString secure = new SecureString();
                foreach (char c in s)
                {
                    secure.AppendChar(c);
                }
                secure.MakeReadOnly();
                return secure;
            }
            return inputData;
        }
    }
}
