namespace Hv.Script
{
    public static class HelpGenerator
    {
        public static int Run(string module, string docs, string output) => 1;
    }
}
