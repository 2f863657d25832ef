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
        /// <param name="Macs">Multiply-adds of one operation; 0 for an operation that does none (its rate columns show "-").</param>
        /// <param name="Run">Runs the operation the given number of times.</param>
        /// <param name="Steps">
        /// Forward steps of the shape that one operation does (1 for a step, 100 for a Forward of 100 steps, 64 for a
        /// frame of 64 agents): the operation's port budget is that many steps' (<see cref="PortBudget"/>); 0 for an
        /// operation without one (a backward pass).
        /// </param>
        public sealed record Entry(string Group, string Shape, string Method, long Macs, Action<long> Run, long Steps = 0);

        /// <summary>
        /// Measures every entry and writes a Markdown table. The entries of one shape take their rounds in
        /// turn (round 1 of each, then round 2 of each, ...), so a drift in the processor's speed reaches all of
        /// them alike and the ratios between them hold; each timed round follows a short untimed run that brings
        /// the entry's data back into the caches. Without a fixed <paramref name="peakGmacs"/>, the FMA peak
        /// loop takes its rounds among them, and each shape's % peak is against the peak of its own rounds.
        /// </summary>
        public static void Run(IEnumerable<Entry> entries, TextWriter writer, double? peakGmacs, int rounds = 15, double roundMilliseconds = 20)
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Survey: fastest of {rounds} rounds of ~{roundMilliseconds} ms each, the entries of a shape in turn; % peak against {(peakGmacs is double fixedPeak ? $"{fixedPeak:0.0} GMAC/s" : $"the {NativeWidth.Bits}-bit FMA peak measured in the same rounds (Peak column)")}; % budget = the port budget (the multiply-adds at that peak plus the activations at their measured cost) over the time; ratio = time / Generated's time."));
            (double sigmoid, double tanh) = ActivationThroughput.Measure(rounds: 20);
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Activations, {NativeWidth.Bits}-bit vectors: sigmoid {sigmoid:0.00} ns, tanh {tanh:0.00} ns."));
            writer.WriteLine();
            writer.WriteLine("| Group | Shape | Method | Time | GMAC/s | % peak | % budget | Peak GMAC/s | vs Generated | Alloc/op |");
            writer.WriteLine("|---|---|---|---:|---:|---:|---:|---:|---:|---:|");
            var generated = new Dictionary<(string, string), double>();
            var peakLoop = new Entry("Peak", string.Empty, NativeWidth.Describe("FmaLoops.Throughput"), FmaLoops.ThroughputMacsPerIteration, n => FmaLoops.Throughput(n));
            foreach (List<Entry> shape in ByShape(entries))
            {
                // The peak loop, when it runs, is the last entry measured.
                List<Entry> measured = peakGmacs is null ? new List<Entry>(shape) { peakLoop } : shape;
                Result[] results = Measure(measured, rounds, roundMilliseconds);
                double peak = peakGmacs ?? peakLoop.Macs / results[results.Length - 1].Nanoseconds;
                var budget = new PortBudget(peak, sigmoid, tanh, NativeWidth.Lanes);
                for (int i = 0; i < shape.Count; i++)
                {
                    Entry entry = shape[i];
                    double nanoseconds = results[i].Nanoseconds;
                    if (entry.Method == "Generated")
                    {
                        generated[(entry.Group, entry.Shape)] = nanoseconds;
                    }

                    string ratio = generated.TryGetValue((entry.Group, entry.Shape), out double reference) && entry.Method != "Generated"
                        ? string.Create(CultureInfo.InvariantCulture, $"{nanoseconds / reference:0.00}x")
                        : "1";
                    double gmacs = entry.Macs / nanoseconds;
                    string rate = entry.Macs > 0 ? string.Create(CultureInfo.InvariantCulture, $"{gmacs:0.00}") : "-";
                    string ofPeak = entry.Macs > 0 ? string.Create(CultureInfo.InvariantCulture, $"{100 * gmacs / peak:0.0}%") : "-";
                    string ofBudget = entry.Macs > 0 && entry.Steps > 0
                        ? string.Create(CultureInfo.InvariantCulture, $"{100 * entry.Steps * budget.StepNanoseconds(Shapes.Get(entry.Shape)) / nanoseconds:0.0}%")
                        : "-";
                    writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {entry.Group} | {entry.Shape} | {entry.Method} | {FormatTime(nanoseconds)} | {rate} | {ofPeak} | {ofBudget} | {peak:0.0} | {ratio} | {results[i].AllocatedPerOperation:0} B |"));
                }

                writer.Flush();
            }
        }

        private readonly record struct Result(double Nanoseconds, double AllocatedPerOperation);

        /// <summary>The fastest round of each entry, in nanoseconds per operation, the entries taking their rounds in turn.</summary>
        public static double[] Fastest(IReadOnlyList<Entry> entries, int rounds, double roundMilliseconds) =>
            Array.ConvertAll(Measure(new List<Entry>(entries), rounds, roundMilliseconds), result => result.Nanoseconds);

        /// <summary>Consecutive entries of the same shape, in order (the entries are created lazily, one shape at a time).</summary>
        private static IEnumerable<List<Entry>> ByShape(IEnumerable<Entry> entries)
        {
            var batch = new List<Entry>();
            foreach (Entry entry in entries)
            {
                if (batch.Count > 0 && batch[0].Shape != entry.Shape)
                {
                    yield return batch;
                    batch = new List<Entry>();
                }

                batch.Add(entry);
            }

            if (batch.Count > 0)
            {
                yield return batch;
            }
        }

        private static Result[] Measure(List<Entry> entries, int rounds, double roundMilliseconds)
        {
            var counts = new long[entries.Count];
            var results = new Result[entries.Count];
            for (int i = 0; i < entries.Count; i++)
            {
                counts[i] = SizeRound(entries[i].Run, roundMilliseconds);
                long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
                entries[i].Run(counts[i]);
                results[i] = new Result(double.PositiveInfinity, (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / (double)counts[i]);
            }

            for (int round = 0; round < rounds; round++)
            {
                for (int i = 0; i < entries.Count; i++)
                {
                    entries[i].Run(Math.Max(1, counts[i] / 8));
                    long start = Stopwatch.GetTimestamp();
                    entries[i].Run(counts[i]);
                    double nanoseconds = Stopwatch.GetElapsedTime(start).TotalNanoseconds / counts[i];
                    results[i] = results[i] with { Nanoseconds = Math.Min(results[i].Nanoseconds, nanoseconds) };
                }
            }

            return results;
        }

        /// <summary>Warms <paramref name="run"/> up past tiered compilation (and on-stack replacement), then finds how many operations take about one round.</summary>
        private static long SizeRound(Action<long> run, double roundMilliseconds)
        {
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
                    return Math.Max(1, (long)(count * roundMilliseconds / milliseconds));
                }

                count *= 2;
            }
        }

        private static string FormatTime(double nanoseconds) => nanoseconds switch
        {
            < 1e3 => string.Create(CultureInfo.InvariantCulture, $"{nanoseconds:0.0} ns"),
            < 1e6 => string.Create(CultureInfo.InvariantCulture, $"{nanoseconds / 1e3:0.00} us"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{nanoseconds / 1e6:0.00} ms"),
        };
    }
}
