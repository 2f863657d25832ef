using System;
using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using LstmGen.Benchmarks.Infrastructure;

namespace LstmGen.Benchmarks.Onnx
{
    /// <summary>The shape parameter, the generated model and ONNX Runtime's session, on the same weights.</summary>
    public abstract class OnnxBenchmarkBase
    {
        /// <summary>The exported shapes.</summary>
        public static IEnumerable<string> ShapeNames => OnnxModels.Names;

        /// <summary>The case's shape.</summary>
        [ParamsSource(nameof(ShapeNames))]
        public string Shape { get; set; } = "i8h32";

        /// <summary>The generated model, with the exported weights.</summary>
        protected ILstmModel Model { get; private set; } = null!;

        /// <summary>ONNX Runtime's session of the exported model.</summary>
        protected OrtLstm Ort { get; private set; } = null!;

        /// <summary>Loads both and checks that they agree (see <see cref="OnnxVerification"/>).</summary>
        [GlobalSetup]
        public void Setup()
        {
            OnnxVerification.Require(Shape);
            Model = OnnxModels.CreateModel(Shape);
            Ort = new OrtLstm(Shapes.Get(Shape), OnnxModels.Directory, ForwardBenchmarksSteps);
            Data.Uniform(Ort.StepInput.Length, seed: 1).CopyTo(Ort.StepInput, 0);
            Data.Uniform(Ort.SequenceInput.Length, seed: 2).CopyTo(Ort.SequenceInput, 0);
        }

        /// <summary>Frees the session.</summary>
        [GlobalCleanup]
        public void Cleanup() => Ort.Dispose();

        /// <summary>The length of the Forward benchmarks' sequence.</summary>
        protected const int ForwardBenchmarksSteps = 100;
    }

    /// <summary>One step of one sequence, the state carried from call to call.</summary>
    [MemoryDiagnoser]
    public class OnnxStepBenchmarks : OnnxBenchmarkBase
    {
        /// <summary>The generated model's Step.</summary>
        [Benchmark(Baseline = true), Macs]
        public void Generated() => Model.Step(Ort.StepInput, Ort.StepOutput);

        /// <summary>ONNX Runtime: RunWithBinding on a sequence of length 1, the state ping-ponged between bound buffers.</summary>
        [Benchmark, Macs]
        public void OnnxRuntime() => Ort.Step();
    }

    /// <summary>A sequence of 100 steps from the zero state.</summary>
    [MemoryDiagnoser]
    public class OnnxForwardBenchmarks : OnnxBenchmarkBase
    {
        /// <summary>The generated model's Forward.</summary>
        [Benchmark(Baseline = true), Macs(Steps = ForwardBenchmarksSteps)]
        public void Generated()
        {
            Model.ResetState();
            Model.Forward(Ort.SequenceInput, Ort.SequenceOutput);
        }

        /// <summary>ONNX Runtime: one RunWithBinding over the whole sequence.</summary>
        [Benchmark, Macs(Steps = ForwardBenchmarksSteps)]
        public void OnnxRuntime() => Ort.Forward();
    }
}
