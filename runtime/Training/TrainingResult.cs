using System;
using System.Collections.Generic;

namespace LstmGen.Training
{
    /// <summary>What a call of <see cref="Trainer{TModel}.Fit"/> did.</summary>
    public sealed class TrainingResult
    {
        internal TrainingResult(
            IReadOnlyList<float> trainingLosses,
            IReadOnlyList<float> validationLosses,
            int? bestEpoch,
            float? bestValidationLoss,
            bool restoredBestWeights,
            bool stoppedEarly,
            bool cancelled,
            long steps,
            long skippedBatches,
            TimeSpan elapsed)
        {
            TrainingLosses = trainingLosses;
            ValidationLosses = validationLosses;
            BestEpoch = bestEpoch;
            BestValidationLoss = bestValidationLoss;
            RestoredBestWeights = restoredBestWeights;
            StoppedEarly = stoppedEarly;
            Cancelled = cancelled;
            Steps = steps;
            SkippedBatches = skippedBatches;
            Elapsed = elapsed;
        }

        /// <summary>
        /// The training loss of each completed epoch: the mean of its sequences' losses, each computed
        /// with the weights of its mini-batch (before that batch's step). Skipped batches
        /// (<see cref="SkippedBatches"/>) are left out; NaN when every batch of the epoch was skipped.
        /// </summary>
        public IReadOnlyList<float> TrainingLosses { get; }

        /// <summary>
        /// The validation loss after each completed epoch (<see cref="Trainer{TModel}.Evaluate"/>), as many
        /// as <see cref="TrainingLosses"/>; empty without a validation set.
        /// </summary>
        public IReadOnlyList<float> ValidationLosses { get; }

        /// <summary>The completed epochs (a cancelled epoch is not counted).</summary>
        public int EpochsRun => TrainingLosses.Count;

        /// <summary>
        /// The epoch, from 1, of the lowest validation loss (earliest of equals, improvements smaller than
        /// <see cref="TrainerOptions.MinimumImprovement"/> ignored); <see langword="null"/> without a
        /// validation set, or when no validation loss was a number.
        /// </summary>
        public int? BestEpoch { get; }

        /// <summary>The validation loss of <see cref="BestEpoch"/>.</summary>
        public float? BestValidationLoss { get; }

        /// <summary>
        /// Whether the model's parameters were set back to those of <see cref="BestEpoch"/> at the end
        /// (see <see cref="TrainerOptions.RestoreBestWeights"/>); <see langword="false"/> when the last
        /// completed epoch was the best one and nothing had to change.
        /// </summary>
        public bool RestoredBestWeights { get; }

        /// <summary>Whether training stopped before <see cref="TrainerOptions.Epochs"/> because the validation loss stopped improving.</summary>
        public bool StoppedEarly { get; }

        /// <summary>Whether the cancellation token stopped training (between two optimizer steps).</summary>
        public bool Cancelled { get; }

        /// <summary>The optimizer steps taken (mini-batches trained).</summary>
        public long Steps { get; }

        /// <summary>
        /// The mini-batches skipped, without an optimizer step, because their loss or gradient was NaN or
        /// infinite (only with <see cref="TrainerOptions.SkipNonFiniteBatches"/>; otherwise such a batch
        /// throws a <see cref="NonFiniteTrainingException"/>).
        /// </summary>
        public long SkippedBatches { get; }

        /// <summary>The time <see cref="Trainer{TModel}.Fit"/> took.</summary>
        public TimeSpan Elapsed { get; }
    }
}
