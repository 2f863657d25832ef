using System;
using System.Linq;
using LstmGen.Tests.Reference;
using Xunit;

namespace LstmGen.Tests.Training
{
    /// <summary>
    /// Truncated backpropagation through time, as PyTorch does it with <c>state.detach()</c> between
    /// chunks: the state is carried from one chunk to the next, its gradient is not.
    /// </summary>
    public sealed class TruncatedBpttTests
    {
        [Fact]
        public void ChunksCarryTheStateButNotItsGradient()
        {
            ReferenceCase reference = ReferenceCase.Load("stacked");
            float[] inputs = reference.Input;
            float[] targets = reference.Target.ToSingle();
            int steps = reference.SequenceLength;
            int half = steps / 2;
            int inputSize = StackedModel.InputSize;
            int outputSize = StackedModel.OutputSize;

            // Two chunks through one model, the state carried.
            var chunked = new StackedModel(seed: 0);
            reference.LoadInto(chunked);
            float firstLoss = chunked.AccumulateGradients(inputs.AsSpan(0, half * inputSize), targets.AsSpan(0, half * outputSize));
            float secondLoss = chunked.AccumulateGradients(inputs.AsSpan(half * inputSize), targets.AsSpan(half * outputSize));

            // The same, as PyTorch computes it: chunk one from the start; chunk two from chunk one's
            // final state, taken as a constant (detached).
            var first = new StackedModel(seed: 0);
            reference.LoadInto(first);
            Assert.Equal(firstLoss, first.AccumulateGradients(inputs.AsSpan(0, half * inputSize), targets.AsSpan(0, half * outputSize)));
            float[] carriedHidden = new float[StackedModel.Layers * StackedModel.HiddenSize];
            float[] carriedCell = new float[carriedHidden.Length];
            first.GetState(carriedHidden, carriedCell);

            var second = new StackedModel(seed: 0);
            reference.LoadInto(second);
            second.SetState(carriedHidden, carriedCell);
            Assert.Equal(secondLoss, second.AccumulateGradients(inputs.AsSpan(half * inputSize), targets.AsSpan(half * outputSize)));

            // The gradients add up: chunk one's plus chunk two's, nothing across the boundary.
            float[] expected = first.Gradients.ToArray().Zip(second.Gradients.ToArray(), (a, b) => a + b).ToArray();
            float[] actual = chunked.Gradients.ToArray();
            float largest = expected.Max(MathF.Abs);
            Assert.All(expected.Zip(actual), pair => Assert.True(Math.Abs(pair.First - pair.Second) <= 1e-6 * largest, $"{pair.Second} differs from {pair.First}"));

            // And the chunked state is the state after the whole sequence.
            var (_, _, wholeHidden, wholeCell) = ReferenceModels.Run(reference);
            float[] hidden = new float[wholeHidden.Length];
            float[] cell = new float[wholeCell.Length];
            chunked.GetState(hidden, cell);
            Assert.Equal(wholeHidden, hidden);
            Assert.Equal(wholeCell, cell);

            // Whereas the whole sequence's gradient does flow across the boundary. Its loss is the mean over
            // 2 x half steps, half the sum of the two chunks' means, so without that flow the chunked
            // gradients would be twice the whole one's.
            Assert.Equal(steps, 2 * half);
            var whole = new StackedModel(seed: 0);
            reference.LoadInto(whole);
            whole.AccumulateGradients(inputs, targets);
            float[] wholeGradients = whole.Gradients.ToArray();
            Assert.Contains(wholeGradients.Zip(actual), pair => Math.Abs(pair.First - (pair.Second * half / steps)) > 1e-4 * largest);
        }
    }
}
