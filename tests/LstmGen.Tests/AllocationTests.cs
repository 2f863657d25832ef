using System;
using LstmGen.Tests.Reference;
using LstmGen.Tests.Support;
using Xunit;

namespace LstmGen.Tests
{
    /// <summary>Once warm, stepping (one state or a group), running and training a model allocate nothing on the managed heap.</summary>
    public sealed class AllocationTests
    {
        [Fact]
        public void StepForwardAndTrainingAllocateNothingOnceWarm()
        {
            var model = new StackedModel(seed: 2);
            var state = default(StackedModel.State);
            float[] input = new float[StackedModel.InputSize];
            float[] output = new float[StackedModel.OutputSize];
            const int steps = 20;
            float[] inputs = new float[steps * StackedModel.InputSize];
            float[] outputs = new float[steps * StackedModel.OutputSize];
            float[] targets = new float[outputs.Length];
            float[] inputGradients = new float[inputs.Length];
            float[] hiddenGradients = new float[StackedModel.Layers * StackedModel.HiddenSize];
            float[] cellGradients = new float[StackedModel.Layers * StackedModel.HiddenSize];

            // A group step of 37 agents: two whole groups of 16 on AVX-512 (four of 8 on AVX2), then the rest one by one.
            var agents = new StackedModel.State[37];
            float[] agentInputs = new float[agents.Length * StackedModel.InputSize];
            float[] agentOutputs = new float[agents.Length * StackedModel.OutputSize];
            for (int i = 0; i < inputs.Length; i++)
            {
                inputs[i] = MathF.Sin(i);
            }

            void Run()
            {
                model.Step(input, output);
                model.Step(ref state, input, output);
                model.Step(agents, agentInputs, agentOutputs);
                model.Forward(inputs, outputs);
                model.AccumulateGradients(inputs, targets);
                model.AccumulateGradients(inputs, targets, inputGradients, hiddenGradients, cellGradients);
                model.ZeroGradients();
            }

            // Warmed up first: the JIT's tiers and the training buffers.
            Assert.Equal(0, Allocations.OfWarm(Run));
        }

        [Fact]
        public void AGruStepsRunsAndTrainsWithoutAllocatingOnceWarm()
        {
            var model = new GruStackedModel(seed: 2);
            var state = default(GruStackedModel.State);
            float[] input = new float[GruStackedModel.InputSize];
            float[] output = new float[GruStackedModel.OutputSize];
            const int steps = 20;
            float[] inputs = new float[steps * GruStackedModel.InputSize];
            float[] outputs = new float[steps * GruStackedModel.OutputSize];
            float[] targets = new float[outputs.Length];
            float[] inputGradients = new float[inputs.Length];
            float[] hiddenGradients = new float[GruStackedModel.Layers * GruStackedModel.HiddenSize];
            var agents = new GruStackedModel.State[37];
            float[] agentInputs = new float[agents.Length * GruStackedModel.InputSize];
            float[] agentOutputs = new float[agents.Length * GruStackedModel.OutputSize];
            for (int i = 0; i < inputs.Length; i++)
            {
                inputs[i] = MathF.Sin(i);
            }

            void Run()
            {
                model.Step(input, output);
                model.Step(ref state, input, output);
                model.Step(agents, agentInputs, agentOutputs);
                model.Forward(inputs, outputs);
                model.AccumulateGradients(inputs, targets);
                model.AccumulateGradients(inputs, targets, inputGradients, hiddenGradients, default);
                model.ZeroGradients();
            }

            Assert.Equal(0, Allocations.OfWarm(Run));
        }
    }
}
