using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace Hv.Script
{
    /// <summary>
    /// A minimal console host: Out-Default renders format views through <see cref="ConsoleUI"/>, which writes to
    /// stdout (errors, warnings and verbose text to stderr). Prompts read lines from stdin; without a terminal
    /// they fail instead of hanging.
    /// </summary>
    public sealed class ConsoleHost : PSHost
    {
        private readonly Guid _id = Guid.NewGuid();
        private readonly ConsoleUI _ui;

        public ConsoleHost(int width = 0, bool color = true)
        {
            _ui = new ConsoleUI(width, color);
        }

        public int ExitCode { get; private set; }
        public bool ShouldExit { get; private set; }

        public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;
        public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;
        public override Guid InstanceId => _id;
        public override string Name => "HvScript";
        public override PSHostUserInterface UI => _ui;
        public override Version Version => new Version(0, 1, 0);

        public override void EnterNestedPrompt() => throw new NotSupportedException("Nested prompts are not supported by hv-script.");
        public override void ExitNestedPrompt() => throw new NotSupportedException();
        public override void NotifyBeginApplication() { }
        public override void NotifyEndApplication() { }

        public override void SetShouldExit(int exitCode)
        {
            ShouldExit = true;
            ExitCode = exitCode;
        }
    }

    public sealed class ConsoleUI : PSHostUserInterface
    {
        private readonly ConsoleRawUI _raw;
        private readonly bool _showProgress;

        private readonly bool _color;

        public ConsoleUI(int width, bool color)
        {
            _raw = new ConsoleRawUI(width);
            _showProgress = !Console.IsErrorRedirected;
            _color = color;
        }

        public override bool SupportsVirtualTerminal => _color;

        /// <summary>Without colour, the ANSI styling the formatter puts on table headers is removed.</summary>
        private string Plain(string value) => _color || value == null ? value : Ansi.Replace(value, "");

        private static readonly System.Text.RegularExpressions.Regex Ansi = new System.Text.RegularExpressions.Regex("\x1b\\[[0-9;?]*[A-Za-z]");

        public override PSHostRawUserInterface RawUI => _raw;

        public override void Write(string value) => Console.Out.Write(Plain(value));
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Console.Out.Write(Plain(value));
        public override void WriteLine(string value) => Console.Out.WriteLine(Plain(value));
        public override void WriteErrorLine(string value) => Console.Error.WriteLine(Plain(value));
        public override void WriteDebugLine(string message) => Console.Error.WriteLine("DEBUG: " + message);
        public override void WriteVerboseLine(string message) => Console.Error.WriteLine("VERBOSE: " + message);
        public override void WriteWarningLine(string message) => Console.Error.WriteLine("WARNING: " + message);

        public override void WriteProgress(long sourceId, ProgressRecord record)
        {
            if (!_showProgress)
            {
                return;
            }
            string line = record.RecordType == ProgressRecordType.Completed
                ? ""
                : record.Activity + ": " + record.StatusDescription + (record.PercentComplete >= 0 ? " (" + record.PercentComplete + "%)" : "");
            int width = Math.Max(20, _raw.BufferSize.Width - 1);
            if (line.Length > width)
            {
                line = line.Substring(0, width);
            }
            Console.Error.Write("\r" + line.PadRight(width) + "\r");
        }

        public override string ReadLine()
        {
            return Console.ReadLine() ?? throw new PSInvalidOperationException("hv-script: no more input (stdin closed).");
        }

        public override SecureString ReadLineAsSecureString()
        {
            SecureString s = new SecureString();
            foreach (char c in ReadLine())
            {
                s.AppendChar(c);
            }
            s.MakeReadOnly();
            return s;
        }

        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions)
        {
            NeedInput();
            Dictionary<string, PSObject> result = new Dictionary<string, PSObject>();
            if (!string.IsNullOrEmpty(message))
            {
                WriteLine(message);
            }
            foreach (FieldDescription d in descriptions)
            {
                Write(d.Name + ": ");
                result[d.Name] = PSObject.AsPSObject(ReadLine());
            }
            return result;
        }

        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
        {
            NeedInput();
            WriteLine(caption);
            WriteLine(message);
            for (int i = 0; i < choices.Count; i++)
            {
                Write("[" + choices[i].Label.Replace("&", "") + "] ");
            }
            WriteLine("(default " + (defaultChoice >= 0 ? choices[defaultChoice].Label.Replace("&", "") : "none") + ")");
            string answer = ReadLine().Trim();
            if (answer.Length == 0 && defaultChoice >= 0)
            {
                return defaultChoice;
            }
            for (int i = 0; i < choices.Count; i++)
            {
                string label = choices[i].Label;
                int amp = label.IndexOf('&');
                string hot = amp >= 0 && amp + 1 < label.Length ? label.Substring(amp + 1, 1) : label.Substring(0, 1);
                if (string.Equals(answer, hot, StringComparison.OrdinalIgnoreCase) || string.Equals(answer, label.Replace("&", ""), StringComparison.OrdinalIgnoreCase))
                {
                    return i;
                }
            }
            return defaultChoice;
        }

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName)
            => PromptForCredential(caption, message, userName, targetName, PSCredentialTypes.Default, PSCredentialUIOptions.Default);

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName,
            PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options)
        {
            NeedInput();
            WriteLine(message);
            if (string.IsNullOrEmpty(userName))
            {
                Write("User: ");
                userName = ReadLine();
            }
            Write("Password for " + userName + ": ");
            return new PSCredential(userName, ReadLineAsSecureString());
        }

        private static void NeedInput()
        {
            if (Console.IsInputRedirected && Console.In.Peek() < 0)
            {
                throw new PSInvalidOperationException("hv-script: the script asked for input, but there is no terminal (use -Confirm:$false or -Force in scripts).");
            }
        }
    }

    public sealed class ConsoleRawUI : PSHostRawUserInterface
    {
        private readonly int _width;

        public ConsoleRawUI(int width)
        {
            if (width <= 0)
            {
                try
                {
                    width = Console.IsOutputRedirected ? 0 : Console.WindowWidth;
                }
                catch (Exception)
                {
                    width = 0;
                }
            }
            _width = width > 0 ? width : 120;
        }

        public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;
        public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;
        public override Size BufferSize { get => new Size(_width, 9999); set { } }
        public override Coordinates CursorPosition { get; set; }
        public override int CursorSize { get; set; } = 1;
        public override bool KeyAvailable => false;
        public override Size MaxPhysicalWindowSize => new Size(_width, 100);
        public override Size MaxWindowSize => new Size(_width, 100);
        public override Coordinates WindowPosition { get; set; }
        public override Size WindowSize { get => new Size(_width, 100); set { } }
        public override string WindowTitle { get; set; } = "hv-script";

        public override void FlushInputBuffer() { }
        public override BufferCell[,] GetBufferContents(Rectangle rectangle) => throw new NotSupportedException();
        public override KeyInfo ReadKey(ReadKeyOptions options) => throw new NotSupportedException("hv-script cannot read single keys.");
        public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) { }
        public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) { }
        public override void SetBufferContents(Rectangle rectangle, BufferCell fill) { }
    }
}
