using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;
using Xunit;

namespace LstmGen.Tests.Generator
{
    /// <summary>
    /// Snapshot files in Verify's convention: <c>Name.verified.cs</c> is committed beside the tests;
    /// on a mismatch <c>Name.received.cs</c> is written and the test fails with a diff. Set
    /// <see cref="AcceptVariable"/>=1 to accept every received file as the new verified one.
    /// </summary>
    internal static class Snapshot
    {
        public const string AcceptVariable = "LSTMGEN_ACCEPT_SNAPSHOTS";

        private const int ContextLines = 3;

        public static void Verify(string actual, string name)
        {
            string directory = Path.Combine(ProjectDirectory, "Snapshots");
            string verifiedPath = Path.Combine(directory, name + ".verified.cs");
            string receivedPath = Path.Combine(directory, name + ".received.cs");
            actual = Normalize(actual);
            string? verified = File.Exists(verifiedPath) ? Normalize(File.ReadAllText(verifiedPath)) : null;

            if (verified == actual)
            {
                File.Delete(receivedPath);
                return;
            }

            if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
            {
                Directory.CreateDirectory(directory);
                File.WriteAllText(verifiedPath, actual);
                File.Delete(receivedPath);
                return;
            }

            Directory.CreateDirectory(directory);
            File.WriteAllText(receivedPath, actual);
            string message = verified is null
                ? $"New snapshot {name}: review {receivedPath}, then accept it with {AcceptVariable}=1."
                : $"Snapshot {name} differs from {verifiedPath} (- verified, + received); {receivedPath} holds the new text. "
                  + $"If the change is intended, accept it with {AcceptVariable}=1.\n{Diff(verified, actual)}";
            Assert.Fail(message);
        }

        /// <summary>
        /// Line endings, a byte-order mark, and the generator's version in <c>[GeneratedCode]</c> (the package's,
        /// from Directory.Build.props) written as <see cref="VersionPlaceholder"/>, so a release changes no snapshot.
        /// </summary>
        private static string Normalize(string text) => text
            .Replace("\r\n", "\n", StringComparison.Ordinal)
            .TrimStart('\uFEFF')
            .Replace($"(\"LstmGen.Generator\", \"{GeneratorVersion}\")", $"(\"LstmGen.Generator\", \"{VersionPlaceholder}\")", StringComparison.Ordinal);

        /// <summary>The test project's folder (<see cref="Support.TestProject.Directory"/>).</summary>
        private static readonly string ProjectDirectory = Support.TestProject.Directory;

        private const string VersionPlaceholder = "{version}";

        private static readonly string GeneratorVersion = typeof(LstmGen.Generator.LstmGenerator).Assembly.GetName().Version!.ToString();

        /// <summary>A unified-style diff of the changed lines with a few lines of context.</summary>
        private static string Diff(string verified, string received)
        {
            var lines = InlineDiffBuilder.Diff(verified, received, ignoreWhiteSpace: false).Lines;
            var keep = new bool[lines.Count];
            for (int i = 0; i < lines.Count; i++)
            {
                if (lines[i].Type != ChangeType.Unchanged)
                {
                    for (int j = Math.Max(0, i - ContextLines); j <= Math.Min(lines.Count - 1, i + ContextLines); j++)
                    {
                        keep[j] = true;
                    }
                }
            }

            var builder = new StringBuilder();
            for (int i = 0; i < lines.Count; i++)
            {
                if (!keep[i])
                {
                    if (i > 0 && keep[i - 1])
                    {
                        builder.AppendLine("  ...");
                    }

                    continue;
                }

                string prefix = lines[i].Type switch
                {
                    ChangeType.Inserted => "+ ",
                    ChangeType.Deleted => "- ",
                    _ => "  ",
                };
                builder.Append(prefix).Append(lines[i].Position?.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(5) ?? "     ").Append(' ').AppendLine(lines[i].Text);
            }

            return builder.ToString();
        }
    }
}
