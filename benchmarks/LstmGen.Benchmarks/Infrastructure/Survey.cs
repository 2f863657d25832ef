using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;

namespace LstmGen.Benchmarks.Infrastructure
{
    /// <summary>
    /// A quick survey for a busy machine (<c>--survey</c>): each operation runs in many short rounds and
    /// the fastest round counts. On a processor shared with other work the fastest round is the one least
    /// disturbed, so the minimum estimates the undisturbed time far better than a mean; on a quiet machine
    /// it is close to BenchmarkDotNet's figures. It runs in-process (one JIT, dynamic PGO across shapes),
    /// so it is a survey, not a substitute for the BenchmarkDotNet job.
    /// </summary>
    public static class Survey
    {
        /// <summary>One measured operation.</summary>
        /// <param name="Group">The benchmark it mirrors (Step, Forward100, ...).</param>
        /// <param name="Shape">The shape's name.</param>
        /// <param name="Method">Generated, or the baseline's name.</param>
        /// <param name="Macs">Multiply-adds of one operation.</param>
        /// <param name="Run">Runs the operation the given number of times.</param>
        public sealed record Entry(string Group, string Shape, string Method, long Macs, Action<long> Run);

        /// <summary>Measures every entry and writes a Markdown table.</summary>
        public static void Run(IEnumerable<Entry> entries, TextWriter writer, double peakGmacs, int rounds = 15, double roundMilliseconds = 20)
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Survey: fastest of {rounds} rounds of ~{roundMilliseconds} ms each; % peak against {peakGmacs:0.0} GMAC/s; ratio = time / Generated's time."));
            writer.WriteLine();
            writer.WriteLine("| Group | Shape | Method | Time | GMAC/s | % peak | vs Generated | Alloc/op |");
            writer.WriteLine("|---|---|---|---:|---:|---:|---:|---:|");
            var generated = new Dictionary<(string, string), double>();
            foreach (Entry entry in entries)
            {
                (double nanoseconds, double allocated) = Measure(entry.Run, rounds, roundMilliseconds);
                if (entry.Method == "Generated")
                {
                    generated[(entry.Group, entry.Shape)] = nanoseconds;
                }

                string ratio = generated.TryGetValue((entry.Group, entry.Shape), out double reference) && entry.Method != "Generated"
                    ? string.Create(CultureInfo.InvariantCulture, $"{nanoseconds / reference:0.00}x")
                    : "1";
                double gmacs = entry.Macs / nanoseconds;
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {entry.Group} | {entry.Shape} | {entry.Method} | {FormatTime(nanoseconds)} | {gmacs:0.00} | {100 * gmacs / peakGmacs:0.0}% | {ratio} | {allocated:0} B |"));
                writer.Flush();
            }
        }

        private static (double Nanoseconds, double AllocatedPerOperation) Measure(Action<long> run, int rounds, double roundMilliseconds)
        {
            // Warm up past tiered compilation (and on-stack replacement), then size a round.
            long count = 1;
            Stopwatch total = Stopwatch.StartNew();
            while (total.ElapsedMilliseconds < 300)
            {
                run(count);
                if (count < 1 << 20)
                {
                    count *= 2;
                }
            }

            count = 1;
            while (true)
            {
                long start = Stopwatch.GetTimestamp();
                run(count);
                double milliseconds = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (milliseconds >= 2 || count >= 1L << 40)
                {
                    count = Math.Max(1, (long)(count * roundMilliseconds / milliseconds));
                    break;
                }

                count *= 2;
            }

            long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            run(count);
            double allocated = (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / (double)count;

            double best = double.PositiveInfinity;
            for (int round = 0; round < rounds; round++)
            {
                long start = Stopwatch.GetTimestamp();
                run(count);
                best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalNanoseconds / count);
            }

            return (best, allocated);
        }

        private static string FormatTime(double nanoseconds) => nanoseconds switch
        {
            < 1e3 => string.Create(CultureInfo.InvariantCulture, $"{nanoseconds:0.0} ns"),
            < 1e6 => string.Create(CultureInfo.InvariantCulture, $"{nanoseconds / 1e3:0.00} us"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{nanoseconds / 1e6:0.00} ms"),
        };
    }
}
