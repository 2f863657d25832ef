using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using LstmGen.Benchmarks.Infrastructure;

namespace LstmGen.Benchmarks
{
    /// <summary>
    /// <c>--loop GROUP SHAPE SECONDS [METHOD]</c>: one operation of the survey (group <c>Step</c>,
    /// <c>Forward100</c>, <c>Train50</c>, <c>Agents64</c>, <c>Agents1000</c>, <c>Train500LastStep</c> or <c>TrainerFit4</c>, the last four i8h32; method
    /// <c>Generated</c> unless given, e.g. <c>GeneratedGroups</c> or a baseline) in a loop for a while, for a
    /// profiler to sample
    /// (<c>DOTNET_PerfMapEnabled=1 perf record -e cpu-clock -F 20000 -- dotnet LstmGen.Benchmarks.dll --loop Step i8h32 4</c>).
    /// It prints the fastest of its rounds, so the loop is also a quick timing without BenchmarkDotNet.
    /// </summary>
    public static class ProfileLoop
    {
        /// <summary>Runs the loop and writes the fastest round's time per operation.</summary>
        public static int Run(string group, string shape, double seconds, string method, TextWriter writer)
        {
            // The survey's own operation: only the shape asked for is built.
            Environment.SetEnvironmentVariable(Shapes.SelectionVariable, shape);
            Survey.Entry entry = SurveyEntries.All().FirstOrDefault(e =>
                    string.Equals(e.Group, group, StringComparison.OrdinalIgnoreCase) && e.Shape == shape && e.Method == method)
                ?? throw new ArgumentException($"--loop: the survey has no {method} in group '{group}' for shape '{shape}'.", nameof(group));
            entry.Run(10); // Warm up: tier-1 code, the buffers.

            double best = double.MaxValue;
            long operations = 0;
            var total = Stopwatch.StartNew();
            while (total.Elapsed.TotalSeconds < seconds)
            {
                long start = Stopwatch.GetTimestamp();
                entry.Run(10);
                best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalNanoseconds / 10);
                operations += 10;
            }

            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{entry.Group} {entry.Shape} {entry.Method}: fastest round {best:0.0} ns per operation, {operations} operations"));
            return 0;
        }
    }
}
