using System;

namespace LstmGen.Training
{
    /// <summary>
    /// A linear warm-up in front of another schedule: over the first <see cref="WarmupSteps"/>
    /// steps the rate climbs linearly from <see cref="StartFactor"/> times the inner schedule's
    /// first rate towards that rate, then the inner schedule runs, starting from its own step 0.
    /// </summary>
    /// <remarks>
    /// <para>With w = <see cref="WarmupSteps"/>:</para>
    /// <code>
    /// learningRate(step) = inner(0) * (startFactor + (1 - startFactor) * step / w)    for step &lt; w
    /// learningRate(step) = inner(step - w)                                             for step &gt;= w
    /// </code>
    /// <para>
    /// The warm-up is <c>torch.optim.lr_scheduler.LinearLR(start_factor, end_factor = 1,
    /// total_iters = w)</c>, and the whole is <c>SequentialLR([LinearLR, inner], milestones = [w])</c>.
    /// </para>
    /// </remarks>
    public sealed class LinearWarmup : ILearningRateSchedule
    {
        /// <summary>Creates a warm-up in front of <paramref name="inner"/>.</summary>
        /// <param name="inner">The schedule that follows the warm-up.</param>
        /// <param name="warmupSteps">How many steps the warm-up lasts; 0 for none.</param>
        /// <param name="startFactor">
        /// PyTorch's <c>start_factor</c>: the fraction of the inner schedule's first rate used at
        /// step 0; in (0, 1]. PyTorch's default is 1/3.
        /// </param>
        /// <exception cref="ArgumentNullException"><paramref name="inner"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">A value outside its range, or NaN.</exception>
        public LinearWarmup(ILearningRateSchedule inner, long warmupSteps, float startFactor = 1f / 3f)
        {
            ArgumentNullException.ThrowIfNull(inner);
            ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
            if (!(startFactor > 0f && startFactor <= 1f))
            {
                throw new ArgumentOutOfRangeException(
                    nameof(startFactor), startFactor, $"startFactor must be in (0, 1], but is {OptimizerGuard.Format(startFactor)}.");
            }

            Inner = inner;
            WarmupSteps = warmupSteps;
            StartFactor = startFactor;
        }

        /// <summary>The schedule that follows the warm-up.</summary>
        public ILearningRateSchedule Inner { get; }

        /// <summary>How many steps the warm-up lasts.</summary>
        public long WarmupSteps { get; }

        /// <summary>The fraction of the inner schedule's first rate used at step 0.</summary>
        public float StartFactor { get; }

        /// <inheritdoc/>
        public float LearningRate(long step)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(step);
            if (step >= WarmupSteps)
            {
                return Inner.LearningRate(step - WarmupSteps);
            }

            double startFactor = StartFactor;
            double factor = startFactor + ((1.0 - startFactor) * step / WarmupSteps);
            return (float)(Inner.LearningRate(0) * factor);
        }
    }
}
