using System;

namespace LstmGen.Training
{
    /// <summary>
    /// A learning rate multiplied by <see cref="Gamma"/> every <see cref="StepSize"/> steps:
    /// <c>torch.optim.lr_scheduler.StepLR</c>.
    /// </summary>
    /// <remarks>learningRate(step) = initial * gamma^floor(step / stepSize).</remarks>
    public sealed class StepDecay : ILearningRateSchedule
    {
        /// <summary>Creates a step decay.</summary>
        /// <param name="initial">The learning rate of steps 0 to <paramref name="stepSize"/> - 1; at least 0.</param>
        /// <param name="stepSize">PyTorch's <c>step_size</c>: how many steps each rate lasts; at least 1.</param>
        /// <param name="gamma">PyTorch's <c>gamma</c>: the factor applied every <paramref name="stepSize"/> steps; at least 0.</param>
        /// <exception cref="ArgumentOutOfRangeException">A value outside its range, or NaN.</exception>
        public StepDecay(float initial, int stepSize, float gamma)
        {
            Initial = OptimizerGuard.NotNegative(initial, nameof(initial));
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stepSize);
            StepSize = stepSize;
            Gamma = OptimizerGuard.NotNegative(gamma, nameof(gamma));
        }

        /// <summary>The learning rate of the first <see cref="StepSize"/> steps.</summary>
        public float Initial { get; }

        /// <summary>How many steps each rate lasts.</summary>
        public int StepSize { get; }

        /// <summary>The factor applied every <see cref="StepSize"/> steps.</summary>
        public float Gamma { get; }

        /// <inheritdoc/>
        public float LearningRate(long step)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(step);
            return (float)(Initial * Math.Pow(Gamma, step / StepSize));
        }
    }
}
