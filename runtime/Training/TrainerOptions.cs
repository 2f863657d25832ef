using System;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace LstmGen.Training
{
    /// <summary>
    /// How a <see cref="Trainer{TModel}"/> trains: epochs, mini-batches, threads, clipping, learning-rate
    /// schedule and early stopping. Immutable once built; each value is checked as it is set.
    /// </summary>
    /// <example>
    /// <code>
    /// var options = new TrainerOptions { Epochs = 50, BatchSize = 16, ClipNorm = 1f, EarlyStoppingPatience = 5 };
    /// </code>
    /// </example>
    public sealed class TrainerOptions
    {
        private readonly int _epochs = 10;
        private readonly int _batchSize = 32;
        private readonly int _threads = Environment.ProcessorCount;
        private readonly int _shards = 8;
        private readonly float? _clipNorm;
        private readonly int _earlyStoppingPatience;
        private readonly float _minimumImprovement;

        /// <summary>Passes over the training set; at least 1 (default 10).</summary>
        /// <exception cref="ArgumentOutOfRangeException">The value is below 1.</exception>
        public int Epochs
        {
            get => _epochs;
            init => _epochs = AtLeast(value, 1, nameof(Epochs));
        }

        /// <summary>
        /// Sequences per optimizer step; at least 1 (default 32). The last mini-batch of an epoch holds
        /// what is left, and may be smaller.
        /// </summary>
        /// <exception cref="ArgumentOutOfRangeException">The value is below 1.</exception>
        public int BatchSize
        {
            get => _batchSize;
            init => _batchSize = AtLeast(value, 1, nameof(BatchSize));
        }

        /// <summary>
        /// The seed of the shuffles (default 0): epoch e (from 0) visits the training set in an order that
        /// depends only on this seed, e and the number of sequences, the same on every machine.
        /// </summary>
        /// <remarks>
        /// The order of epoch e is the indices 0 to n - 1 shuffled by
        /// <c>new DeterministicRandom(((long)Seed &lt;&lt; 32) | (uint)e).Shuffle(order)</c>
        /// (see <see cref="DeterministicRandom.Shuffle{T}"/>). Each call of
        /// <see cref="Trainer{TModel}.Fit"/> starts again from epoch 0.
        /// </remarks>
        public int Seed { get; init; }

        /// <summary>
        /// Threads that compute gradients, the calling thread included; at least 1 (default
        /// <see cref="Environment.ProcessorCount"/>). At most <see cref="Shards"/> are used. The results
        /// do not depend on it: they are the same bits with 1 thread or 16.
        /// </summary>
        /// <remarks>
        /// The extra threads live for one <see cref="Trainer{TModel}.Fit"/> or
        /// <see cref="Trainer{TModel}.Evaluate"/> call. Between two mini-batches they spin for up to half a
        /// millisecond before they block, so that a small model's batches do not wait for threads to wake:
        /// while a call runs, expect every thread to keep its core busy.
        /// </remarks>
        /// <exception cref="ArgumentOutOfRangeException">The value is below 1.</exception>
        public int Threads
        {
            get => _threads;
            init => _threads = AtLeast(value, 1, nameof(Threads));
        }

        /// <summary>
        /// The fixed partition of every mini-batch into contiguous shards, each summed in order on one
        /// replica of the model; at least 1 (default 8). It bounds the useful <see cref="Threads"/>, and,
        /// unlike them, it changes the rounding of the gradient sum: the same value gives the same bits.
        /// With 1 shard a batch's gradient is exactly what one model accumulates over the batch in order.
        /// </summary>
        /// <exception cref="ArgumentOutOfRangeException">The value is below 1.</exception>
        public int Shards
        {
            get => _shards;
            init => _shards = AtLeast(value, 1, nameof(Shards));
        }

        /// <summary>
        /// The largest global L2 norm of a mini-batch's mean gradient, clipped with
        /// <see cref="GradientClipping.ClipByGlobalNorm"/> before each step; <see langword="null"/> (the
        /// default) for no clipping. At least 0.
        /// </summary>
        /// <exception cref="ArgumentOutOfRangeException">The value is below 0, or NaN.</exception>
        public float? ClipNorm
        {
            get => _clipNorm;
            init => _clipNorm = value is float norm ? OptimizerGuard.NotNegative(norm, nameof(ClipNorm)) : null;
        }

        /// <summary>
        /// The learning rate, set on the optimizer before each step from its <see cref="IOptimizer.StepCount"/>
        /// (so a schedule counts optimizer steps, not epochs, and carries on across calls of
        /// <see cref="Trainer{TModel}.Fit"/>); <see langword="null"/> (the default) leaves the optimizer's
        /// learning rate alone.
        /// </summary>
        public ILearningRateSchedule? Schedule { get; init; }

        /// <summary>
        /// Epochs without an improvement of the validation loss after which training stops; 0 (the
        /// default) never stops early. Above 0 it needs a validation set.
        /// </summary>
        /// <exception cref="ArgumentOutOfRangeException">The value is below 0.</exception>
        public int EarlyStoppingPatience
        {
            get => _earlyStoppingPatience;
            init => _earlyStoppingPatience = AtLeast(value, 0, nameof(EarlyStoppingPatience));
        }

        /// <summary>
        /// How much lower than the best so far a validation loss must be to count as an improvement
        /// (default 0: any decrease); at least 0.
        /// </summary>
        /// <exception cref="ArgumentOutOfRangeException">The value is below 0, or NaN.</exception>
        public float MinimumImprovement
        {
            get => _minimumImprovement;
            init => _minimumImprovement = OptimizerGuard.NotNegative(value, nameof(MinimumImprovement));
        }

        /// <summary>
        /// Whether, with a validation set, <see cref="Trainer{TModel}.Fit"/> leaves the model with the
        /// parameters of the epoch of the best validation loss (default <see langword="true"/>), however
        /// training ends: after every epoch, early, or cancelled. The optimizer's state is not rolled back.
        /// </summary>
        public bool RestoreBestWeights { get; init; } = true;

        /// <summary>
        /// What <see cref="Trainer{TModel}.Fit"/> does with a mini-batch whose loss or gradient is NaN or
        /// infinite (a NaN in one sequence's inputs makes every weight NaN after one step): throw a
        /// <see cref="NonFiniteTrainingException"/> that names the epoch, the batch and the sequence
        /// (<see langword="false"/>, the default), or skip the batch without a step and go on
        /// (<see langword="true"/>; <see cref="TrainingResult.SkippedBatches"/> counts them). Either way the
        /// batch changes neither the parameters nor the optimizer's state (nor its learning rate).
        /// </summary>
        public bool SkipNonFiniteBatches { get; init; }

        private static int AtLeast(int value, int minimum, string name)
        {
            if (value < minimum)
            {
                ThrowBelow(value, minimum, name);
            }

            return value;
        }

        [DoesNotReturn]
        private static void ThrowBelow(int value, int minimum, string name) =>
            throw new ArgumentOutOfRangeException(
                name, value, string.Create(CultureInfo.InvariantCulture, $"{name} must be at least {minimum}, but is {value}."));
    }
}
