using System;
using LstmGen.Tests.Reference;
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
            new Random(5).NextBytes(new byte[1]);
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

            // Warm-up: the JIT's tiers and the training buffers.
            for (int i = 0; i < 50; i++)
            {
                Run();
            }

            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++)
            {
                Run();
            }

            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(0, allocated);
        }
    }
}
