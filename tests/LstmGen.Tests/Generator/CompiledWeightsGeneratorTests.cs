using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using LstmGen.Generator;
using LstmGen.Generator.Weights;
using LstmGen.Tests.Serialization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;
using Xunit.Abstractions;

namespace LstmGen.Tests.Generator
{
    /// <summary>[Lstm(Weights = ...)] through the generator: the pipeline's caching, large files, the portable tier, the registry.</summary>
    public sealed class CompiledWeightsGeneratorTests
    {
        private const string ModelSource = """
            namespace App
            {
                [LstmGen.Lstm(InputSize = 3, HiddenSize = 4, OutputSize = 2, Weights = "models/pilot.safetensors")]
                public partial class Pilot { }
            }
            """;

        private const string OtherSource = "namespace App { public static class Helper { public static int Twice(int x) => 2 * x; } }";

        private readonly ITestOutputHelper _output;

        public CompiledWeightsGeneratorTests(ITestOutputHelper output) => _output = output;

        private static string TinyFixture(string name = "tiny_f32") => Path.Combine(AppContext.BaseDirectory, "Fixtures", name + ".safetensors");

        private static IncrementalStepRunReason[] Reasons(GeneratorRunResult result, string step) =>
            result.TrackedSteps[step].SelectMany(run => run.Outputs).Select(output => output.Reason).ToArray();

        [Fact]
        public void AnUnrelatedEditDoesNotReadTheFileAgainAndAnEditOfTheFileRegenerates()
        {
            using var folder = new WeightsFolder();
            string path = folder.Write("models/pilot.safetensors", File.ReadAllBytes(TinyFixture()));
            CSharpCompilation compilation = GeneratorHarness.CreateCompilation(ModelSource, OtherSource);
            var text = new BinaryAdditionalText(path);
            GeneratorDriver driver = WeightsHarness.CreateDriver(null, text).RunGenerators(compilation);
            GeneratorRunResult first = driver.GetRunResult().Results.Single();
            Assert.Empty(first.Diagnostics);
            Assert.Equal(new[] { IncrementalStepRunReason.New }, Reasons(first, LstmGenerator.Steps.WeightFile));
            string firstWeights = first.GeneratedSources.Single(s => s.HintName == "App.Pilot.LstmWeights.g.cs").SourceText.ToString();

            // An edit elsewhere: the file is not read again, and nothing is generated again.
            SyntaxTree other = compilation.SyntaxTrees.Single(tree => tree.FilePath == "Source1.cs");
            CSharpCompilation edited = compilation.ReplaceSyntaxTree(other, CSharpSyntaxTree.ParseText(OtherSource.Replace("2 * x", "x + x", StringComparison.Ordinal), GeneratorHarness.ParseOptions, "Source1.cs"));
            driver = driver.RunGenerators(edited);
            GeneratorRunResult second = driver.GetRunResult().Results.Single();
            Assert.All(Reasons(second, LstmGenerator.Steps.WeightFile), reason => Assert.Equal(IncrementalStepRunReason.Cached, reason));
            Assert.All(Reasons(second, LstmGenerator.Steps.Plan), reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, reason.ToString()));

            // The file edited (the compiler hands over a new AdditionalText): read again, the weights regenerated.
            File.WriteAllBytes(path, File.ReadAllBytes(TinyFixture("tiny_f16")));
            driver = driver.ReplaceAdditionalText(text, new BinaryAdditionalText(path)).RunGenerators(edited);
            GeneratorRunResult third = driver.GetRunResult().Results.Single();
            Assert.Equal(new[] { IncrementalStepRunReason.Modified }, Reasons(third, LstmGenerator.Steps.WeightFile));
            Assert.Contains(IncrementalStepRunReason.Modified, Reasons(third, LstmGenerator.Steps.Plan));
            string thirdWeights = third.GeneratedSources.Single(s => s.HintName == "App.Pilot.LstmWeights.g.cs").SourceText.ToString();
            Assert.NotEqual(firstWeights, thirdWeights);
        }

        [Fact]
        public void AHidden256FileOfAboutAMegabyteCompilesInAndGivesTheLoadedWeights()
        {
            // 4 x 256 x (32 + 256 + 2) + 4 x 256 + 4 = 298,020 parameters: 1,192,080 bytes of F32.
            using var folder = new WeightsFolder();
            byte[] file = WeightsHarness.SavedModel(inputSize: 32, hiddenSize: 256, layers: 1, outputSize: 4, seed: 11);
            string path = folder.Write("models/pilot.safetensors", file);
            const string source = "[LstmGen.Lstm(InputSize = 32, HiddenSize = 256, OutputSize = 4, Weights = \"models/pilot.safetensors\")] public partial class Big { }";

            var clock = Stopwatch.StartNew();
            var (result, output) = WeightsHarness.Run(source, path);
            TimeSpan generate = clock.Elapsed;
            Assert.Empty(result.Diagnostics);
            clock.Restart();
            Assembly assembly = GeneratorHarness.Load(output);
            TimeSpan compile = clock.Elapsed;

            // Timings are printed, never asserted (the machine is shared).
            _output.WriteLine($"File {file.Length:N0} bytes; generator {generate.TotalSeconds:0.00} s; emitting the assembly {compile.TotalSeconds:0.00} s.");

            Type big = assembly.GetType("Big")!;
            var compiled = (ILstmModel)Activator.CreateInstance(big)!;
            var loaded = (ILstmModel)Activator.CreateInstance(big, 1)!;
            LstmGen.Serialization.WeightFile.Load(loaded, path);
            Assert.Equal(ModelAssert.Bits(loaded.Parameters), ModelAssert.Bits(compiled.Parameters));
        }

        [Fact]
        public void AFileWithProjectionsSizesTheModelAndIsRefusedByAModelWithout()
        {
            // lstm.weight_hr_l{k} [3, 7]: ProjectionSize 3 and HiddenSize 7 from the file, W_hh [28, 3].
            using var folder = new WeightsFolder();
            string path = folder.Write("models/projected.safetensors", WeightsHarness.SavedModel(inputSize: 4, hiddenSize: 7, layers: 2, outputSize: 2, seed: 12, projectionSize: 3));
            var (result, output) = WeightsHarness.Run("[LstmGen.Lstm(Weights = \"models/projected.safetensors\")] public partial class Projected { }", path);
            Assert.Empty(result.Diagnostics);
            GeneratorHarness.AssertCompilesCleanly(output);
            Assert.Contains("public const int ProjectionSize = 3;", GeneratorHarness.ModelSource(result), StringComparison.Ordinal);
            Assert.Contains("public const int HiddenSize = 7;", GeneratorHarness.ModelSource(result), StringComparison.Ordinal);
            Type projected = GeneratorHarness.Load(output).GetType("Projected")!;
            var compiled = (ILstmModel)Activator.CreateInstance(projected)!;
            var loaded = (ILstmModel)Activator.CreateInstance(projected, 1)!;
            LstmGen.Serialization.WeightFile.Load(loaded, path);
            Assert.Equal(ModelAssert.Bits(loaded.Parameters), ModelAssert.Bits(compiled.Parameters));

            // The sizes given without ProjectionSize: the file's weight_hr_l0 is unexpected, and weight_hh_l0 has the wrong shape.
            var (plain, _) = WeightsHarness.Run("[LstmGen.Lstm(InputSize = 4, HiddenSize = 7, Layers = 2, OutputSize = 2, Weights = \"models/projected.safetensors\")] public partial class Plain { }", path);
            Assert.Contains(plain.Diagnostics, diagnostic => diagnostic.Id == "LSTM019" && diagnostic.GetMessage().Contains("'lstm.weight_hr_l0'", StringComparison.Ordinal));
            Assert.Contains(plain.Diagnostics, diagnostic => diagnostic.Id == "LSTM017" && diagnostic.GetMessage().Contains("'lstm.weight_hh_l0'", StringComparison.Ordinal));

            // A file without projections where the attribute asks for them: the missing weight_hr_l0 is named.
            string without = folder.Write("models/plain.safetensors", WeightsHarness.SavedModel(inputSize: 4, hiddenSize: 7, layers: 2, outputSize: 2, seed: 12));
            var (missing, _) = WeightsHarness.Run("[LstmGen.Lstm(InputSize = 4, HiddenSize = 7, Layers = 2, OutputSize = 2, ProjectionSize = 3, Weights = \"models/plain.safetensors\")] public partial class Asks { }", without);
            Assert.Contains(missing.Diagnostics, diagnostic => diagnostic.Id == "LSTM018" && diagnostic.GetMessage().Contains("'lstm.weight_hr_l0'", StringComparison.Ordinal));

            // A projection the file gives, with bfloat16 weights (LSTM028 refused it before the copy held W_hr): generated.
            var (bfloat16, _) = WeightsHarness.Run("[LstmGen.Lstm(Weights = \"models/projected.safetensors\", WeightPrecision = LstmGen.WeightPrecision.BFloat16)] public partial class Narrow { }", path);
            Assert.Empty(bfloat16.Diagnostics);
        }

        [Fact]
        public void ThePortableTierCompilesTheWeightsInAsWell()
        {
            using var folder = new WeightsFolder();
            string path = folder.Write("models/pilot.safetensors", File.ReadAllBytes(TinyFixture("tiny_bf16")));
            var (result, output) = WeightsHarness.Run(GeneratorHarness.CreateCompilation(LanguageVersion.CSharp9, ModelSource), path);
            Assert.Empty(result.Diagnostics);
            Assert.Contains("the portable tier", GeneratorHarness.ModelSource(result), StringComparison.Ordinal);
            GeneratorHarness.AssertCompilesCleanly(output);
            Type pilot = GeneratorHarness.Load(output).GetType("App.Pilot")!;
            var loaded = (ILstmModel)Activator.CreateInstance(pilot, 1)!;
            LstmGen.Serialization.WeightFile.Load(loaded, TinyFixture("tiny_bf16"));
            Assert.Equal(ModelAssert.Bits(loaded.Parameters), ModelAssert.Bits(((ILstmModel)Activator.CreateInstance(pilot)!).Parameters));
        }

        [Fact]
        public void TheWeightsFileIsConstantDataBehindASpan()
        {
            using var folder = new WeightsFolder();
            string path = folder.Write("models/pilot.safetensors", File.ReadAllBytes(TinyFixture()));
            var (result, output) = WeightsHarness.Run(ModelSource, path);
            GeneratorHarness.AssertCompilesCleanly(output);
            string weights = result.GeneratedSources.Single(s => s.HintName == "App.Pilot.LstmWeights.g.cs").SourceText.ToString();
            Snapshot.Verify(weights, "TinyWeights");
            Assert.Contains("global::LstmGen.CompilerServices.CompiledWeights.CopyFromBase64(CompiledParameters, Parameters);", GeneratorHarness.ModelSource(result), StringComparison.Ordinal);
        }

        [Fact]
        public void TheRegistryLoadsAFileIntoTheModelItFits()
        {
            const string source = """
                namespace App
                {
                    [LstmGen.Lstm(InputSize = 3, HiddenSize = 4, OutputSize = 2)] public partial class Tiny { }
                    [LstmGen.Lstm(InputSize = 6, HiddenSize = 16)] internal partial class NoHead { }
                    public partial class Outer { [LstmGen.Lstm(InputSize = 2, HiddenSize = 2)] private partial class Hidden { } }
                }
                """;
            var (result, output) = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(source).WithAssemblyName("My-Game.AI"));
            Assert.Empty(result.Diagnostics);
            GeneratorHarness.AssertCompilesCleanly(output);
            string registry = result.GeneratedSources.Single(s => s.HintName == "LstmModels.g.cs").SourceText.ToString();
            Assert.Contains("namespace My_Game.AI", registry, StringComparison.Ordinal);
            Assert.DoesNotContain("Hidden", registry, StringComparison.Ordinal);

            Type models = GeneratorHarness.Load(output).GetType("My_Game.AI.LstmModels")!;
            MethodInfo load = models.GetMethod("Load", new[] { typeof(string), typeof(LstmGen.Serialization.WeightLoadOptions) })!;
            var model = (ILstmModel)load.Invoke(null, new object?[] { TinyFixture("tiny_f16"), null })!;
            Assert.Equal("App.Tiny", model.GetType().FullName);
            var expected = (ILstmModel)Activator.CreateInstance(model.GetType(), 1)!;
            LstmGen.Serialization.WeightFile.Load(expected, TinyFixture("tiny_f16"));
            ModelAssert.SameWeights(expected, model);
        }

        [Theory]
        [InlineData("Game", "public class Game { }", "LstmGen.Generated.Game")]
        [InlineData("Game.AI", "namespace Game { public class AI { } }", "LstmGen.Generated.Game.AI")]
        [InlineData("Game.AI", "namespace Game.AI { public class Game { } }", "Game.AI")]
        [InlineData("2d-game", "", "_2d_game")]
        [InlineData("class", "", "@class")]
        public void TheRegistrysNamespaceIsTheAssemblysUnlessATypeHasItsName(string assembly, string code, string expected)
        {
            string source = code + "\n[LstmGen.Lstm(InputSize = 3, HiddenSize = 4)] public partial class Model { }";
            var (result, output) = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(source).WithAssemblyName(assembly));
            Assert.Empty(result.Diagnostics);
            GeneratorHarness.AssertCompilesCleanly(output);
            Assert.Contains("namespace " + expected + "\n", result.GeneratedSources.Single(s => s.HintName == "LstmModels.g.cs").SourceText.ToString(), StringComparison.Ordinal);
        }

        [Theory]
        [InlineData("models/pilot.safetensors", "/p/", "/p/models/pilot.safetensors")]
        [InlineData("models\\pilot.safetensors", "/p", "/p/models/pilot.safetensors")]
        [InlineData("./models/../models/pilot.safetensors", "/p/", "/p/models/pilot.safetensors")]
        [InlineData("models/pilot.safetensors", null, "/p/models/pilot.safetensors,/p/sub/models/pilot.safetensors")]
        [InlineData("sub/models/pilot.safetensors", "/p/", "/p/sub/models/pilot.safetensors")]
        [InlineData("pilot.safetensors", "/p/", "/p/models/pilot.safetensors,/p/sub/models/pilot.safetensors,/p/xmodels/pilot.safetensors")]
        [InlineData("ilot.safetensors", "/p/", "")]
        [InlineData("", "/p/", "")]
        public void AWeightsPathNamesTheFileFromTheProjectFolderElseByItsEnd(string weights, string? projectDirectory, string expected)
        {
            string[] files = { "/p/models/pilot.safetensors", "/p/sub/models/pilot.safetensors", "/p/xmodels/pilot.safetensors" };
            Assert.Equal(expected, string.Join(",", WeightFileSource.Find(files, file => file, weights, projectDirectory)));
        }

        [Fact]
        public void HalfsConvertAsTheRuntimeConvertsThem()
        {
            for (int bits = 0; bits <= ushort.MaxValue; bits++)
            {
                float expected = (float)BitConverter.UInt16BitsToHalf((ushort)bits);
                Assert.Equal(BitConverter.SingleToInt32Bits(expected), WeightPacker.HalfToSingleBits(bits));
            }
        }
    }
}
