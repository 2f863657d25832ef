using System;
using LstmGen.Tests.Reference;
using Xunit;

namespace LstmGen.Tests.Support
{
    /// <summary>One Step at a time against Forward on a PyTorch case: the same bits, outputs and final states.</summary>
    internal static class StepByStep
    {
        /// <summary>
        /// Runs the case through Forward (<see cref="ReferenceModels.Run"/>), then, from the case's initial state (or
        /// zero), through the model's own state one Step at a time, and asserts that both give the same bits.
        /// </summary>
        public static void AssertGivesTheBitsOfForward(string name)
        {
            ReferenceCase reference = ReferenceCase.Load(name);
            var (model, forwardOutputs, forwardHidden, forwardCell) = ReferenceModels.Run(reference);
            int outputSize = model.OutputSize;
            reference.LoadInto(model);
            if (reference.InitialHidden is null)
            {
                model.ResetState();
            }

            float[] stepOutputs = new float[forwardOutputs.Length];
            for (int t = 0; t < reference.SequenceLength; t++)
            {
                model.Step(reference.Input.AsSpan(t * model.InputSize, model.InputSize), stepOutputs.AsSpan(t * outputSize, outputSize));
            }

            float[] stepHidden = new float[forwardHidden.Length];
            float[] stepCell = new float[forwardCell.Length];
            model.GetState(stepHidden, stepCell);
            Assert.Equal(forwardOutputs, stepOutputs);
            Assert.Equal(forwardHidden, stepHidden);
            Assert.Equal(forwardCell, stepCell);
        }
    }
}
