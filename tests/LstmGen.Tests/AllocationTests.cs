using System;
using LstmGen.Tests.Reference;
using LstmGen.Tests.Support;
using Xunit;

namespace LstmGen.Tests
{
    /// <summary>Once warm, stepping, running and training a model allocate nothing on the managed heap.</summary>
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
            float[] stateGradients = new float[StackedModel.Layers * StackedModel.HiddenSize];
            for (int i = 0; i < inputs.Length; i++)
            {
                inputs[i] = MathF.Sin(i);
            }

            void Run()
            {
                model.Step(input, output);
                model.Step(ref state, input, output);
                model.Forward(inputs, outputs);
                model.AccumulateGradients(inputs, targets);
                model.AccumulateGradients(inputs, targets, inputGradients, stateGradients, stateGradients);
                model.ZeroGradients();
            }

            // Warmed up first: the JIT's tiers and the training buffers.
            Assert.Equal(0, Allocations.OfWarm(Run));
        }
    }
}
