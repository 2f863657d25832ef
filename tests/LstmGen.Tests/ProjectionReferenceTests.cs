using System;
using System.IO;
using System.Linq;
using LstmGen.Tests.Reference;
using LstmGen.Tests.Support;
using LstmGen.Training;
using Xunit;

namespace LstmGen.Tests
{
    /// <summary>
    /// Every PyTorch case of an LSTM with projections (Reference/projection/make_projection_cases.py,
    /// torch.nn.LSTM(proj_size=P) in float64) run through a model that [Lstm(ProjectionSize = P)] generated: outputs,
    /// final states, loss, every gradient (W_hr's among them) and one SGD step within 1e-6 relative (plus 1e-6
    /// absolute near zero); Step, a State of one's own and the group step giving the bits of Forward; the weights
    /// file and the State of such a model.
    /// </summary>
    public sealed class ProjectionReferenceTests
    {
        public static TheoryData<string> Cases => new(ReferenceCase.ProjectionCaseNames);

        /// <summary>The cases whose loss and gradients are checked: with projection-dropout, trained with LstmGen's masks.</summary>
        public static TheoryData<string> TrainingCases => new(ReferenceCase.ProjectionCaseNames.Append("projection-dropout"));

        [Theory]
        [MemberData(nameof(Cases))]
        public void ForwardMatchesPyTorch(string name)
        {
            ReferenceCase reference = ReferenceCase.Load(name);
            var (model, outputs, hidden, cell) = ReferenceModels.Run(reference);

            Assert.Equal(reference.HiddenSize, model.HiddenSize);
            Assert.Equal(reference.Layers * reference.ProjectionSize, hidden.Length);
            Assert.Equal(reference.Layers * reference.HiddenSize, cell.Length);
            Assert.Equal(reference.OutputSize == 0 ? reference.ProjectionSize : reference.OutputSize, model.OutputSize);
            PyTorchComparison.AssertClose(reference.Output.Data, outputs, name + " output");
            PyTorchComparison.AssertClose(reference.FinalHidden.Data, hidden, name + " h_n");
            PyTorchComparison.AssertClose(reference.FinalCell!.Data, cell, name + " c_n");
        }

        [Theory]
        [MemberData(nameof(TrainingCases))]
        public void GradientsAndAnSgdStepMatchPyTorch(string name)
        {
            ReferenceCase reference = ReferenceCase.Load(name);
            var (model, loss, inputGradients, hiddenGradients, cellGradients) = ReferenceModels.AccumulateGradients(reference);
            if (model is IDropoutModel dropout)
            {
                // Trained with the case's seed (its masks).
                Assert.Equal(reference.DropoutProbability, dropout.Dropout, 6);
                Assert.Equal(reference.DropoutSeed, dropout.DropoutSeed);
            }

            Assert.Equal(reference.Layers * reference.ProjectionSize, hiddenGradients.Length);
            Assert.Equal(reference.Layers * reference.HiddenSize, cellGradients.Length);

            PyTorchComparison.AssertClose(reference.ExpectedLoss, loss, name + " loss");
            Assert.Contains(model.Tensors, tensor => tensor.Name == "lstm.weight_hr_l0");
            Assert.Equal(reference.Gradients.Keys.Where(key => key.Contains('.', StringComparison.Ordinal)).OrderBy(key => key, StringComparer.Ordinal), model.Tensors.Select(tensor => tensor.Name).OrderBy(key => key, StringComparer.Ordinal));
            bool initial = reference.InitialHidden is not null;
            PyTorchComparison.AssertGradients(reference, model, inputGradients, initial ? hiddenGradients : null, initial ? cellGradients : null);

            // One SGD step from these gradients, as torch.optim.SGD takes it.
            new Sgd((float)reference.SgdLearningRate).Step(model.Parameters, model.Gradients);
            PyTorchComparison.AssertTensors(reference.AfterSgdStep!, model, name, "after an SGD step");
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
            ReferenceCase reference = ReferenceCase.Load("projection-wide");
            var model = (ProjectionWideModel)ReferenceModels.ByCase[reference.Name]();
            reference.LoadInto(model);
            var (_, forwardOutputs, forwardHidden, forwardCell) = ReferenceModels.Run(reference);

            // One State, and 20 agents in a group step (every agent the same sequence), all from h0 and c0.
            var state = default(ProjectionWideModel.State);
            reference.InitialHidden!.ToSingle().CopyTo(state.Hidden);
            reference.InitialCell!.ToSingle().CopyTo(state.Cell);
            var states = new ProjectionWideModel.State[20];
            Array.Fill(states, state);

            const int Output = ProjectionWideModel.OutputSize;
            const int Input = ProjectionWideModel.InputSize;
            float[] outputs = new float[forwardOutputs.Length];
            float[] inputs = new float[states.Length * Input];
            float[] groupOutputs = new float[states.Length * Output];
            for (int t = 0; t < reference.SequenceLength; t++)
            {
                ReadOnlySpan<float> input = reference.Input.AsSpan(t * Input, Input);
                model.Step(ref state, input, outputs.AsSpan(t * Output, Output));
                for (int agent = 0; agent < states.Length; agent++)
                {
                    input.CopyTo(inputs.AsSpan(agent * Input));
                }

                model.Step(states, inputs, groupOutputs);
                for (int agent = 0; agent < states.Length; agent++)
                {
                    Assert.Equal(outputs.AsSpan(t * Output, Output).ToArray(), groupOutputs.AsSpan(agent * Output, Output).ToArray());
                }
            }

            Assert.Equal(forwardOutputs, outputs);
            Assert.Equal(forwardHidden, state.Hidden.ToArray());
            Assert.Equal(forwardCell, state.Cell.ToArray());
            Assert.All(states, agentState => Assert.Equal(forwardHidden, agentState.Hidden.ToArray()));
        }

        [Fact]
        public void TheStateCarriesProjectionSizeHiddenValuesAndHiddenSizeCellValues()
        {
            Assert.Equal(3, ProjectionTinyModel.ProjectionSize);
            Assert.Equal(11, ProjectionDeepNoHeadModel.OutputSize);
            Assert.Equal(3 * (11 + 37) * sizeof(float), System.Runtime.CompilerServices.Unsafe.SizeOf<ProjectionDeepNoHeadModel.State>());
            var state = default(ProjectionDeepNoHeadModel.State);
            Assert.Equal(3 * 11, state.Hidden.Length);
            Assert.Equal(3 * 37, state.Cell.Length);

            var model = new ProjectionDeepNoHeadModel(seed: 3);
            ArgumentException hidden = Assert.Throws<ArgumentException>(() => model.SetState(new float[3 * 37], new float[3 * 37]));
            Assert.Contains("[Layers, ProjectionSize]", hidden.Message, StringComparison.Ordinal);
            ArgumentException cell = Assert.Throws<ArgumentException>(() => model.GetState(new float[3 * 11], new float[3 * 11]));
            Assert.Contains("[Layers, HiddenSize]", cell.Message, StringComparison.Ordinal);
            Assert.Throws<ArgumentException>(() => model.AccumulateGradients(new float[4], new float[11], new float[4], new float[3 * 37], new float[3 * 37]));

            // PyTorch's tensors and their order: weight_hr_l{k} [P, H] after each layer's biases; W_hh [4H, P].
            Assert.Equal(
                new[] { "lstm.weight_ih_l0", "lstm.weight_hh_l0", "lstm.bias_ih_l0", "lstm.bias_hh_l0", "lstm.weight_hr_l0", "head.weight", "head.bias" },
                ProjectionTinyModel.Tensors.Select(t => t.Name));
            Assert.Equal(new[] { 28, 3 }, ProjectionTinyModel.Tensors[1].Shape);
            Assert.Equal(new[] { 3, 7 }, ProjectionTinyModel.Tensors[4].Shape);
            Assert.Equal(new[] { 2, 3 }, ProjectionTinyModel.Tensors[5].Shape);
            Assert.Equal((28 * (3 + 3 + 2)) + (3 * 7) + (2 * 3) + 2, ProjectionTinyModel.ParameterCount);
        }

        [Fact]
        public void TheSeededInitialisationIsPyTorchsForTheProjectionAndTheHeadItFeeds()
        {
            // nn.LSTM: every tensor, W_hr among them, in ±1/sqrt(HiddenSize); nn.Linear(P, O): ±1/sqrt(P), wider here.
            var model = new ProjectionWideModel(seed: 4);
            float[] projection = new float[17 * 40];
            model.GetTensor("lstm.weight_hr_l1", projection);
            Assert.All(projection, value => Assert.True(Math.Abs(value) <= 1 / Math.Sqrt(40)));
            float[] head = new float[17];
            model.GetTensor("head.weight", head);
            Assert.All(head, value => Assert.True(Math.Abs(value) <= 1 / Math.Sqrt(17)));
            Assert.Contains(head, value => Math.Abs(value) > 1 / Math.Sqrt(40));
        }

        [Fact]
        public void AWeightsFileRoundTripsAndNamesTheProjectionWhereItDoesNotFit()
        {
            ReferenceCase reference = ReferenceCase.Load("projection-stacked");
            var model = (ProjectionStackedModel)ReferenceModels.ByCase[reference.Name]();
            reference.LoadInto(model);
            using var file = new MemoryStream();
            model.Save(file);

            var loaded = new ProjectionStackedModel(seed: 9);
            file.Position = 0;
            loaded.Load(file);
            Assert.Equal(model.Parameters.ToArray(), loaded.Parameters.ToArray());
            float[] values = new float[5 * 13];
            loaded.GetTensor("lstm.weight_hr_l1", values);
            Assert.Equal(reference.Tensors["lstm.weight_hr_l1"].ToSingle(), values);

            // The same file in a model without projections (weight_hh [52, 5] against [52, 13], weight_hr unexpected).
            file.Position = 0;
            var plain = new LstmGen.Tests.Reference.PlainForProjectionModel(seed: 1);
            LstmGen.Serialization.WeightFileException refused = Assert.Throws<LstmGen.Serialization.WeightFileException>(() => plain.Load(file));
            Assert.Contains("weight_h", refused.Message, StringComparison.Ordinal);

            // A file without weight_hr, into the model with projections: the missing tensor is named.
            using var plainFile = new MemoryStream();
            plain.Save(plainFile);
            plainFile.Position = 0;
            LstmGen.Serialization.WeightFileException missing = Assert.Throws<LstmGen.Serialization.WeightFileException>(() => loaded.Load(plainFile));
            Assert.Contains("weight_hr_l0", missing.Message, StringComparison.Ordinal);
            Assert.Equal(model.Parameters.ToArray(), loaded.Parameters.ToArray());
        }
    }
}

namespace LstmGen.Tests.Reference
{
    /// <summary>projection-stacked's shape without projections: its files must not load into the other.</summary>
    [Lstm(InputSize = 5, HiddenSize = 13, Layers = 2, OutputSize = 3, OutputActivation = Activation.Tanh)]
    internal partial class PlainForProjectionModel
    {
    }
}
