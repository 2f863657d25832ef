using System;
using System.Collections.Generic;
using System.Linq;
using LstmGen.Training;
using Xunit;

namespace LstmGen.Tests.Training
{
    /// <summary>
    /// A NaN or an infinity in one training sequence: <see cref="Trainer{TModel}.Fit"/> stops with a
    /// <see cref="NonFiniteTrainingException"/> before the batch's step (or skips the batch when asked),
    /// never training every weight into NaN.
    /// </summary>
    public sealed class NonFiniteTrainingTests
    {
        private const int Poisoned = 13;

        private static TrainingSequence[] PoisonedSequences(float value)
        {
            TrainingSequence[] sequences = TrainerTests.SmallSequences(24, seed: 3);
            float[] inputs = sequences[Poisoned].Inputs.ToArray();
            inputs[1] = value;
            sequences[Poisoned] = new TrainingSequence(inputs, sequences[Poisoned].Targets);
            return sequences;
        }

        private static int[] Bits(ReadOnlySpan<float> values) => values.ToArray().Select(BitConverter.SingleToInt32Bits).ToArray();

        [Theory]
        [InlineData(float.NaN)]
        [InlineData(float.PositiveInfinity)]
        public void StopsBeforeTheBatchNamingEpochBatchAndSequenceWithWeightsAndOptimizerUnchanged(float value)
        {
            var model = new TrainerSmallModel(seed: 2);
            var optimizer = new Adam(0.01f);
            var trainer = new Trainer<TrainerSmallModel>(model, optimizer, new TrainerOptions { Epochs = 3, BatchSize = 5, Threads = 2, Shards = 3, Seed = 9 });

            // The parameters and the optimizer's state after each step: the last ones are what the model must keep.
            int[] parameters = Bits(model.Parameters);
            OptimizerState state = optimizer.GetState();
            int reports = 0;
            var progress = new SynchronousProgress<TrainingProgress>(report =>
            {
                if (!report.EpochCompleted)
                {
                    parameters = Bits(model.Parameters);
                    state = optimizer.GetState();
                    reports++;
                }
            });

            NonFiniteTrainingException exception = Assert.Throws<NonFiniteTrainingException>(() => trainer.Fit(PoisonedSequences(value), progress: progress));
            Assert.Equal(1, exception.Epoch);
            Assert.Equal(reports + 1, exception.Batch);
            Assert.Contains("epoch 1, mini-batch " + exception.Batch, exception.Message, StringComparison.Ordinal);
            if (float.IsNaN(value))
            {
                // A NaN input makes the sequence's loss NaN.
                Assert.Equal(Poisoned, exception.SequenceIndex);
                Assert.True(exception.Loss is float loss && float.IsNaN(loss));
                Assert.Contains("training sequence 13", exception.Message, StringComparison.Ordinal);
            }
            else
            {
                // An infinite input saturates the gates: the loss stays finite, the gradient does not.
                Assert.Null(exception.SequenceIndex);
                Assert.True(exception.GradientNorm is float norm && !float.IsFinite(norm));
                Assert.Contains("gradient's L2 norm", exception.Message, StringComparison.Ordinal);
            }

            Assert.IsAssignableFrom<ArithmeticException>(exception);

            Assert.Equal(parameters, Bits(model.Parameters));
            Assert.All(model.Parameters.ToArray(), p => Assert.True(float.IsFinite(p)));
            Assert.Equal(state.StepCount, optimizer.StepCount);
            Assert.Equal(reports, optimizer.StepCount);
            OptimizerState after = optimizer.GetState();
            Assert.Equal(state.LearningRate, after.LearningRate);
            for (int i = 0; i < state.Buffers.Count; i++)
            {
                Assert.Equal(Bits(state.Buffers[i].Value), Bits(after.Buffers[i].Value));
            }

            // The trainer is usable again once the data is fixed.
            TrainingResult result = trainer.Fit(TrainerTests.SmallSequences(24, seed: 3));
            Assert.Equal(0, result.SkippedBatches);
        }

        [Fact]
        public void SkipsTheBatchWhenAskedCountsItAndGivesTheSameBitsOnAnyNumberOfThreads()
        {
            TrainingSequence[] training = PoisonedSequences(float.NaN);
            (int[] Parameters, int[] Losses, long Steps, long Skipped) Run(int threads)
            {
                var model = new TrainerSmallModel(seed: 2);
                var options = new TrainerOptions
                {
                    Epochs = 4, BatchSize = 5, Threads = threads, Shards = 3, Seed = 9, ClipNorm = 1f, SkipNonFiniteBatches = true,
                    Schedule = new CosineAnnealing(0.02f, 20),
                };
                TrainingResult result = new Trainer<TrainerSmallModel>(model, new Adam(0.01f), options).Fit(training, TrainerTests.SmallSequences(6, seed: 4));
                Assert.All(model.Parameters.ToArray(), p => Assert.True(float.IsFinite(p)));
                Assert.All(result.TrainingLosses, l => Assert.True(float.IsFinite(l)));
                Assert.All(result.ValidationLosses, l => Assert.True(float.IsFinite(l)));
                Assert.NotNull(result.BestEpoch);
                return (Bits(model.Parameters), Bits(result.TrainingLosses.ToArray()), result.Steps, result.SkippedBatches);
            }

            var one = Run(1);
            Assert.Equal(4, one.Skipped); // the poisoned sequence's batch, once an epoch
            Assert.Equal((4 * 5) - 4, one.Steps);
            foreach (int threads in new[] { 2, 3 })
            {
                var other = Run(threads);
                Assert.Equal(one.Parameters, other.Parameters);
                Assert.Equal(one.Losses, other.Losses);
                Assert.Equal(one.Steps, other.Steps);
                Assert.Equal(one.Skipped, other.Skipped);
            }
        }

        [Fact]
        public void ANaNTargetIsCaughtAsWell()
        {
            TrainingSequence[] training = TrainerTests.SmallSequences(8, seed: 5);
            float[] targets = training[6].Targets.ToArray();
            targets[0] = float.NaN;
            training[6] = new TrainingSequence(training[6].Inputs, targets);
            var model = new TrainerSmallModel(seed: 1);
            int[] before = Bits(model.Parameters);
            var exception = Assert.Throws<NonFiniteTrainingException>(
                () => new Trainer<TrainerSmallModel>(model, new Sgd(0.1f), new TrainerOptions { Epochs = 1, BatchSize = 8, Threads = 1 }).Fit(training));
            Assert.Equal(6, exception.SequenceIndex);
            Assert.Equal(1, exception.Batch);
            Assert.Equal(before, Bits(model.Parameters));
        }

        [Fact]
        public void AccumulateGradientsReturnsANaNLossAndPoisonsTheGradientsForANaNInputAsDocumented()
        {
            var model = new TrainerSmallModel(seed: 1);
            int[] parameters = Bits(model.Parameters);
            float[] inputs = new float[4 * TrainerSmallModel.InputSize];
            inputs[5] = float.NaN;
            float[] targets = new float[4 * TrainerSmallModel.OutputSize];
            model.ZeroGradients();
            float loss = model.AccumulateGradients(inputs, targets);
            Assert.True(float.IsNaN(loss));
            Assert.Contains(model.Gradients.ToArray(), float.IsNaN);
            Assert.Equal(parameters, Bits(model.Parameters));
        }

        /// <summary>An <see cref="IProgress{T}"/> that reports on the calling thread, at once.</summary>
        private sealed class SynchronousProgress<T> : IProgress<T>
        {
            private readonly Action<T> _report;

            public SynchronousProgress(Action<T> report) => _report = report;

            public void Report(T value) => _report(value);
        }
    }
}
