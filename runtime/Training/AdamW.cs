using System;

namespace LstmGen.Training
{
    /// <summary>
    /// AdamW (Loshchilov and Hutter, 2019): Adam with weight decay decoupled from the gradient,
    /// as <c>torch.optim.AdamW</c> (without amsgrad or maximize), with its defaults and its update.
    /// </summary>
    /// <remarks>
    /// <para>Step t (1 for the first), per element, with g the gradient and p the parameter:</para>
    /// <code>
    /// p = p * (1 - learningRate * weightDecay)      (first, if weightDecay != 0)
    /// m = beta1 * m + (1 - beta1) * g               (exp_avg, 0 before the first step)
    /// v = beta2 * v + (1 - beta2) * g * g           (exp_avg_sq, 0 before the first step)
    /// denom = sqrt(v) / sqrt(1 - beta2^t) + epsilon
    /// p = p - (learningRate / (1 - beta1^t)) * m / denom
    /// </code>
    /// <para>
    /// The bias corrections and the other per-step scalars are computed in double and rounded to
    /// float, as PyTorch computes them in Python; everything else is computed in float. The state
    /// holds the buffers <c>exp_avg</c> and <c>exp_avg_sq</c>.
    /// </para>
    /// </remarks>
    public sealed class AdamW : Optimizer
    {
        /// <summary>Creates an AdamW optimizer.</summary>
        /// <param name="learningRate">PyTorch's <c>lr</c>; at least 0.</param>
        /// <param name="beta1">PyTorch's <c>betas[0]</c>, the decay of the first moment; in [0, 1).</param>
        /// <param name="beta2">PyTorch's <c>betas[1]</c>, the decay of the second moment; in [0, 1).</param>
        /// <param name="epsilon">PyTorch's <c>eps</c>, added to the denominator; at least 0.</param>
        /// <param name="weightDecay">PyTorch's <c>weight_decay</c>: each step first multiplies the parameters by 1 - learningRate * weightDecay; at least 0.</param>
        /// <exception cref="ArgumentOutOfRangeException">A value outside its range, or NaN.</exception>
        public AdamW(float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f, float weightDecay = 1e-2f)
            : base(learningRate, new OptimizerBuffers(nameof(AdamW), AdamRule.ExpAvg, AdamRule.ExpAvgSq))
        {
            Epsilon = OptimizerGuard.NotNegative(epsilon, nameof(epsilon));
            Beta1 = OptimizerGuard.Beta(beta1, nameof(beta1));
            Beta2 = OptimizerGuard.Beta(beta2, nameof(beta2));
            WeightDecay = OptimizerGuard.NotNegative(weightDecay, nameof(weightDecay));
        }

        /// <summary>The decay of the first-moment estimate.</summary>
        public float Beta1 { get; }

        /// <summary>The decay of the second-moment estimate.</summary>
        public float Beta2 { get; }

        /// <summary>The term added to the denominator.</summary>
        public float Epsilon { get; }

        /// <summary>The decoupled weight decay: each step first multiplies the parameters by 1 - learningRate * WeightDecay.</summary>
        public float WeightDecay { get; }

        /// <inheritdoc/>
        public override void Step(Span<float> parameters, ReadOnlySpan<float> gradients) =>
            AdamRule.Step(Buffers, parameters, gradients, LearningRate, Beta1, Beta2, Epsilon, l2Penalty: 0f, decoupledDecay: WeightDecay);

    }
}
