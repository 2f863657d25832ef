using System;
using BenchmarkDotNet.Attributes;
using LstmGen.Benchmarks.Baselines;
using LstmGen.Benchmarks.Infrastructure;

namespace LstmGen.Benchmarks
{
    /// <summary>
    /// A game frame: <see cref="Agents"/> independent sequences (agents) of one model, input 8, hidden 32,
    /// head 1, each advanced by one step with Step(ref State, ...). The states are value types held in one
    /// array; the baselines keep theirs in [Agents, H] arrays. Times are per frame (all agents). BenchmarkDotNet
    /// runs frames of <see cref="DefaultAgents"/>; the survey also runs frames of 64 (the N).
    /// </summary>
    [MemoryDiagnoser]
    public class ManyAgentsBenchmarks
    {
        /// <summary>Agents per frame in the BenchmarkDotNet runs.</summary>
        public const int DefaultAgents = 1000;

        private const string ShapeName = "i8h32";

        private In8H32 _model = null!;
        private In8H32.State[] _states = null!;
        private NaiveLstm _naive = null!;
        private TensorPrimitivesLstm _axpy = null!;
        private float[] _hidden = null!;
        private float[] _cell = null!;
        private float[] _inputs = null!;
        private float[] _outputs = null!;

        /// <summary>A frame of <see cref="DefaultAgents"/> agents.</summary>
        public ManyAgentsBenchmarks()
            : this(DefaultAgents)
        {
        }

        /// <summary>A frame of <paramref name="agents"/> agents.</summary>
        public ManyAgentsBenchmarks(int agents) => Agents = agents;

        /// <summary>Agents per frame.</summary>
        public int Agents { get; }

        /// <summary>Creates the model, the agents' states and inputs, and the baselines.</summary>
        [GlobalSetup]
        public void Setup()
        {
            Verification.Require(Shapes.Get(ShapeName));
            _model = new In8H32(Shapes.Seed);
            _states = new In8H32.State[Agents];
            _naive = new NaiveLstm(_model);
            _axpy = new TensorPrimitivesLstm(_model, GateFormulation.TransposedAxpy);
            _hidden = new float[Agents * In8H32.HiddenSize];
            _cell = new float[Agents * In8H32.HiddenSize];
            _inputs = Data.Uniform(Agents * In8H32.InputSize, seed: 5);
            _outputs = new float[Agents * In8H32.OutputSize];
        }

        /// <summary>Every agent's state stepped by the generated model.</summary>
        [Benchmark(Baseline = true), Macs(Shape = ShapeName, Sequences = DefaultAgents)]
        public void Generated()
        {
            In8H32 model = _model;
            In8H32.State[] states = _states;
            ReadOnlySpan<float> inputs = _inputs;
            Span<float> outputs = _outputs;
            for (int agent = 0; agent < states.Length; agent++)
            {
                model.Step(ref states[agent], inputs.Slice(agent * In8H32.InputSize, In8H32.InputSize), outputs.Slice(agent * In8H32.OutputSize, In8H32.OutputSize));
            }
        }

        /// <summary>The same frame in one call: groups of 16 agents stepped together, one per vector lane.</summary>
        [Benchmark, Macs(Shape = ShapeName, Sequences = DefaultAgents)]
        public void GeneratedGroups() => _model.Step(_states, _inputs, _outputs);

        /// <summary>Every agent stepped by the scalar baseline.</summary>
        [Benchmark, Macs(Shape = ShapeName, Sequences = DefaultAgents)]
        public void Naive() => Frame(_naive);

        /// <summary>Every agent stepped by the TensorPrimitives (MultiplyAdd) baseline.</summary>
        [Benchmark, Macs(Shape = ShapeName, Sequences = DefaultAgents)]
        public void TensorPrimitivesAxpy() => Frame(_axpy);

        private void Frame(BaselineLstm baseline)
        {
            const int h = In8H32.HiddenSize;
            for (int agent = 0; agent < Agents; agent++)
            {
                baseline.Step(
                    _hidden.AsSpan(agent * h, h),
                    _cell.AsSpan(agent * h, h),
                    _inputs.AsSpan(agent * In8H32.InputSize, In8H32.InputSize),
                    _outputs.AsSpan(agent * In8H32.OutputSize, In8H32.OutputSize));
            }
        }
    }
}
