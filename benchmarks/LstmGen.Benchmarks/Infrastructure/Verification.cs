using System;
using System.Globalization;
using System.IO;
using LstmGen.Benchmarks.Baselines;

namespace LstmGen.Benchmarks.Infrastructure
{
    /// <summary>
    /// Checks that the baselines compute what the generated model computes, on the same weights and
    /// inputs, so that the timings compare like with like.
    /// </summary>
    public static class Verification
    {
        /// <summary>The largest difference allowed between a baseline and the generated model.</summary>
        public const float Tolerance = 1e-4f;

        /// <summary>
        /// Steps a fresh copy of the shape's generated model and each baseline through the same sequence
        /// and returns the largest difference of any output, hidden or cell value; the model's Forward is
        /// checked against its own Step too.
        /// </summary>
        public static float MaxDifference(Shape shape, int steps = 100)
        {
            ILstmModel model = shape.Create();
            BaselineLstm[] baselines =
            {
                new NaiveLstm(model),
                new TensorPrimitivesLstm(model, GateFormulation.RowDot),
                new TensorPrimitivesLstm(model, GateFormulation.TransposedAxpy),
            };

            int stateLength = shape.Layers * shape.HiddenSize;
            float[] inputs = Data.Uniform(steps * shape.InputSize, seed: 7);
            float[] expected = new float[steps * shape.OutputSize];
            float[] expectedHidden = new float[stateLength];
            float[] expectedCell = new float[stateLength];
            model.ResetState();
            for (int t = 0; t < steps; t++)
            {
                model.Step(inputs.AsSpan(t * shape.InputSize, shape.InputSize), expected.AsSpan(t * shape.OutputSize, shape.OutputSize));
            }

            model.GetState(expectedHidden, expectedCell);

            float worst = 0;
            float[] outputs = new float[expected.Length];
            model.ResetState();
            model.Forward(inputs, outputs);
            worst = Math.Max(worst, Difference(expected, outputs));

            foreach (BaselineLstm baseline in baselines)
            {
                float[] hidden = new float[stateLength];
                float[] cell = new float[stateLength];
                for (int t = 0; t < steps; t++)
                {
                    baseline.Step(hidden, cell, inputs.AsSpan(t * shape.InputSize, shape.InputSize), outputs.AsSpan(t * shape.OutputSize, shape.OutputSize));
                }

                worst = Math.Max(worst, Difference(expected, outputs));
                worst = Math.Max(worst, Difference(expectedHidden, hidden));
                worst = Math.Max(worst, Difference(expectedCell, cell));

                Array.Clear(outputs);
                baseline.ResetState();
                baseline.Forward(inputs, outputs);
                worst = Math.Max(worst, Difference(expected, outputs));
            }

            return worst;
        }

        /// <summary>Throws when a baseline differs from the generated model by more than <see cref="Tolerance"/>.</summary>
        public static void Require(Shape shape)
        {
            float difference = MaxDifference(shape, steps: 20);
            if (!(difference <= Tolerance))
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                    $"Shape {shape.Name}: a baseline differs from the generated model by {difference:G3} (> {Tolerance:G1})."));
            }
        }

        /// <summary>Checks every shape and writes one line each; returns whether all agree.</summary>
        public static bool RunAll(TextWriter writer)
        {
            bool ok = true;
            foreach (string name in Shapes.Selected)
            {
                float difference = MaxDifference(Shapes.Get(name));
                bool pass = difference <= Tolerance;
                ok &= pass;
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name,-9} max |generated - baseline| over 100 steps (outputs, h, c; Step and Forward) = {difference:E2}  {(pass ? "ok" : "FAIL")}"));
            }

            return ok;
        }

        private static float Difference(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
        {
            float worst = 0;
            for (int i = 0; i < a.Length; i++)
            {
                float d = MathF.Abs(a[i] - b[i]);
                worst = float.IsNaN(d) ? float.PositiveInfinity : Math.Max(worst, d);
            }

            return worst;
        }
    }
}
