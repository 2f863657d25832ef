using System;
using System.Linq;
using LstmGen.CompilerServices;
using LstmGen.Tests.Reference;
using LstmGen.Tests.Support;
using LstmGen.Training;
using Xunit;

namespace LstmGen.Tests.Training
{
    // Twins: the same shapes with and without dropout, so that the same seed gives the same initial weights.
    [Lstm(InputSize = 3, HiddenSize = 5, Layers = 3, OutputSize = 2, Dropout = 0.4)]
    internal partial class DropoutLstmModel
    {
    }

    [Lstm(InputSize = 3, HiddenSize = 5, Layers = 3, OutputSize = 2)]
    internal partial class DropoutLstmTwinModel
    {
    }

    [Gru(InputSize = 3, HiddenSize = 5, Layers = 2, OutputSize = 2, Dropout = 0.25)]
    internal partial class DropoutGruModel
    {
    }

    [Gru(InputSize = 3, HiddenSize = 5, Layers = 2, OutputSize = 2)]
    internal partial class DropoutGruTwinModel
    {
    }

    // Dropout = 0 is no dropout: the same generated code as the twin.
    [Lstm(InputSize = 3, HiddenSize = 5, Layers = 3, OutputSize = 2, Dropout = 0)]
    internal partial class DropoutZeroModel
    {
    }

    /// <summary>Dropout between layers in training: PyTorch's gradients with the same masks, the masks, inference untouched, the Trainer's bits on any thread count.</summary>
    public sealed class DropoutTests
    {
        private const int Steps = 7;

        public static TheoryData<string> Cells => new() { "lstm", "gru" };

        private static (ILstmModel Dropout, ILstmModel Twin) Pair(string cell) => cell == "lstm"
            ? (new DropoutLstmModel(seed: 3), new DropoutLstmTwinModel(seed: 3))
            : (new DropoutGruModel(seed: 3), new DropoutGruTwinModel(seed: 3));

        private static float[] Inputs(int length) => Enumerable.Range(0, length).Select(i => MathF.Sin(0.7f * i) + (0.1f * (i % 3))).ToArray();

        /// <summary>
        /// The PyTorch cases: one-layer nn.LSTM / nn.GRU modules with LstmGen's masks between them (the script
        /// reimplements the hash), in float64; the loss and every gradient within 1e-6 relative plus 1e-6 absolute.
        /// </summary>
        [Theory]
        [InlineData("dropout-lstm")]
        [InlineData("dropout-gru")]
        public void GradientsMatchPyTorchWithTheSameMasks(string name)
        {
            ReferenceCase reference = ReferenceCase.Load(name);
            ILstmModel model = name == "dropout-lstm" ? new DropoutLstmReferenceModel(seed: 1) : new DropoutGruReferenceModel(seed: 1);
            Assert.Equal((float)reference.DropoutProbability, ((IDropoutModel)model).Dropout);
            reference.LoadInto(model);
            model.ResetState();
            ((IDropoutModel)model).DropoutSeed = reference.DropoutSeed;
            float[] inputGradients = new float[reference.Input.Length];
            int cellLength = name == "dropout-lstm" ? model.Layers * model.HiddenSize : 0;
            float loss = model.AccumulateGradients(reference.Input, reference.Target.ToSingle(), inputGradients, new float[model.Layers * model.HiddenSize], new float[cellLength]);

            PyTorchComparison.AssertClose(reference.ExpectedLoss, loss, name + " loss");
            PyTorchComparison.AssertGradients(reference, model, inputGradients);

            // Other masks give another loss: the case does test the masks, not only the layers.
            model.ResetState();
            ((IDropoutModel)model).DropoutSeed = reference.DropoutSeed + 1;
            float otherLoss = model.AccumulateGradients(reference.Input, reference.Target.ToSingle());
            Assert.True(Math.Abs(otherLoss - reference.ExpectedLoss) > 1e-4, $"{name}: the loss with other masks, {otherLoss:R}, is the case's");
        }

        [Theory]
        [MemberData(nameof(Cells))]
        public void StepAndForwardNeverDrop(string cell)
        {
            (ILstmModel dropout, ILstmModel twin) = Pair(cell);
            Assert.Equal(twin.Parameters.ToArray(), dropout.Parameters.ToArray());
            float[] inputs = Inputs(Steps * 3);
            float[] expected = new float[Steps * 2];
            float[] actual = new float[Steps * 2];
            twin.Forward(inputs, expected);
            dropout.Forward(inputs, actual);
            Assert.Equal(Bits(expected), Bits(actual));

            // A training pass between does not change what inference gives (its state aside).
            dropout.ResetState();
            dropout.AccumulateGradients(inputs, new float[Steps * 2]);
            dropout.ResetState();
            twin.ResetState();
            float[] step = new float[2];
            float[] twinStep = new float[2];
            for (int t = 0; t < Steps; t++)
            {
                dropout.Step(inputs.AsSpan(t * 3, 3), step);
                twin.Step(inputs.AsSpan(t * 3, 3), twinStep);
                Assert.Equal(Bits(twinStep), Bits(step));
            }
        }

        [Theory]
        [MemberData(nameof(Cells))]
        public void TrainingDropsWithMasksFixedByTheSeed(string cell)
        {
            (ILstmModel dropout, ILstmModel twin) = Pair(cell);
            var seeded = (IDropoutModel)dropout;
            Assert.False(twin is IDropoutModel);
            float[] inputs = Inputs(Steps * 3);
            float[] targets = Inputs(Steps * 2).Select(v => v * 0.5f).ToArray();

            float Loss(ulong seed, out int[] gradients)
            {
                seeded.DropoutSeed = seed;
                dropout.ResetState();
                dropout.ZeroGradients();
                float loss = dropout.AccumulateGradients(inputs, targets);
                gradients = Bits(dropout.Gradients.ToArray());
                return loss;
            }

            twin.ResetState();
            float twinLoss = twin.AccumulateGradients(inputs, targets);
            float first = Loss(1, out int[] firstGradients);
            float again = Loss(1, out int[] againGradients);
            float other = Loss(2, out int[] otherGradients);
            Assert.Equal(BitConverter.SingleToInt32Bits(first), BitConverter.SingleToInt32Bits(again));
            Assert.Equal(firstGradients, againGradients);
            Assert.NotEqual(firstGradients, otherGradients);
            Assert.NotEqual(first, other);
            Assert.NotEqual(twinLoss, first);
            Assert.Equal(cell == "lstm" ? 0.4f : 0.25f, seeded.Dropout);
        }

        [Fact]
        public void DropoutZeroIsTheModelWithoutDropout()
        {
            var zero = new DropoutZeroModel(seed: 3);
            var twin = new DropoutLstmTwinModel(seed: 3);
            Assert.False(zero is IDropoutModel);
            float[] inputs = Inputs(Steps * 3);
            float[] targets = new float[Steps * 2];
            Assert.Equal(BitConverter.SingleToInt32Bits(twin.AccumulateGradients(inputs, targets)), BitConverter.SingleToInt32Bits(zero.AccumulateGradients(inputs, targets)));
            Assert.Equal(Bits(twin.Gradients.ToArray()), Bits(zero.Gradients.ToArray()));
        }

        [Fact]
        public void MasksDropAboutPAndScaleTheKeptOnes()
        {
            const int units = 4096;
            float[] hidden = Enumerable.Repeat(1f, units).ToArray();
            float[] factors = new float[units];
            float[] dropped = new float[units];
            DropoutMasks.Apply(seed: 9, step: 3, layer: 1, probability: 0.3f, ref hidden[0], ref factors[0], ref dropped[0], units);
            int kept = factors.Count(f => f != 0f);
            Assert.All(factors, f => Assert.True(f == 0f || f == 1f / (1f - 0.3f)));
            Assert.Equal(factors, dropped);
            Assert.InRange(kept / (double)units, 0.67, 0.73);

            // Another step, layer or seed: another mask.
            float[] other = new float[units];
            DropoutMasks.Apply(seed: 9, step: 4, layer: 1, probability: 0.3f, ref hidden[0], ref other[0], ref dropped[0], units);
            Assert.NotEqual(factors, other);
            DropoutMasks.Apply(seed: 9, step: 3, layer: 2, probability: 0.3f, ref hidden[0], ref other[0], ref dropped[0], units);
            Assert.NotEqual(factors, other);

            // The backward pass multiplies by the same factors.
            float[] gradient = Enumerable.Repeat(2f, units).ToArray();
            DropoutMasks.Backward(ref gradient[0], ref factors[0], units);
            Assert.Equal(factors.Select(f => 2f * f), gradient);
        }

        [Theory]
        [MemberData(nameof(Cells))]
        public void TheTrainerGivesTheSameBitsOnAnyNumberOfThreads(string cell)
        {
            TrainingSequence[] training = TrainerTests.SmallSequences(29, seed: 1);
            (int[] Parameters, int[] Losses) Run(int threads)
            {
                ILstmModel model = Pair(cell).Dropout;
                var options = new TrainerOptions { Epochs = 2, BatchSize = 8, Threads = threads, Shards = 4, Seed = 42 };
                TrainingResult result = model is DropoutLstmModel lstm
                    ? new Trainer<DropoutLstmModel>(lstm, new Adam(0.05f), options).Fit(training)
                    : new Trainer<DropoutGruModel>((DropoutGruModel)model, new Adam(0.05f), options).Fit(training);
                return (Bits(model.Parameters.ToArray()), Bits(result.TrainingLosses.ToArray()));
            }

            var one = Run(1);
            foreach (int threads in new[] { 2, 3 })
            {
                var other = Run(threads);
                Assert.Equal(one.Parameters, other.Parameters);
                Assert.Equal(one.Losses, other.Losses);
            }

            // And the masks did something: the twin without dropout trains to other weights.
            ILstmModel twin = Pair(cell).Twin;
            var twinOptions = new TrainerOptions { Epochs = 2, BatchSize = 8, Threads = 1, Shards = 4, Seed = 42 };
            if (twin is DropoutLstmTwinModel lstmTwin)
            {
                new Trainer<DropoutLstmTwinModel>(lstmTwin, new Adam(0.05f), twinOptions).Fit(training);
            }
            else
            {
                new Trainer<DropoutGruTwinModel>((DropoutGruTwinModel)twin, new Adam(0.05f), twinOptions).Fit(training);
            }

            Assert.NotEqual(one.Parameters, Bits(twin.Parameters.ToArray()));
        }

        [Fact]
        public void SequenceSeedsDependOnSeedEpochAndPosition()
        {
            ulong seed = DropoutMasks.SequenceSeed(42, 1, 5);
            Assert.Equal(seed, DropoutMasks.SequenceSeed(42, 1, 5));
            Assert.NotEqual(seed, DropoutMasks.SequenceSeed(43, 1, 5));
            Assert.NotEqual(seed, DropoutMasks.SequenceSeed(42, 2, 5));
            Assert.NotEqual(seed, DropoutMasks.SequenceSeed(42, 1, 6));
        }

        private static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();
    }
}
