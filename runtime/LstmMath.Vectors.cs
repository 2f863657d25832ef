#if NET8_0_OR_GREATER
using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
#if !NET9_0_OR_GREATER
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
#endif

namespace LstmGen
{
    // The vector overloads of LstmMath (System.Runtime.Intrinsics: .NET 8 and later). Each performs the
    // scalar overload's operations in the same order on every element, so every width gives the same bits.
    public static partial class LstmMath
    {
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

        /// <summary>The logistic function per element, as <see cref="Sigmoid(float)"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Sigmoid(Vector128<float> x) =>
            MultiplyAdd(Vector128.Create(0.25f), OddRational(x, SigmoidClamp, SigmoidP6, SigmoidP5, SigmoidP4, SigmoidP3, SigmoidP2, SigmoidP1, SigmoidP0, SigmoidQ3, SigmoidQ2, SigmoidQ1, SigmoidQ0), Vector128.Create(0.5f));

        /// <summary>The logistic function per element, as <see cref="Sigmoid(float)"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Sigmoid(Vector256<float> x) =>
            MultiplyAdd(Vector256.Create(0.25f), OddRational(x, SigmoidClamp, SigmoidP6, SigmoidP5, SigmoidP4, SigmoidP3, SigmoidP2, SigmoidP1, SigmoidP0, SigmoidQ3, SigmoidQ2, SigmoidQ1, SigmoidQ0), Vector256.Create(0.5f));

        /// <summary>The logistic function per element, as <see cref="Sigmoid(float)"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Sigmoid(Vector512<float> x) =>
            MultiplyAdd(Vector512.Create(0.25f), OddRational(x, SigmoidClamp, SigmoidP6, SigmoidP5, SigmoidP4, SigmoidP3, SigmoidP2, SigmoidP1, SigmoidP0, SigmoidQ3, SigmoidQ2, SigmoidQ1, SigmoidQ0), Vector512.Create(0.5f));

        /// <summary>The hyperbolic tangent per element, as <see cref="Tanh(float)"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Tanh(Vector128<float> x) =>
            OddRational(x, TanhClamp, TanhP6, TanhP5, TanhP4, TanhP3, TanhP2, TanhP1, TanhP0, TanhQ3, TanhQ2, TanhQ1, TanhQ0);

        /// <summary>The hyperbolic tangent per element, as <see cref="Tanh(float)"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Tanh(Vector256<float> x) =>
            OddRational(x, TanhClamp, TanhP6, TanhP5, TanhP4, TanhP3, TanhP2, TanhP1, TanhP0, TanhQ3, TanhQ2, TanhQ1, TanhQ0);

        /// <summary>The hyperbolic tangent per element, as <see cref="Tanh(float)"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Tanh(Vector512<float> x) =>
            OddRational(x, TanhClamp, TanhP6, TanhP5, TanhP4, TanhP3, TanhP2, TanhP1, TanhP0, TanhQ3, TanhQ2, TanhQ1, TanhQ0);

        /// <summary>x P(x^2) / Q(x^2) per element, as the scalar overload.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<float> OddRational(Vector128<float> x, float clamp, float p6, float p5, float p4, float p3, float p2, float p1, float p0, float q3, float q2, float q1, float q0)
        {
            Vector128<float> z = Vector128.Min(Vector128.Max(x * x, Vector128.Create(SquareFloor)), Vector128.Create(clamp * clamp));
            x = Vector128.Min(Vector128.Max(x, Vector128.Create(-clamp)), Vector128.Create(clamp));
            Vector128<float> z2 = z * z;
            Vector128<float> z4 = z2 * z2;
            Vector128<float> low = MultiplyAdd(z2, MultiplyAdd(Vector128.Create(p3), z, Vector128.Create(p2)), MultiplyAdd(Vector128.Create(p1), z, Vector128.Create(p0)));
            Vector128<float> high = MultiplyAdd(z2, Vector128.Create(p6), MultiplyAdd(Vector128.Create(p5), z, Vector128.Create(p4)));
            Vector128<float> p = MultiplyAdd(z4, high, low);
            Vector128<float> q = MultiplyAdd(z2, MultiplyAdd(Vector128.Create(q3), z, Vector128.Create(q2)), MultiplyAdd(Vector128.Create(q1), z, Vector128.Create(q0)));
            return x * (p / q);
        }

        /// <summary>x P(x^2) / Q(x^2) per element, as the scalar overload.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> OddRational(Vector256<float> x, float clamp, float p6, float p5, float p4, float p3, float p2, float p1, float p0, float q3, float q2, float q1, float q0)
        {
            Vector256<float> z = Vector256.Min(Vector256.Max(x * x, Vector256.Create(SquareFloor)), Vector256.Create(clamp * clamp));
            x = Vector256.Min(Vector256.Max(x, Vector256.Create(-clamp)), Vector256.Create(clamp));
            Vector256<float> z2 = z * z;
            Vector256<float> z4 = z2 * z2;
            Vector256<float> low = MultiplyAdd(z2, MultiplyAdd(Vector256.Create(p3), z, Vector256.Create(p2)), MultiplyAdd(Vector256.Create(p1), z, Vector256.Create(p0)));
            Vector256<float> high = MultiplyAdd(z2, Vector256.Create(p6), MultiplyAdd(Vector256.Create(p5), z, Vector256.Create(p4)));
            Vector256<float> p = MultiplyAdd(z4, high, low);
            Vector256<float> q = MultiplyAdd(z2, MultiplyAdd(Vector256.Create(q3), z, Vector256.Create(q2)), MultiplyAdd(Vector256.Create(q1), z, Vector256.Create(q0)));
            return x * (p / q);
        }

        /// <summary>x P(x^2) / Q(x^2) per element, as the scalar overload.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> OddRational(Vector512<float> x, float clamp, float p6, float p5, float p4, float p3, float p2, float p1, float p0, float q3, float q2, float q1, float q0)
        {
            Vector512<float> z = Vector512.Min(Vector512.Max(x * x, Vector512.Create(SquareFloor)), Vector512.Create(clamp * clamp));
            x = Vector512.Min(Vector512.Max(x, Vector512.Create(-clamp)), Vector512.Create(clamp));
            Vector512<float> z2 = z * z;
            Vector512<float> z4 = z2 * z2;
            Vector512<float> low = MultiplyAdd(z2, MultiplyAdd(Vector512.Create(p3), z, Vector512.Create(p2)), MultiplyAdd(Vector512.Create(p1), z, Vector512.Create(p0)));
            Vector512<float> high = MultiplyAdd(z2, Vector512.Create(p6), MultiplyAdd(Vector512.Create(p5), z, Vector512.Create(p4)));
            Vector512<float> p = MultiplyAdd(z4, high, low);
            Vector512<float> q = MultiplyAdd(z2, MultiplyAdd(Vector512.Create(q3), z, Vector512.Create(q2)), MultiplyAdd(Vector512.Create(q1), z, Vector512.Create(q0)));
            return x * (p / q);
        }

        /// <summary>Returns 0 in each element whose magnitude is below 2^-60 (a negligible gradient), else the element.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> FlushNegligible(Vector128<float> value) =>
            Vector128.ConditionalSelect(Vector128.LessThan(Vector128.Abs(value), Vector128.Create(NegligibleGradient)), Vector128<float>.Zero, value);

        /// <inheritdoc cref="FlushNegligible(Vector128{float})"/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> FlushNegligible(Vector256<float> value) =>
            Vector256.ConditionalSelect(Vector256.LessThan(Vector256.Abs(value), Vector256.Create(NegligibleGradient)), Vector256<float>.Zero, value);

        /// <inheritdoc cref="FlushNegligible(Vector128{float})"/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> FlushNegligible(Vector512<float> value) =>
            Vector512.ConditionalSelect(Vector512.LessThan(Vector512.Abs(value), Vector512.Create(NegligibleGradient)), Vector512<float>.Zero, value);

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

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static float Sum8(Vector256<float> lanes) => Sum4(lanes.GetLower() + lanes.GetUpper());

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static float Sum4(Vector128<float> lanes)
        {
            Vector128<float> pairs = lanes + Vector128.Shuffle(lanes, Vector128.Create(2, 3, 0, 1));
            return pairs.ToScalar() + pairs.GetElement(1);
        }
    }
}
#endif
