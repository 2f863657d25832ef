using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using LstmGen.Benchmarks.Infrastructure;

namespace LstmGen.Benchmarks
{
    /// <summary>
    /// Backpropagation through time: AccumulateGradients over a sequence of <see cref="Steps"/> steps from
    /// the zero state with a target on every step (mean squared error). The gradients are NOT zeroed
    /// between invocations (they accumulate, as PyTorch's .grad does): this measures the forward pass, the
    /// loss and the backward pass only. ZeroGradients is a clear of ParameterCount floats (under 1 % of a
    /// sequence here); <see cref="GeneratedWithZeroGradients"/> measures the pair.
    /// MACs are counted as 3 forward passes (forward, weight gradients, input/state gradients).
    /// </summary>
    [MemoryDiagnoser]
    public class TrainingBenchmarks
    {
        /// <summary>Time steps per sequence.</summary>
        public const int Steps = 50;

        private ILstmModel _model = null!;
        private float[] _inputs = null!;
        private float[] _targets = null!;

        /// <summary>The grid of <see cref="ShapeBenchmarkBase.ShapeNames"/>.</summary>
        public static IEnumerable<string> ShapeNames => Shapes.Selected;

        /// <summary>The case's shape.</summary>
        [ParamsSource(nameof(ShapeNames))]
        public string Shape { get; set; } = "i8h32";

        /// <summary>Creates the model, its inputs and targets, and warms the training buffers.</summary>
        [GlobalSetup]
        public void Setup()
        {
            Shape shape = Shapes.Get(Shape);
            _model = shape.Create();
            _inputs = Data.Uniform(Steps * shape.InputSize, seed: 3);
            _targets = Data.Uniform(Steps * shape.OutputSize, seed: 4);
            _model.AccumulateGradients(_inputs, _targets);
            _model.ZeroGradients();
        }

        /// <summary>One sequence's gradients, added to the model's.</summary>
        [Benchmark(Baseline = true), Macs(Steps = Steps, Passes = 3)]
        public float Generated()
        {
            _model.ResetState();
            return _model.AccumulateGradients(_inputs, _targets);
        }

        /// <summary>As <see cref="Generated"/>, with ZeroGradients first (a per-sequence gradient).</summary>
        [Benchmark, Macs(Steps = Steps, Passes = 3)]
        public float GeneratedWithZeroGradients()
        {
            _model.ResetState();
            _model.ZeroGradients();
            return _model.AccumulateGradients(_inputs, _targets);
        }
    }
}
