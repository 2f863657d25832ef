using System;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using LstmGen.CompilerServices;

namespace LstmGen.Benchmarks.Infrastructure
{
    /// <summary>
    /// The bound that memory puts on a one-sequence step: one 512-bit FMA per 64-byte load, 16
    /// independent chains, over arrays the size of a model's weights. A step reads each weight once and
    /// uses it in one multiply-add, so where the weights do not fit in L1 (32 KiB on this project's AMD EPYC, 48 KiB on the earlier Xeon; hidden 64 and up)
    /// this loop's rate is about the most a step can reach; in L1 the FMA units limit it instead.
    /// </summary>
    public static class WeightStream
    {
        /// <summary>The array sizes measured: L1, then a hidden-64 (72 KiB), a hidden-128 (264 KiB) and a hidden-256 (1 MiB) model's weights.</summary>
        public static readonly int[] Kilobytes = { 32, 72, 264, 1056 };

        /// <summary>Billions of multiply-adds per second for each of <see cref="Kilobytes"/>, the best of <paramref name="rounds"/>.</summary>
        public static double[] Measure(int rounds = 15)
        {
            var rates = new double[Kilobytes.Length];
            for (int size = 0; size < Kilobytes.Length; size++)
            {
                // Aligned to 64 bytes as a model's parameters are, so that no load splits a cache line.
                int length = Kilobytes[size] * 256;
                float[] storage = ParameterStorage.Allocate(length, out int offset);
                Memory<float> weights = storage.AsMemory(offset, length);
                weights.Span.Fill(1e-3f);
                int passes = Math.Max(1, 200_000 / Kilobytes[size]);
                Stream(weights, passes); // Warm up: tier-1 code, the array in the caches.
                for (int round = 0; round < rounds; round++)
                {
                    long start = Stopwatch.GetTimestamp();
                    float result = Stream(weights, passes);
                    double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                    if (float.IsNaN(result))
                    {
                        throw new InvalidOperationException("The stream loop produced NaN.");
                    }

                    rates[size] = Math.Max(rates[size], (double)weights.Length * passes / seconds / 1e9);
                }
            }

            return rates;
        }

        /// <summary>A report for the console, with each rate as a share of <paramref name="peakGmacs"/>.</summary>
        public static string Describe(double[] rates, double peakGmacs)
        {
            var parts = new string[rates.Length];
            for (int size = 0; size < rates.Length; size++)
            {
                parts[size] = string.Create(CultureInfo.InvariantCulture,
                    $"{Kilobytes[size]} KiB {rates[size]:0.0} GMAC/s ({100 * rates[size] / peakGmacs:0}%, {rates[size] * 4:0} GB/s)");
            }

            return "Weight stream (one 512-bit FMA per 64-byte load): " + string.Join("; ", parts);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static float Stream(Memory<float> weights, int passes)
        {
            ref float first = ref MemoryMarshal.GetReference(weights.Span);
            Vector512<float> x = Vector512.Create(0.5f);
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            Vector512<float> a8 = default, a9 = default, a10 = default, a11 = default, a12 = default, a13 = default, a14 = default, a15 = default;
            nuint length = (nuint)weights.Length;
            for (int pass = 0; pass < passes; pass++)
            {
                for (nuint i = 0; i < length; i += 256)
                {
                    a0 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref first, i), a0);
                    a1 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref first, i + 16), a1);
                    a2 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref first, i + 32), a2);
                    a3 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref first, i + 48), a3);
                    a4 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref first, i + 64), a4);
                    a5 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref first, i + 80), a5);
                    a6 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref first, i + 96), a6);
                    a7 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref first, i + 112), a7);
                    a8 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref first, i + 128), a8);
                    a9 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref first, i + 144), a9);
                    a10 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref first, i + 160), a10);
                    a11 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref first, i + 176), a11);
                    a12 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref first, i + 192), a12);
                    a13 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref first, i + 208), a13);
                    a14 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref first, i + 224), a14);
                    a15 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref first, i + 240), a15);
                }
            }

            Vector512<float> sum = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11)) + ((a12 + a13) + (a14 + a15));
            return Vector512.Sum(sum);
        }
    }
}
