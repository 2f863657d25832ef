using System;
using BenchmarkDotNet.Attributes;
using LstmGen.Benchmarks.Infrastructure;

namespace LstmGen.Benchmarks
{
    // A GRU of each shape of the LSTM row it sits next to (one layer, a dense head of one output): the same inputs,
    // hidden units and head, three gates per unit where an LSTM has four.

    [Gru(InputSize = 8, HiddenSize = 32, OutputSize = 1)]
    public sealed partial class GruIn8H32 { }

    [Gru(InputSize = 8, HiddenSize = 128, OutputSize = 1)]
    public sealed partial class GruIn8H128 { }

    [Gru(InputSize = 32, HiddenSize = 64, OutputSize = 1)]
    public sealed partial class GruIn32H64 { }

    /// <summary>
    /// The GRU row next to the LSTM: Step, Forward over <see cref="Steps"/> steps and AccumulateGradients of the generated
    /// GRU against the generated LSTM of the same shape (the baseline), on the same inputs. A GRU step has 3/4 of an LSTM's
    /// multiply-adds (three gates) and one more multiply per unit (r scales W_hn h + b_hn).
    /// </summary>
    [MemoryDiagnoser]
    public class GruBenchmarks
    {
        /// <summary>Time steps per sequence of Forward and AccumulateGradients.</summary>
        public const int Steps = 100;

        private ILstmModel _lstm = null!;
        private ILstmModel _gru = null!;
        private float[] _input = null!;
        private float[] _output = null!;
        private float[] _inputs = null!;
        private float[] _outputs = null!;
        private float[] _targets = null!;

        /// <summary>The shapes: input 8 with hidden 32 and 128, input 32 with hidden 64.</summary>
        [Params("i8h32", "i8h128", "i32h64")]
        public string Shape { get; set; } = "i8h32";

        /// <summary>Creates the two models of the shape and their inputs.</summary>
        [GlobalSetup]
        public void CreateModels()
        {
            (_lstm, _gru) = Shape switch
            {
                "i8h32" => ((ILstmModel)new In8H32(seed: 1), (ILstmModel)new GruIn8H32(seed: 1)),
                "i8h128" => (new In8H128(seed: 1), new GruIn8H128(seed: 1)),
                "i32h64" => (new In32H64(seed: 1), new GruIn32H64(seed: 1)),
                _ => throw new ArgumentOutOfRangeException(nameof(Shape), Shape, "Not a shape of the GRU row."),
            };
            _input = Data.Uniform(_gru.InputSize, seed: 1);
            _output = new float[_gru.OutputSize];
            _inputs = Data.Uniform(Steps * _gru.InputSize, seed: 2);
            _outputs = new float[Steps * _gru.OutputSize];
            _targets = Data.Uniform(Steps * _gru.OutputSize, seed: 3);
        }

        /// <summary>One step of the LSTM's own state.</summary>
        [Benchmark(Baseline = true)]
        public void LstmStep() => _lstm.Step(_input, _output);

        /// <summary>One step of the GRU's own state.</summary>
        [Benchmark]
        public void GruStep() => _gru.Step(_input, _output);

        /// <summary>The LSTM's Forward from the zero state.</summary>
        [Benchmark]
        public void LstmForward()
        {
            _lstm.ResetState();
            _lstm.Forward(_inputs, _outputs);
        }

        /// <summary>The GRU's Forward from the zero state.</summary>
        [Benchmark]
        public void GruForward()
        {
            _gru.ResetState();
            _gru.Forward(_inputs, _outputs);
        }

        /// <summary>The LSTM's backpropagation through time over the sequence.</summary>
        [Benchmark]
        public float LstmTraining()
        {
            _lstm.ResetState();
            return _lstm.AccumulateGradients(_inputs, _targets);
        }

        /// <summary>The GRU's backpropagation through time over the sequence.</summary>
        [Benchmark]
        public float GruTraining()
        {
            _gru.ResetState();
            return _gru.AccumulateGradients(_inputs, _targets);
        }
    }
}
