using System;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LstmGen.Benchmarks.Infrastructure
{
    /// <summary>
    /// Tight loops that establish one core's peak and clock empirically, at the widest vector the processor runs
    /// natively (<see cref="NativeWidth"/>). <see cref="Throughput{TWidth, TVector}"/> runs 16 independent chains
    /// of FMAs (enough to cover a 4- or 5-cycle latency on 2 FMA ports, or 4 cycles on 4), so it runs at the FMA
    /// units' throughput; <see cref="Latency{TWidth, TVector}"/> runs one dependent chain, at one FMA per FMA
    /// latency; <see cref="IntegerChain"/> runs a dependent chain of one-cycle integer operations (add and xor,
    /// one cycle on every x86-64 and ARM64 core), so its rate is the clock. Clock over the FMA chain's rate is the
    /// FMA latency, measured (4 cycles on Intel from Ice Lake on and on AMD Zen 4, 5 on Zen 1), and throughput over
    /// clock is the FMAs per cycle, i.e. the FMA ports.
    /// </summary>
    public static class FmaLoops
    {
        /// <summary>Independent accumulators of the throughput loop.</summary>
        public const int Chains = 16;

        /// <summary>Dependent operations in one iteration of the latency and clock loops (to keep the loop's overhead off the chain).</summary>
        public const int ChainLength = 8;

        /// <summary>Multiply-adds of one iteration of the throughput loop at the native width.</summary>
        public static int ThroughputMacsPerIteration => Chains * NativeWidth.Lanes;

        /// <summary>The throughput loop at the native width.</summary>
        public static float Throughput(long iterations) => NativeWidth.Bits switch
        {
            512 => Throughput<Width512, Vector512<float>>(iterations),
            256 => Throughput<Width256, Vector256<float>>(iterations),
            _ => Throughput<Width128, Vector128<float>>(iterations),
        };

        /// <summary>The latency loop at the native width.</summary>
        public static float Latency(long iterations) => NativeWidth.Bits switch
        {
            512 => Latency<Width512, Vector512<float>>(iterations),
            256 => Latency<Width256, Vector256<float>>(iterations),
            _ => Latency<Width128, Vector128<float>>(iterations),
        };

        /// <summary>16 independent chains of FMAs of <typeparamref name="TWidth"/>, <paramref name="iterations"/> rounds.</summary>
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        public static float Throughput<TWidth, TVector>(long iterations)
            where TWidth : struct, IVectorWidth<TVector>
            where TVector : struct
        {
            TVector m = TWidth.Create(0.999f);
            TVector b = TWidth.Create(0.001f);
            TVector a0 = TWidth.Create(0.10f), a1 = TWidth.Create(0.11f), a2 = TWidth.Create(0.12f), a3 = TWidth.Create(0.13f);
            TVector a4 = TWidth.Create(0.14f), a5 = TWidth.Create(0.15f), a6 = TWidth.Create(0.16f), a7 = TWidth.Create(0.17f);
            TVector a8 = TWidth.Create(0.18f), a9 = TWidth.Create(0.19f), a10 = TWidth.Create(0.20f), a11 = TWidth.Create(0.21f);
            TVector a12 = TWidth.Create(0.22f), a13 = TWidth.Create(0.23f), a14 = TWidth.Create(0.24f), a15 = TWidth.Create(0.25f);
            for (long i = 0; i < iterations; i++)
            {
                a0 = TWidth.FusedMultiplyAdd(a0, m, b);
                a1 = TWidth.FusedMultiplyAdd(a1, m, b);
                a2 = TWidth.FusedMultiplyAdd(a2, m, b);
                a3 = TWidth.FusedMultiplyAdd(a3, m, b);
                a4 = TWidth.FusedMultiplyAdd(a4, m, b);
                a5 = TWidth.FusedMultiplyAdd(a5, m, b);
                a6 = TWidth.FusedMultiplyAdd(a6, m, b);
                a7 = TWidth.FusedMultiplyAdd(a7, m, b);
                a8 = TWidth.FusedMultiplyAdd(a8, m, b);
                a9 = TWidth.FusedMultiplyAdd(a9, m, b);
                a10 = TWidth.FusedMultiplyAdd(a10, m, b);
                a11 = TWidth.FusedMultiplyAdd(a11, m, b);
                a12 = TWidth.FusedMultiplyAdd(a12, m, b);
                a13 = TWidth.FusedMultiplyAdd(a13, m, b);
                a14 = TWidth.FusedMultiplyAdd(a14, m, b);
                a15 = TWidth.FusedMultiplyAdd(a15, m, b);
            }

            return TWidth.Sum(Accumulators.Sum<TWidth, TVector>(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15));
        }

        /// <summary>One dependent chain of FMAs of <typeparamref name="TWidth"/>, <see cref="ChainLength"/> per iteration.</summary>
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        public static float Latency<TWidth, TVector>(long iterations)
            where TWidth : struct, IVectorWidth<TVector>
            where TVector : struct
        {
            TVector m = TWidth.Create(0.999f);
            TVector b = TWidth.Create(0.001f);
            TVector a = TWidth.Create(0.5f);
            for (long i = 0; i < iterations; i++)
            {
                a = TWidth.FusedMultiplyAdd(a, m, b);
                a = TWidth.FusedMultiplyAdd(a, m, b);
                a = TWidth.FusedMultiplyAdd(a, m, b);
                a = TWidth.FusedMultiplyAdd(a, m, b);
                a = TWidth.FusedMultiplyAdd(a, m, b);
                a = TWidth.FusedMultiplyAdd(a, m, b);
                a = TWidth.FusedMultiplyAdd(a, m, b);
                a = TWidth.FusedMultiplyAdd(a, m, b);
            }

            return TWidth.Sum(a);
        }

        /// <summary>
        /// One dependent chain of integer adds and xors (one cycle each), <see cref="ChainLength"/> per iteration:
        /// its rate in operations per nanosecond is the clock in GHz. The operands are not constants and add and xor
        /// do not reassociate, so the JIT keeps every operation.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        public static float IntegerChain(long iterations)
        {
            ulong x = (ulong)iterations;
            ulong y = (ulong)iterations * 0x9E3779B97F4A7C15UL;
            ulong z = y >> 17;
            for (long i = 0; i < iterations; i++)
            {
                x += y;
                x ^= z;
                x += y;
                x ^= z;
                x += y;
                x ^= z;
                x += y;
                x ^= z;
            }

            return x; // Never NaN: the loop's result only has to be used.
        }

        /// <summary>The measurements of one run, at the native width.</summary>
        /// <param name="Bits">The width of the loops: <see cref="NativeWidth.Bits"/>.</param>
        /// <param name="ThroughputGmacs">Throughput loop: billions of multiply-adds per second: the peak.</param>
        /// <param name="LatencyFmasPerNanosecond">Dependent FMAs per nanosecond.</param>
        /// <param name="Gigahertz">The clock: dependent one-cycle integer operations per nanosecond.</param>
        public readonly record struct Measurement(int Bits, double ThroughputGmacs, double LatencyFmasPerNanosecond, double Gigahertz)
        {
            /// <summary>Floats per vector.</summary>
            public int Lanes => Bits / 32;

            /// <summary>The FMA latency in cycles: the clock over the dependent chain's rate.</summary>
            public double FmaLatencyCycles => Gigahertz / LatencyFmasPerNanosecond;

            /// <summary>FMA instructions of this width retired per cycle: the FMA ports in use.</summary>
            public double FmasPerCycle => ThroughputGmacs / Lanes / Gigahertz;

            /// <summary>A report for the console.</summary>
            public override string ToString() => Report() +
                (NativeWidth.HasFusedMultiplyAdd ? string.Empty : " (no FMA instruction here: every FMA is computed in software, as the model's are)");

            private string Report() => string.Create(CultureInfo.InvariantCulture,
                $"FMA peak (one core, {Bits}-bit, the widest native vector; best of runs): {ThroughputGmacs:0.0} GMAC/s; " +
                $"clock {Gigahertz:0.00} GHz (a dependent chain of one-cycle integer operations); " +
                $"dependent FMA chain {LatencyFmasPerNanosecond:0.000} FMA/ns => FMA latency {FmaLatencyCycles:0.0} cycles; " +
                $"{FmasPerCycle:0.00} {Bits}-bit FMAs/cycle => {ThroughputGmacs / Gigahertz:0.0} MACs/cycle");
        }

        /// <summary>Runs each loop <paramref name="rounds"/> times for about <paramref name="millisecondsPerRun"/> each and keeps the best.</summary>
        public static Measurement Measure(int rounds = 5, int millisecondsPerRun = 100)
        {
            double throughput = 0, latency = 0, clock = 0;
            // Warm up: tier-1 code, and the core's wide-vector licence where it has one.
            Throughput(1_000_000);
            Latency(1_000_000);
            IntegerChain(1_000_000);
            for (int round = 0; round < rounds; round++)
            {
                throughput = Math.Max(throughput, Rate(Throughput, ThroughputMacsPerIteration, millisecondsPerRun));
                latency = Math.Max(latency, Rate(Latency, ChainLength, millisecondsPerRun));
                clock = Math.Max(clock, Rate(IntegerChain, ChainLength, millisecondsPerRun));
            }

            return new Measurement(NativeWidth.Bits, throughput, latency, clock);
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
                    throw new InvalidOperationException("A peak loop produced NaN.");
                }

                if (elapsed.TotalMilliseconds >= milliseconds / 2.0)
                {
                    return iterations * (double)unitsPerIteration / (elapsed.TotalMilliseconds * 1e6);
                }

                iterations *= 2;
            }
        }
    }

    /// <summary>The pairwise sum of 16 accumulators, shared by the yardsticks' loops.</summary>
    internal static class Accumulators
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector Sum<TWidth, TVector>(
            TVector a0, TVector a1, TVector a2, TVector a3, TVector a4, TVector a5, TVector a6, TVector a7,
            TVector a8, TVector a9, TVector a10, TVector a11, TVector a12, TVector a13, TVector a14, TVector a15)
            where TWidth : struct, IVectorWidth<TVector>
            where TVector : struct
        {
            TVector low = TWidth.Add(TWidth.Add(TWidth.Add(a0, a1), TWidth.Add(a2, a3)), TWidth.Add(TWidth.Add(a4, a5), TWidth.Add(a6, a7)));
            TVector high = TWidth.Add(TWidth.Add(TWidth.Add(a8, a9), TWidth.Add(a10, a11)), TWidth.Add(TWidth.Add(a12, a13), TWidth.Add(a14, a15)));
            return TWidth.Add(low, high);
        }
    }
}
