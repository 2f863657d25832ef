using System;
using System.Runtime.CompilerServices;
#if !NET8_0_OR_GREATER
using LstmGen.CompilerServices;
#endif

namespace LstmGen
{
    /// <summary>
    /// The arithmetic of generated models: fused multiply-add, the logistic function, tanh,
    /// exp, softmax and a fixed-order sum, for <see cref="float"/> and for 128-, 256- and
    /// 512-bit vectors.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Every overload performs the same IEEE operations in the same order on each element, so the
    /// scalar and vector versions return bit-identical results: a model gives the same numbers on
    /// a machine with AVX-512, with AVX2, with SSE or NEON only, or with no SIMD at all. Lockstep
    /// simulations depend on that.
    /// </para>
    /// <para>
    /// <see cref="Tanh(float)"/> is the 13/6 rational minimax approximation x P(x^2) / Q(x^2) that
    /// Eigen, TensorFlow's XLA and ONNX Runtime's MLAS use (P evaluated by Estrin's scheme), on x clamped
    /// to +-7.960386 (where it reaches exactly 1): odd, within 3.5e-7 relative error (about 5 ulp), 16
    /// vector operations and one division, against about 40 operations for an exp-based tanh.
    /// <see cref="Sigmoid(float)"/> is 0.5 + 0.5 tanh(x / 2): within 2e-7 absolute error, exactly 0.5 at 0,
    /// 1 above 15.93 and 0 below -15.93.
    /// A division is correctly rounded on every processor, so it keeps the paths bit-identical.
    /// <see cref="Exp(float)"/> (for softmax) uses the Cephes single-precision reduction and
    /// polynomial (about 1 ulp). Every bound is checked against double precision in the tests.
    /// </para>
    /// </remarks>
    public static partial class LstmMath
    {
        // exp(x): x = n ln2 + r, |r| <= ln2 / 2, exp(r) by a degree-7 polynomial, then scaled by 2^n.
        private const float ExpLowerBound = -87.33654f; // 2^-126 (smallest normal) after scaling
        private const float ExpUpperBound = 88.0f;      // n stays <= 127, so 2^n is finite
        private const float Log2E = 1.44269504088896341f;
        private const float RoundingShift = 12582912f;  // 1.5 * 2^23: adding it rounds to an integer
        private const int RoundingShiftBits = 0x4B400000; // whose bits are these plus the integer
        private const float Ln2High = 0.693359375f;     // ln 2 split in two for an exact reduction
        private const float Ln2Low = -2.12194440e-4f;
        private const float ExpC0 = 1.9875691500e-4f;
        private const float ExpC1 = 1.3981999507e-3f;
        private const float ExpC2 = 8.3334519073e-3f;
        private const float ExpC3 = 4.1665795894e-2f;
        private const float ExpC4 = 1.6666665459e-1f;
        private const float ExpC5 = 5.0000001201e-1f;

        // x^2 is floored at 2^-30 before the powers are taken: below it every term after P0 and Q0 is less
        // than half an ulp of them, so the result is x P0 / Q0 with or without the floor (the same bits), but
        // x^4 and x^8 no longer underflow. An underflowing product costs a microcode assist of about a hundred
        // cycles on x86 processors, and gate sums within 2e-5 of zero are common: without the floor a step
        // whose gates come near zero took twice as long.
        private const float SquareFloor = 9.31322575e-10f; // 2^-30

        // tanh(x) = x P(x^2) / Q(x^2) on [-TanhClamp, TanhClamp]: P of degree 6 and Q of degree 3 in x^2
        // (Eigen's generic_fast_tanh_float). The clamp is the smallest x at which this evaluation (Estrin,
        // fused multiply-adds, one division) gives exactly 1, so tanh never leaves [-1, 1].
        private const float TanhClamp = 7.960386f;
        private const float TanhP6 = -2.76076847742355e-16f;
        private const float TanhP5 = 2.00018790482477e-13f;
        private const float TanhP4 = -8.60467152213735e-11f;
        private const float TanhP3 = 5.12229709037114e-08f;
        private const float TanhP2 = 1.48572235717979e-05f;
        private const float TanhP1 = 6.37261928875436e-04f;
        private const float TanhP0 = 4.89352455891786e-03f;
        private const float TanhQ3 = 1.19825839466702e-06f;
        private const float TanhQ2 = 1.18534705686654e-04f;
        private const float TanhQ1 = 2.26843463243900e-03f;
        private const float TanhQ0 = 4.89352518554385e-03f;

        // The logistic function is 0.5 + 0.5 tanh(x / 2) = 0.5 + 0.25 x P(x^2 / 4) / Q(x^2 / 4): the quarter
        // goes into the coefficients (P_i / 4^i, Q_i / 4^i), powers of two that change no bit, which saves
        // the halving of x and gives exactly the bits of 0.5 + 0.5 Tanh(x * 0.5).
        private const float SigmoidClamp = 2 * TanhClamp;
        private const float SigmoidP6 = TanhP6 / 4096f;
        private const float SigmoidP5 = TanhP5 / 1024f;
        private const float SigmoidP4 = TanhP4 / 256f;
        private const float SigmoidP3 = TanhP3 / 64f;
        private const float SigmoidP2 = TanhP2 / 16f;
        private const float SigmoidP1 = TanhP1 / 4f;
        private const float SigmoidP0 = TanhP0;
        private const float SigmoidQ3 = TanhQ3 / 64f;
        private const float SigmoidQ2 = TanhQ2 / 16f;
        private const float SigmoidQ1 = TanhQ1 / 4f;
        private const float SigmoidQ0 = TanhQ0;

        private const int ExponentBias = 127;
        private const int MantissaBits = 23;

        // ---- Fused multiply-add: a * b + addend, rounded once. ----

        /// <summary>Returns a * b + addend, rounded once.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float MultiplyAdd(float a, float b, float addend) =>
#if NET8_0_OR_GREATER
            MathF.FusedMultiplyAdd(a, b, addend);
#else
            // .NET Standard 2.1 has no MathF.FusedMultiplyAdd: an exact software FMA gives the same bits.
            SoftFloat.FusedMultiplyAdd(a, b, addend);
#endif

        // ---- exp ----

        /// <summary>e^x, with x clamped to [-87.34, 88]: about 1 ulp, never infinite.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Exp(float x)
        {
            x = MathF.Min(MathF.Max(x, ExpLowerBound), ExpUpperBound);
            float shifted = (x * Log2E) + RoundingShift;
            float n = shifted - RoundingShift;
            float r = MultiplyAdd(n, -Ln2High, x);
            r = MultiplyAdd(n, -Ln2Low, r);
            float p = MultiplyAdd(ExpC0, r, ExpC1);
            p = MultiplyAdd(p, r, ExpC2);
            p = MultiplyAdd(p, r, ExpC3);
            p = MultiplyAdd(p, r, ExpC4);
            p = MultiplyAdd(p, r, ExpC5);
            float expR = MultiplyAdd(p, r * r, r) + 1f;
            // 2^n from the bits of the shifted sum, which hold n: no conversion from float.
            float twoToN = BitConverter.Int32BitsToSingle((BitConverter.SingleToInt32Bits(shifted) + (ExponentBias - RoundingShiftBits)) << MantissaBits);
            return expR * twoToN;
        }

        // ---- The logistic function: 0.5 + 0.5 tanh(x / 2). ----

        /// <summary>The logistic function 1 / (1 + e^-x), as 0.5 + 0.5 tanh(x / 2).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Sigmoid(float x) =>
            MultiplyAdd(0.25f, OddRational(x, SigmoidClamp, SigmoidP6, SigmoidP5, SigmoidP4, SigmoidP3, SigmoidP2, SigmoidP1, SigmoidP0, SigmoidQ3, SigmoidQ2, SigmoidQ1, SigmoidQ0), 0.5f);

        // ---- tanh: x P(x^2) / Q(x^2) ----

        /// <summary>The hyperbolic tangent.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Tanh(float x) =>
            OddRational(x, TanhClamp, TanhP6, TanhP5, TanhP4, TanhP3, TanhP2, TanhP1, TanhP0, TanhQ3, TanhQ2, TanhQ1, TanhQ0);

        /// <summary>
        /// x P(x^2) / Q(x^2) for x clamped to [-clamp, clamp], then one division. z = x^2 is taken from x before
        /// the clamp and clamped to clamp^2 instead (the same bits: rounding is monotonic), so the clamp of x is off
        /// the critical path; z is also floored at <see cref="SquareFloor"/>, which changes no bit and keeps the
        /// powers of z from underflowing. P (degree 6 in z) is
        /// evaluated by Estrin's scheme, (P0 + P1 z + (P2 + P3 z) z^2) + (P4 + P5 z + P6 z^2) z^4, whose
        /// longest chain is 3 multiply-adds after z^4 instead of Horner's 6: the activations are the critical
        /// path of a step.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static float OddRational(float x, float clamp, float p6, float p5, float p4, float p3, float p2, float p1, float p0, float q3, float q2, float q1, float q0)
        {
            float z = MathF.Min(MathF.Max(x * x, SquareFloor), clamp * clamp);
            x = MathF.Min(MathF.Max(x, -clamp), clamp);
            float z2 = z * z;
            float z4 = z2 * z2;
            float low = MultiplyAdd(z2, MultiplyAdd(p3, z, p2), MultiplyAdd(p1, z, p0));
            float high = MultiplyAdd(z2, p6, MultiplyAdd(p5, z, p4));
            float p = MultiplyAdd(z4, high, low);
            float q = MultiplyAdd(z2, MultiplyAdd(q3, z, q2), MultiplyAdd(q1, z, q0));
            return x * (p / q);
        }

        // ---- Negligible gradients ----
        // Back through time the gradients of h and c shrink by the forget gate at every step; with the loss on the
        // last step only, a few hundred steps take them below 2^-126, where every operation on them costs a
        // microcode assist on x86 (training a 500-step sequence ran 5 times slower). Below 2^-60 they
        // cannot move a float weight gradient that has any other part, so the backward pass flushes them to zero.
        // NaN stays NaN.
        private const float NegligibleGradient = 8.67361738e-19f; // 2^-60

        /// <summary>Returns 0 where |value| is below 2^-60 (a negligible gradient), else the value.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float FlushNegligible(float value) => MathF.Abs(value) < NegligibleGradient ? 0f : value;

        // ---- The canonical 16-lane sum ----
        // A dot product sums its products into 16 lanes (lane l takes elements l, l + 16, ...),
        // then adds the lanes pairwise: l + (l + 8), then + 4, + 2, + 1. A Vector512 holds the
        // 16 lanes in one register, Vector256 in two, Vector128 in four, scalar code in 16 floats;
        // every overload below adds them in that same tree, so every path gives the same sum.

        /// <summary>Sums 16 lanes held in a span of 16 floats in the canonical order.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Sum(ReadOnlySpan<float> lanes)
        {
            if (lanes.Length != 16)
            {
                throw new ArgumentException($"The canonical sum takes 16 lanes; the span has {lanes.Length}.", nameof(lanes));
            }

            float sum0 = (lanes[0] + lanes[8]) + (lanes[4] + lanes[12]);
            float sum1 = (lanes[1] + lanes[9]) + (lanes[5] + lanes[13]);
            float sum2 = (lanes[2] + lanes[10]) + (lanes[6] + lanes[14]);
            float sum3 = (lanes[3] + lanes[11]) + (lanes[7] + lanes[15]);
            return (sum0 + sum2) + (sum1 + sum3);
        }

        // ---- softmax ----

        /// <summary>
        /// Replaces <paramref name="values"/> with softmax(values): e^(x - max) / sum, summed in
        /// index order, so that the result is the same on every machine.
        /// </summary>
        public static void Softmax(Span<float> values)
        {
            if (values.IsEmpty)
            {
                return;
            }

            float max = values[0];
            for (int i = 1; i < values.Length; i++)
            {
                max = MathF.Max(max, values[i]);
            }

            float sum = 0f;
            for (int i = 0; i < values.Length; i++)
            {
                float e = Exp(values[i] - max);
                values[i] = e;
                sum += e;
            }

            for (int i = 0; i < values.Length; i++)
            {
                values[i] /= sum;
            }
        }
    }
}
