using System;

namespace LstmGen.Training
{
    /// <summary>The same learning rate at every step.</summary>
    public sealed class ConstantSchedule : ILearningRateSchedule
    {
        /// <summary>Creates a constant schedule.</summary>
        /// <param name="learningRate">The learning rate; at least 0.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="learningRate"/> is below 0, or NaN.</exception>
        public ConstantSchedule(float learningRate)
        {
            Initial = OptimizerGuard.LearningRate(learningRate, nameof(learningRate));
        }

        /// <summary>The learning rate.</summary>
        public float Initial { get; }

        /// <inheritdoc/>
        public float LearningRate(long step)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(step);
            return Initial;
        }
    }
}
