using BenchmarkDotNet.Attributes;
using LstmGen.Benchmarks.Infrastructure;

namespace LstmGen.Benchmarks
{
    /// <summary>
    /// A whole sequence of <see cref="Steps"/> steps from the zero state ([T, in] in, [T, out] out), for
    /// the generated model and the baselines on the same weights and inputs.
    /// </summary>
    [MemoryDiagnoser]
    public class ForwardBenchmarks : ShapeBenchmarkBase
    {
        /// <summary>Time steps per sequence.</summary>
        public const int Steps = 100;

        private float[] _inputs = null!;
        private float[] _outputs = null!;

        /// <inheritdoc/>
        protected override void Setup()
        {
            _inputs = Data.Uniform(Steps * CurrentShape.InputSize, seed: 2);
            _outputs = new float[Steps * CurrentShape.OutputSize];
        }

        /// <summary>The generated model's Forward.</summary>
        [Benchmark(Baseline = true), Macs(Steps = Steps)]
        public void Generated()
        {
            Model.ResetState();
            Model.Forward(_inputs, _outputs);
        }

        /// <summary>The scalar hand-written LSTM.</summary>
        [Benchmark, Macs(Steps = Steps)]
        public void Naive()
        {
            NaiveModel.ResetState();
            NaiveModel.Forward(_inputs, _outputs);
        }

        /// <summary>TensorPrimitives, one Dot per gate row.</summary>
        [Benchmark, Macs(Steps = Steps)]
        public void TensorPrimitivesDot()
        {
            DotModel.ResetState();
            DotModel.Forward(_inputs, _outputs);
        }

        /// <summary>TensorPrimitives, one MultiplyAdd per transposed weight row.</summary>
        [Benchmark, Macs(Steps = Steps)]
        public void TensorPrimitivesAxpy()
        {
            AxpyModel.ResetState();
            AxpyModel.Forward(_inputs, _outputs);
        }
    }
}
