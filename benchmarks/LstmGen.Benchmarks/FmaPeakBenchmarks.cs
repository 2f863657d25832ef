using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using LstmGen.Benchmarks.Infrastructure;

namespace LstmGen.Benchmarks
{
    /// <summary>
    /// One core's FMA peak, measured at each width: the GMAC/s column of the widest native width's throughput loop
    /// (<see cref="NativeWidth"/>; a wider one is emulated) is the peak the % peak column should be read against;
    /// <see cref="IntegerChain"/>'s operations per ns are the clock in GHz, and the clock over
    /// <see cref="Latency"/>'s FMAs per ns is the FMA latency in cycles (see <see cref="FmaLoops"/>).
    /// </summary>
    public class FmaPeakBenchmarks
    {
        private const long Iterations = 1_000_000;

        /// <summary>16 independent 512-bit FMA chains.</summary>
        [Benchmark(Baseline = true), Macs(Fixed = Iterations * FmaLoops.Chains * 16)]
        public float Throughput512() => FmaLoops.Throughput<Width512, Vector512<float>>(Iterations);

        /// <summary>16 independent 256-bit FMA chains.</summary>
        [Benchmark, Macs(Fixed = Iterations * FmaLoops.Chains * 8)]
        public float Throughput256() => FmaLoops.Throughput<Width256, Vector256<float>>(Iterations);

        /// <summary>16 independent 128-bit FMA chains.</summary>
        [Benchmark, Macs(Fixed = Iterations * FmaLoops.Chains * 4)]
        public float Throughput128() => FmaLoops.Throughput<Width128, Vector128<float>>(Iterations);

        /// <summary>One dependent FMA chain of the native width, 8 FMAs per iteration (its GMAC/s over the lanes is FMAs per ns).</summary>
        [Benchmark]
        public float Latency() => FmaLoops.Latency(Iterations);

        /// <summary>One dependent chain of one-cycle integer operations, 8 per iteration: the clock.</summary>
        [Benchmark]
        public float IntegerChain() => FmaLoops.IntegerChain(Iterations);
    }
}
