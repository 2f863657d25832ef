using System;
using System.IO;
using System.Linq;
using LstmGen.Serialization;
using LstmGen.Tests.Serialization;
using Microsoft.CodeAnalysis;
using Xunit;

namespace LstmGen.Tests.Generator
{
    /// <summary>The diagnostics of [Lstm(Weights = ...)]: each on the Weights argument, naming the file, the tensor and the shapes.</summary>
    public sealed partial class DiagnosticTests
    {
        private const string TinyWithWeights = "[LstmGen.Lstm(InputSize = 3, HiddenSize = 4, Layers = 1, OutputSize = 2, Weights = \"models/pilot.safetensors\")] public partial class Model { }";

        private static string TinyFixture => Path.Combine(AppContext.BaseDirectory, "Fixtures", "tiny_f32.safetensors");

        /// <summary>Runs the generator on <paramref name="source"/> with <paramref name="files"/> as AdditionalFiles, the source kept for <see cref="Located"/>.</summary>
        private static GeneratorRunResult RunWithFiles(string source, params string[] files)
        {
            s_lastSource = source;
            return WeightsHarness.Run(source, files).Result;
        }

        /// <summary>
        /// Runs the generator on <paramref name="source"/> with <paramref name="files"/> as AdditionalFiles (the source
        /// kept for <see cref="Located"/>) and asserts that it reports one diagnostic, <paramref name="id"/>.
        /// </summary>
        private static (Diagnostic Diagnostic, GeneratorRunResult Result) OnlyWithFiles(string source, string id, params string[] files)
        {
            GeneratorRunResult result = RunWithFiles(source, files);
            Diagnostic diagnostic = Assert.Single(result.Diagnostics);
            Assert.Equal(id, diagnostic.Id);
            return (diagnostic, result);
        }

        /// <summary>
        /// The one diagnostic of <paramref name="source"/> with <paramref name="files"/>: <paramref name="id"/>, on the
        /// Weights argument; the model is still generated (without the weights), so code that uses it still binds.
        /// </summary>
        private static Diagnostic SingleWithFiles(string source, string id, params string[] files)
        {
            var (diagnostic, result) = OnlyWithFiles(source, id, files);
            Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
            Assert.Equal("Weights = \"models/pilot.safetensors\"", Located(diagnostic));
            string model = GeneratorHarness.ModelSource(result);
            Assert.DoesNotContain("CompiledParameters", model, StringComparison.Ordinal);
            Assert.DoesNotContain(result.GeneratedSources, generated => generated.HintName.EndsWith(".LstmWeights.g.cs", StringComparison.Ordinal));
            return diagnostic;
        }

        /// <summary>
        /// A model that takes its sizes from the weights file <paramref name="path"/>: no diagnostic, the output compiles
        /// cleanly, and the generated constants are the given sizes (each the text after "= ", such as "3" or
        /// "HiddenSize"). Returns the compilation with the generated model.
        /// </summary>
        private static Compilation AssertSizedByTheFile(string source, string path, string inputSize, string hiddenSize, string layers, string outputSize)
        {
            var (result, output) = WeightsHarness.Run(source, path);
            Assert.Empty(result.Diagnostics);
            GeneratorHarness.AssertCompilesCleanly(output);
            string model = GeneratorHarness.ModelSource(result);
            Assert.Contains($"public const int InputSize = {inputSize};", model, StringComparison.Ordinal);
            Assert.Contains($"public const int HiddenSize = {hiddenSize};", model, StringComparison.Ordinal);
            Assert.Contains($"public const int Layers = {layers};", model, StringComparison.Ordinal);
            Assert.Contains($"public const int OutputSize = {outputSize};", model, StringComparison.Ordinal);
            return output;
        }

        /// <summary>tiny_f32 with its tensors changed on the way, written as models/pilot.safetensors under <paramref name="folder"/>.</summary>
        private static string TinyRewritten(WeightsFolder folder, Func<SafeTensorsTensor, SafeTensorsTensor> change) =>
            folder.Write("models/pilot.safetensors", SafeTensorsBytes.Rewrite(File.ReadAllBytes(TinyFixture), tensors => tensors.Select(change)));

        [Fact]
        public void LSTM015_WeightsFileNotInAdditionalFiles()
        {
            using var folder = new WeightsFolder();
            string other = folder.Write("models/other.safetensors", File.ReadAllBytes(TinyFixture));
            Diagnostic diagnostic = SingleWithFiles(TinyWithWeights, "LSTM015", other);
            Assert.Equal(
                "'Model' sets Weights = \"models/pilot.safetensors\", but no AdditionalFiles item of the project is that file; add <AdditionalFiles Include=\"models/pilot.safetensors\" /> to the project (the path is relative to the project's folder)",
                diagnostic.GetMessage());
        }

        [Theory]
        [InlineData("truncated", "it is truncated: its tensors' data ends at offset 616, but the file (1070 bytes) has 606 bytes of data")]
        [InlineData("header", "its header is not the JSON of a safetensors file: '}' expected at character 19")]
        [InlineData("length", "its header length field says 4294967752 bytes, but the file has 1080 bytes (and a header may have at most 100000000)")]
        [InlineData("missing", "DirectoryNotFoundException: Could not find a part of the path")]
        public void LSTM016_WeightsFileUnreadable(string damage, string expected)
        {
            using var folder = new WeightsFolder();
            byte[] bytes = File.ReadAllBytes(TinyFixture);
            string path = Path.Combine(folder.Root, "models", "pilot.safetensors");
            switch (damage)
            {
                case "truncated":
                    folder.Write("models/pilot.safetensors", bytes.AsSpan(0, bytes.Length - 10).ToArray());
                    break;
                case "header":
                    folder.Write("models/pilot.safetensors", SafeTensorsBytes.Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]).Select(b => b == (byte)',' ? (byte)';' : b).ToArray());
                    break;
                case "length":
                    bytes[4] = 1;
                    folder.Write("models/pilot.safetensors", bytes);
                    break;
            }

            Diagnostic diagnostic = SingleWithFiles(TinyWithWeights, "LSTM016", path);
            Assert.True(diagnostic.GetMessage().StartsWith("The weights file 'models/pilot.safetensors' of 'Model' cannot be used: ", StringComparison.Ordinal) && diagnostic.GetMessage().Contains(expected, StringComparison.Ordinal), diagnostic.GetMessage());
            Assert.Contains(expected, diagnostic.GetMessage(), StringComparison.Ordinal);
        }

        [Fact]
        public void LSTM017_WeightsTensorShape()
        {
            using var folder = new WeightsFolder();
            string path = folder.Write("models/pilot.safetensors", WeightsHarness.SavedModel(inputSize: 5, hiddenSize: 4, layers: 1, outputSize: 2));
            Diagnostic diagnostic = SingleWithFiles(TinyWithWeights, "LSTM017", path);
            Assert.Equal(
                "Tensor 'lstm.weight_ih_l0' has shape [16, 5] in the weights file 'models/pilot.safetensors', but 'Model' expects [16, 3] (InputSize = 3, HiddenSize = 4, Layers = 1, OutputSize = 2)",
                diagnostic.GetMessage());
        }

        [Fact]
        public void LSTM018_WeightsTensorMissing()
        {
            using var folder = new WeightsFolder();
            string path = folder.Write("models/pilot.safetensors", WeightsHarness.SavedModel(inputSize: 3, hiddenSize: 4, layers: 1, outputSize: 0));
            GeneratorRunResult result = RunWithFiles(TinyWithWeights, path);
            Assert.Equal(new[] { "LSTM018", "LSTM018" }, result.Diagnostics.Select(d => d.Id));
            Assert.Equal(
                "'Model' needs tensor 'head.weight' of shape [2, 4] (InputSize = 3, HiddenSize = 4, Layers = 1, OutputSize = 2), but the weights file 'models/pilot.safetensors' has none; it has: 'lstm.weight_ih_l0' [16, 3], 'lstm.weight_hh_l0' [16, 4], 'lstm.bias_ih_l0' [16], 'lstm.bias_hh_l0' [16]",
                result.Diagnostics[0].GetMessage());
            Assert.Contains("tensor 'head.bias' of shape [2]", result.Diagnostics[1].GetMessage(), StringComparison.Ordinal);
        }

        [Fact]
        public void LSTM019_WeightsTensorUnexpected()
        {
            using var folder = new WeightsFolder();
            string path = folder.Write("models/pilot.safetensors", WeightsHarness.SavedModel(inputSize: 3, hiddenSize: 4, layers: 2, outputSize: 2));
            GeneratorRunResult result = RunWithFiles(TinyWithWeights, path);
            Assert.Equal(Enumerable.Repeat("LSTM019", 4), result.Diagnostics.Select(d => d.Id));
            Assert.Equal(
                "The weights file 'models/pilot.safetensors' has tensor 'lstm.weight_ih_l1' of shape [16, 4], which 'Model' does not have (InputSize = 3, HiddenSize = 4, Layers = 1, OutputSize = 2); the model's tensors are 'lstm.weight_ih_l0' [16, 3], 'lstm.weight_hh_l0' [16, 4], 'lstm.bias_ih_l0' [16], 'lstm.bias_hh_l0' [16], 'head.weight' [2, 4], 'head.bias' [2]",
                result.Diagnostics.Single(d => d.GetMessage().Contains("'lstm.weight_ih_l1'", StringComparison.Ordinal)).GetMessage());
        }

        [Fact]
        public void LSTM020_WeightsTensorDType()
        {
            using var folder = new WeightsFolder();
            string path = TinyRewritten(folder, tensor => tensor.Name == "head.bias" ? new SafeTensorsTensor(tensor.Name, SafeTensorsDType.I32, tensor.Shape, tensor.Data) : tensor);
            Diagnostic diagnostic = SingleWithFiles(TinyWithWeights, "LSTM020", path);
            Assert.Equal(
                "Tensor 'head.bias' has dtype I32 in the weights file 'models/pilot.safetensors' (shape [2]), but compiled weights are F32, F16, BF16 or F64 (converted to float as Load converts them)",
                diagnostic.GetMessage());
        }

        [Theory]
        [InlineData(float.NaN, "NaN")]
        [InlineData(float.NegativeInfinity, "-infinity")]
        public void LSTM021_WeightsNotFinite(float bad, string said)
        {
            using var folder = new WeightsFolder();
            string path = TinyRewritten(folder, tensor => tensor.Name == "lstm.bias_hh_l0" ? new SafeTensorsTensor(tensor.Name, tensor.DType, tensor.Shape, WithElement(tensor.Data, 5, bad)) : tensor);
            Diagnostic diagnostic = SingleWithFiles(TinyWithWeights, "LSTM021", path);
            Assert.Equal(
                $"Tensor 'lstm.bias_hh_l0' (F32, shape [16]) in the weights file 'models/pilot.safetensors' holds {said} at element 5 (row-major); 'Model' compiles in finite float weights only",
                diagnostic.GetMessage());
        }

        [Fact]
        public void LSTM021_F64BeyondFloat()
        {
            using var folder = new WeightsFolder();
            string path = folder.Write("models/pilot.safetensors", SafeTensorsBytes.Rewrite(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "tiny_f64.safetensors")), tensors => tensors.Select(tensor =>
            {
                if (tensor.Name != "head.weight")
                {
                    return tensor;
                }

                byte[] data = tensor.Data.ToArray();
                System.Buffers.Binary.BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(8 * 3), 1e300);
                return new SafeTensorsTensor(tensor.Name, tensor.DType, tensor.Shape, data);
            })));
            Diagnostic diagnostic = SingleWithFiles(TinyWithWeights, "LSTM021", path);
            Assert.Contains("holds 1E+300, beyond the range of float at element 3", diagnostic.GetMessage(), StringComparison.Ordinal);
        }

        [Fact]
        public void LSTM022_WeightsFileAmbiguous()
        {
            using var folder = new WeightsFolder();
            string first = folder.Write("a/models/pilot.safetensors", File.ReadAllBytes(TinyFixture));
            string second = folder.Write("b/models/pilot.safetensors", File.ReadAllBytes(TinyFixture));
            Diagnostic diagnostic = SingleWithFiles(TinyWithWeights, "LSTM022", second, first);
            Assert.Equal(
                $"'Model' sets Weights = \"models/pilot.safetensors\", which matches several AdditionalFiles items: {first}, {second}; give the path from the project's folder so that it names one",
                diagnostic.GetMessage());
        }

        [Fact]
        public void LSTM023_WeightsSizesUnknown()
        {
            using var folder = new WeightsFolder();
            string path = TinyRewritten(folder, tensor => new SafeTensorsTensor(tensor.Name.Replace("lstm.", "rnn.", StringComparison.Ordinal), tensor.DType, tensor.Shape, tensor.Data));
            var (diagnostic, result) = OnlyWithFiles("[LstmGen.Lstm(InputSize = 3, Weights = \"models/pilot.safetensors\")] public partial class Model { }", "LSTM023", path);
            Assert.Equal("Weights = \"models/pilot.safetensors\"", Located(diagnostic));
            Assert.Equal(
                "'Model' leaves HiddenSize, Layers, OutputSize to the weights file 'models/pilot.safetensors', but it has no tensors 'lstm.weight_ih_l0' and 'lstm.weight_hh_l0', which give an LSTM's input and hidden sizes; set the sizes on [Lstm]",
                diagnostic.GetMessage());
            Assert.Empty(result.GeneratedSources.Where(generated => generated.HintName != "LstmModels.g.cs"));
        }

        [Fact]
        public void LSTM015_WithSizesFromTheFile_IsTheOnlyError()
        {
            // No model without its sizes: the registry leaves it out, so nothing else refers to what was not generated.
            using var folder = new WeightsFolder();
            string other = folder.Write("models/other.safetensors", File.ReadAllBytes(TinyFixture));
            const string source = "[LstmGen.Lstm(InputSize = 3, HiddenSize = 4, Weights = \"models/pilot.safetensors\")] public partial class Model { } "
                + "[LstmGen.Lstm(InputSize = 2, HiddenSize = 3)] public partial class Other { }";
            s_lastSource = source;
            var (result, output) = WeightsHarness.Run(source, other);
            Assert.Equal("LSTM015", Assert.Single(result.Diagnostics).Id);
            Assert.Empty(output.GetDiagnostics().Where(diagnostic => diagnostic.Severity == DiagnosticSeverity.Error));
            string registry = Assert.Single(result.GeneratedSources, generated => generated.HintName == "LstmModels.g.cs").SourceText.ToString();
            Assert.Contains("Other", registry, StringComparison.Ordinal);
            Assert.DoesNotContain("global::Model", registry, StringComparison.Ordinal);
        }

        [Fact]
        public void LSTM023_SizesOfTheFileBeyondTheLimits()
        {
            using var folder = new WeightsFolder();
            string path = folder.Write("models/pilot.safetensors", WeightsHarness.SavedModel(inputSize: 3, hiddenSize: 4, layers: 1, outputSize: 1));
            var (diagnostic, _) = OnlyWithFiles("[LstmGen.Lstm(Weights = \"models/pilot.safetensors\", OutputActivation = LstmGen.Activation.Softmax)] public partial class Model { }", "LSTM023", path);
            Assert.EndsWith("but its OutputSize = 1 is too small for Softmax (LSTM006) (the file has InputSize = 3, HiddenSize = 4, Layers = 1, OutputSize = 1); set the sizes on [Lstm]", diagnostic.GetMessage(), StringComparison.Ordinal);
        }

        [Fact]
        public void AllSizesFromAFileOfTwoLayers()
        {
            using var folder = new WeightsFolder();
            string path = folder.Write("models/pilot.safetensors", WeightsHarness.SavedModel(inputSize: 5, hiddenSize: 6, layers: 2, outputSize: 0));
            AssertSizedByTheFile("[LstmGen.Lstm(Weights = \"models/pilot.safetensors\")] public partial class Model { }", path, "5", "6", "2", "HiddenSize");
        }

        private static byte[] WithElement(ReadOnlyMemory<byte> data, int index, float value)
        {
            byte[] bytes = data.ToArray();
            System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * index), value);
            return bytes;
        }
    }
}
