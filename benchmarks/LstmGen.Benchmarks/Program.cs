using LstmGen.Benchmarks.Infrastructure;

namespace LstmGen.Benchmarks
{
    /// <summary>
    /// The benchmarks' entry point (see <see cref="BenchmarkHost"/> for the options): <c>--verify</c>
    /// checks every baseline against the generated model of every shape; <c>--trainer-scaling</c> compares
    /// the Trainer on 1 and 2 threads (<see cref="TrainerScaling"/>); <c>--loop GROUP SHAPE SECONDS [METHOD]</c> runs one
    /// survey operation in a loop for a profiler (<see cref="ProfileLoop"/>); <c>--plots [RESULTS.md folder]</c> draws the
    /// figures recorded in benchmarks/RESULTS.md as PNGs and SVGs (by default into docs/images, run from the repository root);
    /// <c>--vs-rtneural BIN_DIR [ROUNDS]</c> alternates RTNeural's benchmark binaries with the Step survey
    /// (<see cref="RTNeuralComparison"/>; <c>LSTMGEN_BENCH_SHAPES</c> selects shapes); <c>--vs-pytorch-training [PYTHON SCRIPT [ROUNDS]]</c>
    /// alternates <c>../shared/bench/pytorch/time_torch.py</c> with the Trainer on the same work (<see cref="PyTorchTrainingComparison"/>);
    /// <c>--vs-bf16 [ROUNDS]</c> times the float32 and bfloat16 models of hidden 128 and 256 in turn (<see cref="BFloat16Comparison"/>);
    /// <c>--weight-precisions [ROUNDS]</c> times float32, bfloat16 and two int8 weight streams of a step's gate sums (<see cref="PrecisionStreams"/>).
    /// </summary>
    public static class Program
    {
        /// <summary>Runs the benchmarks.</summary>
        public static int Main(string[] args) => args switch
        {
            ["--trainer-scaling"] => TrainerScaling.Run(System.Console.Out),
            ["--vs-bf16"] => BFloat16Comparison.Run(5, System.Console.Out),
            ["--weight-precisions"] => PrecisionStreams.Run(15, System.Console.Out),
            ["--weight-precisions", string rounds] => PrecisionStreams.Run(int.Parse(rounds, System.Globalization.CultureInfo.InvariantCulture), System.Console.Out),
            ["--vs-bf16", string rounds] => BFloat16Comparison.Run(int.Parse(rounds, System.Globalization.CultureInfo.InvariantCulture), System.Console.Out),
            ["--plots"] => Plots.ResultPlots.Run(System.IO.Path.Combine("benchmarks", "RESULTS.md"), System.IO.Path.Combine("docs", "images"), System.Console.Out),
            ["--plots", string results, string folder] => Plots.ResultPlots.Run(results, folder, System.Console.Out),
            ["--vs-rtneural", string binaries] => RTNeuralComparison.Run(binaries, 5, System.Console.Out),
            ["--vs-rtneural", string binaries, string rounds] => RTNeuralComparison.Run(binaries, int.Parse(rounds, System.Globalization.CultureInfo.InvariantCulture), System.Console.Out),
            ["--vs-pytorch-training"] => PyTorchTrainingComparison.Run("/usr/bin/python3", System.IO.Path.Combine("..", "shared", "bench", "pytorch", "time_torch.py"), 3, System.Console.Out),
            ["--vs-pytorch-training", string python, string script] => PyTorchTrainingComparison.Run(python, script, 3, System.Console.Out),
            ["--vs-pytorch-training", string python, string script, string rounds] => PyTorchTrainingComparison.Run(python, script, int.Parse(rounds, System.Globalization.CultureInfo.InvariantCulture), System.Console.Out),
            ["--loop", string group, string shape, string seconds] => Loop(group, shape, seconds, "Generated"),
            ["--loop", string group, string shape, string seconds, string method] => Loop(group, shape, seconds, method),
            _ => BenchmarkHost.Run(args, typeof(Program).Assembly, Verification.RunAll, SurveyEntries.All),
        };

        private static int Loop(string group, string shape, string seconds, string method) =>
            ProfileLoop.Run(group, shape, double.Parse(seconds, System.Globalization.CultureInfo.InvariantCulture), method, System.Console.Out);
    }
}
