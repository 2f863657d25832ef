using System;
using System.CodeDom.Compiler;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace LstmGen.Generator
{
    /// <summary>
    /// Writes C# source line by line with four-space indentation, as the Regex generator writes through an
    /// <see cref="IndentedTextWriter"/>: <see cref="Open"/> writes a header and an opening brace and returns a
    /// <see cref="Block"/> whose disposal closes it (<c>using (writer.Open("for (...)")) { ... }</c>), so that
    /// the structure of the emitting code follows the structure of the emitted code. Empty lines carry no
    /// indentation; numbers are written with the invariant culture (<see cref="Literal"/>).
    /// </summary>
    internal sealed class CodeWriter
    {
        private readonly IndentedTextWriter _main;
        private IndentedTextWriter _writer;
        private StringWriter? _asideText;
        private IndentedTextWriter? _aside;

        public CodeWriter(TextWriter output)
        {
            _main = new IndentedTextWriter(output, "    ");
            _writer = _main;
        }

        /// <summary>
        /// Sends what is written until the result is disposed to a second text, one level deeper than the
        /// current indentation, that <see cref="WriteAside"/> writes later: the members of a nested type written
        /// where the emitter meets them, and placed together at the end of the containing type.
        /// </summary>
        public Block Aside()
        {
            if (_aside is null)
            {
                _asideText = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
                _aside = new IndentedTextWriter(_asideText, "    ") { Indent = _main.Indent + 1 };
            }

            IndentedTextWriter previous = _writer;
            _writer = _aside;
            return Defer(() => _writer = previous);
        }

        /// <summary>Whether anything was written through <see cref="Aside"/>.</summary>
        public bool HasAside => _asideText is not null && _asideText.GetStringBuilder().Length > 0;

        /// <summary>Writes what was written through <see cref="Aside"/> here, without its trailing empty lines, and forgets it.</summary>
        public void WriteAside()
        {
            if (_asideText is null)
            {
                return;
            }

            foreach (string line in _asideText.ToString().TrimEnd('\n').Split('\n'))
            {
                _writer.WriteLineNoTabs(line);
            }

            _asideText = null;
            _aside = null;
        }

        /// <summary>An integer as C# source spells it, whatever the culture of the machine that compiles.</summary>
        public static string Literal(int value) => value.ToString(CultureInfo.InvariantCulture);

        /// <summary>A float literal that reads back as <paramref name="value"/> (round-trip digits, invariant culture).</summary>
        public static string Literal(float value) => value.ToString("R", CultureInfo.InvariantCulture) + "f";

        /// <summary>Writes <paramref name="text"/> at the current indentation; an empty line carries no indentation.</summary>
        public void Line(string text = "")
        {
            if (text.Length == 0)
            {
                _writer.WriteLineNoTabs(string.Empty);
            }
            else
            {
                _writer.WriteLine(text);
            }
        }

        /// <summary>
        /// Writes a multi-line template (lines separated by '\n'), each line at the current indentation plus
        /// its own leading spaces, as <see cref="Line"/> would write them one by one.
        /// </summary>
        public void Lines(string template)
        {
            foreach (string line in template.Split('\n'))
            {
                Line(line.TrimEnd('\r'));
            }
        }

        /// <summary>Writes <paramref name="text"/> at the start of the line, whatever the indentation: the inside of a verbatim literal.</summary>
        public void LineWithoutIndentation(string text) => _writer.WriteLineNoTabs(text);

        /// <summary>
        /// Writes <paramref name="header"/> and an opening brace; disposing the result writes <paramref name="close"/>
        /// (<c>}</c>, or <c>};</c> after a switch expression or an initializer), then runs <paramref name="after"/>.
        /// </summary>
        public Block Open(string header, string close = "}", Action? after = null)
        {
            Line(header);
            return OpenScope(close, after);
        }

        /// <summary>Opens a bare scope (a brace without a header); disposing the result closes it, then runs <paramref name="after"/>.</summary>
        public Block OpenScope(string close = "}", Action? after = null)
        {
            Line("{");
            _writer.Indent++;
            return new Block(this, close, after);
        }

        /// <summary>A block that writes nothing itself: disposing it runs <paramref name="after"/> (which closes blocks opened before).</summary>
        public Block Defer(Action after) => new(this, close: null, after);

        /// <summary>What <see cref="Open"/> returns: disposing it closes the block.</summary>
        public readonly struct Block : IDisposable
        {
            private readonly CodeWriter _writer;
            private readonly string? _close;
            private readonly Action? _after;

            /// <summary>A block that closes with <paramref name="close"/> (null: closes nothing itself), then runs <paramref name="after"/>.</summary>
            internal Block(CodeWriter writer, string? close, Action? after)
            {
                _writer = writer;
                _close = close;
                _after = after;
            }

            public void Dispose()
            {
                if (_close is not null)
                {
                    _writer._writer.Indent--;
                    _writer.Line(_close);
                }

                _after?.Invoke();
            }
        }

        /// <summary>Nested blocks (loops inside loops), closed innermost first.</summary>
        public readonly struct Blocks : IDisposable
        {
            private readonly List<Block> _blocks;

            public Blocks(List<Block> blocks) => _blocks = blocks;

            public void Dispose()
            {
                for (int i = _blocks.Count - 1; i >= 0; i--)
                {
                    _blocks[i].Dispose();
                }
            }
        }
    }
}
