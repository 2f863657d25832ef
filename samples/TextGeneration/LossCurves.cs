using System;
using System.Collections.Generic;
using LstmGen.Training;

namespace TextGeneration
{
    /// <summary>
    /// Records what the trainer reports for the plot: the loss of every mini-batch (recovered from the running mean the
    /// trainer reports) and the validation loss at the end of every epoch, both against the optimizer step.
    /// </summary>
    /// <param name="windows">The training windows per epoch.</param>
    /// <param name="batchSize">Windows per mini-batch.</param>
    public sealed class LossCurves(int windows, int batchSize) : IProgress<TrainingProgress>
    {
        private readonly List<double> _batchSteps = [];
        private readonly List<double> _batchLosses = [];
        private readonly List<double> _epochSteps = [];
        private readonly List<double> _validationLosses = [];
        private double _previousSum;
        private int _previousSeen;
        private int _steps;

        /// <summary>The optimizer step (from 1) of each entry of <see cref="BatchLosses"/>.</summary>
        public IReadOnlyList<double> BatchSteps => _batchSteps;

        /// <summary>The mean cross-entropy of each mini-batch's windows, in nats per character.</summary>
        public IReadOnlyList<double> BatchLosses => _batchLosses;

        /// <summary>The optimizer steps at the end of each epoch.</summary>
        public IReadOnlyList<double> EpochSteps => _epochSteps;

        /// <summary>The validation loss at the end of each epoch, in nats per character.</summary>
        public IReadOnlyList<double> ValidationLosses => _validationLosses;

        /// <inheritdoc/>
        public void Report(TrainingProgress value)
        {
            if (value.EpochCompleted)
            {
                _epochSteps.Add(_steps);
                _validationLosses.Add(value.ValidationLoss ?? double.NaN);
                _previousSum = 0;
                _previousSeen = 0;
                return;
            }

            // value.Loss is the mean over the epoch's windows so far: the batch's share is the difference of the sums.
            int seen = Math.Min(value.Batch * batchSize, windows);
            double sum = (double)value.Loss * seen;
            _steps++;
            _batchSteps.Add(_steps);
            _batchLosses.Add((sum - _previousSum) / (seen - _previousSeen));
            _previousSum = sum;
            _previousSeen = seen;
        }
    }
}
