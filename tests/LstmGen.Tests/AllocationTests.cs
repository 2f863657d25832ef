using System;
using LstmGen.Tests.Reference;
using LstmGen.Tests.Support;
using Xunit;

namespace LstmGen.Tests
{
    /// <summary>Once warm, stepping (one state or a group), running and training a model allocate nothing on the managed heap (with projections too).</summary>
    public sealed class AllocationTests
    {
        [Fact]
        public void StepForwardAndTrainingAllocateNothingOnceWarm()
        {
            var model = new StackedModel(seed: 2);
            var state = default(StackedModel.State);

            // A group step of 37 agents: two whole groups of 16 on AVX-512 (four of 8 on AVX2), then the rest one by one.
            var agents = new StackedModel.State[37];

            // Warmed up first: the JIT's tiers and the training buffers.
            int cellLength = StackedModel.Layers * StackedModel.HiddenSize;
            Assert.Equal(0, WarmAllocations(model, (input, output) => model.Step(ref state, input, output), (inputs, outputs) => model.Step(agents, inputs, outputs), agents.Length, cellLength));
        }

        [Fact]
        public void AGruStepsRunsAndTrainsWithoutAllocatingOnceWarm()
        {
            var model = new GruStackedModel(seed: 2);
            var state = default(GruStackedModel.State);
            var agents = new GruStackedModel.State[37];
            Assert.Equal(0, WarmAllocations(model, (input, output) => model.Step(ref state, input, output), (inputs, outputs) => model.Step(agents, inputs, outputs), agents.Length, cellLength: 0));
        }

        [Fact]
        public void TrainingWithDropoutAllocatesNothingOnceWarm()
        {
            var lstm = new LstmGen.Tests.Training.DropoutLstmModel(seed: 2);
            var lstmState = default(LstmGen.Tests.Training.DropoutLstmModel.State);
            var lstmAgents = new LstmGen.Tests.Training.DropoutLstmModel.State[5];
            Assert.Equal(0, WarmAllocations(lstm, (input, output) => lstm.Step(ref lstmState, input, output), (inputs, outputs) => lstm.Step(lstmAgents, inputs, outputs), lstmAgents.Length, 3 * 5));
            var gru = new LstmGen.Tests.Training.DropoutGruModel(seed: 2);
            var gruState = default(LstmGen.Tests.Training.DropoutGruModel.State);
            var gruAgents = new LstmGen.Tests.Training.DropoutGruModel.State[5];
            Assert.Equal(0, WarmAllocations(gru, (input, output) => gru.Step(ref gruState, input, output), (inputs, outputs) => gru.Step(gruAgents, inputs, outputs), gruAgents.Length, cellLength: 0));
        }

        [Fact]
        public void AModelWithProjectionsStepsRunsAndTrainsWithoutAllocatingOnceWarm()
        {
            var model = new ProjectionWideModel(seed: 2);
            var state = default(ProjectionWideModel.State);
            var agents = new ProjectionWideModel.State[37];
            Assert.Equal(0, WarmAllocations(model, (input, output) => model.Step(ref state, input, output), (inputs, outputs) => model.Step(agents, inputs, outputs), agents.Length, ProjectionWideModel.Layers * ProjectionWideModel.HiddenSize, ProjectionWideModel.Layers * ProjectionWideModel.ProjectionSize));
        }

        /// <summary>
        /// The bytes allocated, once warm, by every operation of <paramref name="model"/>: its own Step, a step of an external
        /// state, a group step of <paramref name="agents"/>, Forward and AccumulateGradients (both overloads) of 20 steps.
        /// </summary>
        private static long WarmAllocations(ILstmModel model, Action<float[], float[]> stepState, Action<float[], float[]> stepAgents, int agents, int cellLength, int hiddenLength = 0)
        {
            const int steps = 20;
            float[] input = new float[model.InputSize];
            float[] output = new float[model.OutputSize];
            float[] inputs = new float[steps * model.InputSize];
            float[] outputs = new float[steps * model.OutputSize];
            float[] targets = new float[outputs.Length];
            float[] inputGradients = new float[inputs.Length];
            float[] hiddenGradients = new float[hiddenLength > 0 ? hiddenLength : model.Layers * model.HiddenSize];
            float[] cellGradients = new float[cellLength];
            float[] agentInputs = new float[agents * model.InputSize];
            float[] agentOutputs = new float[agents * model.OutputSize];
            for (int i = 0; i < inputs.Length; i++)
            {
                inputs[i] = MathF.Sin(i);
            }

            return Allocations.OfWarm(() =>
            {
                model.Step(input, output);
                stepState(input, output);
                stepAgents(agentInputs, agentOutputs);
                model.Forward(inputs, outputs);
                model.AccumulateGradients(inputs, targets);
                model.AccumulateGradients(inputs, targets, inputGradients, hiddenGradients, cellGradients);
                model.ZeroGradients();
            });
        }
    }
}
