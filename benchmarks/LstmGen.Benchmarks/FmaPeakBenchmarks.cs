using BenchmarkDotNet.Attributes;
using LstmGen.Benchmarks.Infrastructure;

namespace LstmGen.Benchmarks
{
    /// <summary>
    /// One core's FMA peak, measured: the GMAC/s column of <see cref="Throughput512"/> is the peak the
    /// % peak column should be read against; <see cref="Latency512"/>'s GMAC/s / 16 is dependent FMAs per
    /// ns, which times the 4-cycle FMA latency is the clock in GHz (see <see cref="FmaLoops"/>).
    /// </summary>
    public class FmaPeakBenchmarks
    {
        private const long Iterations = 1_000_000;

        /// <summary>16 independent 512-bit FMA chains.</summary>
        [Benchmark(Baseline = true), Macs(Fixed = Iterations * FmaLoops.Throughput512MacsPerIteration)]
        public float Throughput512() => FmaLoops.Throughput512(Iterations);

        /// <summary>16 independent 256-bit FMA chains.</summary>
        [Benchmark, Macs(Fixed = Iterations * FmaLoops.Throughput256MacsPerIteration)]
        public float Throughput256() => FmaLoops.Throughput256(Iterations);

        /// <summary>One dependent 512-bit FMA chain, 8 FMAs of 16 lanes per iteration.</summary>
        [Benchmark, Macs(Fixed = Iterations * 8 * 16)]
        public float Latency512() => FmaLoops.Latency512(Iterations);
    }
}
