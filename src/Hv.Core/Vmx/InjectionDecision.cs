namespace Hv.Core.Vmx
{
    /// <summary>What to do with a pending external interrupt before the next VM entry.</summary>
    public enum InjectionDecision
    {
        /// <summary>Nothing is pending.</summary>
        Nothing,
        /// <summary>The guest can take it now: inject it on this entry.</summary>
        InjectNow,
        /// <summary>The guest cannot take it yet (IF=0, STI/MOV SS shadow, another event being delivered): ask for an interrupt-window exit.</summary>
        RequestWindow,
    }
}
