using LstmGen.Benchmarks.Infrastructure;

namespace LstmGen.Benchmarks
{
    /// <summary>
    /// The benchmarks' entry point (see <see cref="BenchmarkHost"/> for the options): <c>--verify</c>
    /// checks every baseline against the generated model of every shape; <c>--trainer-scaling</c> compares
    /// the Trainer on 1 and 2 threads (<see cref="TrainerScaling"/>).
    /// </summary>
    public static class Program
    {
        /// <summary>Runs the benchmarks.</summary>
        public static int Main(string[] args) => args.Length == 1 && args[0] == "--trainer-scaling"
            ? TrainerScaling.Run(System.Console.Out)
            : BenchmarkHost.Run(args, typeof(Program).Assembly, Verification.RunAll, SurveyEntries.All);
    }
}
