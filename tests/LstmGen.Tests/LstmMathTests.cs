using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.Intrinsics;
using Xunit;

namespace LstmGen.Tests
{
    /// <summary>
    /// The runtime's activations: accurate against double precision, and the same bits from the scalar
    /// and every vector overload, which is what makes every code path of a model give the same bits.
    /// </summary>
    public sealed class LstmMathTests
    {
        // exp: about 1 to 2 units in the last place of a float (2^-23 = 1.19e-7). tanh: the rational
        // approximation's documented bound, about 5 ulp. The logistic function: an absolute bound, as
        // 0.5 + 0.5 tanh(x / 2) has no relative accuracy where its value is tiny.
        private const double ExpRelative = 2e-7;
        private const double TanhRelative = 3.5e-7;
        private const double SigmoidAbsolute = 2e-7;

        /// <summary>Every 1e-4 from -90 to 90, and values that probe the edges of the approximations.</summary>
        private static IEnumerable<float> Grid()
        {
            for (int i = -900_000; i <= 900_000; i++)
            {
                yield return i * 1e-4f;
            }

            foreach (float x in new[] { 0f, -0f, 1e-30f, -1e-30f, float.Epsilon, 0.625f, -0.625f, 0.62499994f, 87.33654f, -87.33654f, 88f, 100f, -100f, float.MaxValue, float.MinValue })
            {
                yield return x;
            }
        }

        [Fact]
        public void ExpIsWithinTwoUlpsWhereItIsNormal()
        {
            double worst = Grid().Where(x => x > -87.3f && x < 88f).Max(x => Math.Abs(LstmMath.Exp(x) - Math.Exp(x)) / Math.Exp(x));
            Assert.True(worst <= ExpRelative, $"largest relative error {worst:E3}");
            Assert.True(float.IsFinite(LstmMath.Exp(float.MaxValue)), "exp saturates instead of overflowing");
            Assert.True(LstmMath.Exp(float.MinValue) >= 0f);
        }

        [Fact]
        public void SigmoidIsAccurateEverywhereAndSaturatesExactly()
        {
            double worstAbsolute = 0;
            foreach (float x in Grid())
            {
                float sigmoid = LstmMath.Sigmoid(x);
                Assert.InRange(sigmoid, 0f, 1f);
                worstAbsolute = Math.Max(worstAbsolute, Math.Abs(sigmoid - (1 / (1 + Math.Exp(-(double)x)))));
            }

            Assert.True(worstAbsolute <= SigmoidAbsolute, $"largest absolute error {worstAbsolute:E3}");
            Assert.Equal(0.5f, LstmMath.Sigmoid(0f));

            // Saturated gates are exactly open or shut: a forget gate of 1 keeps the cell state as it is.
            Assert.Equal(1f, LstmMath.Sigmoid(16f));
            Assert.Equal(1f, LstmMath.Sigmoid(float.MaxValue));
            Assert.Equal(0f, LstmMath.Sigmoid(-16f));
            Assert.Equal(0f, LstmMath.Sigmoid(float.MinValue));
        }

        [Fact]
        public void SigmoidIsExactlyHalfPlusHalfTanhOfHalfX()
        {
            // The sigmoid folds the halving of x into its coefficients; that must not change a bit.
            foreach (float x in Grid())
            {
                float expected = MathF.FusedMultiplyAdd(0.5f, LstmMath.Tanh(x * 0.5f), 0.5f);
                Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(LstmMath.Sigmoid(x)));
            }
        }

        [Fact]
        public void TanhIsAccurateEverywhereOddAndBounded()
        {
            double worstRelative = 0;
            foreach (float x in Grid().Where(x => x != 0f))
            {
                float tanh = LstmMath.Tanh(x);
                Assert.InRange(tanh, -1f, 1f);
                Assert.Equal(-tanh, LstmMath.Tanh(-x));
                double expected = Math.Tanh(x);
                worstRelative = Math.Max(worstRelative, Math.Abs(tanh - expected) / Math.Abs(expected));
            }

            Assert.True(worstRelative <= TanhRelative, $"largest relative error {worstRelative:E3}");
            Assert.Equal(0f, LstmMath.Tanh(0f));
            Assert.Equal(float.Epsilon, LstmMath.Tanh(float.Epsilon));
            Assert.Equal(1f, LstmMath.Tanh(8f));
            Assert.Equal(1f, LstmMath.Tanh(float.MaxValue));
        }

        /// <summary>Gate sums near zero: 2^-126 to 2^-6, eight values per octave, both signs.</summary>
        private static IEnumerable<float> NearZero()
        {
            for (int exponent = -126; exponent <= -6; exponent++)
            {
                for (int eighth = 0; eighth < 8; eighth++)
                {
                    float x = MathF.ScaleB(1 + (eighth / 8f), exponent);
                    yield return x;
                    yield return -x;
                }
            }
        }

        [Fact]
        public void TheFloorAndTheEarlySquareChangeNoBit()
        {
            // LstmMath takes x^2 before clamping x (clamping x^2 to clamp^2 instead) and floors it at 2^-30, so
            // that the clamp is off the critical path and x^4 and x^8 cannot underflow (an underflow costs a
            // microcode assist). The plain evaluation, written out here with Eigen's published coefficients
            // (generic_fast_tanh_float), must give the same bits everywhere: rounding is monotonic, and below
            // the floor every term after P0 and Q0 is under half an ulp.
            float[] tanhP = { 4.89352455891786e-03f, 6.37261928875436e-04f, 1.48572235717979e-05f, 5.12229709037114e-08f, -8.60467152213735e-11f, 2.00018790482477e-13f, -2.76076847742355e-16f };
            float[] tanhQ = { 4.89352518554385e-03f, 2.26843463243900e-03f, 1.18534705686654e-04f, 1.19825839466702e-06f };
            float[] sigmoidP = tanhP.Select((c, i) => c / MathF.Pow(4, i)).ToArray();
            float[] sigmoidQ = tanhQ.Select((c, i) => c / MathF.Pow(4, i)).ToArray();
            const float TanhClamp = 7.960386f;
            foreach (float x in Grid().Concat(NearZero()))
            {
                float tanh = PlainOddRational(x, TanhClamp, tanhP, tanhQ);
                float sigmoid = MathF.FusedMultiplyAdd(0.25f, PlainOddRational(x, 2 * TanhClamp, sigmoidP, sigmoidQ), 0.5f);
                Assert.True(BitConverter.SingleToInt32Bits(tanh) == BitConverter.SingleToInt32Bits(LstmMath.Tanh(x)), $"tanh({x:R})");
                Assert.True(BitConverter.SingleToInt32Bits(sigmoid) == BitConverter.SingleToInt32Bits(LstmMath.Sigmoid(x)), $"sigmoid({x:R})");
            }
        }

        /// <summary>x P(x^2) / Q(x^2) on x clamped to [-clamp, clamp], by Estrin's scheme as LstmMath evaluates it, without its floor on x^2.</summary>
        private static float PlainOddRational(float x, float clamp, float[] p, float[] q)
        {
            x = MathF.Min(MathF.Max(x, -clamp), clamp);
            float z = x * x;
            float z2 = z * z;
            float z4 = z2 * z2;
            float low = MathF.FusedMultiplyAdd(z2, MathF.FusedMultiplyAdd(p[3], z, p[2]), MathF.FusedMultiplyAdd(p[1], z, p[0]));
            float high = MathF.FusedMultiplyAdd(z2, p[6], MathF.FusedMultiplyAdd(p[5], z, p[4]));
            float numerator = MathF.FusedMultiplyAdd(z4, high, low);
            float denominator = MathF.FusedMultiplyAdd(z2, MathF.FusedMultiplyAdd(q[3], z, q[2]), MathF.FusedMultiplyAdd(q[1], z, q[0]));
            return x * (numerator / denominator);
        }

        [Fact]
        public void EveryVectorWidthGivesTheScalarBits()
        {
            float[] values = Grid().Where((_, i) => i % 7 == 0).Concat(NearZero()).ToArray();
            Array.Resize(ref values, values.Length / 16 * 16);
            float[] addends = values.Select((x, i) => MathF.Sin(i)).ToArray();
            foreach (var (name, scalar, vector128, vector256, vector512) in Functions())
            {
                float[] expected = values.Select(scalar).ToArray();
                for (int i = 0; i < values.Length; i += 16)
                {
                    Vector512<float> x = Vector512.Create(values.AsSpan(i, 16));
                    AssertLanes(expected.AsSpan(i, 16), vector512(x), name, "Vector512", values[i]);
                    AssertLanes(expected.AsSpan(i, 8), vector256(x.GetLower()), name, "Vector256", values[i]);
                    AssertLanes(expected.AsSpan(i, 4), vector128(x.GetLower().GetLower()), name, "Vector128", values[i]);
                }
            }

            // Fused multiply-add rounds once on every width.
            for (int i = 0; i < values.Length; i += 16)
            {
                var a = Vector512.Create(values.AsSpan(i, 16));
                var c = Vector512.Create(addends.AsSpan(i, 16));
                Vector512<float> fused = LstmMath.MultiplyAdd(a, a, c);
                for (int lane = 0; lane < 16; lane++)
                {
                    Assert.Equal(LstmMath.MultiplyAdd(values[i + lane], values[i + lane], addends[i + lane]), fused[lane]);
                }

                Assert.Equal(fused.GetLower(), LstmMath.MultiplyAdd(a.GetLower(), a.GetLower(), c.GetLower()));
                Assert.Equal(fused.GetLower().GetLower(), LstmMath.MultiplyAdd(a.GetLower().GetLower(), a.GetLower().GetLower(), c.GetLower().GetLower()));
            }
        }

        [Fact]
        public void NegligibleGradientsFlushToZeroOnEveryWidth()
        {
            float threshold = MathF.ScaleB(1, -60);
            float[] values =
            {
                threshold, -threshold, MathF.BitDecrement(threshold), -MathF.BitDecrement(threshold), 1e-30f, -1e-30f, float.Epsilon, 0f,
                -0f, 1e-18f, -1e-18f, 1f, -3.5f, float.MaxValue, float.PositiveInfinity, float.NegativeInfinity,
            };
            float[] expected = { threshold, -threshold, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 1e-18f, -1e-18f, 1f, -3.5f, float.MaxValue, float.PositiveInfinity, float.NegativeInfinity };
            Assert.Equal(expected, values.Select(LstmMath.FlushNegligible).ToArray());
            Assert.True(float.IsNaN(LstmMath.FlushNegligible(float.NaN)), "NaN stays NaN");
            Assert.Equal(BitConverter.SingleToInt32Bits(0f), BitConverter.SingleToInt32Bits(LstmMath.FlushNegligible(-1e-30f)));

            var vector = Vector512.Create(values);
            AssertLanes(expected, LstmMath.FlushNegligible(vector), "FlushNegligible", "Vector512", values[0]);
            AssertLanes(expected.AsSpan(0, 8), LstmMath.FlushNegligible(vector.GetLower()), "FlushNegligible", "Vector256", values[0]);
            AssertLanes(expected.AsSpan(8, 8), LstmMath.FlushNegligible(vector.GetUpper()), "FlushNegligible", "Vector256", values[8]);
            AssertLanes(expected.AsSpan(0, 4), LstmMath.FlushNegligible(vector.GetLower().GetLower()), "FlushNegligible", "Vector128", values[0]);
            Assert.True(float.IsNaN(LstmMath.FlushNegligible(Vector512.Create(float.NaN))[0]), "NaN stays NaN in vectors");
        }

        [Fact]
        public void TheCanonicalSumIsTheSameForEveryWidth()
        {
            var random = new Random(3);
            for (int trial = 0; trial < 1000; trial++)
            {
                float[] lanes = Enumerable.Range(0, 16).Select(_ => (float)((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-3, 4)))).ToArray();
                float expected = LstmMath.Sum(lanes);
                var all = Vector512.Create(lanes);
                Assert.Equal(expected, LstmMath.Sum(all));
                Assert.Equal(expected, LstmMath.Sum(all.GetLower(), all.GetUpper()));
                Assert.Equal(expected, LstmMath.Sum(all.GetLower().GetLower(), all.GetLower().GetUpper(), all.GetUpper().GetLower(), all.GetUpper().GetUpper()));
            }
        }

        [Fact]
        public void SoftmaxIsStableAndSumsToOne()
        {
            float[] logits = { 1000f, 999f, -1000f, 0f };
            LstmMath.Softmax(logits);
            double[] expected = { 1 / (1 + Math.Exp(-1)), Math.Exp(-1) / (1 + Math.Exp(-1)), 0, 0 };
            for (int i = 0; i < logits.Length; i++)
            {
                Assert.True(Math.Abs(logits[i] - expected[i]) <= 1e-6, $"softmax[{i}] = {logits[i]}, expected {expected[i]}");
            }

            Assert.True(Math.Abs(logits.Sum() - 1f) <= 1e-6);
        }

        private static void AssertLanes(ReadOnlySpan<float> expected, Vector512<float> actual, string function, string width, float first) =>
            AssertLanes(expected, Enumerable.Range(0, 16).Select(i => actual[i]).ToArray(), function, width, first);

        private static void AssertLanes(ReadOnlySpan<float> expected, Vector256<float> actual, string function, string width, float first) =>
            AssertLanes(expected, Enumerable.Range(0, 8).Select(i => actual[i]).ToArray(), function, width, first);

        private static void AssertLanes(ReadOnlySpan<float> expected, Vector128<float> actual, string function, string width, float first) =>
            AssertLanes(expected, Enumerable.Range(0, 4).Select(i => actual[i]).ToArray(), function, width, first);

        private static void AssertLanes(ReadOnlySpan<float> expected, float[] actual, string function, string width, float first)
        {
            for (int lane = 0; lane < actual.Length; lane++)
            {
                if (BitConverter.SingleToInt32Bits(expected[lane]) != BitConverter.SingleToInt32Bits(actual[lane]))
                {
                    Assert.Fail($"{function} on {width}, lane {lane} of the vector starting at {first}: {actual[lane]:R}, the scalar gives {expected[lane]:R}");
                }
            }
        }

        private static IEnumerable<(string Name, Func<float, float> Scalar, Func<Vector128<float>, Vector128<float>> V128, Func<Vector256<float>, Vector256<float>> V256, Func<Vector512<float>, Vector512<float>> V512)> Functions()
        {
            yield return ("Exp", LstmMath.Exp, LstmMath.Exp, LstmMath.Exp, LstmMath.Exp);
            yield return ("Sigmoid", LstmMath.Sigmoid, LstmMath.Sigmoid, LstmMath.Sigmoid, LstmMath.Sigmoid);
            yield return ("Tanh", LstmMath.Tanh, LstmMath.Tanh, LstmMath.Tanh, LstmMath.Tanh);
        }
    }
}
