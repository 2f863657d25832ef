using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Perfolizer.Horology;

namespace LstmGen.Benchmarks.Infrastructure
{
    /// <summary>
    /// The command line shared by the benchmark programs. Our own options come first; everything else goes
    /// to BenchmarkDotNet (--filter, --list flat, --join, ...):
    /// <list type="bullet">
    /// <item><c>--verify</c>: check the numbers (the program's own check), then exit.</item>
    /// <item><c>--peak</c>: measure, at the widest native vector, one core's FMA peak, clock and FMA latency (the FMA loops), the
    /// weight-stream bound of L1, L2 and beyond, the activations' throughput, and print each selected shape's port budget, then exit.</item>
    /// <item><c>--full</c>: BenchmarkDotNet's default, precise job instead of the quick one.</item>
    /// <item><c>--peak-gmacs X</c>: the peak for the % peak column, instead of measuring it (at start-up, or in the survey's rounds).</item>
    /// <item><c>--shapes a,b</c>: only these shapes (names as in <see cref="Shapes"/>).</item>
    /// <item><c>--survey</c>: the quick best-of-rounds survey of every operation (see <see cref="Survey"/>), then exit;
    /// <c>--rounds N</c> (default 15) and <c>--round-ms M</c> (default 20) size it; the FMA peak loop runs in the
    /// same rounds as each shape's entries, unless <c>--peak-gmacs</c> fixes the peak; <c>--groups a,b</c> and
    /// <c>--methods a,b</c> keep only those groups (Step, Forward100, ...) and methods (Generated, Naive, ...).</item>
    /// </list>
    /// </summary>
    public static class BenchmarkHost
    {
        /// <summary>Runs the program's options, or the benchmarks of <paramref name="assembly"/>.</summary>
        public static int Run(string[] args, Assembly assembly, Func<TextWriter, bool> verify, Func<IEnumerable<Survey.Entry>> survey)
        {
            bool full = false;
            bool surveyOnly = false;
            bool peakOnly = false;
            int rounds = 15;
            double roundMilliseconds = 20;
            double? peak = null;
            string[]? groups = null;
            string[]? methods = null;
            var rest = new List<string>();
            for (int i = 0; i < args.Length; i++)
            {
                switch (args[i])
                {
                    case "--verify":
                        return verify(Console.Out) ? 0 : 1;
                    case "--peak":
                        peakOnly = true;
                        break;
                    case "--full":
                        full = true;
                        break;
                    case "--quick":
                        full = false;
                        break;
                    case "--survey":
                        surveyOnly = true;
                        break;
                    case "--rounds" when i + 1 < args.Length:
                        rounds = int.Parse(args[++i], CultureInfo.InvariantCulture);
                        break;
                    case "--round-ms" when i + 1 < args.Length:
                        roundMilliseconds = double.Parse(args[++i], CultureInfo.InvariantCulture);
                        break;
                    case "--shapes" when i + 1 < args.Length:
                        Environment.SetEnvironmentVariable(Shapes.SelectionVariable, args[++i]);
                        break;
                    case "--groups" when i + 1 < args.Length:
                        groups = args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                        break;
                    case "--methods" when i + 1 < args.Length:
                        methods = args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                        break;
                    case "--peak-gmacs" when i + 1 < args.Length:
                        peak = double.Parse(args[++i], CultureInfo.InvariantCulture);
                        break;
                    default:
                        rest.Add(args[i]);
                        break;
                }
            }

            if (peakOnly)
            {
                Peak(Console.Out);
                return 0;
            }

            if (surveyOnly)
            {
                // Without --peak-gmacs the survey measures the peak in the same rounds as each shape's entries.
                IEnumerable<Survey.Entry> entries = survey().Where(entry =>
                    (groups is null || groups.Contains(entry.Group, StringComparer.OrdinalIgnoreCase)) &&
                    (methods is null || methods.Contains(entry.Method, StringComparer.OrdinalIgnoreCase)));
                Survey.Run(entries, Console.Out, peak, rounds, roundMilliseconds);
                return 0;
            }

            if (peak is null)
            {
                // Many short rounds: on a shared processor the fastest is the least disturbed.
                FmaLoops.Measurement measured = FmaLoops.Measure(rounds: 20, millisecondsPerRun: 20);
                Console.WriteLine(measured);
                peak = measured.ThroughputGmacs;
            }

            PeakReference.GmacPerSecond = peak;

            BenchmarkSwitcher.FromAssembly(assembly).Run(rest.ToArray(), CreateConfig(full));
            return 0;
        }

        /// <summary>
        /// <c>--peak</c>: one core's FMA peak, clock and FMA latency (best of three runs), the weight streams, the activations'
        /// cost, and the port budget of each selected shape's step, all at the widest native vector.
        /// </summary>
        private static void Peak(TextWriter writer)
        {
            FmaLoops.Measurement best = default;
            for (int run = 0; run < 3; run++)
            {
                FmaLoops.Measurement measurement = FmaLoops.Measure(rounds: 5, millisecondsPerRun: 200);
                writer.WriteLine(measurement);
                best = measurement.ThroughputGmacs > best.ThroughputGmacs ? measurement : best;
            }

            writer.WriteLine(WeightStream.Describe(WeightStream.Measure(), best.ThroughputGmacs));
            (double Sigmoid, double Tanh) activations = ActivationThroughput.Measure();
            writer.WriteLine(ActivationThroughput.Describe(activations, best.ThroughputGmacs));
            var budget = new PortBudget(best.ThroughputGmacs, activations.Sigmoid, activations.Tanh, best.Lanes);
            writer.WriteLine("Port budget of one step (the multiply-adds at the peak plus the activations at their cost; --shapes selects):");
            foreach (string name in Shapes.Selected)
            {
                writer.WriteLine("  " + budget.Describe(Shapes.Get(name)));
            }
        }

        /// <summary>
        /// The quick job (default): one launch, 3 warm-up and 10 measured iterations of 150 ms, enough for
        /// preliminary numbers; or BenchmarkDotNet's default job with <paramref name="full"/>. Both add the
        /// GMAC/s and % peak columns and show ratios as "N x slower/faster" than the baseline (the generated model).
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
