using LstmGen.Benchmarks.Infrastructure;

namespace LstmGen.Benchmarks
{
    /// <summary>
    /// The benchmarks' entry point (see <see cref="BenchmarkHost"/> for the options): <c>--verify</c>
    /// checks every baseline against the generated model of every shape; <c>--trainer-scaling</c> compares
    /// the Trainer on 1 and 2 threads (<see cref="TrainerScaling"/>); <c>--loop WHAT SHAPE SECONDS</c> runs one
    /// operation in a loop for a profiler (<see cref="ProfileLoop"/>).
    /// </summary>
    public static class Program
    {
        /// <summary>Runs the benchmarks.</summary>
        public static int Main(string[] args) => args switch
        {
            ["--trainer-scaling"] => TrainerScaling.Run(System.Console.Out),
            ["--loop", string what, string shape, string seconds] =>
                ProfileLoop.Run(what, shape, double.Parse(seconds, System.Globalization.CultureInfo.InvariantCulture), System.Console.Out),
            _ => BenchmarkHost.Run(args, typeof(Program).Assembly, Verification.RunAll, SurveyEntries.All),
        };
    }
}
