#if !NET8_0_OR_GREATER
// Without static abstract members the rule is written for one float at a time: TLanes is Lanes1.
using TLanes = LstmGen.Training.Lanes1;
#endif
using System;
using System.Runtime.CompilerServices;

namespace LstmGen.Training
{
    /// <summary>
    /// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2
    /// weight decay: <c>torch.optim.SGD</c>, with its defaults and its update.
    /// </summary>
    /// <remarks>
    /// <para>Each step, per element, with g the gradient and p the parameter:</para>
    /// <code>
    /// g = g + weightDecay * p                          (if weightDecay != 0)
    /// buf = g                                           (first step, if momentum != 0)
    /// buf = momentum * buf + (1 - dampening) * g        (later steps, if momentum != 0)
    /// g = nesterov ? g + momentum * buf : buf           (if momentum != 0)
    /// p = p - learningRate * g
    /// </code>
    /// <para>
    /// The state holds the buffer <c>momentum_buffer</c> when the momentum is not 0. Scalars such as
    /// 1 - dampening are computed in double and rounded to float, as PyTorch passes them to its
    /// float kernels; everything else is computed in float.
    /// </para>
    /// </remarks>
    public sealed class Sgd : Optimizer
    {
        private const string MomentumBuffer = "momentum_buffer";

        /// <summary>Creates an SGD optimizer.</summary>
        /// <param name="learningRate">PyTorch's <c>lr</c>; at least 0.</param>
        /// <param name="momentum">PyTorch's <c>momentum</c>; at least 0; 0 turns momentum off.</param>
        /// <param name="dampening">PyTorch's <c>dampening</c>: the momentum buffer takes (1 - dampening) of each gradient after the first.</param>
        /// <param name="nesterov">PyTorch's <c>nesterov</c>: Nesterov momentum; needs a momentum above 0 and no dampening.</param>
        /// <param name="weightDecay">PyTorch's <c>weight_decay</c>: L2 penalty added to the gradient; at least 0.</param>
        /// <exception cref="ArgumentOutOfRangeException">A learning rate, momentum or weight decay below 0, or NaN.</exception>
        /// <exception cref="ArgumentException">Nesterov momentum without momentum, or with dampening.</exception>
        public Sgd(float learningRate, float momentum = 0f, float dampening = 0f, bool nesterov = false, float weightDecay = 0f)
            : base(learningRate, momentum != 0f ? new OptimizerBuffers(nameof(Sgd), MomentumBuffer) : new OptimizerBuffers(nameof(Sgd)))
        {
            Momentum = OptimizerGuard.NotNegative(momentum, nameof(momentum));
            WeightDecay = OptimizerGuard.NotNegative(weightDecay, nameof(weightDecay));
            if (nesterov && (momentum <= 0f || dampening != 0f))
            {
                throw new ArgumentException(
                    $"Nesterov momentum requires a momentum above 0 and zero dampening, but momentum is {OptimizerGuard.Format(momentum)} and dampening is {OptimizerGuard.Format(dampening)}.",
                    nameof(nesterov));
            }

            Dampening = dampening;
            Nesterov = nesterov;
        }

        /// <summary>The momentum factor; 0 when momentum is off.</summary>
        public float Momentum { get; }

        /// <summary>The dampening of the momentum.</summary>
        public float Dampening { get; }

        /// <summary>Whether the momentum is Nesterov's.</summary>
        public bool Nesterov { get; }

        /// <summary>The L2 penalty added to the gradient.</summary>
        public float WeightDecay { get; }

        /// <inheritdoc/>
        public override void Step(Span<float> parameters, ReadOnlySpan<float> gradients)
        {
            long step = Buffers.BeginStep(parameters.Length, gradients.Length);
            var rule = new Rule(LearningRate, Momentum, (float)(1.0 - Dampening), Nesterov, WeightDecay, firstStep: step == 1);
            ElementwiseKernel.Run(ref rule, parameters, gradients, Buffers.Buffer(Momentum != 0f ? 0 : -1, parameters.Length), Span<float>.Empty, Span<float>.Empty);
        }


        /// <summary>The update of one group of elements.</summary>
        private readonly struct Rule : IElementwiseRule
        {
            private readonly float _learningRate;
            private readonly float _momentum;
            private readonly float _oneMinusDampening;
            private readonly bool _nesterov;
            private readonly float _weightDecay;
            private readonly bool _firstStep;

            public Rule(float learningRate, float momentum, float oneMinusDampening, bool nesterov, float weightDecay, bool firstStep)
            {
                _learningRate = learningRate;
                _momentum = momentum;
                _oneMinusDampening = oneMinusDampening;
                _nesterov = nesterov;
                _weightDecay = weightDecay;
                _firstStep = firstStep;
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

                if (_momentum != 0f)
                {
                    TLanes buffer = _firstStep ? gradient : (_momentum * TLanes.Load(ref state0, index)) + (_oneMinusDampening * gradient);
                    buffer.Store(ref state0, index);
                    gradient = _nesterov ? gradient + (_momentum * buffer) : buffer;
                }

                (parameter - (_learningRate * gradient)).Store(ref values, index);
            }
        }
    }
}
