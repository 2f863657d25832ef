using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using LstmGen.Tests.Reference;
using LstmGen.Training;
using Xunit;
using static LstmGen.Tests.Support.PyTorchComparison;

namespace LstmGen.Tests.Bidirectional
{
    /// <summary>
    /// Every PyTorch bidirectional case (Reference/bidirectional/make_bidirectional_cases.py: nn.LSTM and nn.GRU with
    /// bidirectional=True, with proj_size=P in the biproj-* cases, in float64) run through a model generated with
    /// Bidirectional = true: outputs, final states (h_n, c_n), loss and every gradient (the *_reverse tensors', the input's
    /// and the zero starting states') within 1e-6 relative plus 1e-6 absolute, and one Adam step. PathTests runs the same
    /// cases on every vector path and the scalar path.
    /// </summary>
    public sealed class BidirectionalReferenceTests
    {

        public static TheoryData<string> Cases => new(BidirectionalCases.Names);

        /// <summary>The cases without dropout: a dropout case's outputs are training's, with the masks, which Forward never applies.</summary>
        public static TheoryData<string> ForwardCases => new(BidirectionalCases.Names.Where(name => BidirectionalCases.HasForwardResults(ReferenceCase.Load(name))));

        [Theory]
        [MemberData(nameof(ForwardCases))]
        public void ForwardMatchesPyTorch(string name)
        {
            ReferenceCase reference = ReferenceCase.Load(name);
            ISequenceModel model = BidirectionalCases.Create(reference);
            Assert.IsNotAssignableFrom<ILstmModel>(model);
            Assert.Equal(reference.HiddenSize, model.HiddenSize);
            Assert.Equal(reference.Layers, model.Layers);
            Assert.Equal(reference.OutputSize == 0 ? 2 * BidirectionalCases.RecurrentWidth(reference) : reference.OutputSize, model.OutputSize);
            Assert.Equal(reference.Tensors.Keys, model.Tensors.Select(tensor => tensor.Name));

            float[] outputs = BidirectionalCases.Forward(reference);
            AssertClose(reference.Output.Data, outputs, name + " output");

            // Forward starts both directions from zero every time: a second call gives the same bits.
            float[] again = new float[outputs.Length];
            model.Forward(reference.Input, again);
            model.Forward(reference.Input, again);
            Assert.Equal(outputs, again);
        }

        [Theory]
        [MemberData(nameof(ForwardCases))]
        public void FinalStatesMatchPyTorchsHnAndCn(string name)
        {
            ReferenceCase reference = ReferenceCase.Load(name);
            var (outputs, hidden, cell) = BidirectionalCases.ForwardWithFinalStates(reference);
            AssertClose(reference.FinalHidden.Data, hidden, name + " h_n");
            if (reference.FinalCell is not null)
            {
                AssertClose(reference.FinalCell.Data, cell, name + " c_n");
            }
            else
            {
                Assert.Empty(cell);
            }

            // The overload's outputs are Forward's, bit for bit; and a second call gives the same states (each from zero).
            Assert.Equal(BidirectionalCases.Forward(reference), outputs);
            Assert.Equal(hidden, BidirectionalCases.ForwardWithFinalStates(reference).Hidden);
        }

        [Theory]
        [InlineData("biproj-stacked-softmax")]
        [InlineData("bigru-stacked-softmax")]
        public void FinalStateSpansOfTheWrongLengthAreRefusedNamingTheParameterAndTheLength(string name)
        {
            ReferenceCase reference = ReferenceCase.Load(name);
            var model = (IFinalStates)BidirectionalCases.Create(reference);
            float[] outputs = new float[reference.Output.Data.Length];
            int hiddenLength = 2 * reference.Layers * BidirectionalCases.RecurrentWidth(reference);
            int cellLength = reference.FinalCell is null ? 0 : 2 * reference.Layers * reference.HiddenSize;
            string width = reference.ProjectionSize > 0 ? "ProjectionSize" : "HiddenSize";

            ArgumentException hidden = Assert.Throws<ArgumentException>(() => model.Forward(reference.Input, outputs, new float[hiddenLength + 1], new float[cellLength]));
            Assert.Equal("finalHidden", hidden.ParamName);
            Assert.Contains(hiddenLength.ToString(System.Globalization.CultureInfo.InvariantCulture), hidden.Message, StringComparison.Ordinal);
            Assert.Contains($"[Directions * Layers, {width}]", hidden.Message, StringComparison.Ordinal);

            ArgumentException cell = Assert.Throws<ArgumentException>(() => model.Forward(reference.Input, outputs, new float[hiddenLength], new float[cellLength + 2]));
            Assert.Equal("finalCell", cell.ParamName);
            Assert.Contains(cellLength.ToString(System.Globalization.CultureInfo.InvariantCulture), cell.Message, StringComparison.Ordinal);

            // Final states over the outputs would be overwritten by them: refused, naming both.
            float[] shared = new float[outputs.Length + hiddenLength];
            ArgumentException overlap = Assert.Throws<ArgumentException>(() => model.Forward(reference.Input, shared.AsSpan(0, outputs.Length), shared.AsSpan(outputs.Length - 1, hiddenLength), new float[cellLength]));
            Assert.Contains("finalHidden", overlap.Message, StringComparison.Ordinal);
            Assert.Contains("outputs", overlap.Message, StringComparison.Ordinal);
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void GradientsMatchPyTorch(string name)
        {
            ReferenceCase reference = ReferenceCase.Load(name);
            var (loss, _, inputGradients, hiddenGradients, cellGradients, model) = BidirectionalCases.Gradients(reference);

            AssertClose(new[] { reference.ExpectedLoss }, new[] { loss }, name + " loss");
            foreach (TensorInfo tensor in model.Tensors)
            {
                float[] gradient = new float[tensor.Length];
                model.GetGradient(tensor.Name, gradient);
                AssertClose(reference.Gradients[tensor.Name].Data, gradient, $"{name} d loss / d {tensor.Name}");
            }

            Assert.Contains(model.Tensors, tensor => tensor.Name.EndsWith("_reverse", StringComparison.Ordinal));
            AssertClose(reference.Gradients["input"].Data, inputGradients, name + " d loss / d input");
            AssertClose(reference.Gradients["h0"].Data, hiddenGradients, name + " d loss / d h0");
            if (reference.FinalCell is not null)
            {
                AssertClose(reference.Gradients["c0"].Data, cellGradients, name + " d loss / d c0");
            }

            // The outputs training records are Forward's: the same loss from Forward's outputs, and the same gradients
            // from the two-span overload, which wants no input or state gradients.
            ISequenceModel plain = BidirectionalCases.Create(reference);
            Assert.Equal(loss, plain.AccumulateGradients(reference.Input, reference.Target.ToSingle()));
            Assert.Equal(model.Gradients.ToArray(), plain.Gradients.ToArray());
        }

        [Theory]
        [InlineData("bilstm-tiny")]
        [InlineData("bigru-tiny")]
        public void AnAdamStepMatchesPyTorch(string name)
        {
            ReferenceCase reference = ReferenceCase.Load(name);
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(ReferenceCase.Directory, "bidirectional", name + ".json")));
            JsonElement adam = document.RootElement.GetProperty("adam");
            var (_, _, _, _, _, model) = BidirectionalCases.Gradients(reference);

            new Adam(learningRate: (float)adam.GetProperty("lr").GetDouble()).Step(model.Parameters, model.Gradients);
            foreach (JsonProperty tensor in adam.GetProperty("after").EnumerateObject())
            {
                ReferenceTensor expected = ReferenceTensor.Read(tensor.Value);
                float[] actual = new float[expected.Data.Length];
                model.GetTensor(tensor.Name, actual);
                AssertClose(expected.Data, actual, $"{name} {tensor.Name} after an Adam step");
            }
        }
    }
}
