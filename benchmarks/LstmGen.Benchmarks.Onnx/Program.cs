using LstmGen.Benchmarks.Infrastructure;

namespace LstmGen.Benchmarks.Onnx
{
    /// <summary>
    /// ONNX Runtime against the generated models (see <see cref="BenchmarkHost"/> for the options):
    /// <c>--verify</c> checks PyTorch's reference outputs, ONNX Runtime and the generated model against each other.
    /// </summary>
    public static class Program
    {
        /// <summary>Runs the benchmarks.</summary>
        public static int Main(string[] args) => BenchmarkHost.Run(args, typeof(Program).Assembly, OnnxVerification.RunAll, OnnxSurvey.All);
    }
}
