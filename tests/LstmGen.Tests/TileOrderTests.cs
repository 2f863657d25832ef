using System;
using System.Linq;
using System.Threading;
using LstmGen.Tests.Reference;
using Xunit;

namespace LstmGen.Tests
{
    /// <summary>
    /// The step kernels of a model of 256 KiB of parameters or more run their tiles in the opposite order at every
    /// other step of a thread (LstmGen.CompilerServices.TileOrder). The order may change the speed, never a bit.
    /// </summary>
    public sealed class TileOrderTests
    {
        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        [InlineData(3)]
        public void EveryStartingOrderGivesTheSameBits(int callsBefore)
        {
            ReferenceCase reference = ReferenceCase.Load("wide-odd");
            Assert.True(WideOddModel.ParameterCount * sizeof(float) >= 256 * 1024, "The case must be large enough for the kernels to alternate.");

            float[] expected = RunOnNewThread(reference, callsBefore: 0);
            float[] actual = RunOnNewThread(reference, callsBefore);
            Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), actual.Select(BitConverter.SingleToInt32Bits));
        }

        [Fact]
        public void TheModelStillMatchesPyTorchWhateverTheOrder()
        {
            ReferenceCase reference = ReferenceCase.Load("wide-odd");
            float[] outputs = RunOnNewThread(reference, callsBefore: 1);
            int length = reference.SequenceLength * reference.OutputSize;
            double[] expected = reference.Output.Data;

            // Step's outputs, then Forward's, then each agent's of the group step, as PyTorch's.
            for (int run = 0; run < 7; run++)
            {
                for (int t = 0; t < reference.SequenceLength; t++)
                {
                    for (int o = 0; o < reference.OutputSize; o++)
                    {
                        int at = run < 2 ? (run * length) + (t * reference.OutputSize) + o
                            : (2 * length) + (((t * 5) + (run - 2)) * reference.OutputSize) + o;
                        double target = expected[(t * reference.OutputSize) + o];
                        Assert.True(Math.Abs(outputs[at] - target) <= 1e-5, $"Run {run}, step {t}, output {o}: {outputs[at]} against PyTorch's {target}.");
                    }
                }
            }
        }

        /// <summary>
        /// On a thread of its own, after <paramref name="callsBefore"/> steps of another model (each turns the order of
        /// the kernels), the case's sequence through Step, Forward and a group step of 5 agents; all their outputs.
        /// </summary>
        private static float[] RunOnNewThread(ReferenceCase reference, int callsBefore)
        {
            float[] result = Array.Empty<float>();
            Exception? failure = null;
            var thread = new Thread(() =>
            {
                try
                {
                    var warmup = new WideOddModel(seed: 1);
                    float[] scratch = new float[WideOddModel.OutputSize];
                    for (int call = 0; call < callsBefore; call++)
                    {
                        warmup.Step(new float[WideOddModel.InputSize], scratch);
                    }

                    var model = new WideOddModel(seed: 0);
                    reference.LoadInto(model);
                    int steps = reference.SequenceLength;
                    int inputSize = WideOddModel.InputSize;
                    int outputSize = WideOddModel.OutputSize;
                    float[] input = reference.Input;
                    float[] stepOutputs = new float[steps * outputSize];
                    for (int t = 0; t < steps; t++)
                    {
                        model.Step(input.AsSpan(t * inputSize, inputSize), stepOutputs.AsSpan(t * outputSize, outputSize));
                    }

                    model.ResetState();
                    float[] forwardOutputs = new float[steps * outputSize];
                    model.Forward(input, forwardOutputs);

                    const int agents = 5;
                    var states = new WideOddModel.State[agents];
                    float[] agentInputs = new float[agents * inputSize];
                    float[] agentOutputs = new float[steps * agents * outputSize];
                    for (int t = 0; t < steps; t++)
                    {
                        for (int agent = 0; agent < agents; agent++)
                        {
                            input.AsSpan(t * inputSize, inputSize).CopyTo(agentInputs.AsSpan(agent * inputSize));
                        }

                        model.Step(states, agentInputs, agentOutputs.AsSpan(t * agents * outputSize, agents * outputSize));
                    }

                    result = stepOutputs.Concat(forwardOutputs).Concat(agentOutputs).ToArray();
                }
                catch (Exception exception)
                {
                    failure = exception;
                }
            });
            thread.Start();
            thread.Join();
            if (failure is not null)
            {
                throw new InvalidOperationException("The run failed on its thread.", failure);
            }

            return result;
        }
    }
}
