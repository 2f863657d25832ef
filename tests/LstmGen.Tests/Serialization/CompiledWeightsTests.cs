using System;
using System.IO;
using System.Linq;
using LstmGen.Serialization;
using LstmGen.Tests.Reference;
using Xunit;
using static LstmGen.Tests.Serialization.ModelAssert;

namespace LstmGen.Tests.Serialization
{
    [Lstm(InputSize = 3, HiddenSize = 4, OutputSize = 2, Weights = "Fixtures/tiny_f32.safetensors")]
    public partial class CompiledTinyF32 { }

    [Lstm(InputSize = 3, HiddenSize = 4, OutputSize = 2, Weights = "Fixtures/tiny_f16.safetensors")]
    public partial class CompiledTinyF16 { }

    [Lstm(InputSize = 3, HiddenSize = 4, OutputSize = 2, Weights = "Fixtures/tiny_bf16.safetensors")]
    public partial class CompiledTinyBF16 { }

    [Lstm(InputSize = 3, HiddenSize = 4, OutputSize = 2, Weights = "Fixtures/tiny_f64.safetensors")]
    public partial class CompiledTinyF64 { }

    [Lstm(InputSize = 3, HiddenSize = 4, OutputSize = 2, Weights = "Fixtures/tiny_mixed.safetensors")]
    public partial class CompiledTinyMixed { }

    [Lstm(Weights = "Fixtures/tiny_f32.safetensors")]
    public partial class CompiledTinySized { }

    /// <summary>
    /// Models with [Lstm(Weights = ...)] start from the file's weights, bit for bit what Load of the same file sets
    /// (the generator converts and packs at compile time by the rules Load uses at run time), and step alike.
    /// </summary>
    public sealed class CompiledWeightsTests
    {
        public static TheoryData<string> Fixtures => new() { "tiny_f32", "tiny_f16", "tiny_bf16", "tiny_f64", "tiny_mixed" };

        private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name + ".safetensors");

        private static ILstmModel Compiled(string fixture) => fixture switch
        {
            "tiny_f32" => new CompiledTinyF32(),
            "tiny_f16" => new CompiledTinyF16(),
            "tiny_bf16" => new CompiledTinyBF16(),
            "tiny_f64" => new CompiledTinyF64(),
            _ => new CompiledTinyMixed(),
        };

        [Theory]
        [MemberData(nameof(Fixtures))]
        public void CompiledWeightsAreTheLoadedWeightsBitForBit(string fixture)
        {
            ILstmModel compiled = Compiled(fixture);
            var loaded = new CompiledTinyF32(seed: 1);
            int[] seeded = Bits(loaded.Parameters);
            loaded.Load(Fixture(fixture));
            Assert.NotEqual(seeded, Bits(loaded.Parameters));
            Assert.Equal(Bits(loaded.Parameters), Bits(compiled.Parameters));
            SameWeights(loaded, compiled);
        }

        [Theory]
        [MemberData(nameof(Fixtures))]
        public void CompiledAndLoadedModelsStepToTheSameBits(string fixture)
        {
            ILstmModel compiled = Compiled(fixture);
            var loaded = new CompiledTinyF32(seed: 2);
            loaded.Load(Fixture(fixture));
            float[] input = new float[3];
            float[] expected = new float[2];
            float[] actual = new float[2];
            for (int step = 0; step < 20; step++)
            {
                for (int i = 0; i < input.Length; i++)
                {
                    input[i] = MathF.Sin((step * 3) + i);
                }

                loaded.Step(input, expected);
                compiled.Step(input, actual);
                Assert.Equal(Bits(expected), Bits(actual));
            }
        }

        [Fact]
        public void SizesLeftOutAreTheFilesAndSoAreTheWeights()
        {
            Assert.Equal((3, 4, 1, 2), (CompiledTinySized.InputSize, CompiledTinySized.HiddenSize, CompiledTinySized.Layers, CompiledTinySized.OutputSize));
            var loaded = new CompiledTinySized(seed: 1);
            loaded.Load(Fixture("tiny_f32"));
            Assert.Equal(Bits(loaded.Parameters), Bits(new CompiledTinySized().Parameters));
        }

        [Fact]
        public void EachInstanceStartsFromTheCompiledWeightsAndOwnsThem()
        {
            var first = new CompiledTinyF32();
            int[] compiled = Bits(first.Parameters);
            first.Parameters.Fill(0.5f);
            var second = new CompiledTinyF32();
            Assert.Equal(compiled, Bits(second.Parameters));
        }

        [Fact]
        public void TheSeededConstructorStillDrawsPyTorchsInitialisation()
        {
            Assert.Equal(Bits(new TinyModel(seed: 7).Parameters), Bits(new CompiledTinyF32(seed: 7).Parameters));
        }

        [Theory]
        [InlineData("AACAPw==", "The compiled weights hold 4 bytes, but the model's 2 parameters take 8.")]
        [InlineData("AACAPwAAAEAAAEBA", "The compiled weights hold more than the model's 2 parameters (8 bytes).")]
        [InlineData("AACAP*==", "The compiled weights are not base64: character U+002A after 3 bytes.")]
        public void CompiledWeightsRefuseTextThatIsNotTheParameters(string base64, string message)
        {
            float[] parameters = new float[2];
            Assert.StartsWith(message, Assert.Throws<ArgumentException>(() => LstmGen.CompilerServices.CompiledWeights.CopyFromBase64(base64, parameters)).Message, StringComparison.Ordinal);
            Assert.StartsWith(message, Assert.Throws<ArgumentException>(() => LstmGen.CompilerServices.CompiledWeights.CopyFromBase64(System.Text.Encoding.ASCII.GetBytes(base64), parameters)).Message, StringComparison.Ordinal);
        }

        [Fact]
        public void CompiledWeightsDecodeLinesOfBase64()
        {
            float[] parameters = new float[3];
            LstmGen.CompilerServices.CompiledWeights.CopyFromBase64("AACAPwAA\nAEAAAEBA\n", parameters);
            Assert.Equal(new[] { 1f, 2f, 3f }, parameters);
        }
    }

    /// <summary>LstmModelRegistry: a file goes into the one model type whose tensors it has, or the message says why not.</summary>
    public sealed class LstmModelRegistryTests
    {
        private static readonly LstmModelType s_tiny = new(typeof(TinyModel), TinyModel.Tensors, Activation.Linear, LossFunction.MeanSquaredError, static () => new TinyModel());
        private static readonly LstmModelType s_compiled = new(typeof(CompiledTinyF32), CompiledTinyF32.Tensors, Activation.Sigmoid, LossFunction.MeanSquaredError, static () => new CompiledTinyF32());
        private static readonly LstmModelType s_noHead = new(typeof(NoHeadModel), NoHeadModel.Tensors, Activation.Linear, LossFunction.MeanSquaredError, static () => new NoHeadModel());

        private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name + ".safetensors");

        [Fact]
        public void LoadsIntoTheTypeWhoseTensorsTheFileHas()
        {
            ILstmModel model = LstmModelRegistry.Load(new[] { s_noHead, s_tiny }, Fixture("tiny_f16"));
            Assert.IsType<TinyModel>(model);
            var expected = new TinyModel(seed: 1);
            expected.Load(Fixture("tiny_f16"));
            SameWeights(expected, model);
        }

        [Fact]
        public void LoadsFromAStreamThatCannotSeek()
        {
            using var stream = new TrickleStream(File.ReadAllBytes(Fixture("tiny_f32")));
            ILstmModel model = LstmModelRegistry.Load(new[] { s_tiny, s_noHead }, stream);
            var expected = new TinyModel(seed: 1);
            expected.Load(Fixture("tiny_f32"));
            SameWeights(expected, model);
        }

        [Fact]
        public void AFileThatFitsNoneGivesItsSizesAndTheModels()
        {
            WeightFileException exception = Assert.Throws<WeightFileException>(() => LstmModelRegistry.Load(new[] { s_noHead }, Fixture("tiny_f32")));
            Assert.StartsWith(Fixture("tiny_f32") + ": The weight file fits none of the models: it has InputSize = 3, HiddenSize = 4, Layers = 1, OutputSize = 2", exception.Message, StringComparison.Ordinal);
            Assert.Contains("'head.weight' [2, 4]", exception.Message, StringComparison.Ordinal);
            Assert.Contains($"the assembly's models are {typeof(NoHeadModel).FullName} (InputSize = {NoHeadModel.InputSize}, HiddenSize = {NoHeadModel.HiddenSize}, Layers = {NoHeadModel.Layers}, OutputSize = 0 (no head))", exception.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void TypesAlikeAreToldApartByTheSavedActivationOrRefused()
        {
            // The fixtures have no LstmGen metadata: two types of the same tensors are ambiguous.
            WeightFileException ambiguous = Assert.Throws<WeightFileException>(() => LstmModelRegistry.Load(new[] { s_tiny, s_compiled }, Fixture("tiny_f32")));
            Assert.Contains($"fits several models alike: {typeof(TinyModel).FullName}, {typeof(CompiledTinyF32).FullName}", ambiguous.Message, StringComparison.Ordinal);

            // A file that Save wrote names its activation: the type with that activation is chosen.
            var saved = new MemoryStream();
            new TinyModel(seed: 4).Save(saved);
            saved.Position = 0;
            Assert.IsType<TinyModel>(LstmModelRegistry.Load(new[] { s_compiled, s_tiny }, saved));
        }

        [Fact]
        public void ARenamedFileFitsThroughTheOptionsMaps()
        {
            byte[] renamed = SafeTensorsBytes.Rewrite(File.ReadAllBytes(Fixture("tiny_f32")), tensors => tensors.Select(t => new SafeTensorsTensor(t.Name.Replace("lstm.", "rnn.", StringComparison.Ordinal), t.DType, t.Shape, t.Data)));
            Assert.Throws<WeightFileException>(() => LstmModelRegistry.Load(new[] { s_tiny }, new MemoryStream(renamed)));
            ILstmModel model = LstmModelRegistry.Load(new[] { s_tiny }, new MemoryStream(renamed), new WeightLoadOptions().MapPrefix("rnn.", "lstm."));
            Assert.IsType<TinyModel>(model);
        }
    }
}
