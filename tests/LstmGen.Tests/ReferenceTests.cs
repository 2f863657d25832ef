using System;
using LstmGen.Tests.Reference;
using LstmGen.Tests.Support;
using Xunit;

namespace LstmGen.Tests
{
    /// <summary>Every PyTorch LSTM reference case, run through a model the generator compiled.</summary>
    public sealed class ReferenceTests
    {
        private const double Tolerance = 1e-5;

        public static TheoryData<string> Cases => new(ReferenceCase.LstmCaseNames);

        [Theory]
        [MemberData(nameof(Cases))]
        public void ForwardMatchesPyTorch(string name)
        {
            ReferenceCase reference = ReferenceCase.Load(name);
            var (model, outputs, hidden, cell) = ReferenceModels.Run(reference);

            Assert.Equal(reference.InputSize, model.InputSize);
            Assert.Equal(reference.HiddenSize, model.HiddenSize);
            Assert.Equal(reference.Layers, model.Layers);
            PyTorchComparison.AssertWithin(reference.Output.Data, outputs, Tolerance, "output");
            PyTorchComparison.AssertWithin(reference.FinalHidden.Data, hidden, Tolerance, "h_n");
            PyTorchComparison.AssertWithin(reference.FinalCell!.Data, cell, Tolerance, "c_n");
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void StepByStepGivesTheSameBitsAsForward(string name)
        {
            StepByStep.AssertGivesTheBitsOfForward(name);
        }

        [Fact]
        public void StepOnAnExternalStateGivesTheSameBitsAsForward()
        {
            // The State overload, on the two-layer case with an initial state.
            ReferenceCase reference = ReferenceCase.Load("initial-state");
            var (_, forwardOutputs, forwardHidden, forwardCell) = ReferenceModels.Run(reference);
            var model = new InitialStateModel(seed: 7);
            reference.LoadInto(model);
            model.ResetState(); // the external state below carries the initial state instead

            var state = default(InitialStateModel.State);
            reference.InitialHidden!.ToSingle().CopyTo(state.Hidden);
            reference.InitialCell!.ToSingle().CopyTo(state.Cell);
            float[] outputs = new float[forwardOutputs.Length];
            for (int t = 0; t < reference.SequenceLength; t++)
            {
                model.Step(ref state, reference.Input.AsSpan(t * InitialStateModel.InputSize, InitialStateModel.InputSize), outputs.AsSpan(t * InitialStateModel.OutputSize, InitialStateModel.OutputSize));
            }

            Assert.Equal(forwardOutputs, outputs);
            Assert.Equal(forwardHidden, state.Hidden.ToArray());
            Assert.Equal(forwardCell, state.Cell.ToArray());

            // The model's own state was not touched.
            float[] ownHidden = new float[InitialStateModel.Layers * InitialStateModel.HiddenSize];
            float[] ownCell = new float[ownHidden.Length];
            model.GetState(ownHidden, ownCell);
            Assert.All(ownHidden, value => Assert.Equal(0f, value));
            Assert.All(ownCell, value => Assert.Equal(0f, value));
        }

        public static TheoryData<string> ProjectedModelNames => new(ProjectedModels.ByName.Keys);

        [Theory]
        [MemberData(nameof(ProjectedModelNames))]
        public void ForwardsProjectionOfANarrowStateGivesTheBitsOfStep(string name)
        {
            // These models' Forward computes the input projection a chunk at a time (a *Projection kernel exists);
            // Step runs whole steps.
            Type kernels = ProjectedModels.ByName[name]().GetType().GetNestedType("LstmGenKernels", System.Reflection.BindingFlags.NonPublic)!;
            Assert.Contains(kernels.GetMethods(System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static), method => method.Name.EndsWith("Projection", StringComparison.Ordinal));

            Assert.True(ProjectedModels.Compare(name).Same, $"{name}: Forward's outputs or final state differ from Step's bits.");
        }

        [Fact]
        public void ForwardContinuesFromTheModelsState()
        {
            // Two halves of a sequence give the same result as the whole.
            ReferenceCase reference = ReferenceCase.Load("stacked");
            var (model, wholeOutputs, _, _) = ReferenceModels.Run(reference);
            model.ResetState();
            int half = reference.SequenceLength / 2;
            float[] outputs = new float[wholeOutputs.Length];
            model.Forward(reference.Input.AsSpan(0, half * model.InputSize), outputs.AsSpan(0, half * model.OutputSize));
            model.Forward(reference.Input.AsSpan(half * model.InputSize), outputs.AsSpan(half * model.OutputSize));
            Assert.Equal(wholeOutputs, outputs);
        }
    }
}
