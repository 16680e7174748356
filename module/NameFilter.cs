using System;
using System.Collections.Generic;
using System.Management.Automation;

namespace Hv.PowerShell
{
    /// <summary>
    /// The names a cmdlet was given (-Name, wildcards allowed, case-insensitive): which names a host's listing matches,
    /// and which literal names (no wildcard) matched nothing anywhere, for an ObjectNotFound error each (a pattern that
    /// matches nothing is no error, as in Get-ChildItem). Safe to use from the fan-out's worker threads.
    /// </summary>
    internal sealed class NameFilter
    {
        private readonly List<KeyValuePair<string, WildcardPattern>> _patterns = new List<KeyValuePair<string, WildcardPattern>>();
        private readonly Dictionary<string, bool> _found = new Dictionary<string, bool>(StringComparer.OrdinalIgnoreCase);

        /// <param name="names">The names given; null or empty: everything matches.</param>
        public NameFilter(IEnumerable<string> names)
        {
            foreach (string name in names ?? new string[0])
            {
                if (!_found.ContainsKey(name))
                {
                    _found[name] = false;
                    _patterns.Add(new KeyValuePair<string, WildcardPattern>(name, WildcardPattern.Get(name, WildcardOptions.IgnoreCase)));
                }
            }
        }

        /// <summary>True when <paramref name="candidate"/> matches any of the names (or no names were given); those names count as found.</summary>
        public bool Matches(string candidate)
        {
            bool any = _patterns.Count == 0;
            foreach (KeyValuePair<string, WildcardPattern> p in _patterns)
            {
                if (p.Value.IsMatch(candidate))
                {
                    any = true;
                    Found(p.Key);
                }
            }
            return any;
        }

        /// <summary>True when <paramref name="candidate"/> matches the one name <paramref name="name"/>, which then counts as found.</summary>
        public bool Matches(string name, string candidate)
        {
            foreach (KeyValuePair<string, WildcardPattern> p in _patterns)
            {
                if (string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase) && p.Value.IsMatch(candidate))
                {
                    Found(p.Key);
                    return true;
                }
            }
            return false;
        }

        /// <summary>Counts a name as found without a match (its host failed, and said so: "not found" would only add noise).</summary>
        public void Found(string name)
        {
            lock (_found)
            {
                _found[name] = true;
            }
        }

        /// <summary>The literal names that matched nothing.</summary>
        public IEnumerable<string> Missing()
        {
            foreach (KeyValuePair<string, bool> f in _found)
            {
                if (!f.Value && !WildcardPattern.ContainsWildcardCharacters(f.Key))
                {
                    yield return f.Key;
                }
            }
        }
    }
}
