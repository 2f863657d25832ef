using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace LstmGen.Tests.Generator
{
    /// <summary>
    /// The portable tier (Unity: C# 9, .NET Standard 2.1, no System.Runtime.Intrinsics): the generator picks it from the
    /// compilation, its code compiles there without a warning, and it computes the full tier's bits.
    /// </summary>
    public sealed class PortableTierTests
    {
        private const string Shape = "[Lstm(InputSize = 5, HiddenSize = 20, Layers = 2, OutputSize = 3)]";

        private static string Model(string attribute, string name = "Model") => $$"""
            using LstmGen;

            namespace Portable
            {
                {{attribute}}
                public partial class {{name}}
                {
                }
            }
            """;

        /// <summary>The .NET Standard 2.1 reference assemblies (NETStandard.Library.Ref) and the runtime's netstandard2.1 build.</summary>
        private static readonly Lazy<ImmutableArray<MetadataReference>> s_netStandardReferences = new(() =>
        {
            string directory = typeof(PortableTierTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .Single(attribute => attribute.Key == "NetStandardReferences").Value!;
            Assert.True(File.Exists(Path.Combine(directory, "netstandard.dll")), $"No netstandard.dll in {directory}.");
            string runtime = Path.Combine(Path.GetDirectoryName(Portable.PortableRuntimeTests.RunnerPath())!, "LstmGen.dll");
            Assert.True(File.Exists(runtime), $"No netstandard2.1 LstmGen.dll at {runtime}: the test project builds LstmGen.PortableRunner.");
            return Directory.GetFiles(directory, "*.dll")
                .Append(runtime)
                .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
                .ToImmutableArray();
        });

        /// <summary>A compilation as Unity makes it: C# 9 against .NET Standard 2.1 and the netstandard2.1 LstmGen.dll.</summary>
        private static CSharpCompilation UnityCompilation(NullableContextOptions nullable, params string[] sources) => CSharpCompilation.Create(
            "UnityAssembly",
            sources.Select((source, index) => CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.CSharp9), path: $"Source{index}.cs")),
            s_netStandardReferences.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: nullable, warningLevel: 9999));

        private static (string Source, Compilation Output) Generate(CSharpCompilation compilation)
        {
            var (result, output) = GeneratorHarness.Run(compilation);
            Assert.Empty(result.Diagnostics);
            GeneratorHarness.AssertCompilesCleanly(output);
            return (GeneratorHarness.ModelSource(result), output);
        }

        [Theory]
        [InlineData("PortableTiny", "[Lstm(InputSize = 3, HiddenSize = 4, OutputSize = 2)]")]
        [InlineData("PortableStacked", "[Lstm(InputSize = 8, HiddenSize = 32, Layers = 2, OutputSize = 4, OutputActivation = Activation.Softmax, Loss = LossFunction.CrossEntropy)]")]
        [InlineData("PortableBFloat16", "[Lstm(InputSize = 3, HiddenSize = 4, OutputSize = 2, WeightPrecision = WeightPrecision.BFloat16)]")]
        [InlineData("PortableGru", "[Gru(InputSize = 3, HiddenSize = 5, Layers = 2, OutputSize = 2)]")]
        [InlineData("PortableBidirectional", "[Lstm(InputSize = 3, HiddenSize = 4, Layers = 2, OutputSize = 2, Dropout = 0.5, Bidirectional = true)]")]
        public void UnityCompilationGetsThePortableTierWithoutAWarning(string name, string attribute)
        {
            foreach (NullableContextOptions nullable in new[] { NullableContextOptions.Enable, NullableContextOptions.Disable })
            {
                var (source, output) = Generate(UnityCompilation(nullable, Model(attribute, name + "Model")));
                Assert.Contains("the scalar path only (the portable tier", source, StringComparison.Ordinal);
                // Compiling against .NET Standard 2.1 proves most of this; the rest (nuint, scoped) would compile in C# 9 too.
                foreach (string missing in new[]
                {
                    "global::System.Runtime.Intrinsics", "global::System.Runtime.CompilerServices.InlineArray", "global::System.Diagnostics.CodeAnalysis.UnscopedRef",
                    "global::System.Runtime.CompilerServices.Unsafe", "MemoryMarshal.GetArrayDataReference", "UIntPtr", "nuint", "scoped ",
                })
                {
                    Assert.DoesNotContain(missing, source, StringComparison.Ordinal);
                }

                // It also emits (a binary, as Unity would build it).
                using var stream = new MemoryStream();
                Microsoft.CodeAnalysis.Emit.EmitResult emitted = output.Emit(stream);
                Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
                if (nullable == NullableContextOptions.Enable)
                {
                    Snapshot.Verify(source, name);
                }
            }
        }

        [Theory]
        [InlineData(LanguageVersion.CSharp9, "portable")]
        [InlineData(LanguageVersion.CSharp11, "portable")]
        [InlineData(LanguageVersion.CSharp12, "full")]
        [InlineData(LanguageVersion.Latest, "full")]
        [InlineData(LanguageVersion.Preview, "full")]
        public void TierFollowsTheLanguageVersionOnNet10(LanguageVersion version, string tier)
        {
            var (source, _) = Generate(GeneratorHarness.CreateCompilation(version, Model(Shape)));
            Assert.Equal(tier == "portable", source.Contains("the portable tier", StringComparison.Ordinal));
            Assert.Equal(tier == "full", source.Contains("Vector512", StringComparison.Ordinal));
        }

        [Fact]
        public void TierFollowsTheReferencedTypes()
        {
            // C# 12 (a newer compiler in Unity, or LangVersion set by hand), but .NET Standard 2.1: no Vector512, no InlineArray.
            CSharpCompilation compilation = UnityCompilation(NullableContextOptions.Enable, Model(Shape));
            var options = new CSharpParseOptions(LanguageVersion.CSharp12);
            compilation = compilation.RemoveAllSyntaxTrees().AddSyntaxTrees(compilation.SyntaxTrees.Select(tree => tree.WithRootAndOptions(tree.GetRoot(), options)));
            var (source, _) = Generate(compilation);
            Assert.Contains("the portable tier", source, StringComparison.Ordinal);
        }

        public static TheoryData<string> Shapes() => new()
        {
            Shape,
            "[Lstm(InputSize = 3, HiddenSize = 4, OutputSize = 2)]",
            "[Lstm(InputSize = 6, HiddenSize = 16)]",
            "[Lstm(InputSize = 40, HiddenSize = 33, Layers = 3, OutputSize = 2, OutputActivation = Activation.Sigmoid)]",
            "[Lstm(InputSize = 12, HiddenSize = 24, OutputSize = 6, OutputActivation = Activation.Softmax, Loss = LossFunction.CrossEntropy)]",
            "[Lstm(InputSize = 6, HiddenSize = 5, OutputSize = 1, OutputActivation = Activation.Tanh)]",
            "[Lstm(InputSize = 8, HiddenSize = 32, Layers = 2, OutputSize = 4, WeightPrecision = WeightPrecision.BFloat16)]",
            "[Lstm(InputSize = 40, HiddenSize = 33, Layers = 3, OutputSize = 2, OutputActivation = Activation.Sigmoid, WeightPrecision = WeightPrecision.BFloat16)]",
            "[Gru(InputSize = 3, HiddenSize = 5, Layers = 2, OutputSize = 2)]",
            "[Gru(InputSize = 40, HiddenSize = 33, Layers = 3, OutputSize = 2, OutputActivation = Activation.Sigmoid)]",
            "[Gru(InputSize = 12, HiddenSize = 24, OutputSize = 6, OutputActivation = Activation.Softmax, Loss = LossFunction.CrossEntropy)]",
            "[Lstm(InputSize = 5, HiddenSize = 21, Layers = 2, OutputSize = 3, ProjectionSize = 7)]",
            "[Lstm(InputSize = 3, HiddenSize = 9, Layers = 2, ProjectionSize = 4, Dropout = 0.25)]",
            "[Lstm(InputSize = 5, HiddenSize = 21, Layers = 2, OutputSize = 3, ProjectionSize = 7, WeightPrecision = WeightPrecision.BFloat16)]",
        };

        /// <summary>
        /// The same model, generated for each tier and run here (the full tier on this processor's widest vector path):
        /// every step, Forward, group step, gradient and SGD step has the same bits.
        /// </summary>
        [Theory]
        [MemberData(nameof(Shapes))]
        public void PortableTierComputesTheFullTiersBits(string attribute)
        {
            var (fullSource, full) = Generate(GeneratorHarness.CreateCompilation(LanguageVersion.Latest, Model(attribute), ModelDriver.Source("global::Portable.Model")));
            var (portableSource, portable) = Generate(GeneratorHarness.CreateCompilation(LanguageVersion.CSharp9, Model(attribute), ModelDriver.Source("global::Portable.Model")));
            Assert.Contains("Vector128", fullSource, StringComparison.Ordinal);
            Assert.DoesNotContain("Vector128", portableSource, StringComparison.Ordinal);

            float[][] expected = ModelDriver.Run(full, seed: 11, steps: 7, agents: 19, stride: 1);
            float[][] actual = ModelDriver.Run(portable, seed: 11, steps: 7, agents: 19, stride: 1);
            ModelDriver.AssertSameBits(expected, actual, "the full and the portable tier");
        }

        /// <summary>
        /// A bidirectional model, generated for each tier and run here: Forward, both AccumulateGradients (with dropout) and
        /// their gradients have the same bits. (It has no step, which ModelDriver drives.)
        /// </summary>
        [Theory]
        [InlineData("[Lstm(InputSize = 3, HiddenSize = 20, Layers = 2, OutputSize = 2, Dropout = 0.5, Bidirectional = true)]")]
        [InlineData("[Gru(InputSize = 40, HiddenSize = 17, Layers = 3, Bidirectional = true)]")]
        [InlineData("[Lstm(InputSize = 5, HiddenSize = 21, ProjectionSize = 6, Layers = 2, OutputSize = 3, Dropout = 0.5, Bidirectional = true)]")]
        public void PortableTierComputesTheFullTiersBitsForABidirectionalModel(string attribute)
        {
            // Forward with the final states (h_n, c_n), which a member of the test's own calls (reflection cannot pass spans).
            const string finalStates = """
                namespace Portable
                {
                    public partial class Model
                    {
                        public float[] ForwardWithFinalStates(float[] inputs, int outputLength, int hiddenLength, int cellLength)
                        {
                            float[] outputs = new float[outputLength];
                            float[] hidden = new float[hiddenLength];
                            float[] cell = new float[cellLength];
                            Forward(inputs, outputs, hidden, cell);
                            return System.Linq.Enumerable.ToArray(System.Linq.Enumerable.Concat(System.Linq.Enumerable.Concat(outputs, hidden), cell));
                        }
                    }
                }
                """;
            float[][] Run(LanguageVersion version)
            {
                var (_, output) = Generate(GeneratorHarness.CreateCompilation(version, Model(attribute), finalStates));
                var model = (ISequenceModel)Activator.CreateInstance(GeneratorHarness.Load(output).GetType("Portable.Model")!, 11)!;
                if (model is LstmGen.Training.IDropoutModel dropout)
                {
                    dropout.DropoutSeed = 5;
                }

                const int steps = 37;
                float[] inputs = Enumerable.Range(0, steps * model.InputSize).Select(i => MathF.Sin(0.37f * i)).ToArray();
                float[] outputs = new float[steps * model.OutputSize];
                float[] targets = Enumerable.Range(0, outputs.Length).Select(i => MathF.Cos(0.11f * i)).ToArray();
                float[] inputGradients = new float[inputs.Length];
                // The hidden states are ProjectionSize wide with projections.
                int width = (int?)model.GetType().GetField("ProjectionSize")?.GetValue(null) ?? model.HiddenSize;
                float[] hiddenGradients = new float[2 * model.Layers * width];
                float[] cellGradients = RecurrentCells.Of(model) == RecurrentCell.Gru ? Array.Empty<float>() : new float[2 * model.Layers * model.HiddenSize];
                model.Forward(inputs, outputs);
                var finals = (float[])model.GetType().GetMethod("ForwardWithFinalStates")!.Invoke(model, new object[] { inputs, outputs.Length, hiddenGradients.Length, cellGradients.Length })!;
                Assert.Equal(outputs, finals.Take(outputs.Length));
                float loss = model.AccumulateGradients(inputs, targets.AsSpan(0, model.OutputSize));
                float lossAll = model.AccumulateGradients(inputs, targets, inputGradients, hiddenGradients, cellGradients);
                return new[] { outputs, new[] { loss, lossAll }, model.Gradients.ToArray(), inputGradients, hiddenGradients, cellGradients, finals };
            }

            float[][] full = Run(LanguageVersion.Latest);
            float[][] portable = Run(LanguageVersion.CSharp9);
            string[] sections = { "outputs", "losses", "gradients", "input gradients", "h0 gradients", "c0 gradients", "outputs and final states" };
            for (int section = 0; section < full.Length; section++)
            {
                Assert.True(ModelDriver.Bits(full[section]).SequenceEqual(ModelDriver.Bits(portable[section])), $"The {sections[section]} differ between the full and the portable tier.");
            }

            // The models really ran: outputs and gradients are not all zero.
            Assert.Contains(full[0], value => value != 0f);
            Assert.Contains(full[2], value => value != 0f);
        }

        /// <summary>The portable State: the accessors are spans over the state itself, [Layers, HiddenSize] each, hidden before cell.</summary>
        [Fact]
        public void PortableStateAccessorsAreSpansOverTheState()
        {
            const string driver = """
                namespace LstmGenTestDriver
                {
                    internal static class StateDriver
                    {
                        public static float[] Run()
                        {
                            var model = new global::Portable.Model(3);
                            var state = default(global::Portable.Model.State);
                            global::System.Span<float> hidden = global::Portable.Model.State.Hidden(ref state);
                            global::System.Span<float> cell = global::Portable.Model.State.Cell(ref state);
                            hidden[global::Portable.Model.HiddenSize] = 0.25f;
                            cell[0] = -0.5f;
                            float[] input = { 0.1f, 0.2f, 0.3f, 0.4f, 0.5f };
                            float[] output = new float[global::Portable.Model.OutputSize];
                            model.SetState(global::Portable.Model.State.Hidden(ref state), global::Portable.Model.State.Cell(ref state));
                            model.Step(input, output);
                            float[] fromModel = new float[global::Portable.Model.Layers * global::Portable.Model.HiddenSize];
                            model.GetState(fromModel, new float[fromModel.Length]);
                            model.Step(ref state, input, output);
                            float[] result = new float[2 + (2 * hidden.Length) + fromModel.Length + 1];
                            result[0] = hidden.Length;
                            result[1] = global::System.Runtime.CompilerServices.Unsafe.SizeOf<global::Portable.Model.State>();
                            hidden.CopyTo(new global::System.Span<float>(result, 2, hidden.Length));
                            cell.CopyTo(new global::System.Span<float>(result, 2 + hidden.Length, cell.Length));
                            fromModel.CopyTo(result, 2 + (2 * hidden.Length));
                            result[result.Length - 1] = hidden[global::Portable.Model.HiddenSize] == 0.25f ? 1f : 0f;
                            return result;
                        }
                    }
                }
                """;
            var (_, output) = Generate(GeneratorHarness.CreateCompilation(LanguageVersion.CSharp9, Model(Shape), driver));
            Assembly assembly = GeneratorHarness.Load(output);
            float[] result = (float[])assembly.GetType("LstmGenTestDriver.StateDriver", throwOnError: true)!.GetMethod("Run")!.Invoke(null, null)!;
            const int values = 2 * 20;
            Assert.Equal(values, result[0]);
            Assert.Equal(2 * values * sizeof(float), result[1]);

            // The state stepped in place (its spans see the new values), as the model's own state did from the same start.
            float[] hidden = result.Skip(2).Take(values).ToArray();
            float[] fromModel = result.Skip(2 + (2 * values)).Take(values).ToArray();
            Assert.Equal(ModelDriver.Bits(fromModel), ModelDriver.Bits(hidden));
            Assert.Contains(hidden, value => value != 0f);
            Assert.Equal(0f, result[^1]);
        }
    }
}
