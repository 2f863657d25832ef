using System;
using System.Collections.Generic;
using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using Perfolizer.Horology;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using LstmGen.Benchmarks.Infrastructure;

namespace LstmGen.Benchmarks
{
    /// <summary>
    /// The benchmarks' entry point. Our own options come first; everything else goes to BenchmarkDotNet
    /// (--filter, --list flat, --join, ...):
    /// <list type="bullet">
    /// <item><c>--verify</c>: check every baseline against the generated model of every shape, then exit.</item>
    /// <item><c>--peak</c>: measure one core's FMA peak and clock (the FMA loops), then exit.</item>
    /// <item><c>--full</c>: BenchmarkDotNet's default, precise job (minutes per benchmark) instead of the quick one.</item>
    /// <item><c>--peak-gmacs X</c>: the peak for the % peak column, instead of measuring it at start-up.</item>
    /// </list>
    /// </summary>
    public static class Program
    {
        /// <summary>Runs the benchmarks.</summary>
        public static int Main(string[] args)
        {
            bool full = false;
            double? peak = null;
            var rest = new List<string>();
            for (int i = 0; i < args.Length; i++)
            {
                switch (args[i])
                {
                    case "--verify":
                        return Verification.RunAll(Console.Out) ? 0 : 1;
                    case "--peak":
                        for (int run = 0; run < 3; run++)
                        {
                            Console.WriteLine(FmaLoops.Measure(rounds: 5, millisecondsPerRun: 200));
                        }

                        return 0;
                    case "--full":
                        full = true;
                        break;
                    case "--quick":
                        full = false;
                        break;
                    case "--peak-gmacs" when i + 1 < args.Length:
                        peak = double.Parse(args[++i], CultureInfo.InvariantCulture);
                        break;
                    default:
                        rest.Add(args[i]);
                        break;
                }
            }

            if (peak is null)
            {
                FmaLoops.Measurement measured = FmaLoops.Measure();
                Console.WriteLine(measured);
                peak = measured.ThroughputGmacs;
            }

            PeakReference.GmacPerSecond = peak;
            IConfig config = CreateConfig(full);
            BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest.ToArray(), config);
            return 0;
        }

        /// <summary>
        /// The quick job (default): one launch, 3 warm-up and 10 measured iterations of 150 ms, enough for
        /// preliminary numbers; or BenchmarkDotNet's default job with <paramref name="full"/>.
        /// </summary>
        public static IConfig CreateConfig(bool full)
        {
            Job job = full
                ? Job.Default.WithId("Full")
                : Job.Default
                    .WithLaunchCount(1)
                    .WithWarmupCount(3)
                    .WithIterationCount(10)
                    .WithIterationTime(TimeInterval.FromMilliseconds(150))
                    .WithId("Quick");

            return ManualConfig.Create(DefaultConfig.Instance)
                .AddJob(job.AsDefault())
                .AddColumn(new GmacColumn(), new PeakPercentColumn())
                .WithSummaryStyle(SummaryStyle.Default.WithRatioStyle(RatioStyle.Trend))
                .WithOptions(ConfigOptions.DisableLogFile);
        }
    }
}
