using System;
using System.Collections.Generic;
using System.Management.Automation;
using Hv.Protocol.Client;
using Hv.Protocol.Wire;

namespace Hv.PowerShell
{
    /// <summary>
    /// What Remove-HvTemplate, Remove-HvSwitch and Remove-HvDisk share: named host objects taken from the pipeline or found by name
    /// (wildcards) on the hosts in -Server, each confirmed (ConfirmImpact High, -Force skips the prompt), then removed
    /// on every host in parallel. The cmdlet keeps its parameters and says how its kind of object is listed, named and removed.
    /// </summary>
    public abstract class HostObjectRemoval : HvCmdlet
    {
        private readonly List<KeyValuePair<HvHost, string>> _targets = new List<KeyValuePair<HvHost, string>>();
        private readonly List<KeyValuePair<HvHost, string>> _patterns = new List<KeyValuePair<HvHost, string>>();

        /// <summary>An object that came in the pipeline (its host and name), removed as it is.</summary>
        protected void AddTarget(HvHost server, string name)
        {
            if (server != null) _targets.Add(new KeyValuePair<HvHost, string>(server, name));
        }

        /// <summary>Names (wildcards) to look for on each of <paramref name="servers"/> (or the default connection).</summary>
        protected void AddPatterns(HvHost[] servers, string[] names)
        {
            foreach (HvHost h in ResolveServers(servers))
            {
                foreach (string n in names)
                {
                    _patterns.Add(new KeyValuePair<HvHost, string>(h, n));
                }
            }
        }

        /// <summary>
        /// Removes what was collected: the named ones found by <paramref name="list"/> (a literal name found nowhere is
        /// <paramref name="notFound"/>'s error), each once, after confirmation; <paramref name="remove"/> does one on its host
        /// and turns the host's other refusals into error records (an unknown name is handled here, the same for every kind).
        /// </summary>
        protected void RemoveCollected<T>(string kind, bool force, Func<HvHost, T[]> list, Func<T, string> nameOf,
            Func<string, ErrorRecord> notFound, Action<HvHost, string> remove)
        {
            List<KeyValuePair<HvHost, string>> targets = new List<KeyValuePair<HvHost, string>>(_targets);
            if (_patterns.Count > 0)
            {
                foreach (KeyValuePair<HvHost, T> found in FindByName(_patterns, list, nameOf, notFound))
                {
                    string name = nameOf(found.Value);
                    if (!targets.Exists(x => x.Key == found.Key && x.Value == name))
                    {
                        targets.Add(new KeyValuePair<HvHost, string>(found.Key, name));
                    }
                }
            }
            List<KeyValuePair<HvHost, string>> approved = new List<KeyValuePair<HvHost, string>>();
            foreach (KeyValuePair<HvHost, string> t in targets)
            {
                if (Approve(kind + " '" + t.Value + "' on " + t.Key, "Remove", force))
                {
                    approved.Add(t);
                }
            }
            RunParallel(approved, t => t.Key, (t, sink) =>
            {
                try
                {
                    remove(t.Key, t.Value);
                }
                catch (HvProtocolException e) when (e.Code == ErrorCode.NotFound)
                {
                    // Gone since it was listed (or never there, from the pipeline): the same error id as a name found nowhere.
                    throw new HvErrorRecordException(HvErrors.Make("Hv." + char.ToUpperInvariant(kind[0]) + kind.Substring(1) + "NotFound",
                        ErrorCategory.ObjectNotFound, t.Key + " has no " + kind + " named '" + t.Value + "'.", t.Value, e));
                }
            }, "Removing " + kind + "s", t => t.Value);
        }
    }
}
