using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
#if !NET9_0_OR_GREATER
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
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
    /// <see cref="Exp(float)"/> uses the Cephes single-precision reduction and polynomial (about
    /// 1 ulp); <see cref="Sigmoid(float)"/> is 1 / (1 + exp(-x)); <see cref="Tanh(float)"/> uses
    /// Cephes' odd polynomial below |x| = 0.625 and 1 - 2 / (exp(2|x|) + 1) above it. The
    /// reciprocals take Newton's method (<see cref="Reciprocal(float)"/>) instead of a division,
    /// which the processor cannot pipeline. Their accuracy (1 to 2 ulp) is checked against
    /// double-precision results in the tests.
    /// </para>
    /// </remarks>
    public static class LstmMath
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

        // tanh(x) for |x| < 0.625: x + x^3 P(x^2).
        private const float TanhPolynomialLimit = 0.625f;

        // Past these the functions are saturated in float, and the reciprocals below stay in [2^-126, 1].
        private const float SigmoidLowerBound = -87f;   // e^87 + 1 < 2^126
        private const float TanhSaturation = 10f;       // tanh(10) rounds to 1

        // 1/d by Newton's method from the exponent trick: exact integer and FMA operations only, so every
        // width gives the same bits; three steps bring the guess (3.5% off) to within 0.6 ulp.
        private const int ReciprocalMagic = 0x7EF311C3;
        private const float TanhC0 = -5.70498872745e-3f;
        private const float TanhC1 = 2.06390887954e-2f;
        private const float TanhC2 = -5.37397155531e-2f;
        private const float TanhC3 = 1.33314422036e-1f;
        private const float TanhC4 = -3.33332819422e-1f;

        private const int ExponentBias = 127;
        private const int MantissaBits = 23;

        // ---- Fused multiply-add: a * b + addend, rounded once. ----

        /// <summary>Returns a * b + addend, rounded once.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float MultiplyAdd(float a, float b, float addend) => MathF.FusedMultiplyAdd(a, b, addend);

        /// <summary>Returns a * b + addend per element, rounded once.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> addend)
        {
#if NET9_0_OR_GREATER
            return Vector128.FusedMultiplyAdd(a, b, addend);
#else
            if (Fma.IsSupported)
            {
                return Fma.MultiplyAdd(a, b, addend);
            }

            if (AdvSimd.IsSupported)
            {
                return AdvSimd.FusedMultiplyAdd(addend, a, b);
            }

            return Vector128.Create(
                MathF.FusedMultiplyAdd(a.GetElement(0), b.GetElement(0), addend.GetElement(0)),
                MathF.FusedMultiplyAdd(a.GetElement(1), b.GetElement(1), addend.GetElement(1)),
                MathF.FusedMultiplyAdd(a.GetElement(2), b.GetElement(2), addend.GetElement(2)),
                MathF.FusedMultiplyAdd(a.GetElement(3), b.GetElement(3), addend.GetElement(3)));
#endif
        }

        /// <summary>Returns a * b + addend per element, rounded once.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> addend)
        {
#if NET9_0_OR_GREATER
            return Vector256.FusedMultiplyAdd(a, b, addend);
#else
            if (Fma.IsSupported)
            {
                return Fma.MultiplyAdd(a, b, addend);
            }

            return Vector256.Create(
                MultiplyAdd(a.GetLower(), b.GetLower(), addend.GetLower()),
                MultiplyAdd(a.GetUpper(), b.GetUpper(), addend.GetUpper()));
#endif
        }

        /// <summary>Returns a * b + addend per element, rounded once.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> addend)
        {
#if NET9_0_OR_GREATER
            return Vector512.FusedMultiplyAdd(a, b, addend);
#else
            if (Avx512F.IsSupported)
            {
                return Avx512F.FusedMultiplyAdd(a, b, addend);
            }

            return Vector512.Create(
                MultiplyAdd(a.GetLower(), b.GetLower(), addend.GetLower()),
                MultiplyAdd(a.GetUpper(), b.GetUpper(), addend.GetUpper()));
#endif
        }

        // ---- exp ----

        /// <summary>e^x, with x clamped to [-87.34, 88]: about 1 ulp, never infinite.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Exp(float x)
        {
            x = MathF.Min(MathF.Max(x, ExpLowerBound), ExpUpperBound);
            float shifted = (x * Log2E) + RoundingShift;
            float n = shifted - RoundingShift;
            float r = MathF.FusedMultiplyAdd(n, -Ln2High, x);
            r = MathF.FusedMultiplyAdd(n, -Ln2Low, r);
            float p = MathF.FusedMultiplyAdd(ExpC0, r, ExpC1);
            p = MathF.FusedMultiplyAdd(p, r, ExpC2);
            p = MathF.FusedMultiplyAdd(p, r, ExpC3);
            p = MathF.FusedMultiplyAdd(p, r, ExpC4);
            p = MathF.FusedMultiplyAdd(p, r, ExpC5);
            float expR = MathF.FusedMultiplyAdd(p, r * r, r) + 1f;
            // 2^n from the bits of the shifted sum, which hold n: no conversion from float.
            float twoToN = BitConverter.Int32BitsToSingle((BitConverter.SingleToInt32Bits(shifted) + (ExponentBias - RoundingShiftBits)) << MantissaBits);
            return expR * twoToN;
        }

        /// <summary>e^x per element, as <see cref="Exp(float)"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Exp(Vector128<float> x)
        {
            x = Vector128.Min(Vector128.Max(x, Vector128.Create(ExpLowerBound)), Vector128.Create(ExpUpperBound));
            Vector128<float> shift = Vector128.Create(RoundingShift);
            Vector128<float> shifted = (x * Vector128.Create(Log2E)) + shift;
            Vector128<float> n = shifted - shift;
            Vector128<float> r = MultiplyAdd(n, Vector128.Create(-Ln2High), x);
            r = MultiplyAdd(n, Vector128.Create(-Ln2Low), r);
            Vector128<float> p = MultiplyAdd(Vector128.Create(ExpC0), r, Vector128.Create(ExpC1));
            p = MultiplyAdd(p, r, Vector128.Create(ExpC2));
            p = MultiplyAdd(p, r, Vector128.Create(ExpC3));
            p = MultiplyAdd(p, r, Vector128.Create(ExpC4));
            p = MultiplyAdd(p, r, Vector128.Create(ExpC5));
            Vector128<float> expR = MultiplyAdd(p, r * r, r) + Vector128<float>.One;
            Vector128<float> twoToN = Vector128.ShiftLeft(shifted.AsInt32() + Vector128.Create(ExponentBias - RoundingShiftBits), MantissaBits).AsSingle();
            return expR * twoToN;
        }

        /// <summary>e^x per element, as <see cref="Exp(float)"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Exp(Vector256<float> x)
        {
            x = Vector256.Min(Vector256.Max(x, Vector256.Create(ExpLowerBound)), Vector256.Create(ExpUpperBound));
            Vector256<float> shift = Vector256.Create(RoundingShift);
            Vector256<float> shifted = (x * Vector256.Create(Log2E)) + shift;
            Vector256<float> n = shifted - shift;
            Vector256<float> r = MultiplyAdd(n, Vector256.Create(-Ln2High), x);
            r = MultiplyAdd(n, Vector256.Create(-Ln2Low), r);
            Vector256<float> p = MultiplyAdd(Vector256.Create(ExpC0), r, Vector256.Create(ExpC1));
            p = MultiplyAdd(p, r, Vector256.Create(ExpC2));
            p = MultiplyAdd(p, r, Vector256.Create(ExpC3));
            p = MultiplyAdd(p, r, Vector256.Create(ExpC4));
            p = MultiplyAdd(p, r, Vector256.Create(ExpC5));
            Vector256<float> expR = MultiplyAdd(p, r * r, r) + Vector256<float>.One;
            Vector256<float> twoToN = Vector256.ShiftLeft(shifted.AsInt32() + Vector256.Create(ExponentBias - RoundingShiftBits), MantissaBits).AsSingle();
            return expR * twoToN;
        }

        /// <summary>e^x per element, as <see cref="Exp(float)"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Exp(Vector512<float> x)
        {
            x = Vector512.Min(Vector512.Max(x, Vector512.Create(ExpLowerBound)), Vector512.Create(ExpUpperBound));
            Vector512<float> shift = Vector512.Create(RoundingShift);
            Vector512<float> shifted = (x * Vector512.Create(Log2E)) + shift;
            Vector512<float> n = shifted - shift;
            Vector512<float> r = MultiplyAdd(n, Vector512.Create(-Ln2High), x);
            r = MultiplyAdd(n, Vector512.Create(-Ln2Low), r);
            Vector512<float> p = MultiplyAdd(Vector512.Create(ExpC0), r, Vector512.Create(ExpC1));
            p = MultiplyAdd(p, r, Vector512.Create(ExpC2));
            p = MultiplyAdd(p, r, Vector512.Create(ExpC3));
            p = MultiplyAdd(p, r, Vector512.Create(ExpC4));
            p = MultiplyAdd(p, r, Vector512.Create(ExpC5));
            Vector512<float> expR = MultiplyAdd(p, r * r, r) + Vector512<float>.One;
            Vector512<float> twoToN = Vector512.ShiftLeft(shifted.AsInt32() + Vector512.Create(ExponentBias - RoundingShiftBits), MantissaBits).AsSingle();
            return expR * twoToN;
        }

        // ---- 1/d for d in [1, 2^126] ----

        /// <summary>
        /// 1/d for d in [1, 2^126] (the denominators of the logistic function and tanh), within 0.6 ulp:
        /// Newton's method from the exponent trick, with integer and fused multiply-add operations only,
        /// so that it is much faster than a division and gives the same bits on every vector width.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Reciprocal(float d)
        {
            float y = BitConverter.Int32BitsToSingle(ReciprocalMagic - BitConverter.SingleToInt32Bits(d));
            y = MathF.FusedMultiplyAdd(y, MathF.FusedMultiplyAdd(-d, y, 1f), y);
            y = MathF.FusedMultiplyAdd(y, MathF.FusedMultiplyAdd(-d, y, 1f), y);
            return MathF.FusedMultiplyAdd(y, MathF.FusedMultiplyAdd(-d, y, 1f), y);
        }

        /// <summary>1/d per element, as <see cref="Reciprocal(float)"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Reciprocal(Vector128<float> d)
        {
            Vector128<float> one = Vector128<float>.One;
            Vector128<float> y = (Vector128.Create(ReciprocalMagic) - d.AsInt32()).AsSingle();
            y = MultiplyAdd(y, MultiplyAdd(-d, y, one), y);
            y = MultiplyAdd(y, MultiplyAdd(-d, y, one), y);
            return MultiplyAdd(y, MultiplyAdd(-d, y, one), y);
        }

        /// <summary>1/d per element, as <see cref="Reciprocal(float)"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Reciprocal(Vector256<float> d)
        {
            Vector256<float> one = Vector256<float>.One;
            Vector256<float> y = (Vector256.Create(ReciprocalMagic) - d.AsInt32()).AsSingle();
            y = MultiplyAdd(y, MultiplyAdd(-d, y, one), y);
            y = MultiplyAdd(y, MultiplyAdd(-d, y, one), y);
            return MultiplyAdd(y, MultiplyAdd(-d, y, one), y);
        }

        /// <summary>1/d per element, as <see cref="Reciprocal(float)"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Reciprocal(Vector512<float> d)
        {
            Vector512<float> one = Vector512<float>.One;
            Vector512<float> y = (Vector512.Create(ReciprocalMagic) - d.AsInt32()).AsSingle();
            y = MultiplyAdd(y, MultiplyAdd(-d, y, one), y);
            y = MultiplyAdd(y, MultiplyAdd(-d, y, one), y);
            return MultiplyAdd(y, MultiplyAdd(-d, y, one), y);
        }

        // ---- The logistic function: 1 / (1 + e^-x). ----

        /// <summary>The logistic function 1 / (1 + e^-x).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Sigmoid(float x) => Reciprocal(1f + Exp(-MathF.Max(x, SigmoidLowerBound)));

        /// <summary>The logistic function per element, as <see cref="Sigmoid(float)"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Sigmoid(Vector128<float> x) =>
            Reciprocal(Vector128<float>.One + Exp(-Vector128.Max(x, Vector128.Create(SigmoidLowerBound))));

        /// <summary>The logistic function per element, as <see cref="Sigmoid(float)"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Sigmoid(Vector256<float> x) =>
            Reciprocal(Vector256<float>.One + Exp(-Vector256.Max(x, Vector256.Create(SigmoidLowerBound))));

        /// <summary>The logistic function per element, as <see cref="Sigmoid(float)"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Sigmoid(Vector512<float> x) =>
            Reciprocal(Vector512<float>.One + Exp(-Vector512.Max(x, Vector512.Create(SigmoidLowerBound))));

        // ---- tanh ----

        /// <summary>The hyperbolic tangent.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Tanh(float x)
        {
            float magnitude = MathF.Abs(x);
            if (magnitude < TanhPolynomialLimit)
            {
                float z = x * x;
                float p = MathF.FusedMultiplyAdd(TanhC0, z, TanhC1);
                p = MathF.FusedMultiplyAdd(p, z, TanhC2);
                p = MathF.FusedMultiplyAdd(p, z, TanhC3);
                p = MathF.FusedMultiplyAdd(p, z, TanhC4);
                return MathF.FusedMultiplyAdd(p * z, x, x);
            }

            float saturated = MathF.Min(magnitude, TanhSaturation);
            float tanhOfMagnitude = 1f - (2f * Reciprocal(Exp(saturated + saturated) + 1f));
            return MathF.CopySign(tanhOfMagnitude, x);
        }

        /// <summary>The hyperbolic tangent per element, as <see cref="Tanh(float)"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Tanh(Vector128<float> x)
        {
            Vector128<float> magnitude = Vector128.Abs(x);
            Vector128<float> z = x * x;
            Vector128<float> p = MultiplyAdd(Vector128.Create(TanhC0), z, Vector128.Create(TanhC1));
            p = MultiplyAdd(p, z, Vector128.Create(TanhC2));
            p = MultiplyAdd(p, z, Vector128.Create(TanhC3));
            p = MultiplyAdd(p, z, Vector128.Create(TanhC4));
            Vector128<float> small = MultiplyAdd(p * z, x, x);
            Vector128<float> one = Vector128<float>.One;
            Vector128<float> saturated = Vector128.Min(magnitude, Vector128.Create(TanhSaturation));
            Vector128<float> large = one - (Vector128.Create(2f) * Reciprocal(Exp(saturated + saturated) + one));
            large |= x & Vector128.Create(-0f);
            return Vector128.ConditionalSelect(Vector128.LessThan(magnitude, Vector128.Create(TanhPolynomialLimit)), small, large);
        }

        /// <summary>The hyperbolic tangent per element, as <see cref="Tanh(float)"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Tanh(Vector256<float> x)
        {
            Vector256<float> magnitude = Vector256.Abs(x);
            Vector256<float> z = x * x;
            Vector256<float> p = MultiplyAdd(Vector256.Create(TanhC0), z, Vector256.Create(TanhC1));
            p = MultiplyAdd(p, z, Vector256.Create(TanhC2));
            p = MultiplyAdd(p, z, Vector256.Create(TanhC3));
            p = MultiplyAdd(p, z, Vector256.Create(TanhC4));
            Vector256<float> small = MultiplyAdd(p * z, x, x);
            Vector256<float> one = Vector256<float>.One;
            Vector256<float> saturated = Vector256.Min(magnitude, Vector256.Create(TanhSaturation));
            Vector256<float> large = one - (Vector256.Create(2f) * Reciprocal(Exp(saturated + saturated) + one));
            large |= x & Vector256.Create(-0f);
            return Vector256.ConditionalSelect(Vector256.LessThan(magnitude, Vector256.Create(TanhPolynomialLimit)), small, large);
        }

        /// <summary>The hyperbolic tangent per element, as <see cref="Tanh(float)"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Tanh(Vector512<float> x)
        {
            Vector512<float> magnitude = Vector512.Abs(x);
            Vector512<float> z = x * x;
            Vector512<float> p = MultiplyAdd(Vector512.Create(TanhC0), z, Vector512.Create(TanhC1));
            p = MultiplyAdd(p, z, Vector512.Create(TanhC2));
            p = MultiplyAdd(p, z, Vector512.Create(TanhC3));
            p = MultiplyAdd(p, z, Vector512.Create(TanhC4));
            Vector512<float> small = MultiplyAdd(p * z, x, x);
            Vector512<float> one = Vector512<float>.One;
            Vector512<float> saturated = Vector512.Min(magnitude, Vector512.Create(TanhSaturation));
            Vector512<float> large = one - (Vector512.Create(2f) * Reciprocal(Exp(saturated + saturated) + one));
            large |= x & Vector512.Create(-0f);
            return Vector512.ConditionalSelect(Vector512.LessThan(magnitude, Vector512.Create(TanhPolynomialLimit)), small, large);
        }

        // ---- The canonical 16-lane sum ----
        // A dot product sums its products into 16 lanes (lane l takes elements l, l + 16, ...),
        // then adds the lanes pairwise: l + (l + 8), then + 4, + 2, + 1. A Vector512 holds the
        // 16 lanes in one register, Vector256 in two, Vector128 in four, scalar code in 16 floats;
        // every overload below adds them in that same tree, so every path gives the same sum.

        /// <summary>Sums 16 lanes in the canonical order.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Sum(Vector512<float> lanes) => Sum(lanes.GetLower(), lanes.GetUpper());

        /// <summary>Sums 16 lanes (0-7, 8-15) in the canonical order.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Sum(Vector256<float> lanes0To7, Vector256<float> lanes8To15) =>
            Sum8(lanes0To7 + lanes8To15);

        /// <summary>Sums 16 lanes (0-3, 4-7, 8-11, 12-15) in the canonical order.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Sum(Vector128<float> lanes0To3, Vector128<float> lanes4To7, Vector128<float> lanes8To11, Vector128<float> lanes12To15) =>
            Sum4((lanes0To3 + lanes8To11) + (lanes4To7 + lanes12To15));

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

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static float Sum8(Vector256<float> lanes) => Sum4(lanes.GetLower() + lanes.GetUpper());

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static float Sum4(Vector128<float> lanes)
        {
            Vector128<float> pairs = lanes + Vector128.Shuffle(lanes, Vector128.Create(2, 3, 0, 1));
            return pairs.ToScalar() + pairs.GetElement(1);
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
