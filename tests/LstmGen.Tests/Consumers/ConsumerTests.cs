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
        public void OnnxPackageHoldsTheExporterForEachTargetTheReadmeAndBothLicencesAndDependsOnThisLstmGen()
        {
            IReadOnlyList<string> files = _feed.PackageFiles(_feed.OnnxPackage);
            foreach (string expected in new[]
            {
                "lib/netstandard2.1/LstmGen.Onnx.dll", "lib/net8.0/LstmGen.Onnx.dll", "lib/net10.0/LstmGen.Onnx.dll",
                "lib/net10.0/LstmGen.Onnx.xml", "README.md", "LICENSE", "THIRD-PARTY-NOTICES/onnx/LICENSE",
            })
            {
                Assert.Contains(expected, files);
            }

            // Neither the runtime nor the generator inside: they come from the LstmGen package.
            Assert.DoesNotContain(files, file => file.EndsWith("/LstmGen.dll", StringComparison.Ordinal) || file.Contains("Generator", StringComparison.Ordinal));
            string nuspec = System.Text.Encoding.UTF8.GetString(ReadPackageFile(_feed.OnnxPackage, "LstmGen.Onnx.nuspec"));
            Assert.Contains($"<dependency id=\"LstmGen\" version=\"{_feed.Version}\"", nuspec, StringComparison.Ordinal);
            Assert.Contains("<dependency id=\"Google.Protobuf\"", nuspec, StringComparison.Ordinal);
            Assert.Empty(PackageFeed.Warnings(_feed.OnnxPackOutput));
        }

        [Fact]
        public void OnnxConsumerExportsWithThePackageAndOnnxRuntimeGivesTheModelsOutputs()
        {
            string[] lines = BuildAndRun("OnnxConsumer", "net10.0", rollForward: false);

            Assert.Equal(3, lines.Length);
            Assert.Equal("inputs input[-1,-1,5] h0[2,-1,12] c0[2,-1,12]", lines[0]);
            Assert.Equal("outputs output[-1,-1,3] hn[2,-1,12] cn[2,-1,12]", lines[1]);
            Assert.StartsWith("max difference ", lines[2], StringComparison.Ordinal);
            float difference = float.Parse(lines[2]["max difference ".Length..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(difference, 0f, 1e-5f);
        }

        [Fact]
        public void Net10ConsoleUnderLatestAllAnalyzersPrintsTheInRepoResults() =>
            AssertPrintsExpected(BuildAndRun("Net10Console", "net10.0", rollForward: false));

        [Fact]
        public void Net8ConsolePrintsTheInRepoResults() =>
            AssertPrintsExpected(BuildAndRun("Net8Console", "net8.0", rollForward: true));

        /// <summary>
        /// Consumer 3: a netstandard2.1 library compiled with C# 9 (Unity's compiler settings) gets the portable tier, and a
        /// net10.0 host that runs it with the package's netstandard2.1 LstmGen.dll (what a Unity project holds) prints the
        /// bits of the full tier: of the in-repo build on this processor's vector path, and of the Net10Console consumer
        /// with the hardware intrinsics off (its scalar path).
        /// </summary>
        [Fact]
        public void UnityLibraryGetsThePortableTierAndPrintsTheFullTiersScalarAndVectorBits()
        {
            string library = _feed.Consumer("UnityLibrary");
            string[] unity = BuildAndRun("UnityHost", "net10.0", rollForward: false);

            string generated = Directory.GetFiles(Path.Combine(library, "obj"), "Consumer.ConsumerModel.Lstm.g.cs", SearchOption.AllDirectories).Single();
            string source = File.ReadAllText(generated);
            Assert.Contains("the portable tier", source, StringComparison.Ordinal);
            Assert.DoesNotContain("Vector128", source, StringComparison.Ordinal);

            // The compiled-in weights of the AdditionalFiles item, as the portable tier keeps them (no UTF-8 literals in C# 9).
            string weights = Directory.GetFiles(Path.Combine(library, "obj"), "Consumer.CompiledPilot.LstmWeights.g.cs", SearchOption.AllDirectories).Single();
            Assert.Contains("private const string CompiledParameters = @\"", File.ReadAllText(weights), StringComparison.Ordinal);

            // The host runs the netstandard2.1 runtime, as Unity would, not the net10.0 one.
            string host = _feed.Consumer("UnityHost");
            byte[] netStandardRuntime = ReadPackageFile("lib/netstandard2.1/LstmGen.dll");
            Assert.Equal(netStandardRuntime, File.ReadAllBytes(Path.Combine(host, "bin", "Release", "net10.0", "LstmGen.dll")));

            AssertPrintsExpected(unity);
            string[] scalar = RunWithoutIntrinsics("Net10Console");
            Assert.Equal(scalar, unity);
        }

        /// <summary>
        /// Consumer 5: types, namespaces, members and global aliases named as what the generated code uses (Hostile.cs),
        /// built with nullable disabled (the full tier), then with nullable enabled and C# 11 (the portable tier), with
        /// warnings as errors: both print the plain consumer's bits.
        /// </summary>
        [Fact]
        public void HostileConsumerPrintsThePlainBitsOnBothTiersWithNullableOffAndOn()
        {
            string[] full = BuildAndRun("Hostile", "net10.0", rollForward: false, "-p:Nullable=disable");
            Assert.Contains("Vector512", GeneratedSource("Hostile"), StringComparison.Ordinal);
            AssertPrintsExpected(full);

            string[] portable = BuildAndRun("Hostile", "net10.0", rollForward: false, "-p:Nullable=enable", "-p:LangVersion=11", "--no-incremental");
            Assert.Contains("the portable tier", GeneratedSource("Hostile"), StringComparison.Ordinal);
            AssertPrintsExpected(portable);
        }

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

        /// <summary>Builds the consumer (no warning allowed), with <paramref name="buildArguments"/>, runs it, and returns its lines.</summary>
        private string[] BuildAndRun(string name, string framework, bool rollForward, params string[] buildArguments)
        {
            string project = _feed.Consumer(name);
            string output = PackageFeed.Dotnet(project, BuildTimeout, new[] { "build", "-c", "Release", "-nodeReuse:false", $"-p:LstmGenVersion={_feed.Version}" }.Concat(buildArguments).ToArray());
            Assert.True(PackageFeed.Warnings(output).Count == 0, $"{name} warned:\n" + string.Join('\n', PackageFeed.Warnings(output)));

            // Only a newer runtime may be installed (a net8.0 program then runs on it, as Godot's would with roll-forward).
            var environment = rollForward ? new Dictionary<string, string?> { ["DOTNET_ROLL_FORWARD"] = "Major" } : null;
            string program = Path.Combine(project, "bin", "Release", framework, name + ".dll");
            return Lines(PackageFeed.Run(Support.ChildProcess.DotnetHost(), project, RunTimeout, environment, program, project));
        }

        /// <summary>Builds the consumer (a no-op if an earlier test did) and runs it with the hardware intrinsics off: the scalar path.</summary>
        private string[] RunWithoutIntrinsics(string name)
        {
            string project = _feed.Consumer(name);
            PackageFeed.Dotnet(project, BuildTimeout, "build", "-c", "Release", "-nodeReuse:false", $"-p:LstmGenVersion={_feed.Version}");
            string program = Path.Combine(project, "bin", "Release", "net10.0", name + ".dll");
            var environment = new Dictionary<string, string?> { ["DOTNET_EnableHWIntrinsic"] = "0" };
            return Lines(PackageFeed.Run(Support.ChildProcess.DotnetHost(), project, RunTimeout, environment, program, project));
        }

        /// <summary>The model's source as the compiler generated it into the consumer's obj folder.</summary>
        private string GeneratedSource(string name) =>
            File.ReadAllText(Directory.GetFiles(Path.Combine(_feed.Consumer(name), "obj"), "Consumer.ConsumerModel.Lstm.g.cs", SearchOption.AllDirectories).Single());

        private byte[] ReadPackageFile(string path) => ReadPackageFile(_feed.Package, path);

        private static byte[] ReadPackageFile(string package, string path)
        {
            using System.IO.Compression.ZipArchive archive = System.IO.Compression.ZipFile.OpenRead(package);
            using Stream stream = archive.GetEntry(path)!.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
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
