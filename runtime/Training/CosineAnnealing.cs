using System;

namespace LstmGen.Training
{
    /// <summary>
    /// A learning rate that follows half a cosine from <see cref="Initial"/> down to
    /// <see cref="Minimum"/> over <see cref="TotalSteps"/> steps: the closed form of
    /// <c>torch.optim.lr_scheduler.CosineAnnealingLR</c> with <c>T_max = totalSteps</c>,
    /// <c>eta_min = minimum</c>.
    /// </summary>
    /// <remarks>
    /// learningRate(step) = minimum + (initial - minimum) * (1 + cos(pi * step / totalSteps)) / 2
    /// for step &lt;= totalSteps, and <see cref="Minimum"/> after that. (PyTorch's formula would
    /// climb back up after T_max, like a restart; a schedule that should restart can be built by
    /// passing <c>step % totalSteps</c>.)
    /// </remarks>
    public sealed class CosineAnnealing : ILearningRateSchedule
    {
        /// <summary>Creates a cosine annealing.</summary>
        /// <param name="initial">The learning rate of step 0; at least 0.</param>
        /// <param name="totalSteps">PyTorch's <c>T_max</c>: the step at which the rate reaches <paramref name="minimum"/>; at least 1.</param>
        /// <param name="minimum">PyTorch's <c>eta_min</c>: the final learning rate; at least 0.</param>
        /// <exception cref="ArgumentOutOfRangeException">A value outside its range, or NaN.</exception>
        public CosineAnnealing(float initial, long totalSteps, float minimum = 0f)
        {
            Initial = OptimizerGuard.NotNegative(initial, nameof(initial));
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(totalSteps);
            TotalSteps = totalSteps;
            Minimum = OptimizerGuard.NotNegative(minimum, nameof(minimum));
        }

        /// <summary>The learning rate of step 0.</summary>
        public float Initial { get; }

        /// <summary>The step at which the rate reaches <see cref="Minimum"/>.</summary>
        public long TotalSteps { get; }

        /// <summary>The final learning rate.</summary>
        public float Minimum { get; }

        /// <inheritdoc/>
        public float LearningRate(long step)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(step);
            if (step >= TotalSteps)
            {
                return Minimum;
            }

            double minimum = Minimum;
            return (float)(minimum + ((Initial - minimum) * (1.0 + Math.Cos(Math.PI * step / TotalSteps)) / 2.0));
        }
    }
}
