using LstmGen.Benchmarks.Infrastructure;

namespace LstmGen.Benchmarks
{
    /// <summary>
    /// The benchmarks' entry point (see <see cref="BenchmarkHost"/> for the options): <c>--verify</c>
    /// checks every baseline against the generated model of every shape.
    /// </summary>
    public static class Program
    {
        /// <summary>Runs the benchmarks.</summary>
        public static int Main(string[] args) => BenchmarkHost.Run(args, typeof(Program).Assembly, Verification.RunAll, SurveyEntries.All);
    }
}
