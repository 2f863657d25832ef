using System;
using System.Linq;
using LstmGen.Tests.Reference;
using LstmGen.Tests.Support;
using Xunit;

namespace LstmGen.Tests
{
    /// <summary>
    /// Every PyTorch GRU reference case (Reference/gru/make_gru_cases.py, torch.nn.GRU in float64) run through a
    /// model that [Gru] generated: outputs, final states, loss and gradients within 1e-6 relative (plus 1e-6
    /// absolute for values near zero), and every way of stepping giving the bits of Forward.
    /// </summary>
    public sealed class GruReferenceTests
    {
        public static TheoryData<string> Cases => new(ReferenceCase.GruCaseNames);

        [Theory]
        [MemberData(nameof(Cases))]
        public void ForwardMatchesPyTorch(string name)
        {
            ReferenceCase reference = ReferenceCase.Load(name);
            Assert.Null(reference.FinalCell);
            var (model, outputs, hidden, cell) = ReferenceModels.Run(reference);

            Assert.Equal(reference.InputSize, model.InputSize);
            Assert.Equal(reference.HiddenSize, model.HiddenSize);
            Assert.Equal(reference.Layers, model.Layers);
            Assert.Empty(cell);
            PyTorchComparison.AssertClose(reference.Output.Data, outputs, name + " output");
            PyTorchComparison.AssertClose(reference.FinalHidden.Data, hidden, name + " h_n");
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void GradientsMatchPyTorch(string name)
        {
            ReferenceCase reference = ReferenceCase.Load(name);
            var (model, loss, inputGradients, hiddenGradients, _) = ReferenceModels.AccumulateGradients(reference);

            PyTorchComparison.AssertClose(reference.ExpectedLoss, loss, name + " loss");
            PyTorchComparison.AssertGradients(reference, model, inputGradients, reference.InitialHidden is null ? null : hiddenGradients);
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void StepByStepGivesTheSameBitsAsForward(string name)
        {
            StepByStep.AssertGivesTheBitsOfForward(name);
        }

        [Fact]
        public void AnExternalStateAndTheGroupStepGiveTheBitsOfTheModelsOwnState()
        {
            ReferenceCase reference = ReferenceCase.Load("gru-stacked");
            var model = (GruStackedModel)ReferenceModels.ByCase[reference.Name]();
            reference.LoadInto(model);
            var (_, forwardOutputs, forwardHidden, _) = ReferenceModels.Run(reference);

            // One State, and 20 agents in a group step (every agent the same sequence), all from h0.
            var state = default(GruStackedModel.State);
            reference.InitialHidden!.ToSingle().CopyTo(state.Hidden);
            var states = new GruStackedModel.State[20];
            for (int agent = 0; agent < states.Length; agent++)
            {
                states[agent] = state;
            }

            float[] outputs = new float[forwardOutputs.Length];
            float[] inputs = new float[states.Length * GruStackedModel.InputSize];
            float[] groupOutputs = new float[states.Length * GruStackedModel.OutputSize];
            for (int t = 0; t < reference.SequenceLength; t++)
            {
                ReadOnlySpan<float> input = reference.Input.AsSpan(t * GruStackedModel.InputSize, GruStackedModel.InputSize);
                model.Step(ref state, input, outputs.AsSpan(t * GruStackedModel.OutputSize, GruStackedModel.OutputSize));
                for (int agent = 0; agent < states.Length; agent++)
                {
                    input.CopyTo(inputs.AsSpan(agent * GruStackedModel.InputSize));
                }

                model.Step(states, inputs, groupOutputs);
                for (int agent = 0; agent < states.Length; agent++)
                {
                    Assert.Equal(outputs.AsSpan(t * GruStackedModel.OutputSize, GruStackedModel.OutputSize).ToArray(), groupOutputs.AsSpan(agent * GruStackedModel.OutputSize, GruStackedModel.OutputSize).ToArray());
                }
            }

            Assert.Equal(forwardOutputs, outputs);
            Assert.Equal(forwardHidden, state.Hidden.ToArray());
            Assert.All(states, agentState => Assert.Equal(forwardHidden, agentState.Hidden.ToArray()));
        }

        [Fact]
        public void AGruHasNoCellState()
        {
            var model = new GruTinyModel(seed: 1);
            float[] hidden = new float[GruTinyModel.Layers * GruTinyModel.HiddenSize];
            ArgumentException set = Assert.Throws<ArgumentException>(() => model.SetState(hidden, new float[hidden.Length]));
            Assert.Contains("no cell state", set.Message, StringComparison.Ordinal);
            ArgumentException get = Assert.Throws<ArgumentException>(() => model.GetState(hidden, new float[hidden.Length]));
            Assert.Contains("no cell state", get.Message, StringComparison.Ordinal);
            ArgumentException gradients = Assert.Throws<ArgumentException>(() => model.AccumulateGradients(new float[GruTinyModel.InputSize], new float[GruTinyModel.OutputSize], new float[GruTinyModel.InputSize], hidden, new float[hidden.Length]));
            Assert.Contains("no cell state", gradients.Message, StringComparison.Ordinal);

            // A State is the hidden values alone: Layers x HiddenSize floats.
            Assert.Equal(GruTinyModel.Layers * GruTinyModel.HiddenSize * sizeof(float), System.Runtime.CompilerServices.Unsafe.SizeOf<GruTinyModel.State>());
            Assert.Equal(new[] { "gru.weight_ih_l0", "gru.weight_hh_l0", "gru.bias_ih_l0", "gru.bias_hh_l0", "head.weight", "head.bias" }, GruTinyModel.Tensors.Select(t => t.Name));
            Assert.Equal(new[] { 15, 3 }, GruTinyModel.Tensors[0].Shape);
            Assert.Equal((3 * 5 * (3 + 5 + 2)) + (2 * 5) + 2, GruTinyModel.ParameterCount);
        }
    }
}
