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
    /// The bound that memory puts on a one-sequence step: one FMA of the native width (<see cref="NativeWidth"/>)
    /// per vector loaded, 16 independent chains, over arrays the size of a model's weights, read strictly in order. A step reads each weight once and
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

            return $"Weight stream (one {NativeWidth.Bits}-bit FMA per {NativeWidth.Bits / 8}-byte load): " + string.Join("; ", parts);
        }

        /// <summary>One pass of the stream at the native width.</summary>
        private static float Stream(Memory<float> weights, int passes) => NativeWidth.Bits switch
        {
            512 => Stream<Width512, Vector512<float>>(weights, passes),
            256 => Stream<Width256, Vector256<float>>(weights, passes),
            _ => Stream<Width128, Vector128<float>>(weights, passes),
        };

        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static float Stream<TWidth, TVector>(Memory<float> weights, int passes)
            where TWidth : struct, IVectorWidth<TVector>
            where TVector : struct
        {
            ref float first = ref MemoryMarshal.GetReference(weights.Span);
            TVector x = TWidth.Create(0.5f);
            TVector a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            TVector a8 = default, a9 = default, a10 = default, a11 = default, a12 = default, a13 = default, a14 = default, a15 = default;
            nuint lanes = (nuint)TWidth.Lanes;
            nuint length = (nuint)weights.Length;
            for (int pass = 0; pass < passes; pass++)
            {
                for (nuint i = 0; i < length; i += 16 * lanes)
                {
                    a0 = TWidth.FusedMultiplyAdd(x, TWidth.Load(ref first, i), a0);
                    a1 = TWidth.FusedMultiplyAdd(x, TWidth.Load(ref first, i + lanes), a1);
                    a2 = TWidth.FusedMultiplyAdd(x, TWidth.Load(ref first, i + (2 * lanes)), a2);
                    a3 = TWidth.FusedMultiplyAdd(x, TWidth.Load(ref first, i + (3 * lanes)), a3);
                    a4 = TWidth.FusedMultiplyAdd(x, TWidth.Load(ref first, i + (4 * lanes)), a4);
                    a5 = TWidth.FusedMultiplyAdd(x, TWidth.Load(ref first, i + (5 * lanes)), a5);
                    a6 = TWidth.FusedMultiplyAdd(x, TWidth.Load(ref first, i + (6 * lanes)), a6);
                    a7 = TWidth.FusedMultiplyAdd(x, TWidth.Load(ref first, i + (7 * lanes)), a7);
                    a8 = TWidth.FusedMultiplyAdd(x, TWidth.Load(ref first, i + (8 * lanes)), a8);
                    a9 = TWidth.FusedMultiplyAdd(x, TWidth.Load(ref first, i + (9 * lanes)), a9);
                    a10 = TWidth.FusedMultiplyAdd(x, TWidth.Load(ref first, i + (10 * lanes)), a10);
                    a11 = TWidth.FusedMultiplyAdd(x, TWidth.Load(ref first, i + (11 * lanes)), a11);
                    a12 = TWidth.FusedMultiplyAdd(x, TWidth.Load(ref first, i + (12 * lanes)), a12);
                    a13 = TWidth.FusedMultiplyAdd(x, TWidth.Load(ref first, i + (13 * lanes)), a13);
                    a14 = TWidth.FusedMultiplyAdd(x, TWidth.Load(ref first, i + (14 * lanes)), a14);
                    a15 = TWidth.FusedMultiplyAdd(x, TWidth.Load(ref first, i + (15 * lanes)), a15);
                }
            }

            return TWidth.Sum(Accumulators.Sum<TWidth, TVector>(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15));
        }
    }
}
