using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Xunit;

namespace LstmGen.Tests.Consumers
{
    /// <summary>
    /// Projects that take LstmGen from the packed package, by version, as users do (templates in tests/Consumers):
    /// each builds without a warning, runs, and prints what <c>Consumer.ConsumerRun</c> prints here, against the
    /// in-repo runtime and generator, bit for bit.
    /// </summary>
    [Collection(PackageFeedCollection.Name)]
    public sealed class ConsumerTests
    {
        private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(6);
        private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(1);

        private readonly PackageFeed _feed;

        public ConsumerTests(PackageFeed feed) => _feed = feed;

        [Fact]
        public void PackageHoldsTheRuntimeForEachTargetTheGeneratorTheReadmeAndTheLicence()
        {
            IReadOnlyList<string> files = _feed.PackageFiles();
            foreach (string expected in new[]
            {
                "lib/netstandard2.1/LstmGen.dll", "lib/net8.0/LstmGen.dll", "lib/net10.0/LstmGen.dll",
                "lib/netstandard2.1/LstmGen.xml", "analyzers/dotnet/roslyn4.3/cs/LstmGen.Generator.dll", "README.md", "LICENSE",
            })
            {
                Assert.Contains(expected, files);
            }

            // The generator only as an analyzer: not a library a project would reference.
            Assert.DoesNotContain(files, file => file.StartsWith("lib/", StringComparison.Ordinal) && file.Contains("Generator", StringComparison.Ordinal));
            Assert.True(File.Exists(_feed.SymbolPackage), $"No symbol package {_feed.SymbolPackage}.");
            Assert.Empty(PackageFeed.Warnings(_feed.PackOutput));
        }

        [Fact]
        public void Net10ConsoleUnderLatestAllAnalyzersPrintsTheInRepoResults() =>
            AssertPrintsExpected(BuildAndRun("Net10Console", "net10.0", rollForward: false));

        [Fact]
        public void Net8ConsolePrintsTheInRepoResults() =>
            AssertPrintsExpected(BuildAndRun("Net8Console", "net8.0", rollForward: true));

        [NativeAotFact]
        public void NativeAotPublishHasNoWarningAndPrintsTheJitResults()
        {
            string project = _feed.Consumer("NativeAot");
            string output = PackageFeed.Dotnet(project, BuildTimeout, "publish", "-c", "Release", "-nodeReuse:false", $"-p:LstmGenVersion={_feed.Version}");
            Assert.True(PackageFeed.Warnings(output).Count == 0, "The NativeAOT publish warned:\n" + string.Join('\n', PackageFeed.Warnings(output)));

            string native = Path.Combine(project, "bin", "Release", "net10.0", "linux-x64", "publish", "NativeAot");
            Assert.True(File.Exists(native), $"No native executable at {native}.");
            string[] aot = Lines(PackageFeed.Run(native, project, RunTimeout, null, project));

            // The same project run by the JIT (its build output, before publishing), and the in-repo model.
            string jitProgram = Path.Combine(project, "bin", "Release", "net10.0", "linux-x64", "NativeAot.dll");
            string[] jit = Lines(PackageFeed.Dotnet(project, RunTimeout, jitProgram, project));
            Assert.Equal(jit, aot);
            AssertPrintsExpected(aot);
        }

        /// <summary>Builds the consumer (no warning allowed), runs it, and returns its lines.</summary>
        private string[] BuildAndRun(string name, string framework, bool rollForward)
        {
            string project = _feed.Consumer(name);
            string output = PackageFeed.Dotnet(project, BuildTimeout, "build", "-c", "Release", "-nodeReuse:false", $"-p:LstmGenVersion={_feed.Version}");
            Assert.True(PackageFeed.Warnings(output).Count == 0, $"{name} warned:\n" + string.Join('\n', PackageFeed.Warnings(output)));

            // Only a newer runtime may be installed (a net8.0 program then runs on it, as Godot's would with roll-forward).
            var environment = rollForward ? new Dictionary<string, string?> { ["DOTNET_ROLL_FORWARD"] = "Major" } : null;
            string program = Path.Combine(project, "bin", "Release", framework, name + ".dll");
            return Lines(PackageFeed.Run(Support.ChildProcess.DotnetHost(), project, RunTimeout, environment, program, project));
        }

        private static void AssertPrintsExpected(string[] lines)
        {
            string directory = Path.Combine(Path.GetTempPath(), "lstmgen-consumer-expected-" + Guid.NewGuid().ToString("N")[..12]);
            Directory.CreateDirectory(directory);
            try
            {
                string[] expected = Consumer.ConsumerRun.Lines(directory).ToArray();
                Assert.Equal(expected, lines);
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        private static string[] Lines(string output) =>
            output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
