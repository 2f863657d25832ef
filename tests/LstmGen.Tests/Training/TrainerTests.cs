using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using LstmGen.Training;
using Xunit;

namespace LstmGen.Tests.Training
{
    [Lstm(InputSize = 3, HiddenSize = 5, OutputSize = 2)]
    internal partial class TrainerSmallModel
    {
    }

    [Lstm(InputSize = 2, HiddenSize = 4, Layers = 2, OutputSize = 3, OutputActivation = Activation.Softmax, Loss = LossFunction.CrossEntropy)]
    internal partial class TrainerSmallClassifierModel
    {
    }

    [Gru(InputSize = 3, HiddenSize = 5, Layers = 2, OutputSize = 2)]
    internal partial class TrainerSmallGruModel
    {
    }

    [Lstm(InputSize = 3, HiddenSize = 7, Layers = 2, OutputSize = 2, ProjectionSize = 3, Dropout = 0.2)]
    internal partial class TrainerSmallProjectionModel
    {
    }

    [Lstm(InputSize = 1, HiddenSize = 16, OutputSize = 1)]
    internal partial class DelayModel
    {
    }

    [Lstm(InputSize = 1, HiddenSize = 12, OutputSize = 3, OutputActivation = Activation.Softmax, Loss = LossFunction.CrossEntropy)]
    internal partial class FrequencyModel
    {
    }

    /// <summary>
    /// <see cref="Trainer{TModel}"/>: the same bits on any number of threads, the documented computation of
    /// a step, real learning, validation, early stopping, cancellation, progress, checks and allocations.
    /// </summary>
    public sealed class TrainerTests
    {
        [Fact]
        public void GivesTheSameBitsOnAnyNumberOfThreads()
        {
            TrainingSequence[] training = SmallSequences(37, seed: 1);
            TrainingSequence[] validation = SmallSequences(9, seed: 2);
            foreach (int shards in new[] { 3, 8 })
            {
                (int[] Parameters, int[] Gradients, int[] TrainingLosses, int[] ValidationLosses, int Evaluation) Run(int threads)
                {
                    var model = new TrainerSmallModel(seed: 5);
                    var options = new TrainerOptions
                    {
                        Epochs = 3,
                        BatchSize = 8,
                        Threads = threads,
                        Shards = shards,
                        Seed = 42,
                        ClipNorm = 0.5f,
                        Schedule = new LinearWarmup(new CosineAnnealing(0.05f, 15), 3),
                    };
                    var trainer = new Trainer<TrainerSmallModel>(model, new Adam(0.05f), options);
                    TrainingResult result = trainer.Fit(training, validation);
                    Assert.Equal(15, result.Steps);
                    return (Bits(model.Parameters), Bits(model.Gradients), Bits(result.TrainingLosses), Bits(result.ValidationLosses), BitConverter.SingleToInt32Bits(trainer.Evaluate(training)));
                }

                var oneThread = Run(1);
                foreach (int threads in new[] { 2, 3, 8 })
                {
                    var other = Run(threads);
                    Assert.Equal(oneThread.Parameters, other.Parameters);
                    Assert.Equal(oneThread.Gradients, other.Gradients);
                    Assert.Equal(oneThread.TrainingLosses, other.TrainingLosses);
                    Assert.Equal(oneThread.ValidationLosses, other.ValidationLosses);
                    Assert.Equal(oneThread.Evaluation, other.Evaluation);
                }
            }
        }

        [Fact]
        public void TrainsAGruToTheSameBitsOnAnyNumberOfThreads() =>
            AssertSameBitsOnAnyNumberOfThreads(() => new TrainerSmallGruModel(seed: 5), dataSeed: 3, seed: 42);

        [Fact]
        public void TrainsAnLstmWithProjectionsToTheSameBitsOnAnyNumberOfThreads() =>
            AssertSameBitsOnAnyNumberOfThreads(() => new TrainerSmallProjectionModel(seed: 7), dataSeed: 5, seed: 43);

        /// <summary>
        /// Trains a fresh model from <paramref name="create"/> on 1, 2, 3 and 8 threads (3 epochs of small sequences, Adam,
        /// clipping): the same parameters and losses, bit for bit, and the last epoch's training loss below the first's.
        /// </summary>
        private static void AssertSameBitsOnAnyNumberOfThreads<TModel>(Func<TModel> create, int dataSeed, int seed)
            where TModel : class, ILstmModel, new()
        {
            TrainingSequence[] training = SmallSequences(37, seed: dataSeed);
            TrainingSequence[] validation = SmallSequences(9, seed: dataSeed + 1);
            (int[] Parameters, int[] TrainingLosses, int[] ValidationLosses) Run(int threads)
            {
                TModel model = create();
                var options = new TrainerOptions { Epochs = 3, BatchSize = 8, Threads = threads, Shards = 8, Seed = seed, ClipNorm = 0.5f };
                TrainingResult result = new Trainer<TModel>(model, new Adam(0.05f), options).Fit(training, validation);
                return (Bits(model.Parameters), Bits(result.TrainingLosses), Bits(result.ValidationLosses));
            }

            var oneThread = Run(1);
            foreach (int threads in new[] { 2, 3, 8 })
            {
                var other = Run(threads);
                Assert.Equal(oneThread.Parameters, other.Parameters);
                Assert.Equal(oneThread.TrainingLosses, other.TrainingLosses);
                Assert.Equal(oneThread.ValidationLosses, other.ValidationLosses);
            }

            // It learns: the last epoch's training loss is below the first's.
            Assert.True(BitConverter.Int32BitsToSingle(oneThread.TrainingLosses[^1]) < BitConverter.Int32BitsToSingle(oneThread.TrainingLosses[0]));
        }

        [Theory]
        [InlineData(1, 1)]
        [InlineData(1, 2)]
        [InlineData(2, 1)]
        [InlineData(2, 3)]
        [InlineData(8, 2)]
        public void TakesTheStepsOfTheDocumentedComputation(int shards, int threads)
        {
            TrainingSequence[] training = SmallSequences(7, seed: 3);
            const int Seed = 9;
            const int Epochs = 2;
            const int BatchSize = 3;
            const float ClipNorm = 0.05f;
            var schedule = new StepDecay(0.3f, 2, 0.5f);

            var model = new TrainerSmallModel(seed: 6);
            var trainer = new Trainer<TrainerSmallModel>(
                model,
                new Sgd(0.1f, momentum: 0.9f),
                new TrainerOptions { Epochs = Epochs, BatchSize = BatchSize, Shards = shards, Threads = threads, Seed = Seed, ClipNorm = ClipNorm, Schedule = schedule });
            float[] hidden = { 0.5f, -0.25f, 0.125f, 1f, -1f };
            float[] cell = { -2f, 0.75f, 0f, 3f, 0.5f };
            model.SetState(hidden, cell);
            TrainingResult result = trainer.Fit(training);

            // The model's own state is not used, nor changed.
            float[] hiddenAfter = new float[hidden.Length];
            float[] cellAfter = new float[cell.Length];
            model.GetState(hiddenAfter, cellAfter);
            Assert.Equal(hidden, hiddenAfter);
            Assert.Equal(cell, cellAfter);

            // The same by hand, on one model. For each batch: the batch's contiguous shards, each one's
            // gradient accumulated in order from zero (ZeroGradients, then for each sequence ResetState and
            // AccumulateGradients), the shards added in order, divided by the batch size, clipped; then the
            // learning rate from the schedule and one optimizer step. With one shard this is just
            // "accumulate the batch in order, divide by B".
            var reference = new TrainerSmallModel(seed: 6);
            var optimizer = new Sgd(0.1f, momentum: 0.9f);
            var trainingLosses = new List<float>();
            float[] gradient = new float[TrainerSmallModel.ParameterCount];
            for (int epoch = 0; epoch < Epochs; epoch++)
            {
                int[] order = Enumerable.Range(0, training.Length).ToArray();
                new DeterministicRandom(((long)Seed << 32) | (uint)epoch).Shuffle<int>(order);
                double lossSum = 0;
                for (int start = 0; start < training.Length; start += BatchSize)
                {
                    int size = Math.Min(BatchSize, training.Length - start);
                    int batchShards = Math.Min(shards, size);
                    for (int shard = 0; shard < batchShards; shard++)
                    {
                        reference.ZeroGradients();
                        for (int position = shard * size / batchShards; position < (shard + 1) * size / batchShards; position++)
                        {
                            TrainingSequence sequence = training[order[start + position]];
                            reference.ResetState();
                            lossSum += reference.AccumulateGradients(sequence.Inputs.Span, sequence.Targets.Span);
                        }

                        for (int i = 0; i < gradient.Length; i++)
                        {
                            gradient[i] = shard == 0 ? reference.Gradients[i] : gradient[i] + reference.Gradients[i];
                        }
                    }

                    for (int i = 0; i < gradient.Length; i++)
                    {
                        gradient[i] /= size;
                    }

                    GradientClipping.ClipByGlobalNorm(gradient, ClipNorm);
                    optimizer.LearningRate = schedule.LearningRate(optimizer.StepCount);
                    optimizer.Step(reference.Parameters, gradient);
                }

                trainingLosses.Add((float)(lossSum / training.Length));
            }

            Assert.Equal(6, optimizer.StepCount);
            Assert.Equal(6, trainer.Optimizer.StepCount);
            Assert.Equal(Bits(reference.Parameters), Bits(model.Parameters));
            Assert.Equal(Bits(gradient), Bits(model.Gradients));
            Assert.Equal(Bits(trainingLosses), Bits(result.TrainingLosses));
            Assert.Equal(optimizer.LearningRate, trainer.Optimizer.LearningRate);
        }

        [Fact]
        public void TakesABatchLargerThanTheSetAsTheWholeSet()
        {
            // Buffers and workers are sized by the data, not by the options' upper bounds.
            TrainingSequence[] training = SmallSequences(5, seed: 14);
            var whole = new TrainerSmallModel(seed: 15);
            TrainingResult result = new Trainer<TrainerSmallModel>(
                whole,
                new Sgd(0.1f),
                new TrainerOptions { Epochs = 2, BatchSize = int.MaxValue, Shards = int.MaxValue, Threads = int.MaxValue }).Fit(training, training);
            Assert.Equal(2, result.Steps);

            var exact = new TrainerSmallModel(seed: 15);
            new Trainer<TrainerSmallModel>(exact, new Sgd(0.1f), new TrainerOptions { Epochs = 2, BatchSize = 5, Shards = 5, Threads = 1 }).Fit(training, training);
            Assert.Equal(Bits(exact.Parameters), Bits(whole.Parameters));
        }

        [Fact]
        public void LearnsToRecallTheInputFiveStepsBack()
        {
            // The target of step t is the input of step t - 5 (0 before): the model must remember five
            // steps of a random sequence. Predicting the mean of the targets scores about 0.19.
            TrainingSequence[] training = DelaySequences(256, seed: 1);
            TrainingSequence[] validation = DelaySequences(64, seed: 2);
            float baseline = VarianceOfTargets(validation);
            var model = new DelayModel(seed: 3);
            var trainer = new Trainer<DelayModel>(model, new Adam(0.02f), new TrainerOptions { Epochs = 25, BatchSize = 16 });

            TrainingResult result = trainer.Fit(training, validation);

            float loss = trainer.Evaluate(validation);
            Assert.True(baseline > 0.15f, $"baseline {baseline}");
            Assert.True(loss < 0.05f * baseline, $"validation loss {loss} after {result.EpochsRun} epochs; predicting the mean scores {baseline}.");
            Assert.Equal(result.BestValidationLoss, loss);
        }

        [Fact]
        public void LearnsToClassifyTheFrequencyOfANoisySine()
        {
            // One of three frequencies, a random phase, uniform noise of ±0.4; the class is scored on the
            // last step only (targets of [3] floats).
            TrainingSequence[] training = FrequencySequences(240, seed: 1);
            TrainingSequence[] test = FrequencySequences(150, seed: 2);
            var model = new FrequencyModel(seed: 3);
            var trainer = new Trainer<FrequencyModel>(model, new Adam(0.02f), new TrainerOptions { Epochs = 20, BatchSize = 16 });

            TrainingResult result = trainer.Fit(training);

            int correct = 0;
            float[] outputs = new float[FrequencySteps * FrequencyModel.OutputSize];
            foreach (TrainingSequence sequence in test)
            {
                model.ResetState();
                model.Forward(sequence.Inputs.Span, outputs);
                ReadOnlySpan<float> last = outputs.AsSpan(outputs.Length - FrequencyModel.OutputSize);
                int predicted = last.IndexOf(MaxOf(last));
                correct += sequence.Targets.Span[predicted] == 1f ? 1 : 0;
            }

            double accuracy = correct / (double)test.Length;
            Assert.True(accuracy >= 0.9, $"accuracy {accuracy:P1} after {result.EpochsRun} epochs; training losses {string.Join(", ", result.TrainingLosses)}.");
        }

        [Fact]
        public void StopsEarlyAndRestoresTheBestWeights()
        {
            // The validation set wants the opposite of the training set, so it is best after epoch 1.
            TrainingSequence[] training = ConstantTargets(SmallSequences(24, seed: 4), 0.8f);
            TrainingSequence[] validation = ConstantTargets(SmallSequences(8, seed: 5), -0.8f);
            var model = new TrainerSmallModel(seed: 7);
            var trainer = new Trainer<TrainerSmallModel>(
                model,
                new Adam(0.05f),
                new TrainerOptions { Epochs = 10, BatchSize = 8, EarlyStoppingPatience = 2, MinimumImprovement = 0.01f, Threads = 2 });
            var parametersAfterEachEpoch = new List<float[]>();
            var progress = new Recorder(report =>
            {
                if (report.EpochCompleted)
                {
                    parametersAfterEachEpoch.Add(model.Parameters.ToArray());
                }
            });

            TrainingResult result = trainer.Fit(training, validation, progress);

            Assert.True(result.StoppedEarly);
            Assert.False(result.Cancelled);
            Assert.Equal(3, result.EpochsRun);
            Assert.Equal(9, result.Steps);
            Assert.Equal(1, result.BestEpoch);
            Assert.Equal(result.ValidationLosses[0], result.BestValidationLoss);
            Assert.True(result.ValidationLosses[1] > result.ValidationLosses[0] && result.ValidationLosses[2] > result.ValidationLosses[0], string.Join(", ", result.ValidationLosses));
            Assert.True(result.RestoredBestWeights);
            Assert.Equal(3, parametersAfterEachEpoch.Count);
            Assert.Equal(Bits(parametersAfterEachEpoch[0]), Bits(model.Parameters));
            Assert.Equal(result.BestValidationLoss, trainer.Evaluate(validation));

            // Without restoring, the model keeps the last epoch's weights; without patience, it runs every epoch.
            var lastModel = new TrainerSmallModel(seed: 7);
            TrainingResult last = new Trainer<TrainerSmallModel>(
                lastModel,
                new Adam(0.05f),
                new TrainerOptions { Epochs = 4, BatchSize = 8, RestoreBestWeights = false }).Fit(training, validation);
            Assert.False(last.StoppedEarly);
            Assert.False(last.RestoredBestWeights);
            Assert.Equal(4, last.EpochsRun);
            Assert.Equal(1, last.BestEpoch);
            Assert.Equal(last.ValidationLosses[3], new Trainer<TrainerSmallModel>(lastModel, new Adam()).Evaluate(validation));
        }

        [Fact]
        public void StopsBetweenStepsWhenCancelled()
        {
            TrainingSequence[] training = SmallSequences(16, seed: 6);
            var model = new TrainerSmallModel(seed: 8);
            var trainer = new Trainer<TrainerSmallModel>(model, new Adam(0.01f), new TrainerOptions { Epochs = 5, BatchSize = 4, Threads = 2 });
            using var cancellation = new CancellationTokenSource();
            float[]? parametersAtCancellation = null;
            var progress = new Recorder(report =>
            {
                if (report.Epoch == 2 && report.Batch == 2 && !report.EpochCompleted)
                {
                    cancellation.Cancel();
                    parametersAtCancellation = model.Parameters.ToArray();
                }
            });

            TrainingResult result = trainer.Fit(training, progress: progress, cancellationToken: cancellation.Token);

            Assert.True(result.Cancelled);
            Assert.False(result.StoppedEarly);
            Assert.Equal(6, result.Steps);
            Assert.Equal(6, trainer.Optimizer.StepCount);
            Assert.Equal(1, result.EpochsRun);
            Assert.Single(result.TrainingLosses);
            Assert.Equal(Bits(parametersAtCancellation!), Bits(model.Parameters));

            // Cancelled before it starts: nothing changes.
            float[] before = model.Parameters.ToArray();
            TrainingResult none = trainer.Fit(training, cancellationToken: cancellation.Token);
            Assert.True(none.Cancelled);
            Assert.Equal(0, none.Steps);
            Assert.Equal(0, none.EpochsRun);
            Assert.Equal(Bits(before), Bits(model.Parameters));
        }

        [Fact]
        public void ReportsProgressAfterEveryStepAndEveryEpoch()
        {
            TrainingSequence[] training = SmallSequences(10, seed: 7);
            TrainingSequence[] validation = SmallSequences(3, seed: 8);
            var trainer = new Trainer<TrainerSmallModel>(new TrainerSmallModel(seed: 9), new Adam(0.01f), new TrainerOptions { Epochs = 2, BatchSize = 4 });
            var reports = new List<TrainingProgress>();

            TrainingResult result = trainer.Fit(training, validation, new Recorder(reports.Add));

            // Batches of 4, 4 and 2; a report after each, then one at the end of the epoch.
            Assert.Equal(2 * (3 + 1), reports.Count);
            for (int epoch = 1; epoch <= 2; epoch++)
            {
                List<TrainingProgress> ofEpoch = reports.Skip((epoch - 1) * 4).Take(4).ToList();
                Assert.All(ofEpoch, report => Assert.Equal(epoch, report.Epoch));
                Assert.All(ofEpoch, report => Assert.Equal(2, report.Epochs));
                Assert.All(ofEpoch, report => Assert.Equal(3, report.Batches));
                Assert.All(ofEpoch, report => Assert.True(report.SequencesPerSecond > 0 && float.IsFinite(report.Loss)));
                Assert.Equal(new[] { 1, 2, 3, 3 }, ofEpoch.Select(report => report.Batch));
                Assert.Equal(new[] { false, false, false, true }, ofEpoch.Select(report => report.EpochCompleted));
                Assert.Equal(new float?[] { null, null, null, result.ValidationLosses[epoch - 1] }, ofEpoch.Select(report => report.ValidationLoss));

                // The running loss of the last batch is the epoch's loss, which the end-of-epoch report repeats.
                Assert.Equal(result.TrainingLosses[epoch - 1], ofEpoch[2].Loss);
                Assert.Equal(result.TrainingLosses[epoch - 1], ofEpoch[3].Loss);
            }

            Assert.True(reports.Zip(reports.Skip(1)).All(pair => pair.First.Elapsed <= pair.Second.Elapsed));
            Assert.True(reports[^1].Elapsed <= result.Elapsed);
        }

        [Fact]
        public void RejectsSetsTheModelCannotTrainOn()
        {
            var trainer = new Trainer<TrainerSmallModel>(new TrainerSmallModel(seed: 1), new Adam());
            TrainingSequence[] good = SmallSequences(4, seed: 9);

            ArgumentException empty = Assert.Throws<ArgumentException>(() => trainer.Fit(Array.Empty<TrainingSequence>()));
            Assert.Equal("training", empty.ParamName);
            Assert.Contains("no sequences", empty.Message, StringComparison.Ordinal);

            TrainingSequence[] badInputs = good.ToArray();
            badInputs[2] = new TrainingSequence(new float[7], new float[2]);
            ArgumentException inputs = Assert.Throws<ArgumentException>(() => trainer.Fit(badInputs));
            Assert.Equal("training", inputs.ParamName);
            Assert.Contains("training[2].Inputs has 7 floats", inputs.Message, StringComparison.Ordinal);
            Assert.Contains("[T, 3]", inputs.Message, StringComparison.Ordinal);

            TrainingSequence[] badTargets = good.ToArray();
            badTargets[3] = new TrainingSequence(new float[12], new float[5]);
            ArgumentException targets = Assert.Throws<ArgumentException>(() => trainer.Fit(good, badTargets));
            Assert.Equal("validation", targets.ParamName);
            Assert.Contains("validation[3].Targets has 5 floats", targets.Message, StringComparison.Ordinal);
            Assert.Contains("[4, 2]", targets.Message, StringComparison.Ordinal);
            Assert.Contains("[2]", targets.Message, StringComparison.Ordinal);

            ArgumentException noInputs = Assert.Throws<ArgumentException>(() => trainer.Evaluate(new[] { new TrainingSequence(Array.Empty<float>(), new float[2]) }));
            Assert.Contains("sequences[0].Inputs has 0 floats", noInputs.Message, StringComparison.Ordinal);
            Assert.Throws<ArgumentException>(() => trainer.Evaluate(Array.Empty<TrainingSequence>()));
            Assert.Throws<ArgumentException>(() => trainer.Fit(good, Array.Empty<TrainingSequence>()));
            Assert.Throws<ArgumentNullException>(() => trainer.Fit(null!));
            Assert.Throws<ArgumentNullException>(() => trainer.Evaluate(null!));

            var patient = new Trainer<TrainerSmallModel>(new TrainerSmallModel(seed: 1), new Adam(), new TrainerOptions { EarlyStoppingPatience = 3 });
            ArgumentException patience = Assert.Throws<ArgumentException>(() => patient.Fit(good));
            Assert.Contains("needs a validation set", patience.Message, StringComparison.Ordinal);

            Assert.Throws<ArgumentNullException>(() => new Trainer<TrainerSmallModel>(null!, new Adam()));
            Assert.Throws<ArgumentNullException>(() => new Trainer<TrainerSmallModel>(new TrainerSmallModel(seed: 1), null!));

            // Not from inside itself.
            var reentrant = new Trainer<TrainerSmallModel>(new TrainerSmallModel(seed: 1), new Adam(), new TrainerOptions { Epochs = 1 });
            Assert.Throws<InvalidOperationException>(() => reentrant.Fit(good, progress: new Recorder(_ => reentrant.Evaluate(good))));
            Assert.True(float.IsFinite(reentrant.Evaluate(good)));
        }

        [Fact]
        public void OptionsRejectValuesOutOfRange()
        {
            void Rejects(string name, string message, Func<TrainerOptions> create)
            {
                ArgumentOutOfRangeException exception = Assert.Throws<ArgumentOutOfRangeException>(create);
                Assert.Equal(name, exception.ParamName);
                Assert.Contains(message, exception.Message, StringComparison.Ordinal);
            }

            Rejects("Epochs", "Epochs must be at least 1, but is 0.", () => new TrainerOptions { Epochs = 0 });
            Rejects("BatchSize", "BatchSize must be at least 1, but is -2.", () => new TrainerOptions { BatchSize = -2 });
            Rejects("Threads", "Threads must be at least 1, but is 0.", () => new TrainerOptions { Threads = 0 });
            Rejects("Shards", "Shards must be at least 1, but is 0.", () => new TrainerOptions { Shards = 0 });
            Rejects("EarlyStoppingPatience", "EarlyStoppingPatience must be at least 0, but is -1.", () => new TrainerOptions { EarlyStoppingPatience = -1 });
            Rejects("ClipNorm", "ClipNorm must be >= 0, but is -1.", () => new TrainerOptions { ClipNorm = -1f });
            Rejects("ClipNorm", "ClipNorm must be >= 0, but is NaN.", () => new TrainerOptions { ClipNorm = float.NaN });
            Rejects("MinimumImprovement", "MinimumImprovement must be >= 0, but is -0.5.", () => new TrainerOptions { MinimumImprovement = -0.5f });

            var defaults = new TrainerOptions();
            Assert.Equal(10, defaults.Epochs);
            Assert.Equal(32, defaults.BatchSize);
            Assert.Equal(Environment.ProcessorCount, defaults.Threads);
            Assert.Equal(8, defaults.Shards);
            Assert.Null(defaults.ClipNorm);
            Assert.Null(defaults.Schedule);
            Assert.Equal(0, defaults.EarlyStoppingPatience);
            Assert.True(defaults.RestoreBestWeights);
            Assert.Null(new TrainerOptions { ClipNorm = null }.ClipNorm);
        }

        [Fact]
        public void EvaluateIsTheMeanLossOfAccumulateGradientsAndChangesNothing()
        {
            CheckEvaluate(new TrainerSmallModel(seed: 10), SmallSequences(6, seed: 10));
            CheckEvaluate(new TrainerSmallClassifierModel(seed: 11), ClassSequences(6, seed: 11));
        }

        [Fact]
        public void AllocatesNothingPerStepOnceWarm()
        {
            // Measured on the calling thread, between consecutive progress reports of the same epoch, once
            // warm (after four epochs and a pause for the JIT's tiers): each interval is one whole step (shards, sum, clipping, schedule,
            // optimizer). With 2 threads the calling thread also runs the barrier and shards; the workers'
            // own allocations are not visible here.
            const int Epochs = 6;
            const int WarmEpochs = 4;
            TrainingSequence[] training = SmallSequences(40, seed: 12);
            TrainingSequence[] validation = SmallSequences(5, seed: 13);
            foreach (int threads in new[] { 1, 2 })
            {
                var trainer = new Trainer<TrainerSmallModel>(
                    new TrainerSmallModel(seed: 12),
                    new Adam(0.01f),
                    new TrainerOptions { Epochs = Epochs, BatchSize = 4, Threads = threads, Shards = 3, ClipNorm = 1f, Schedule = new CosineAnnealing(0.01f, 100) });
                long[] allocated = new long[Epochs * 11];
                int count = 0;
                var progress = new Recorder(report =>
                {
                    allocated[count++] = GC.GetAllocatedBytesForCurrentThread();
                    if (report.EpochCompleted && report.Epoch == WarmEpochs)
                    {
                        // Let tiered compilation promote what the warm epochs called (promotion may allocate).
                        Thread.Sleep(300);
                    }
                });

                trainer.Fit(training, validation, progress);

                Assert.Equal(allocated.Length, count);
                for (int epoch = WarmEpochs; epoch < Epochs; epoch++)
                {
                    for (int batch = 1; batch < 10; batch++)
                    {
                        int index = (epoch * 11) + batch;
                        Assert.True(allocated[index] == allocated[index - 1], $"{threads} threads, epoch {epoch + 1}, batch {batch + 1}: {allocated[index] - allocated[index - 1]} bytes");
                    }
                }
            }
        }

        private static void CheckEvaluate<TModel>(TModel model, TrainingSequence[] sequences)
            where TModel : class, ILstmModel, new()
        {
            // The losses from AccumulateGradients on a copy.
            var copy = new TModel();
            model.Parameters.CopyTo(copy.Parameters);
            double sum = 0;
            foreach (TrainingSequence sequence in sequences)
            {
                copy.ResetState();
                sum += copy.AccumulateGradients(sequence.Inputs.Span, sequence.Targets.Span);
            }

            double expected = sum / sequences.Length;

            int stateLength = model.Layers * model.HiddenSize;
            float[] hidden = Enumerable.Range(0, stateLength).Select(i => 0.1f * i).ToArray();
            float[] cell = Enumerable.Range(0, stateLength).Select(i => -0.05f * i).ToArray();
            model.SetState(hidden, cell);
            model.Gradients.Fill(0.25f);
            int[] parameters = Bits(model.Parameters);

            float[] losses = new[] { 1, 2, 5 }.Select(threads => new Trainer<TModel>(model, new Sgd(0.1f), new TrainerOptions { Threads = threads, Shards = 4 }).Evaluate(sequences)).ToArray();

            Assert.True(Math.Abs(losses[0] - expected) <= 1e-6 * Math.Abs(expected), $"Evaluate {losses[0]:R}, AccumulateGradients {expected:R}");
            Assert.Equal(Bits(losses.Take(1).ToArray()), Bits(losses.Skip(1).Take(1).ToArray()));
            Assert.Equal(Bits(losses.Take(1).ToArray()), Bits(losses.Skip(2).ToArray()));
            Assert.Equal(parameters, Bits(model.Parameters));
            Assert.All(model.Gradients.ToArray(), gradient => Assert.Equal(0.25f, gradient));
            float[] hiddenAfter = new float[stateLength];
            float[] cellAfter = new float[stateLength];
            model.GetState(hiddenAfter, cellAfter);
            Assert.Equal(hidden, hiddenAfter);
            Assert.Equal(cell, cellAfter);
        }

        /// <summary>Random sequences of 2 to 7 steps for <see cref="TrainerSmallModel"/>; every third has a last-step target only.</summary>
        internal static TrainingSequence[] SmallSequences(int count, int seed)
        {
            var random = new DeterministicRandom(seed);
            var sequences = new TrainingSequence[count];
            for (int n = 0; n < count; n++)
            {
                int steps = 2 + random.NextInt32(6);
                float[] inputs = Uniform(random, steps * TrainerSmallModel.InputSize);
                float[] targets = Uniform(random, (n % 3 == 2 ? 1 : steps) * TrainerSmallModel.OutputSize);
                sequences[n] = new TrainingSequence(inputs, targets);
            }

            return sequences;
        }

        /// <summary>Random sequences for <see cref="TrainerSmallClassifierModel"/> with one-hot targets, on every step or the last.</summary>
        private static TrainingSequence[] ClassSequences(int count, int seed)
        {
            var random = new DeterministicRandom(seed);
            var sequences = new TrainingSequence[count];
            for (int n = 0; n < count; n++)
            {
                int steps = 3 + random.NextInt32(4);
                int scored = n % 2 == 0 ? steps : 1;
                float[] targets = new float[scored * TrainerSmallClassifierModel.OutputSize];
                for (int step = 0; step < scored; step++)
                {
                    targets[(step * TrainerSmallClassifierModel.OutputSize) + random.NextInt32(TrainerSmallClassifierModel.OutputSize)] = 1f;
                }

                sequences[n] = new TrainingSequence(Uniform(random, steps * TrainerSmallClassifierModel.InputSize), targets);
            }

            return sequences;
        }

        private static TrainingSequence[] ConstantTargets(TrainingSequence[] sequences, float target) =>
            sequences.Select(sequence => new TrainingSequence(sequence.Inputs, Enumerable.Repeat(target, sequence.Targets.Length).ToArray())).ToArray();

        private const int DelaySteps = 12;
        private const int Delay = 5;

        private static TrainingSequence[] DelaySequences(int count, int seed)
        {
            var random = new DeterministicRandom(seed);
            var sequences = new TrainingSequence[count];
            for (int n = 0; n < count; n++)
            {
                float[] inputs = Uniform(random, DelaySteps);
                float[] targets = new float[DelaySteps];
                for (int step = Delay; step < DelaySteps; step++)
                {
                    targets[step] = inputs[step - Delay];
                }

                sequences[n] = new TrainingSequence(inputs, targets);
            }

            return sequences;
        }

        private const int FrequencySteps = 16;

        private static TrainingSequence[] FrequencySequences(int count, int seed)
        {
            float[] frequencies = { 0.3f, 0.8f, 1.6f };
            var random = new DeterministicRandom(seed);
            var sequences = new TrainingSequence[count];
            for (int n = 0; n < count; n++)
            {
                int label = random.NextInt32(frequencies.Length);
                float phase = random.NextSingle(0f, 2f * MathF.PI);
                float[] inputs = new float[FrequencySteps];
                for (int step = 0; step < FrequencySteps; step++)
                {
                    inputs[step] = MathF.Sin((frequencies[label] * step) + phase) + random.NextSingle(-0.4f, 0.4f);
                }

                float[] target = new float[frequencies.Length];
                target[label] = 1f;
                sequences[n] = new TrainingSequence(inputs, target);
            }

            return sequences;
        }

        /// <summary>The mean squared error of predicting the mean of every target.</summary>
        private static float VarianceOfTargets(TrainingSequence[] sequences)
        {
            float[] values = sequences.SelectMany(sequence => sequence.Targets.ToArray()).ToArray();
            double mean = values.Average(value => (double)value);
            return (float)values.Average(value => (value - mean) * (value - mean));
        }

        private static float[] Uniform(DeterministicRandom random, int count)
        {
            float[] values = new float[count];
            for (int i = 0; i < count; i++)
            {
                values[i] = random.NextSingle(-1f, 1f);
            }

            return values;
        }

        private static float MaxOf(ReadOnlySpan<float> values)
        {
            float max = float.NegativeInfinity;
            foreach (float value in values)
            {
                max = Math.Max(max, value);
            }

            return max;
        }

        private static int[] Bits(ReadOnlySpan<float> values)
        {
            int[] bits = new int[values.Length];
            for (int i = 0; i < values.Length; i++)
            {
                bits[i] = BitConverter.SingleToInt32Bits(values[i]);
            }

            return bits;
        }

        private static int[] Bits(Span<float> values) => Bits((ReadOnlySpan<float>)values);

        private static int[] Bits(float[] values) => Bits((ReadOnlySpan<float>)values);

        private static int[] Bits(IEnumerable<float> values) => Bits(values.ToArray());

        /// <summary>Progress reported synchronously, on the training thread.</summary>
        private sealed class Recorder : IProgress<TrainingProgress>
        {
            private readonly Action<TrainingProgress> _onReport;

            public Recorder(Action<TrainingProgress> onReport) => _onReport = onReport;

            public void Report(TrainingProgress value) => _onReport(value);
        }
    }
}
