using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using LstmGen.Benchmarks.Infrastructure;

namespace LstmGen.Benchmarks.Onnx
{
    /// <summary>
    /// Checks, for one exported shape, that PyTorch (the reference outputs export_onnx.py saved), ONNX
    /// Runtime and the generated model compute the same values: a 5-step reference sequence through all
    /// three, then 100 steps of ONNX Runtime's ping-pong Step against the generated model's Step.
    /// </summary>
    public static class OnnxVerification
    {
        /// <summary>The largest difference allowed.</summary>
        public const float Tolerance = 1e-4f;

        /// <summary>Differences of one shape: generated vs PyTorch, ONNX Runtime vs PyTorch, and Step vs Step.</summary>
        /// <param name="GeneratedVsTorch">The generated model's Forward against PyTorch's outputs and final state.</param>
        /// <param name="OrtVsTorch">ONNX Runtime's sequence run against PyTorch's outputs and final state.</param>
        /// <param name="OrtStepVsGenerated">100 carried steps of ONNX Runtime against the generated model's Step.</param>
        public readonly record struct Result(float GeneratedVsTorch, float OrtVsTorch, float OrtStepVsGenerated)
        {
            /// <summary>The worst of the three.</summary>
            public float Worst => Math.Max(GeneratedVsTorch, Math.Max(OrtVsTorch, OrtStepVsGenerated));
        }

        /// <summary>Runs the checks of one shape.</summary>
        public static Result Check(string name)
        {
            using JsonDocument json = JsonDocument.Parse(File.ReadAllText(Path.Combine(OnnxModels.Directory, name + ".reference.json")));
            float[] Read(string property) => json.RootElement.GetProperty(property).EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();
            float[] inputs = Read("inputs");
            float[] outputs = Read("outputs");
            float[] hidden = Read("hidden_state");
            float[] cell = Read("cell_state");

            Shape shape = Shapes.Get(name);
            int steps = inputs.Length / shape.InputSize;

            ILstmModel model = OnnxModels.CreateModel(name);
            float[] generated = new float[outputs.Length];
            float[] generatedHidden = new float[hidden.Length];
            float[] generatedCell = new float[cell.Length];
            model.Forward(inputs, generated);
            model.GetState(generatedHidden, generatedCell);
            float generatedVsTorch = Max(Difference(generated, outputs), Difference(generatedHidden, hidden), Difference(generatedCell, cell));

            float ortVsTorch;
            using (var sequence = new OrtLstm(shape, OnnxModels.Directory, steps))
            {
                inputs.CopyTo(sequence.SequenceInput, 0);
                sequence.Forward();
                ortVsTorch = Max(Difference(sequence.SequenceOutput, outputs), Difference(sequence.LastHidden, hidden), Difference(sequence.LastCell, cell));
            }

            float stepVsStep = 0;
            using (var ort = new OrtLstm(shape, OnnxModels.Directory, 1))
            {
                model.ResetState();
                ort.ResetState();
                float[] stream = Data.Uniform(100 * shape.InputSize, seed: 11);
                float[] output = new float[shape.OutputSize];
                for (int t = 0; t < 100; t++)
                {
                    ReadOnlySpan<float> x = stream.AsSpan(t * shape.InputSize, shape.InputSize);
                    x.CopyTo(ort.StepInput);
                    ort.Step();
                    model.Step(x, output);
                    stepVsStep = Math.Max(stepVsStep, Difference(ort.StepOutput, output));
                }

                model.GetState(generatedHidden, generatedCell);
                (float[] ortHidden, float[] ortCell) = ort.CurrentState;
                stepVsStep = Max(stepVsStep, Difference(ortHidden, generatedHidden), Difference(ortCell, generatedCell));
            }

            return new Result(generatedVsTorch, ortVsTorch, stepVsStep);
        }

        /// <summary>Throws when a check of the shape fails.</summary>
        public static void Require(string name)
        {
            Result result = Check(name);
            if (!(result.Worst <= Tolerance))
            {
                throw new InvalidOperationException($"Shape {name}: {result} exceeds {Tolerance}.");
            }
        }

        /// <summary>Checks every exported shape, one line each; returns whether all agree.</summary>
        public static bool RunAll(TextWriter writer)
        {
            bool ok = true;
            foreach (string name in OnnxModels.Names)
            {
                Result result = Check(name);
                bool pass = result.Worst <= Tolerance;
                ok &= pass;
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name,-8} generated vs PyTorch {result.GeneratedVsTorch:E2}, ONNX Runtime vs PyTorch {result.OrtVsTorch:E2}, ONNX Runtime Step vs generated Step (100 steps) {result.OrtStepVsGenerated:E2}  {(pass ? "ok" : "FAIL")}"));
            }

            return ok;
        }

        private static float Max(float a, float b, float c) => Math.Max(a, Math.Max(b, c));

        private static float Difference(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
        {
            if (a.Length != b.Length)
            {
                return float.PositiveInfinity;
            }

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
