using Hv.Core.Guests;
using Hv.Core.Vm;
using Hv.Testing;
using Xunit;

namespace Hv.Protocol.Tests
{
    /// <summary>
    /// Priming at a console text (manifest ready="TEXT"): the priming VM runs until its guest prints the text, then its
    /// state becomes the template's; clones start after the text. A guest that stops before printing it fails the priming.
    /// </summary>
    public class PrimingAtConsoleTextTests
    {
        private static Template Scripted(string name, string program, string ready)
            => new Template(name, ScriptedProcessor.Program(program), GuestEntryMode.Real, Template.DefaultMemorySize, null,
                            readyText: ready);

        [Fact]
        public void The_template_is_primed_once_its_guest_prints_the_text_and_clones_start_after_it()
        {
            using var host = InProcessHost.InMemory(new CaptureSink());
            host.WithHypervisor(hv =>
            {
                Assert.Equal(HypervisorStatus.Ok, hv.AddTemplate(Scripted("shell", "say booting\npause 40\nsay shell>\npause 40\nsay after the prompt\nspin", "shell>")));
                Assert.Equal(HypervisorStatus.Ok, hv.Prime("shell", 1_000_000_000));
                Assert.True(hv.Templates.Find("shell").IsPrimed);
                Assert.Null(hv.FindByName("priming-shell"));
                Assert.Equal(HypervisorStatus.Ok, hv.Create("shell", "clone", 0, out VirtualMachine clone));
                clone.Start();
            });
            // The scripted pause is wall-clock time: run the clone until its line appears (or a generous bound passes).
            string console = "";
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (!console.Contains("after the prompt") && clock.Elapsed < System.TimeSpan.FromSeconds(30))
            {
                host.RunGuests(20);
                var bytes = new byte[4096];
                int count = host.WithHypervisor(hv => hv.FindByName("clone").Console.ReadOutput(0, bytes, out _));
                console = System.Text.Encoding.ASCII.GetString(bytes, 0, count);
            }
            Assert.DoesNotContain("booting", console);
            Assert.Contains("after the prompt", console);
        }

        [Fact]
        public void A_guest_that_stops_before_the_text_leaves_the_template_unprimed()
        {
            using var host = InProcessHost.InMemory(new CaptureSink());
            host.WithHypervisor(hv =>
            {
                Assert.Equal(HypervisorStatus.Ok, hv.AddTemplate(Scripted("early", "say booting\nexit 1", "shell>")));
                Assert.Equal(HypervisorStatus.PrimeFailed, hv.Prime("early", 1_000_000_000));
                Assert.False(hv.Templates.Find("early").IsPrimed);
                Assert.Null(hv.FindByName("priming-early"));
            });
        }
    }
}
