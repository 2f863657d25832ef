using System;
using System.IO;
using System.Linq;
using LstmGen.Tests.Reference;
using Microsoft.CodeAnalysis;
using Xunit;

namespace LstmGen.Tests.Generator
{
    /// <summary>Compiled-in weights of bidirectional models: a file with *_reverse tensors sizes one, and a file of the other kind is refused naming the tensor.</summary>
    public sealed partial class DiagnosticTests
    {
        /// <summary>The bytes Save writes for the bilstm-wide reference case's model (input 8, hidden 21, 2 layers, head 3).</summary>
        private static byte[] BidirectionalFile()
        {
            ISequenceModel model = BidirectionalCases.Create(ReferenceCase.Load("bilstm-wide"));
            var stream = new MemoryStream();
            LstmGen.Serialization.WeightFile.Save(model, stream);
            return stream.ToArray();
        }

        [Fact]
        public void AllSizesFromABidirectionalFile()
        {
            using var folder = new WeightsFolder();
            string path = folder.Write("models/pilot.safetensors", BidirectionalFile());
            var (result, output) = WeightsHarness.Run("[LstmGen.Lstm(Weights = \"models/pilot.safetensors\", OutputActivation = LstmGen.Activation.Tanh, Bidirectional = true)] public partial class Model { }", path);
            Assert.Empty(result.Diagnostics);
            GeneratorHarness.AssertCompilesCleanly(output);
            string model = GeneratorHarness.ModelSource(result);
            Assert.Contains("public const int InputSize = 8;", model, StringComparison.Ordinal);
            Assert.Contains("public const int HiddenSize = 21;", model, StringComparison.Ordinal);
            Assert.Contains("public const int Layers = 2;", model, StringComparison.Ordinal);
            Assert.Contains("public const int OutputSize = 3;", model, StringComparison.Ordinal);

            // The parameterless constructor starts from the file's weights: Forward gives the reference case's outputs' bits.
            ReferenceCase reference = ReferenceCase.Load("bilstm-wide");
            var compiled = (ISequenceModel)Activator.CreateInstance(GeneratorHarness.Load(output).GetType("Model")!)!;
            float[] outputs = new float[reference.Output.Data.Length];
            compiled.Forward(reference.Input, outputs);
            Assert.Equal(BidirectionalCases.Forward(reference), outputs);
        }

        [Fact]
        public void LSTM023_ABidirectionalFileForAModelThatIsNot()
        {
            using var folder = new WeightsFolder();
            string path = folder.Write("models/pilot.safetensors", BidirectionalFile());
            const string source = "[LstmGen.Lstm(Weights = \"models/pilot.safetensors\")] public partial class Model { }";
            s_lastSource = source;
            var (result, _) = WeightsHarness.Run(source, path);
            Diagnostic diagnostic = Assert.Single(result.Diagnostics);
            Assert.Equal("LSTM023", diagnostic.Id);
            Assert.Contains("it has the tensor 'lstm.weight_ih_l0_reverse' of a bidirectional model (bidirectional=True in PyTorch): set Bidirectional = true", diagnostic.GetMessage(), StringComparison.Ordinal);
        }

        [Fact]
        public void LSTM023_AFileThatIsNotBidirectionalForABidirectionalModel()
        {
            using var folder = new WeightsFolder();
            string path = folder.Write("models/pilot.safetensors", WeightsHarness.SavedModel(inputSize: 3, hiddenSize: 4, layers: 1, outputSize: 2));
            const string source = "[LstmGen.Lstm(Weights = \"models/pilot.safetensors\", Bidirectional = true)] public partial class Model { }";
            s_lastSource = source;
            var (result, _) = WeightsHarness.Run(source, path);
            Diagnostic diagnostic = Assert.Single(result.Diagnostics);
            Assert.Equal("LSTM023", diagnostic.Id);
            Assert.Contains("it has no tensor 'lstm.weight_ih_l0_reverse'", diagnostic.GetMessage(), StringComparison.Ordinal);
        }

        [Fact]
        public void ABidirectionalFileForAModelOfGivenSizesThatIsNotNamesTheReverseTensor()
        {
            using var folder = new WeightsFolder();
            string path = folder.Write("models/pilot.safetensors", BidirectionalFile());
            const string source = "[LstmGen.Lstm(InputSize = 8, HiddenSize = 21, Layers = 2, OutputSize = 3, Weights = \"models/pilot.safetensors\")] public partial class Model { }";
            s_lastSource = source;
            var (result, _) = WeightsHarness.Run(source, path);
            Assert.NotEmpty(result.Diagnostics);
            Assert.Contains(result.Diagnostics, diagnostic => diagnostic.Severity == DiagnosticSeverity.Error && diagnostic.GetMessage().Contains("lstm.weight_ih_l0_reverse", StringComparison.Ordinal));
        }
    }
}
