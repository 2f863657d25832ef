using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Xunit;

namespace LstmGen.Tests.Generator
{
    /// <summary>Every diagnostic links to its own section of docs/diagnostics.md, and every catalogued ID has one.</summary>
    public sealed class DiagnosticDocsTests
    {
        private const string DocsUrl = "https://github.com/lstmgen/lstmgen/blob/main/docs/diagnostics.md";

        private static readonly string Root = LstmGen.Tests.Consumers.PackageFeed.FindRepositoryRoot();

        [Fact]
        public void EveryDescriptorLinksToAnAnchorOfItsOwnSection()
        {
            Dictionary<string, string> sections = SectionAnchors();
            Assert.All(LstmGen.Generator.DiagnosticDescriptors.All, descriptor =>
            {
                Assert.StartsWith(DocsUrl + "#", descriptor.HelpLinkUri, StringComparison.Ordinal);
                string anchor = descriptor.HelpLinkUri.Substring(DocsUrl.Length + 1);
                Assert.True(sections.TryGetValue(anchor, out string? heading), $"{descriptor.Id} links to #{anchor}, which no heading of docs/diagnostics.md has.");
                Assert.StartsWith(descriptor.Id, heading, StringComparison.Ordinal);
            });
        }

        [Fact]
        public void EveryCataloguedIdHasASection()
        {
            var catalogued = Regex.Matches(File.ReadAllText(Path.Combine(Root, "generator", "AnalyzerReleases.Unshipped.md")), @"^(LSTM\d{3}) \|", RegexOptions.Multiline)
                .Select(match => match.Groups[1].Value)
                .ToList();
            Assert.Equal(LstmGen.Generator.DiagnosticDescriptors.All.Select(d => d.Id).OrderBy(id => id, StringComparer.Ordinal), catalogued.OrderBy(id => id, StringComparer.Ordinal));

            var headings = SectionAnchors().Values.ToHashSet(StringComparer.Ordinal);
            Assert.All(catalogued, id => Assert.Contains(id, headings));
        }

        [Fact]
        public void ReportedDiagnosticsCarryTheLink()
        {
            var (result, _) = GeneratorHarness.Run("[LstmGen.Lstm(InputSize = 2, HiddenSize = 4)] public class Model { }");
            Diagnostic diagnostic = Assert.Single(result.Diagnostics);
            Assert.Equal(DocsUrl + "#lstm001", diagnostic.Descriptor.HelpLinkUri);
        }

        /// <summary>
        /// The IDs whose section of docs/diagnostics.md shows wrong code and its fix (LSTM014 is a generator bug: no code
        /// shows it; LSTM016 to LSTM023 are about a weights file's contents, which code alone cannot show: DiagnosticTests
        /// raises each of them with a file; LSTM024, [Lstm] and [Gru] on one class, is code again).
        /// </summary>
        public static TheoryData<string> IdsWithExamples()
        {
            var ids = new TheoryData<string>();
            foreach (var descriptor in LstmGen.Generator.DiagnosticDescriptors.All.OrderBy(d => d.Id, StringComparer.Ordinal))
            {
                if ((descriptor.Id != "LSTM014" && string.CompareOrdinal(descriptor.Id, "LSTM016") < 0) || string.CompareOrdinal(descriptor.Id, "LSTM023") > 0)
                {
                    ids.Add(descriptor.Id);
                }
            }

            return ids;
        }

        [Theory]
        [MemberData(nameof(IdsWithExamples))]
        public void EachSectionsWrongCodeRaisesItsIdAndItsFixCompilesCleanly(string id)
        {
            List<string> blocks = CSharpBlocks(id);
            Assert.True(blocks.Count == 2, $"The section {id} of docs/diagnostics.md has {blocks.Count} C# blocks; it should have the wrong code, then the fix.");

            var (wrong, _) = GeneratorHarness.Run(Usings + blocks[0]);
            Assert.NotEmpty(wrong.Diagnostics);
            Assert.All(wrong.Diagnostics, diagnostic => Assert.Equal(id, diagnostic.Id));

            var (fixedResult, output) = GeneratorHarness.Run(Usings + blocks[1]);
            Assert.Empty(fixedResult.Diagnostics);
            Assert.NotEmpty(fixedResult.GeneratedSources);
            GeneratorHarness.AssertCompilesCleanly(output);
        }

        private const string Usings = "using System;\nusing LstmGen;\n";

        /// <summary>The ```csharp blocks of the section headed <paramref name="id"/>, in order.</summary>
        private static List<string> CSharpBlocks(string id)
        {
            string text = File.ReadAllText(Path.Combine(Root, "docs", "diagnostics.md")).Replace("\r\n", "\n", StringComparison.Ordinal);
            int start = text.IndexOf("\n## " + id + "\n", StringComparison.Ordinal);
            Assert.True(start >= 0, $"docs/diagnostics.md has no section {id}.");
            int end = text.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
            string section = end < 0 ? text.Substring(start) : text.Substring(start, end - start);
            return Regex.Matches(section, "```csharp\n(.*?)```", RegexOptions.Singleline).Select(match => match.Groups[1].Value).ToList();
        }

        [Theory]
        [InlineData("LSTM001", "lstm001")]
        [InlineData("LSTM005: A size is out of range", "lstm005-a-size-is-out-of-range")]
        [InlineData("The `[Lstm]` class (partial)", "the-lstm-class-partial")]
        public void AnchorsFollowGitHub(string heading, string anchor) => Assert.Equal(anchor, Anchor(heading));

        /// <summary>The anchor of each second-level heading of docs/diagnostics.md, to the heading's text.</summary>
        private static Dictionary<string, string> SectionAnchors() =>
            File.ReadAllLines(Path.Combine(Root, "docs", "diagnostics.md"))
                .Where(line => line.StartsWith("## ", StringComparison.Ordinal))
                .Select(line => line.Substring(3).Trim())
                .ToDictionary(Anchor, heading => heading, StringComparer.Ordinal);

        /// <summary>GitHub's anchor for a heading: lower case, punctuation other than '-' and '_' dropped, spaces to '-'.</summary>
        private static string Anchor(string heading)
        {
            var anchor = new System.Text.StringBuilder();
            foreach (char c in heading.ToLowerInvariant())
            {
                if (char.IsLetterOrDigit(c) || c == '-' || c == '_')
                {
                    anchor.Append(c);
                }
                else if (c == ' ')
                {
                    anchor.Append('-');
                }
            }

            return anchor.ToString();
        }
    }
}
