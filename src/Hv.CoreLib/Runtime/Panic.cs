namespace Internal.Runtime
{
    // The image's single failure path: there is no exception unwinding on bare metal.
    // The kernel installs a handler that prints the message and halts the CPU.
    public static unsafe class Panic
    {
        public static delegate*<string, void> Handler;

        public static void Fail(string message)
        {
            if (Handler != null) Handler(message);
            for (;;) { }
        }

        public static void IndexOutOfRange() => Fail("index out of range");
    }
}
