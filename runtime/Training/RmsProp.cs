#if !NET8_0_OR_GREATER
// Without static abstract members the rule is written for one float at a time: TLanes is Lanes1.
using TLanes = LstmGen.Training.Lanes1;
#endif
using System;
using System.Runtime.CompilerServices;

namespace LstmGen.Training
{
    /// <summary>
    /// RMSprop with optional momentum, centring and L2 weight decay: <c>torch.optim.RMSprop</c>
    /// (without maximize), with its defaults and its update.
    /// </summary>
    /// <remarks>
    /// <para>Each step, per element, with g the gradient and p the parameter:</para>
    /// <code>
    /// g = g + weightDecay * p                            (if weightDecay != 0)
    /// sq = alpha * sq + (1 - alpha) * g * g               (square_avg, 0 before the first step)
    /// ga = alpha * ga + (1 - alpha) * g                   (grad_avg, if centered; 0 before the first step)
    /// avg = sqrt(centered ? sq - ga * ga : sq) + epsilon
    /// buf = momentum * buf + g / avg; p = p - learningRate * buf     (momentum_buffer, if momentum > 0)
    /// p = p - learningRate * g / avg                                  (if momentum is 0)
    /// </code>
    /// <para>
    /// Scalars such as 1 - alpha are computed in double and rounded to float, as PyTorch passes
    /// them to its float kernels; everything else is computed in float. The state holds the buffers
    /// <c>square_avg</c>, then <c>momentum_buffer</c> if the momentum is above 0, then
    /// <c>grad_avg</c> if centered.
    /// </para>
    /// </remarks>
    public sealed class RmsProp : Optimizer
    {
        private readonly int _momentumSlot;
        private readonly int _gradientAverageSlot;

        /// <summary>Creates an RMSprop optimizer.</summary>
        /// <param name="learningRate">PyTorch's <c>lr</c>; at least 0.</param>
        /// <param name="alpha">PyTorch's <c>alpha</c>, the decay of the averages; at least 0.</param>
        /// <param name="epsilon">PyTorch's <c>eps</c>, added to the denominator; at least 0.</param>
        /// <param name="weightDecay">PyTorch's <c>weight_decay</c>: L2 penalty added to the gradient; at least 0.</param>
        /// <param name="momentum">PyTorch's <c>momentum</c>; at least 0; 0 turns momentum off.</param>
        /// <param name="centered">PyTorch's <c>centered</c>: normalise by the variance of the gradient instead of its second moment.</param>
        /// <exception cref="ArgumentOutOfRangeException">A value below 0, or NaN.</exception>
        public RmsProp(float learningRate = 1e-2f, float alpha = 0.99f, float epsilon = 1e-8f, float weightDecay = 0f, float momentum = 0f, bool centered = false)
            : base(learningRate, BuffersFor(momentum, centered))
        {
            Epsilon = OptimizerGuard.NotNegative(epsilon, nameof(epsilon));
            Momentum = OptimizerGuard.NotNegative(momentum, nameof(momentum));
            WeightDecay = OptimizerGuard.NotNegative(weightDecay, nameof(weightDecay));
            Alpha = OptimizerGuard.NotNegative(alpha, nameof(alpha));
            Centered = centered;

            _momentumSlot = momentum > 0f ? 1 : -1;
            _gradientAverageSlot = centered ? (momentum > 0f ? 2 : 1) : -1;
        }

        /// <summary>The decay of the averages.</summary>
        public float Alpha { get; }

        /// <summary>The term added to the denominator.</summary>
        public float Epsilon { get; }

        /// <summary>The L2 penalty added to the gradient.</summary>
        public float WeightDecay { get; }

        /// <summary>The momentum factor; 0 when momentum is off.</summary>
        public float Momentum { get; }

        /// <summary>Whether the gradient is normalised by its estimated variance rather than its second moment.</summary>
        public bool Centered { get; }

        /// <inheritdoc/>
        public override void Step(Span<float> parameters, ReadOnlySpan<float> gradients)
        {
            Buffers.BeginStep(parameters.Length, gradients.Length);
            var rule = new Rule(LearningRate, Alpha, (float)(1.0 - Alpha), Epsilon, WeightDecay, Momentum, Centered);
            ElementwiseKernel.Run(ref rule, parameters, gradients, Buffers.Buffer(0, parameters.Length), Buffers.Buffer(_momentumSlot, parameters.Length), Buffers.Buffer(_gradientAverageSlot, parameters.Length));
        }


        /// <summary>square_avg, then momentum_buffer with momentum, then grad_avg when centered.</summary>
        private static OptimizerBuffers BuffersFor(float momentum, bool centered) => (momentum > 0f, centered) switch
        {
            (false, false) => new OptimizerBuffers(nameof(RmsProp), "square_avg"),
            (true, false) => new OptimizerBuffers(nameof(RmsProp), "square_avg", "momentum_buffer"),
            (false, true) => new OptimizerBuffers(nameof(RmsProp), "square_avg", "grad_avg"),
            (true, true) => new OptimizerBuffers(nameof(RmsProp), "square_avg", "momentum_buffer", "grad_avg"),
        };

        /// <summary>The update of one group of elements: state0 = square_avg, state1 = momentum_buffer, state2 = grad_avg.</summary>
        private readonly struct Rule : IElementwiseRule
        {
            private readonly float _learningRate;
            private readonly float _alpha;
            private readonly float _oneMinusAlpha;
            private readonly float _epsilon;
            private readonly float _weightDecay;
            private readonly float _momentum;
            private readonly bool _centered;

            public Rule(float learningRate, float alpha, float oneMinusAlpha, float epsilon, float weightDecay, float momentum, bool centered)
            {
                _learningRate = learningRate;
                _alpha = alpha;
                _oneMinusAlpha = oneMinusAlpha;
                _epsilon = epsilon;
                _weightDecay = weightDecay;
                _momentum = momentum;
                _centered = centered;
            }

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
#if NET8_0_OR_GREATER
            public void Apply<TLanes>(ref float values, ref float input, ref float state0, ref float state1, ref float state2, nuint index)
                where TLanes : struct, ILanes<TLanes>
#else
            public void Apply(ref float values, ref float input, ref float state0, ref float state1, ref float state2, nuint index)
#endif
            {
                TLanes parameter = TLanes.Load(ref values, index);
                TLanes gradient = TLanes.Load(ref input, index);
                if (_weightDecay != 0f)
                {
                    gradient += _weightDecay * parameter;
                }

                TLanes squareAverage = (_alpha * TLanes.Load(ref state0, index)) + ((_oneMinusAlpha * gradient) * gradient);
                squareAverage.Store(ref state0, index);
                TLanes variance = squareAverage;
                if (_centered)
                {
                    TLanes gradientAverage = (_alpha * TLanes.Load(ref state2, index)) + (_oneMinusAlpha * gradient);
                    gradientAverage.Store(ref state2, index);
                    variance -= gradientAverage * gradientAverage;
                }

                TLanes average = TLanes.Sqrt(variance) + TLanes.Create(_epsilon);
                if (_momentum > 0f)
                {
                    TLanes buffer = (_momentum * TLanes.Load(ref state1, index)) + (gradient / average);
                    buffer.Store(ref state1, index);
                    parameter -= _learningRate * buffer;
                }
                else
                {
                    parameter -= (_learningRate * gradient) / average;
                }

                parameter.Store(ref values, index);
            }
        }
    }
}
