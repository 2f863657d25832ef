using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace LstmGen.Benchmarks.Infrastructure
{
    /// <summary>
    /// <c>--vs-bf16 [ROUNDS]</c>: the float32 models of the shapes at hidden 128 and 256 against the same shapes with
    /// <c>WeightPrecision = WeightPrecision.BFloat16</c> (the same weights, rounded), in one process: each round times
    /// Step and Forward (100 steps) of every model, the two precisions of a shape taking their turns one after the
    /// other (<see cref="Survey.Fastest"/>), so that a drift in the processor's speed reaches both alike. The table
    /// gives the median over rounds of each and the ratio float32 / bfloat16 (above 1: bfloat16 is faster).
    /// </summary>
    public static class BFloat16Comparison
    {
        /// <summary>The shapes compared, each with its bfloat16 model.</summary>
        private static readonly (string Shape, Func<ILstmModel> Create)[] s_models =
        {
            ("i1h128", () => new In1H128BFloat16(Shapes.Seed)),
            ("i8h128", () => new In8H128BFloat16(Shapes.Seed)),
            ("i32h128", () => new In32H128BFloat16(Shapes.Seed)),
            ("i1h256", () => new In1H256BFloat16(Shapes.Seed)),
            ("i8h256", () => new In8H256BFloat16(Shapes.Seed)),
            ("i32h256", () => new In32H256BFloat16(Shapes.Seed)),
        };

        /// <summary>Runs the comparison on the selected shapes (<c>LSTMGEN_BENCH_SHAPES</c>) and writes the table.</summary>
        public static int Run(int rounds, TextWriter writer)
        {
            string[] shapes = Shapes.Select(s_models.Select(model => model.Shape)).ToArray();
            var entries = new List<Survey.Entry>();
            foreach (string name in shapes)
            {
                // Per shape: Step of each precision, then Forward of each, so that entries i and i + 1 (i even) are one
                // operation's float32 and bfloat16 turns.
                Shape shape = Shapes.Get(name);
                ILstmModel[] models = { shape.Create(), s_models.First(model => model.Shape == name).Create() };
                float[] input = Data.Uniform(shape.InputSize, seed: 1);
                float[] output = new float[shape.OutputSize];
                foreach (ILstmModel model in models)
                {
                    entries.Add(new Survey.Entry("Step", name, model.WeightPrecision.ToString(), shape.StepMacs, n =>
                    {
                        for (long i = 0; i < n; i++)
                        {
                            model.Step(input, output);
                        }
                    }, Steps: 1));
                }

                float[] inputs = Data.Uniform(ForwardBenchmarks.Steps * shape.InputSize, seed: 2);
                float[] outputs = new float[ForwardBenchmarks.Steps * shape.OutputSize];
                foreach (ILstmModel model in models)
                {
                    entries.Add(new Survey.Entry("Forward100", name, model.WeightPrecision.ToString(), shape.StepMacs * ForwardBenchmarks.Steps, n =>
                    {
                        for (long i = 0; i < n; i++)
                        {
                            model.ResetState();
                            model.Forward(inputs, outputs);
                        }
                    }, Steps: ForwardBenchmarks.Steps));
                }
            }

            var times = entries.Select(_ => new List<double>()).ToArray();
            for (int round = 1; round <= rounds; round++)
            {
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round}/{rounds} at {DateTime.UtcNow:HH:mm:ss} UTC"));
                double[] fastest = Survey.Fastest(entries, rounds: 20, roundMilliseconds: 5);
                for (int i = 0; i < entries.Count; i++)
                {
                    times[i].Add(fastest[i]);
                }
            }

            writer.WriteLine();
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{rounds} rounds; ns per step (Forward100: per 100 steps), median over rounds of the fastest of 20 turns; {NativeWidth.Bits}-bit vectors."));
            writer.WriteLine();
            writer.WriteLine("| shape | operation | float32 | bfloat16 | float32 / bfloat16 |");
            writer.WriteLine("|---|---|---:|---:|---:|");
            for (int i = 0; i < entries.Count; i += 2)
            {
                if (entries[i].Method != nameof(WeightPrecision.Float32) || entries[i + 1].Method != nameof(WeightPrecision.BFloat16) || entries[i].Group != entries[i + 1].Group)
                {
                    throw new InvalidOperationException($"Entries {i} and {i + 1} are not one operation's float32 and bfloat16 turns.");
                }

                double float32 = ChildProcess.Median(times[i]);
                double bfloat16 = ChildProcess.Median(times[i + 1]);
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {entries[i].Shape} | {entries[i].Group} | {float32:N0} | {bfloat16:N0} | {float32 / bfloat16:0.00}x |"));
            }

            return 0;
        }
    }
}
