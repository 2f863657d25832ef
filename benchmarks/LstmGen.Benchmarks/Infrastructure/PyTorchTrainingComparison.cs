using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using LstmGen.Training;

namespace LstmGen.Benchmarks.Infrastructure
{
    /// <summary>
    /// <c>--vs-pytorch-training [PYTHON] [SCRIPT] [ROUNDS]</c>: the Trainer against PyTorch on the work of
    /// <c>../shared/bench/pytorch/time_torch.py</c> (<c>nn.LSTM(I, H)</c> + <c>nn.Linear(H, 1)</c>, 256 random sequences of
    /// 50 steps, MSE on every step, SGD with learning rate 1e-3, mini-batches of 32; one epoch timed, the best of 5; on 1
    /// and 2 threads), in alternating rounds on this machine: each round runs the script (a child process) for a shape,
    /// then the Trainer on the same work. The table gives sequences per second, medians over rounds, and the ratios.
    /// </summary>
    public static partial class PyTorchTrainingComparison
    {
        private const int Sequences = 256;
        private const int Steps = 50;
        private const int BatchSize = 32;
        private const int Repeats = 5;

        /// <summary>Runs the comparison on i8h32, i8h128 and i32h256 and writes the table.</summary>
        public static int Run(string python, string script, int rounds, TextWriter writer)
        {
            if (!File.Exists(script))
            {
                writer.WriteLine($"No {script}: give the path of ../shared/bench/pytorch/time_torch.py.");
                return 1;
            }

            var shapes = new (string Name, Func<int, double> Trainer)[]
            {
                ("i8h32", SequencesPerSecond<In8H32>),
                ("i8h128", SequencesPerSecond<In8H128>),
                ("i32h256", SequencesPerSecond<In32H256>),
            };
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{rounds} alternating rounds per shape; sequences per second on {Sequences} sequences of {Steps} steps, batches of {BatchSize}, SGD, the best of {Repeats} epochs; medians over rounds."));
            writer.WriteLine();
            writer.WriteLine("| shape | PyTorch, 1 thread | PyTorch, 2 threads | LstmGen, 1 thread | LstmGen, 2 threads | LstmGen / PyTorch, 1 thread | 2 threads |");
            writer.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
            string? version = null;
            foreach ((string name, Func<int, double> trainer) in shapes)
            {
                Shape shape = Shapes.Get(name);
                var torch = new List<double>[] { new(), new() };
                var ours = new List<double>[] { new(), new() };
                for (int round = 0; round < rounds; round++)
                {
                    string output = RunScript(python, script, shape);
                    foreach (Match line in ResultLine().Matches(output))
                    {
                        version = line.Groups["version"].Value;
                        torch[int.Parse(line.Groups["threads"].Value, CultureInfo.InvariantCulture) - 1].Add(double.Parse(line.Groups["rate"].Value, CultureInfo.InvariantCulture));
                    }

                    ours[0].Add(trainer(1));
                    ours[1].Add(trainer(2));
                }

                double[] t = torch.Select(ChildProcess.Median).ToArray(), o = ours.Select(ChildProcess.Median).ToArray();
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {t[0]:N0} | {t[1]:N0} | {o[0]:N0} | {o[1]:N0} | {o[0] / t[0]:0.0}x | {o[1] / t[1]:0.0}x |"));
                writer.Flush();
            }

            writer.WriteLine();
            writer.WriteLine($"PyTorch {version ?? "(no result)"} through {python}.");
            return 0;
        }

        /// <summary>The Trainer on the script's work with <paramref name="threads"/> threads: sequences per second, the best of <see cref="Repeats"/> epochs.</summary>
        private static double SequencesPerSecond<TModel>(int threads)
            where TModel : class, ILstmModel, new()
        {
            var model = new TModel();
            float[] inputs = Data.Uniform(Sequences * Steps * model.InputSize, seed: 6);
            float[] targets = Data.Uniform(Sequences * Steps * model.OutputSize, seed: 7);
            var data = new TrainingSequence[Sequences];
            for (int s = 0; s < Sequences; s++)
            {
                data[s] = new TrainingSequence(
                    inputs.AsMemory(s * Steps * model.InputSize, Steps * model.InputSize),
                    targets.AsMemory(s * Steps * model.OutputSize, Steps * model.OutputSize));
            }

            var trainer = new Trainer<TModel>(model, new Sgd(learningRate: 1e-3f), new TrainerOptions { Epochs = 1, BatchSize = BatchSize, Threads = threads, Seed = 1 });
            trainer.Fit(data); // Warm up: tier-1 code, the replicas and buffers.
            double best = double.MaxValue;
            for (int repeat = 0; repeat < Repeats; repeat++)
            {
                long start = Stopwatch.GetTimestamp();
                trainer.Fit(data);
                best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds);
            }

            return Sequences / best;
        }

        [GeneratedRegex(@"^pytorch (?<version>\S+) threads (?<threads>[12]) \S+ T\d+ B\d+: (?<rate>[\d.]+) sequences/s", RegexOptions.Multiline)]
        private static partial Regex ResultLine();

        private static string RunScript(string python, string script, Shape shape) =>
            ChildProcess.Output(python, script, shape.InputSize.ToString(CultureInfo.InvariantCulture), shape.HiddenSize.ToString(CultureInfo.InvariantCulture));
    }
}
