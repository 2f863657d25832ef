using System;
using System.Collections.Generic;
using LstmGen;

namespace LstmGen.Tests.Reference
{
    // States of fewer than 16 units whose input is at least as wide: Forward computes their input projection a
    // chunk at a time, where Step runs whole steps, and the two must agree bit for bit on every path. Between them
    // they have every kind of block (8, 4 and single units), a head or none, one layer or three.

    [Lstm(InputSize = 8, HiddenSize = 8, OutputSize = 1)]
    internal partial class ProjectedI8H8Model
    {
    }

    [Lstm(InputSize = 9, HiddenSize = 7, Layers = 2, OutputSize = 3)]
    internal partial class ProjectedI9H7X2Model
    {
    }

    [Lstm(InputSize = 13, HiddenSize = 13, Layers = 3)]
    internal partial class ProjectedI13H13X3Model
    {
    }

    [Lstm(InputSize = 3, HiddenSize = 1, OutputSize = 2)]
    internal partial class ProjectedI3H1Model
    {
    }

    /// <summary>Forward against Step on the models above.</summary>
    internal static class ProjectedModels
    {
        /// <summary>Steps of the sequence: two whole chunks of Forward's and part of a third.</summary>
        public const int SequenceLength = 75;

        public static readonly IReadOnlyDictionary<string, Func<ILstmModel>> ByName = new Dictionary<string, Func<ILstmModel>>
        {
            ["i8h8"] = () => new ProjectedI8H8Model(seed: 11),
            ["i9h7x2"] = () => new ProjectedI9H7X2Model(seed: 12),
            ["i13h13x3"] = () => new ProjectedI13H13X3Model(seed: 13),
            ["i3h1"] = () => new ProjectedI3H1Model(seed: 14),
        };

        /// <summary>
        /// Runs one model's sequence (inputs from a fixed formula, from a state that is not zero) through Forward and,
        /// on a second copy of the model, one Step at a time; returns whether the two gave the same bits (outputs and
        /// final states) and a digest of Forward's bits.
        /// </summary>
        public static (bool Same, string Digest) Compare(string name)
        {
            ILstmModel forward = ByName[name]();
            ILstmModel step = ByName[name]();
            float[] inputs = new float[SequenceLength * forward.InputSize];
            for (int i = 0; i < inputs.Length; i++)
            {
                inputs[i] = MathF.Sin(0.37f * i) * 1.5f;
            }

            float[] initialHidden = new float[forward.Layers * forward.HiddenSize];
            float[] initialCell = new float[initialHidden.Length];
            for (int i = 0; i < initialHidden.Length; i++)
            {
                initialHidden[i] = MathF.Cos(0.9f * i) * 0.5f;
                initialCell[i] = MathF.Sin(1.3f * i);
            }

            forward.SetState(initialHidden, initialCell);
            step.SetState(initialHidden, initialCell);

            int outputSize = forward.OutputSize;
            float[] forwardOutputs = new float[SequenceLength * outputSize];
            forward.Forward(inputs, forwardOutputs);
            float[] stepOutputs = new float[forwardOutputs.Length];
            for (int t = 0; t < SequenceLength; t++)
            {
                step.Step(inputs.AsSpan(t * forward.InputSize, forward.InputSize), stepOutputs.AsSpan(t * outputSize, outputSize));
            }

            var (forwardHidden, forwardCell) = State(forward);
            var (stepHidden, stepCell) = State(step);
            string forwardDigest = ReferenceComparison.Digest(forwardOutputs, forwardHidden, forwardCell);
            return (forwardDigest == ReferenceComparison.Digest(stepOutputs, stepHidden, stepCell), forwardDigest);
        }

        private static (float[] Hidden, float[] Cell) State(ILstmModel model)
        {
            float[] hidden = new float[model.Layers * model.HiddenSize];
            float[] cell = new float[hidden.Length];
            model.GetState(hidden, cell);
            return (hidden, cell);
        }
    }
}
