using System;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LstmGen.Benchmarks.Infrastructure
{
    /// <summary>
    /// Tight fused multiply-add loops that establish one core's peak empirically. <see cref="Throughput512"/>
    /// runs 16 independent chains of 512-bit FMAs (enough to cover a 4-cycle latency on 2 FMA ports), so it
    /// runs at the FMA units' throughput; <see cref="Latency512"/> runs one dependent chain, so it runs at one
    /// FMA per FMA latency (4 cycles on Intel from Ice Lake to Emerald Rapids and on AMD Zen 4), which gives the clock
    /// frequency: GHz = FMAs/ns * 4. Their ratio gives FMAs per cycle, i.e. the FMA ports.
    /// </summary>
    public static class FmaLoops
    {
        /// <summary>Independent accumulators of the throughput loop.</summary>
        public const int Chains = 16;

        /// <summary>The latency of a vector FMA in cycles on the processors this project targets.</summary>
        public const int AssumedLatencyCycles = 4;

        /// <summary>Multiply-adds of one iteration of <see cref="Throughput512"/>: 16 chains x 16 lanes.</summary>
        public const int Throughput512MacsPerIteration = Chains * 16;

        /// <summary>Multiply-adds of one iteration of <see cref="Throughput256"/>: 16 chains x 8 lanes.</summary>
        public const int Throughput256MacsPerIteration = Chains * 8;

        /// <summary>16 independent chains of 512-bit FMAs, <paramref name="iterations"/> rounds.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static float Throughput512(long iterations)
        {
            Vector512<float> m = Vector512.Create(0.999f);
            Vector512<float> b = Vector512.Create(0.001f);
            Vector512<float> a0 = Vector512.Create(0.10f), a1 = Vector512.Create(0.11f), a2 = Vector512.Create(0.12f), a3 = Vector512.Create(0.13f);
            Vector512<float> a4 = Vector512.Create(0.14f), a5 = Vector512.Create(0.15f), a6 = Vector512.Create(0.16f), a7 = Vector512.Create(0.17f);
            Vector512<float> a8 = Vector512.Create(0.18f), a9 = Vector512.Create(0.19f), a10 = Vector512.Create(0.20f), a11 = Vector512.Create(0.21f);
            Vector512<float> a12 = Vector512.Create(0.22f), a13 = Vector512.Create(0.23f), a14 = Vector512.Create(0.24f), a15 = Vector512.Create(0.25f);
            for (long i = 0; i < iterations; i++)
            {
                a0 = Vector512.FusedMultiplyAdd(a0, m, b);
                a1 = Vector512.FusedMultiplyAdd(a1, m, b);
                a2 = Vector512.FusedMultiplyAdd(a2, m, b);
                a3 = Vector512.FusedMultiplyAdd(a3, m, b);
                a4 = Vector512.FusedMultiplyAdd(a4, m, b);
                a5 = Vector512.FusedMultiplyAdd(a5, m, b);
                a6 = Vector512.FusedMultiplyAdd(a6, m, b);
                a7 = Vector512.FusedMultiplyAdd(a7, m, b);
                a8 = Vector512.FusedMultiplyAdd(a8, m, b);
                a9 = Vector512.FusedMultiplyAdd(a9, m, b);
                a10 = Vector512.FusedMultiplyAdd(a10, m, b);
                a11 = Vector512.FusedMultiplyAdd(a11, m, b);
                a12 = Vector512.FusedMultiplyAdd(a12, m, b);
                a13 = Vector512.FusedMultiplyAdd(a13, m, b);
                a14 = Vector512.FusedMultiplyAdd(a14, m, b);
                a15 = Vector512.FusedMultiplyAdd(a15, m, b);
            }

            Vector512<float> sum = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11)) + ((a12 + a13) + (a14 + a15));
            return Vector512.Sum(sum);
        }

        /// <summary>16 independent chains of 256-bit FMAs, <paramref name="iterations"/> rounds.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static float Throughput256(long iterations)
        {
            Vector256<float> m = Vector256.Create(0.999f);
            Vector256<float> b = Vector256.Create(0.001f);
            Vector256<float> a0 = Vector256.Create(0.10f), a1 = Vector256.Create(0.11f), a2 = Vector256.Create(0.12f), a3 = Vector256.Create(0.13f);
            Vector256<float> a4 = Vector256.Create(0.14f), a5 = Vector256.Create(0.15f), a6 = Vector256.Create(0.16f), a7 = Vector256.Create(0.17f);
            Vector256<float> a8 = Vector256.Create(0.18f), a9 = Vector256.Create(0.19f), a10 = Vector256.Create(0.20f), a11 = Vector256.Create(0.21f);
            Vector256<float> a12 = Vector256.Create(0.22f), a13 = Vector256.Create(0.23f), a14 = Vector256.Create(0.24f), a15 = Vector256.Create(0.25f);
            for (long i = 0; i < iterations; i++)
            {
                a0 = Vector256.FusedMultiplyAdd(a0, m, b);
                a1 = Vector256.FusedMultiplyAdd(a1, m, b);
                a2 = Vector256.FusedMultiplyAdd(a2, m, b);
                a3 = Vector256.FusedMultiplyAdd(a3, m, b);
                a4 = Vector256.FusedMultiplyAdd(a4, m, b);
                a5 = Vector256.FusedMultiplyAdd(a5, m, b);
                a6 = Vector256.FusedMultiplyAdd(a6, m, b);
                a7 = Vector256.FusedMultiplyAdd(a7, m, b);
                a8 = Vector256.FusedMultiplyAdd(a8, m, b);
                a9 = Vector256.FusedMultiplyAdd(a9, m, b);
                a10 = Vector256.FusedMultiplyAdd(a10, m, b);
                a11 = Vector256.FusedMultiplyAdd(a11, m, b);
                a12 = Vector256.FusedMultiplyAdd(a12, m, b);
                a13 = Vector256.FusedMultiplyAdd(a13, m, b);
                a14 = Vector256.FusedMultiplyAdd(a14, m, b);
                a15 = Vector256.FusedMultiplyAdd(a15, m, b);
            }

            Vector256<float> sum = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11)) + ((a12 + a13) + (a14 + a15));
            return Vector256.Sum(sum);
        }

        /// <summary>One dependent chain of 512-bit FMAs, 8 per iteration (to keep the loop overhead off the chain).</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static float Latency512(long iterations)
        {
            Vector512<float> m = Vector512.Create(0.999f);
            Vector512<float> b = Vector512.Create(0.001f);
            Vector512<float> a = Vector512.Create(0.5f);
            for (long i = 0; i < iterations; i++)
            {
                a = Vector512.FusedMultiplyAdd(a, m, b);
                a = Vector512.FusedMultiplyAdd(a, m, b);
                a = Vector512.FusedMultiplyAdd(a, m, b);
                a = Vector512.FusedMultiplyAdd(a, m, b);
                a = Vector512.FusedMultiplyAdd(a, m, b);
                a = Vector512.FusedMultiplyAdd(a, m, b);
                a = Vector512.FusedMultiplyAdd(a, m, b);
                a = Vector512.FusedMultiplyAdd(a, m, b);
            }

            return Vector512.Sum(a);
        }

        /// <summary>The FMA measurements of one run.</summary>
        /// <param name="ThroughputGmacs">512-bit throughput loop: billions of multiply-adds per second.</param>
        /// <param name="Throughput256Gmacs">256-bit throughput loop: billions of multiply-adds per second.</param>
        /// <param name="LatencyFmasPerNanosecond">Dependent 512-bit FMAs per nanosecond.</param>
        public readonly record struct Measurement(double ThroughputGmacs, double Throughput256Gmacs, double LatencyFmasPerNanosecond)
        {
            /// <summary>The clock the dependent chain implies: FMAs/ns x latency.</summary>
            public double GigahertzFromLatency => LatencyFmasPerNanosecond * AssumedLatencyCycles;

            /// <summary>512-bit FMA instructions retired per cycle at that clock: the FMA ports in use.</summary>
            public double FmasPerCycle => ThroughputGmacs / 16 / GigahertzFromLatency;

            /// <summary>A report for the console.</summary>
            public override string ToString() => string.Create(CultureInfo.InvariantCulture,
                $"FMA peak (one core, best of runs): 512-bit {ThroughputGmacs:0.0} GMAC/s, 256-bit {Throughput256Gmacs:0.0} GMAC/s; " +
                $"dependent 512-bit chain {LatencyFmasPerNanosecond:0.000} FMA/ns => {GigahertzFromLatency:0.00} GHz at {AssumedLatencyCycles}-cycle latency; " +
                $"{FmasPerCycle:0.00} 512-bit FMAs/cycle => {ThroughputGmacs / GigahertzFromLatency:0.0} MACs/cycle");
        }

        /// <summary>Runs each loop <paramref name="rounds"/> times for about <paramref name="millisecondsPerRun"/> each and keeps the best.</summary>
        public static Measurement Measure(int rounds = 5, int millisecondsPerRun = 100)
        {
            double throughput = 0, throughput256 = 0, latency = 0;
            // Warm up (tier-1 code, and the core's AVX-512 licence).
            Throughput512(1_000_000);
            Throughput256(1_000_000);
            Latency512(1_000_000);
            for (int round = 0; round < rounds; round++)
            {
                throughput = Math.Max(throughput, Rate(Throughput512, Throughput512MacsPerIteration, millisecondsPerRun));
                throughput256 = Math.Max(throughput256, Rate(Throughput256, Throughput256MacsPerIteration, millisecondsPerRun));
                latency = Math.Max(latency, Rate(Latency512, 8, millisecondsPerRun));
            }

            return new Measurement(throughput, throughput256, latency);
        }

        /// <summary>Work units per nanosecond of a loop run for about the given time.</summary>
        private static double Rate(Func<long, float> loop, int unitsPerIteration, int milliseconds)
        {
            long iterations = 100_000;
            while (true)
            {
                long start = Stopwatch.GetTimestamp();
                float result = loop(iterations);
                TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
                if (float.IsNaN(result))
                {
                    throw new InvalidOperationException("The FMA loop produced NaN.");
                }

                if (elapsed.TotalMilliseconds >= milliseconds / 2.0)
                {
                    return iterations * (double)unitsPerIteration / (elapsed.TotalMilliseconds * 1e6);
                }

                iterations *= 2;
            }
        }
    }
}
