using System;
using System.Collections.Generic;

namespace LstmGen.Training
{
    /// <summary>
    /// What an optimizer must keep to resume exactly where it stopped: its kind, its learning rate,
    /// its step count and its per-parameter buffers (for example Adam's <c>exp_avg</c> and
    /// <c>exp_avg_sq</c>), each as long as the parameter vector. Checkpoints store it beside the weights.
    /// </summary>
    public sealed class OptimizerState
    {
        /// <summary>Creates a state.</summary>
        /// <param name="kind">The optimizer's name, for example <c>Adam</c>.</param>
        /// <param name="learningRate">The learning rate of the next step.</param>
        /// <param name="stepCount">The steps taken so far.</param>
        /// <param name="buffers">Per-parameter buffers by name, in a fixed order.</param>
        public OptimizerState(string kind, float learningRate, long stepCount, IReadOnlyList<KeyValuePair<string, float[]>> buffers)
        {
            ArgumentNullException.ThrowIfNull(kind);
            ArgumentNullException.ThrowIfNull(buffers);
            ArgumentOutOfRangeException.ThrowIfNegative(stepCount);
            Kind = kind;
            LearningRate = learningRate;
            StepCount = stepCount;
            Buffers = buffers;
        }

        /// <summary>The optimizer's name, for example <c>Adam</c>.</summary>
        public string Kind { get; }

        /// <summary>The learning rate of the next step.</summary>
        public float LearningRate { get; }

        /// <summary>The steps taken so far.</summary>
        public long StepCount { get; }

        /// <summary>Per-parameter buffers by name (empty before the first step, or for plain SGD).</summary>
        public IReadOnlyList<KeyValuePair<string, float[]>> Buffers { get; }
    }
}
