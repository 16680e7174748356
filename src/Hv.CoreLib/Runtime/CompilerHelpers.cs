using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Internal.Runtime;

namespace System.Runtime.CompilerServices
{
    // ilc looks this class up; start-up work (statics) is done by the kernel through Internal.Runtime.Startup.
    internal static class StartupCodeHelpers { }

    [StructLayout(LayoutKind.Sequential)]
    public struct StaticClassConstructionContext
    {
        // Zero once the class constructor has run.
        public IntPtr cctorMethodAddress;
    }

    // Lazy static constructors, single-threaded: run once, then mark as done.
    internal static unsafe class ClassConstructorRunner
    {
        private static IntPtr CheckStaticClassConstructionReturnNonGCStaticBase(StaticClassConstructionContext* context, IntPtr nonGcStaticBase)
        {
            EnsureClassConstructorRun(context);
            return nonGcStaticBase;
        }

        private static object CheckStaticClassConstructionReturnGCStaticBase(StaticClassConstructionContext* context, object gcStaticBase)
        {
            EnsureClassConstructorRun(context);
            return gcStaticBase;
        }

        private static void EnsureClassConstructorRun(StaticClassConstructionContext* context)
        {
            IntPtr pfn = context->cctorMethodAddress;
            if ((void*)pfn == null) return;
            context->cctorMethodAddress = IntPtr.Zero;
            ((delegate*<void>)(void*)pfn)();
        }
    }
}

namespace Internal.Runtime.CompilerHelpers
{
    // Targets of the checks ilc inlines (bounds, overflow, null, division): each is a panic on bare metal.
    internal static class ThrowHelpers
    {
        private static void ThrowOverflowException() => Panic.Fail("arithmetic overflow");
        private static void ThrowIndexOutOfRangeException() => Panic.Fail("index out of range");
        private static void ThrowNullReferenceException() => Panic.Fail("null reference");
        private static void ThrowDivideByZeroException() => Panic.Fail("divide by zero");
        private static void ThrowArrayTypeMismatchException() => Panic.Fail("array type mismatch");
        private static void ThrowPlatformNotSupportedException() => Panic.Fail("platform not supported");
        private static void ThrowTypeLoadException() => Panic.Fail("type load");
        private static void ThrowArgumentException() => Panic.Fail("argument");
        private static void ThrowArgumentOutOfRangeException() => Panic.Fail("argument out of range");
        private static void ThrowInvalidProgramException() => Panic.Fail("invalid program");
        private static void ThrowInvalidProgramExceptionWithArgument() => Panic.Fail("invalid program");
        private static void ThrowMarshalDirectiveException() => Panic.Fail("marshal directive");
        private static void ThrowNotSupportedException() => Panic.Fail("not supported");
        private static void ThrowFeatureBodyRemoved() => Panic.Fail("feature body removed");
        private static void ThrowAmbiguousMatchException() => Panic.Fail("ambiguous match");
        private static void ThrowMissingMethodException() => Panic.Fail("missing method");
        private static void ThrowMissingFieldException() => Panic.Fail("missing field");
        private static void ThrowFileNotFoundException() => Panic.Fail("file not found");
        private static void ThrowBadImageFormatException() => Panic.Fail("bad image format");
        private static void ThrowInvalidCastException() => Panic.Fail("invalid cast");
    }
}
