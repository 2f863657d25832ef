using System.Collections.Generic;
using LstmGen.Benchmarks.Infrastructure;

namespace LstmGen.Benchmarks.Onnx
{
    /// <summary>The ONNX benchmarks' operations, for the quick <c>--survey</c>.</summary>
    public static class OnnxSurvey
    {
        /// <summary>Step and Forward (100 steps), generated and ONNX Runtime, of every selected exported shape.</summary>
        public static IEnumerable<Survey.Entry> All()
        {
            foreach (string name in OnnxModels.Names)
            {
                var step = new OnnxStepBenchmarks { Shape = name };
                step.Setup();
                Shape shape = Shapes.Get(name);
                yield return new Survey.Entry("Step", name, "Generated", shape.StepMacs, n => Repeat(n, step.Generated), Steps: 1);
                yield return new Survey.Entry("Step", name, "OnnxRuntime", shape.StepMacs, n => Repeat(n, step.OnnxRuntime), Steps: 1);

                var forward = new OnnxForwardBenchmarks { Shape = name };
                forward.Setup();
                yield return new Survey.Entry("Forward100", name, "Generated", 100 * shape.StepMacs, n => Repeat(n, forward.Generated), Steps: 100);
                yield return new Survey.Entry("Forward100", name, "OnnxRuntime", 100 * shape.StepMacs, n => Repeat(n, forward.OnnxRuntime), Steps: 100);
            }
        }

        private static void Repeat(long count, System.Action action)
        {
            for (long i = 0; i < count; i++)
            {
                action();
            }
        }
    }
}
