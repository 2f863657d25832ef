using System;
using System.Collections.Generic;
using LstmGen.CompilerServices;
using Xunit;

namespace LstmGen.Tests.Portable
{
    /// <summary>
    /// The netstandard2.1 runtime's software FMA and half-precision conversion (compiled into every target)
    /// against .NET's <see cref="MathF.FusedMultiplyAdd"/> and <see cref="Half"/>, bit for bit.
    /// </summary>
    public sealed class SoftFloatTests
    {
        private const int TriplesPerDistribution = 2_000_000;

        public static TheoryData<string> Distributions => new()
        {
            "random bits", "random exponents", "cancellation", "ties", "near ties", "subnormal results", "overflow boundary", "huge and tiny",
        };

        [Theory]
        [MemberData(nameof(Distributions))]
        public void FusedMultiplyAddIsCorrectlyRounded(string distribution)
        {
            var random = new Random(distribution.GetHashCode(StringComparison.Ordinal) ^ 0x5EED);
            int failures = 0;
            string first = string.Empty;
            for (int i = 0; i < TriplesPerDistribution; i++)
            {
                (float a, float b, float c) = Draw(distribution, random);
                if (!Same(a, b, c, out string message) && failures++ == 0)
                {
                    first = message;
                }
            }

            Assert.True(failures == 0, $"{distribution}: {failures} of {TriplesPerDistribution} triples differ from MathF.FusedMultiplyAdd; the first: {first}");
        }

        [Fact]
        public void FusedMultiplyAddMatchesOnEveryTripleOfSpecialValues()
        {
            float[] specials =
            {
                0f, -0f, 1f, -1f, 0.5f, 3f, float.Epsilon, -float.Epsilon, 1.17549435e-38f, -1.17549421e-38f, float.MaxValue, float.MinValue,
                float.PositiveInfinity, float.NegativeInfinity, float.NaN, 1.00000012f, 0.99999994f, 16777216f, 16777217f, 1.5e-45f * 3, 2.7182817f, -3.4028233e38f,
            };
            var failures = new List<string>();
            foreach (float a in specials)
            {
                foreach (float b in specials)
                {
                    foreach (float c in specials)
                    {
                        if (!Same(a, b, c, out string message))
                        {
                            failures.Add(message);
                        }
                    }
                }
            }

            Assert.True(failures.Count == 0, string.Join('\n', failures));
        }

        [Fact]
        public void FusedMultiplyAddRoundsOnceWhereTwoRoundingsDiffer()
        {
            // (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24: a multiplication then an addition of -1 rounds the 2^-24 away
            // (the product rounds to even), the fused operation keeps it.
            float a = 1f + MathF.Pow(2, -12);
            Assert.Equal(MathF.Pow(2, -11) + MathF.Pow(2, -24), SoftFloat.FusedMultiplyAdd(a, a, -1f));
            Assert.Equal(MathF.Pow(2, -11), (a * a) - 1f);
        }

        [Fact]
        public void HalfToSingleMatchesSystemHalfForEveryBitPattern()
        {
            var failures = new List<string>();
            for (int bits = 0; bits <= ushort.MaxValue; bits++)
            {
                float expected = (float)BitConverter.UInt16BitsToHalf((ushort)bits);
                float actual = SoftFloat.HalfToSingle((ushort)bits);
                if (BitConverter.SingleToInt32Bits(expected) != BitConverter.SingleToInt32Bits(actual))
                {
                    failures.Add($"0x{bits:X4}: System.Half gives 0x{BitConverter.SingleToInt32Bits(expected):X8}, SoftFloat 0x{BitConverter.SingleToInt32Bits(actual):X8}");
                }
            }

            Assert.True(failures.Count == 0, $"{failures.Count} of 65536 differ:\n{string.Join('\n', failures.GetRange(0, Math.Min(20, failures.Count)))}");
        }

        private static bool Same(float a, float b, float c, out string message)
        {
            float expected = MathF.FusedMultiplyAdd(a, b, c);
            float actual = SoftFloat.FusedMultiplyAdd(a, b, c);
            bool same = float.IsNaN(expected)
                ? float.IsNaN(actual) // a NaN's payload is the processor's choice
                : BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual);
            message = same ? string.Empty : $"fma({Show(a)}, {Show(b)}, {Show(c)}) = {Show(expected)}, software {Show(actual)}";
            return same;
        }

        private static string Show(float value) => $"{value:R} (0x{BitConverter.SingleToInt32Bits(value):X8})";

        private static (float A, float B, float C) Draw(string distribution, Random random)
        {
            switch (distribution)
            {
                case "random bits":
                    return (Bits(random), Bits(random), Bits(random));
                case "random exponents":
                    return (Make(random, random.Next(-149, 128)), Make(random, random.Next(-149, 128)), Make(random, random.Next(-149, 128)));
                case "cancellation":
                {
                    // c within a few ulps of -(a b): the sum cancels to the product's rounding error.
                    float a = Make(random, random.Next(-40, 40));
                    float b = Make(random, random.Next(-40, 40));
                    float c = Step(-(a * b), random.Next(-3, 4));
                    return (a, b, c);
                }

                case "ties":
                {
                    // a and b of 12 significant bits: a b is exact in float; c is half its ulp: an exact tie.
                    float a = Short(random);
                    float b = Short(random);
                    float c = (random.Next(2) == 0 ? 1 : -1) * Ulp(a * b) / 2;
                    return (a, b, c);
                }

                case "near ties":
                {
                    // a b exactly a float midpoint (25 significant bits, the last one set), and c far below half a
                    // double ulp of it: the exact sum is just off the midpoint, on c's side, but a sum rounded to
                    // double is the midpoint itself, and rounding that to float ties to even (double rounding,
                    // wrong half the time). Round-to-odd must prevent it.
                    long oddA, oddB;
                    do
                    {
                        oddA = 4096 + (2 * random.Next(2048)) + 1;
                        oddB = 2048 + (2 * random.Next(1024)) + 1;
                    }
                    while (oddA * oddB < 1 << 24);

                    int scaleA = random.Next(-40, 20);
                    int scaleB = random.Next(-40, 20);
                    float a = (float)Math.ScaleB(oddA, scaleA) * (random.Next(2) == 0 ? 1 : -1);
                    float b = (float)Math.ScaleB(oddB, scaleB);
                    float c = Make(random, scaleA + scaleB - random.Next(40, 80));
                    return (a, b, c);
                }

                case "subnormal results":
                {
                    // Products around 2^-126 and below, added to subnormals, small normals or zero.
                    int ea = random.Next(-100, -10);
                    int eb = random.Next(-160, -110) - ea;
                    float c = random.Next(4) switch
                    {
                        0 => 0f,
                        1 => BitConverter.Int32BitsToSingle(random.Next(1, 0x800000)) * (random.Next(2) == 0 ? 1 : -1),
                        _ => Make(random, random.Next(-149, -110)),
                    };
                    return (Make(random, ea), Make(random, Math.Clamp(eb, -149, 127)), c);
                }

                case "overflow boundary":
                {
                    int ea = random.Next(40, 100);
                    return (Make(random, ea), Make(random, 127 - ea + random.Next(-1, 2)), random.Next(3) == 0 ? Step(float.MaxValue, -random.Next(0, 3)) * (random.Next(2) == 0 ? 1 : -1) : Make(random, random.Next(100, 128)));
                }

                default: // "huge and tiny": one term far larger than the other (the small one only sets the sticky bit)
                {
                    bool productLarge = random.Next(2) == 0;
                    int small = random.Next(-149, -20);
                    int large = random.Next(20, 127);
                    return productLarge
                        ? (Make(random, large / 2), Make(random, large / 2), Make(random, small))
                        : (Make(random, small / 2), Make(random, small / 2), Make(random, large));
                }
            }
        }

        private static float Bits(Random random) => BitConverter.Int32BitsToSingle(random.Next() ^ (random.Next(2) << 31));

        /// <summary>A random-signed float with a random significand and the exponent <paramref name="exponent"/> (subnormal below -126).</summary>
        private static float Make(Random random, int exponent)
        {
            double significand = 1.0 + random.NextDouble();
            float value = (float)Math.ScaleB(significand, exponent);
            return random.Next(2) == 0 ? value : -value;
        }

        /// <summary>A float of at most 12 significant bits.</summary>
        private static float Short(Random random)
        {
            float value = (4096 + random.Next(4096)) * MathF.Pow(2, random.Next(-30, 20));
            return random.Next(2) == 0 ? value : -value;
        }

        private static float Ulp(float value) => MathF.BitIncrement(MathF.Abs(value)) - MathF.Abs(value);

        private static float Step(float value, int ulps)
        {
            for (; ulps > 0; ulps--)
            {
                value = MathF.BitIncrement(value);
            }

            for (; ulps < 0; ulps++)
            {
                value = MathF.BitDecrement(value);
            }

            return value;
        }
    }
}
