using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;

namespace LstmGen.Benchmarks
{
    /// <summary>
    /// <c>--trainer-scaling</c>: the <see cref="TrainerBenchmarks"/> workload (4 epochs of 256 sequences x
    /// 50 steps per <c>Fit</c>) on 1 and on 2 threads, alternating, <see cref="Rounds"/> times each, with
    /// every time printed. Two threads share a 2-core machine with everything else, so the spread matters
    /// as much as the best: the report gives the best and the median of each, and their ratios.
    /// </summary>
    public static class TrainerScaling
    {
        /// <summary>Fits per thread count.</summary>
        public const int Rounds = 20;

        /// <summary>Runs the comparison and writes the report.</summary>
        public static int Run(TextWriter writer)
        {
            var one = new TrainerBenchmarks { Threads = 1 };
            var two = new TrainerBenchmarks { Threads = 2 };
            one.Setup();
            two.Setup();
            var times = new double[2][] { new double[Rounds], new double[Rounds] };
            for (int round = 0; round < Rounds; round++)
            {
                times[0][round] = Time(one);
                times[1][round] = Time(two);
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round + 1,2}: 1 thread {times[0][round],7:0.0} ms, 2 threads {times[1][round],7:0.0} ms"));
            }

            double best1 = times[0].Min(), best2 = times[1].Min();
            double median1 = Median(times[0]), median2 = Median(times[1]);
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"best: 1 thread {best1:0.0} ms, 2 threads {best2:0.0} ms, {best1 / best2:0.00}x; median: {median1:0.0} ms, {median2:0.0} ms, {median1 / median2:0.00}x"));
            return 0;
        }

        private static double Time(TrainerBenchmarks benchmark)
        {
            long start = Stopwatch.GetTimestamp();
            benchmark.Epoch();
            return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        private static double Median(double[] values)
        {
            double[] sorted = values.OrderBy(v => v).ToArray();
            return (sorted[(sorted.Length - 1) / 2] + sorted[sorted.Length / 2]) / 2;
        }
    }
}
