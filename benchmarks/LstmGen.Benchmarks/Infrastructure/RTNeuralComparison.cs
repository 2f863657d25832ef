using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace LstmGen.Benchmarks.Infrastructure
{
    /// <summary>
    /// <c>--vs-rtneural BIN_DIR</c>: RTNeural's LSTM step (the benchmark binaries that <c>../shared/bench/rtneural/build.sh</c>
    /// builds, <c>bench_eigen</c> and <c>bench_xsimd</c>, C++ with every size fixed at compile time) against the generated
    /// <c>Step</c>, in alternating rounds on this machine: each round runs every RTNeural binary (a child process; its median
    /// repetition per shape) and then the survey's Step of every shape (the fastest of its rounds). The table gives, per
    /// shape, the median over rounds of each and the ratio of RTNeural's best backend to LstmGen (above 1: LstmGen is
    /// faster), with the step's % of the port budget (<see cref="PortBudget"/>) at the widest native vector.
    /// </summary>
    public static partial class RTNeuralComparison
    {
        /// <summary>The backends' binaries, in the order their columns appear.</summary>
        private static readonly string[] Backends = { "eigen", "xsimd" };

        /// <summary>Runs the comparison and writes the table; 1 when no binary is found.</summary>
        public static int Run(string binDirectory, int rounds, TextWriter writer)
        {
            string[] binaries = Backends.Select(backend => Path.Combine(binDirectory, "bench_" + backend)).Where(File.Exists).ToArray();
            if (binaries.Length == 0)
            {
                writer.WriteLine($"No RTNeural benchmark binary (bench_eigen, bench_xsimd) in {binDirectory}: build them with ../shared/bench/rtneural/build.sh.");
                return 1;
            }

            string[] shapes = Shapes.Selected.Where(name => Shapes.Get(name).Layers == 1).ToArray();
            var entries = shapes.Select(name =>
            {
                Shape shape = Shapes.Get(name);
                ILstmModel model = shape.Create();
                float[] input = Data.Uniform(shape.InputSize, seed: 1);
                float[] output = new float[shape.OutputSize];
                return new Survey.Entry("Step", name, "Generated", shape.StepMacs, n =>
                {
                    for (long i = 0; i < n; i++)
                    {
                        model.Step(input, output);
                    }
                }, Steps: 1);
            }).ToArray();

            var rtneural = new Dictionary<(string Backend, string Shape), List<double>>();
            var lstmgen = new Dictionary<string, List<double>>();
            var peaks = new List<FmaLoops.Measurement>();
            (double Sigmoid, double Tanh) activations = (double.MaxValue, double.MaxValue);
            for (int round = 1; round <= rounds; round++)
            {
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round}/{rounds} at {DateTime.UtcNow:HH:mm:ss} UTC"));
                foreach (string binary in binaries)
                {
                    foreach (Match result in ResultLine().Matches(RunBinary(binary, shapes)))
                    {
                        Add(rtneural, (result.Groups["backend"].Value, result.Groups["shape"].Value), double.Parse(result.Groups["median"].Value, CultureInfo.InvariantCulture));
                    }
                }

                peaks.Add(FmaLoops.Measure(rounds: 3, millisecondsPerRun: 50));
                (double sigmoidNow, double tanhNow) = ActivationThroughput.Measure(rounds: 10);
                activations = (Math.Min(activations.Sigmoid, sigmoidNow), Math.Min(activations.Tanh, tanhNow));
                double[] fastest = Survey.Fastest(entries, rounds: 40, roundMilliseconds: 5);
                for (int i = 0; i < shapes.Length; i++)
                {
                    Add(lstmgen, shapes[i], fastest[i]);
                }
            }

            (double sigmoid, double tanh) = activations;
            double peak = peaks.Max(measurement => measurement.ThroughputGmacs);
            var budget = new PortBudget(peak, sigmoid, tanh, NativeWidth.Lanes);
            writer.WriteLine();
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{rounds} alternating rounds; ns per step, median over rounds (RTNeural: its median repetition; LstmGen: the fastest of 40 rounds of its survey); " +
                $"FMA peak {peak:0.0} GMAC/s ({NativeWidth.Bits}-bit, the best of the rounds), sigmoid {sigmoid:0.00} ns and tanh {tanh:0.00} ns per vector (the best of the rounds)."));
            writer.WriteLine();
            writer.WriteLine("| shape | " + string.Join(" | ", Backends.Select(backend => $"RTNeural {backend}")) + " | LstmGen Step | RTNeural best / LstmGen | LstmGen % of budget |");
            writer.WriteLine("|---|" + string.Concat(Backends.Select(_ => "---:|")) + "---:|---:|---:|");
            foreach (string shape in shapes)
            {
                double ours = lstmgen.TryGetValue(shape, out List<double>? times) ? ChildProcess.Median(times) : double.NaN;
                double[] theirs = Backends.Select(backend => rtneural.TryGetValue((backend, shape), out List<double>? t) ? ChildProcess.Median(t) : double.NaN).ToArray();
                double best = theirs.Where(t => !double.IsNaN(t)).DefaultIfEmpty(double.NaN).Min();
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {shape} | {string.Join(" | ", theirs.Select(Format))} | {Format(ours)} | {(double.IsNaN(best) ? "-" : $"{best / ours:0.00}x")} | {100 * budget.StepNanoseconds(Shapes.Get(shape)) / ours:0}% |"));
            }

            return 0;
        }

        [GeneratedRegex(@"^RESULT backend=(?<backend>\w+) shape=(?<shape>\w+) .*?median_ns=(?<median>[\d.]+)", RegexOptions.Multiline)]
        private static partial Regex ResultLine();

        private static string RunBinary(string binary, IEnumerable<string> shapes) =>
            ChildProcess.Output(binary, "--reps", "7", "--rep-ms", "20", "--shapes", string.Join(',', shapes));

        private static void Add<TKey>(Dictionary<TKey, List<double>> values, TKey key, double value)
            where TKey : notnull
        {
            if (!values.TryGetValue(key, out List<double>? list))
            {
                values[key] = list = new List<double>();
            }

            list.Add(value);
        }

        private static string Format(double nanoseconds) =>
            double.IsNaN(nanoseconds) ? "-" : nanoseconds.ToString("N0", CultureInfo.InvariantCulture);
    }
}
