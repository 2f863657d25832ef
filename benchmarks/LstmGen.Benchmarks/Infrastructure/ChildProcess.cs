using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;

namespace LstmGen.Benchmarks.Infrastructure
{
    /// <summary>What the comparisons with other systems share: running the other system's benchmark as a child process, and the median of rounds.</summary>
    public static class ChildProcess
    {
        /// <summary>Runs <paramref name="fileName"/> with <paramref name="arguments"/> and returns its standard output; throws when it fails.</summary>
        public static string Output(string fileName, params string[] arguments)
        {
            var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, UseShellExecute = false };
            foreach (string argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using Process process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0
                ? output
                : throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} exited with code {process.ExitCode}.");
        }

        /// <summary>The median of <paramref name="values"/> (NaN for none).</summary>
        public static double Median(IEnumerable<double> values)
        {
            double[] sorted = values.Order().ToArray();
            return sorted.Length == 0 ? double.NaN
                : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2]
                : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        }
    }
}
