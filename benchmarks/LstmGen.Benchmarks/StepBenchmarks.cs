using BenchmarkDotNet.Attributes;
using LstmGen.Benchmarks.Infrastructure;

namespace LstmGen.Benchmarks
{
    /// <summary>
    /// The latency of one step of one sequence (the model's own state, carried from call to call), for
    /// the generated model and the baselines on the same weights and input.
    /// </summary>
    [MemoryDiagnoser]
    public class StepBenchmarks : ShapeBenchmarkBase
    {
        private float[] _input = null!;
        private float[] _output = null!;

        /// <inheritdoc/>
        protected override void Setup()
        {
            _input = Data.Uniform(CurrentShape.InputSize, seed: 1);
            _output = new float[CurrentShape.OutputSize];
        }

        /// <summary>The generated model's Step.</summary>
        [Benchmark(Baseline = true), Macs]
        public void Generated() => Model.Step(_input, _output);

        /// <summary>The scalar hand-written LSTM.</summary>
        [Benchmark, Macs]
        public void Naive() => NaiveModel.Step(_input, _output);

        /// <summary>TensorPrimitives, one Dot per gate row.</summary>
        [Benchmark, Macs]
        public void TensorPrimitivesDot() => DotModel.Step(_input, _output);

        /// <summary>TensorPrimitives, one MultiplyAdd per transposed weight row.</summary>
        [Benchmark, Macs]
        public void TensorPrimitivesAxpy() => AxpyModel.Step(_input, _output);
    }
}
