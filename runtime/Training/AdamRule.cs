#if !NET8_0_OR_GREATER
// Without static abstract members the rule is written for one float at a time: TLanes is Lanes1.
using TLanes = LstmGen.Training.Lanes1;
#endif
using System;
using System.Runtime.CompilerServices;

namespace LstmGen.Training
{
    /// <summary>
    /// The element-wise step of <see cref="Adam"/> and <see cref="AdamW"/>, which differ only in
    /// how they apply weight decay.
    /// </summary>
    internal readonly struct AdamRule : IElementwiseRule
    {
        /// <summary>PyTorch's name of the first-moment buffer.</summary>
        public const string ExpAvg = "exp_avg";

        /// <summary>PyTorch's name of the second-moment buffer.</summary>
        public const string ExpAvgSq = "exp_avg_sq";

        private readonly float _decayFactor;
        private readonly float _l2Penalty;
        private readonly float _beta1;
        private readonly float _oneMinusBeta1;
        private readonly float _beta2;
        private readonly float _oneMinusBeta2;
        private readonly float _stepSize;
        private readonly float _biasCorrection2Sqrt;
        private readonly float _epsilon;

        private AdamRule(double learningRate, float beta1, float beta2, float epsilon, float l2Penalty, float decayFactor, long step)
        {
            _decayFactor = decayFactor;
            _l2Penalty = l2Penalty;
            _beta1 = beta1;
            _oneMinusBeta1 = (float)(1.0 - beta1);
            _beta2 = beta2;
            _oneMinusBeta2 = (float)(1.0 - beta2);
            _stepSize = (float)(learningRate / (1.0 - Math.Pow(beta1, step)));
            _biasCorrection2Sqrt = (float)Math.Sqrt(1.0 - Math.Pow(beta2, step));
            _epsilon = epsilon;
        }

        /// <summary>
        /// One step: checks the spans, sizes the buffers on the first step, and updates the
        /// parameters. <paramref name="l2Penalty"/> is Adam's weight decay (added to the gradient),
        /// <paramref name="decoupledDecay"/> AdamW's (p *= 1 - learningRate * decay first).
        /// </summary>
        public static void Step(
            OptimizerBuffers buffers, Span<float> parameters, ReadOnlySpan<float> gradients,
            float learningRate, float beta1, float beta2, float epsilon, float l2Penalty, float decoupledDecay)
        {
            long step = buffers.BeginStep(parameters.Length, gradients.Length);
            var rule = new AdamRule(learningRate, beta1, beta2, epsilon, l2Penalty, (float)(1.0 - ((double)learningRate * decoupledDecay)), step);
            ElementwiseKernel.Run(ref rule, parameters, gradients, buffers.Buffer(0, parameters.Length), buffers.Buffer(1, parameters.Length), Span<float>.Empty);
        }

        /// <inheritdoc/>
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
            if (_decayFactor != 1f)
            {
                parameter = _decayFactor * parameter;
            }

            if (_l2Penalty != 0f)
            {
                gradient += _l2Penalty * parameter;
            }

            TLanes expAvg = (_beta1 * TLanes.Load(ref state0, index)) + (_oneMinusBeta1 * gradient);
            TLanes expAvgSq = (_beta2 * TLanes.Load(ref state1, index)) + ((_oneMinusBeta2 * gradient) * gradient);
            expAvg.Store(ref state0, index);
            expAvgSq.Store(ref state1, index);
            TLanes denominator = (TLanes.Sqrt(expAvgSq) / TLanes.Create(_biasCorrection2Sqrt)) + TLanes.Create(_epsilon);
            (parameter - ((_stepSize * expAvg) / denominator)).Store(ref values, index);
        }
    }
}
