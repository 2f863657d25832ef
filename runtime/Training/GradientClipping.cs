#if !NET8_0_OR_GREATER
// Without static abstract members the rule is written for one float at a time: TLanes is Lanes1.
using TLanes = LstmGen.Training.Lanes1;
#endif
using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LstmGen.CompilerServices;
#if NET8_0_OR_GREATER
using System.Runtime.Intrinsics;
#endif

namespace LstmGen.Training
{
    /// <summary>Gradient clipping, as <c>torch.nn.utils</c> does it.</summary>
    public static class GradientClipping
    {
        // PyTorch's guard against division by zero in clip_grad_norm_.
        private const double NormEpsilon = 1e-6;

        // The norm is summed in this many double lanes: element i goes to lane i % 8 on every path.
        private const int SumLanes = 8;

        /// <summary>
        /// Scales <paramref name="gradients"/> so that their L2 norm is at most
        /// <paramref name="maxNorm"/>, as <c>torch.nn.utils.clip_grad_norm_(parameters, max_norm)</c>
        /// does, and returns the norm they had.
        /// </summary>
        /// <remarks>
        /// <para>
        /// With n the L2 norm, the coefficient is maxNorm / (n + 1e-6); when it is below 1 every
        /// gradient is multiplied by it (rounded to float), otherwise nothing changes.
        /// </para>
        /// <para>
        /// The squares are summed in double, in an order that does not depend on the machine, so the
        /// result is the same everywhere. A gradient that is infinite or NaN makes the norm infinite
        /// or NaN and, as in PyTorch, spoils the clipped gradients: check the returned norm to skip
        /// such a step.
        /// </para>
        /// </remarks>
        /// <param name="gradients">The gradients of every parameter, concatenated; clipped in place.</param>
        /// <param name="maxNorm">The largest norm allowed; at least 0 (+infinity never clips).</param>
        /// <returns>The L2 norm of <paramref name="gradients"/> before clipping.</returns>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> is below 0, or NaN.</exception>
        public static float ClipByGlobalNorm(Span<float> gradients, float maxNorm)
        {
            OptimizerGuard.NotNegative(maxNorm, nameof(maxNorm));
            double norm = GlobalNorm(gradients);
            double coefficient = maxNorm / (norm + NormEpsilon);

            // PyTorch multiplies by min(coefficient, 1): a no-op when it is 1, but a NaN spreads.
            if (!(coefficient >= 1.0))
            {
                var rule = new ScaleRule((float)coefficient);
                ElementwiseKernel.Run(ref rule, gradients, ReadOnlySpan<float>.Empty, Span<float>.Empty, Span<float>.Empty, Span<float>.Empty);
            }

            return (float)norm;
        }

        /// <summary>The L2 norm of <paramref name="values"/>, in double, as <see cref="ClipByGlobalNorm"/> computes it: NaN or infinite when a value is.</summary>
        internal static double GlobalNorm(ReadOnlySpan<float> values) => Math.Sqrt(SumOfSquares(values));

        /// <summary>The sum of the squares in double: lane l adds elements l, l + 8, ...; the lanes are added in a fixed tree.</summary>
        private static double SumOfSquares(ReadOnlySpan<float> values)
        {
            ref float start = ref MemoryMarshal.GetReference(values);
            nuint length = (nuint)values.Length;
            nuint index = 0;
            Span<double> lanes = stackalloc double[SumLanes];
            lanes.Clear();

#if NET8_0_OR_GREATER
            if (Vector256.IsHardwareAccelerated && length >= SumLanes)
            {
                Vector256<double> lanes0To3 = Vector256<double>.Zero;
                Vector256<double> lanes4To7 = Vector256<double>.Zero;
                for (; length - index >= SumLanes; index += SumLanes)
                {
                    (Vector256<double> low, Vector256<double> high) = Vector256.Widen(Vector256.LoadUnsafe(ref start, index));
                    lanes0To3 += low * low;
                    lanes4To7 += high * high;
                }

                lanes0To3.CopyTo(lanes);
                lanes4To7.CopyTo(lanes[4..]);
            }
            else if (Vector128.IsHardwareAccelerated && length >= SumLanes)
            {
                Vector128<double> lanes0To1 = Vector128<double>.Zero;
                Vector128<double> lanes2To3 = Vector128<double>.Zero;
                Vector128<double> lanes4To5 = Vector128<double>.Zero;
                Vector128<double> lanes6To7 = Vector128<double>.Zero;
                for (; length - index >= SumLanes; index += SumLanes)
                {
                    (Vector128<double> lanes0To1Values, Vector128<double> lanes2To3Values) = Vector128.Widen(Vector128.LoadUnsafe(ref start, index));
                    (Vector128<double> lanes4To5Values, Vector128<double> lanes6To7Values) = Vector128.Widen(Vector128.LoadUnsafe(ref start, index + 4));
                    lanes0To1 += lanes0To1Values * lanes0To1Values;
                    lanes2To3 += lanes2To3Values * lanes2To3Values;
                    lanes4To5 += lanes4To5Values * lanes4To5Values;
                    lanes6To7 += lanes6To7Values * lanes6To7Values;
                }

                lanes0To1.CopyTo(lanes);
                lanes2To3.CopyTo(lanes[2..]);
                lanes4To5.CopyTo(lanes[4..]);
                lanes6To7.CopyTo(lanes[6..]);
            }
#endif

            for (; index < length; index++)
            {
                double value = Refs.Add(ref start, index);
                lanes[(int)(index % SumLanes)] += value * value;
            }

            return ((lanes[0] + lanes[4]) + (lanes[2] + lanes[6])) + ((lanes[1] + lanes[5]) + (lanes[3] + lanes[7]));
        }

        /// <summary>Multiplies every value by a float coefficient.</summary>
        private readonly struct ScaleRule : IElementwiseRule
        {
            private readonly float _coefficient;

            public ScaleRule(float coefficient) => _coefficient = coefficient;

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
#if NET8_0_OR_GREATER
            public void Apply<TLanes>(ref float values, ref float input, ref float state0, ref float state1, ref float state2, nuint index)
                where TLanes : struct, ILanes<TLanes>
#else
            public void Apply(ref float values, ref float input, ref float state0, ref float state1, ref float state2, nuint index)
#endif
            {
                (_coefficient * TLanes.Load(ref values, index)).Store(ref values, index);
            }
        }
    }
}
