using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using LstmGen.Benchmarks.Baselines;
using LstmGen.Benchmarks.Infrastructure;

namespace LstmGen.Benchmarks
{
    /// <summary>
    /// The grid of shapes, shared by the Step and Forward benchmarks: the generated model of the case's
    /// shape (through <see cref="ILstmModel"/>; each benchmark runs in its own process, where dynamic PGO
    /// sees a single model type) and the baselines, loaded with the same weights and checked against it.
    /// </summary>
    public abstract class ShapeBenchmarkBase
    {
        /// <summary>The grid: input 1, 8, 32 x hidden 8 to 256, one layer; and two layers of 64 (input 8).</summary>
        public static IEnumerable<string> ShapeNames => Shapes.Selected;

        /// <summary>The case's shape, by name (see <see cref="Shapes"/>).</summary>
        [ParamsSource(nameof(ShapeNames))]
        public string Shape { get; set; } = "i8h32";

        /// <summary>The generated model.</summary>
        protected ILstmModel Model { get; private set; } = null!;

        /// <summary>The scalar baseline.</summary>
        protected NaiveLstm NaiveModel { get; private set; } = null!;

        /// <summary>The TensorPrimitives baseline, one Dot per gate row.</summary>
        protected TensorPrimitivesLstm DotModel { get; private set; } = null!;

        /// <summary>The TensorPrimitives baseline, one MultiplyAdd per transposed row.</summary>
        protected TensorPrimitivesLstm AxpyModel { get; private set; } = null!;

        /// <summary>The case's shape.</summary>
        protected Shape CurrentShape { get; private set; } = null!;

        /// <summary>Creates the model and the baselines, and checks that they agree.</summary>
        [GlobalSetup]
        public void CreateModels()
        {
            CurrentShape = Shapes.Get(Shape);
            Verification.Require(CurrentShape);
            Model = CurrentShape.Create();
            NaiveModel = new NaiveLstm(Model);
            DotModel = new TensorPrimitivesLstm(Model, GateFormulation.RowDot);
            AxpyModel = new TensorPrimitivesLstm(Model, GateFormulation.TransposedAxpy);
            Setup();
        }

        /// <summary>The derived benchmark's own buffers.</summary>
        protected abstract void Setup();
    }
}
