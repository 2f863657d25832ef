// The model every consumer project builds from the package, and what it prints: digests of the exact bits of
// its initial weights, a save and load, single steps, Forward, many agents, gradients and an optimizer step.
// The tests run the same code against the in-repo build and compare the lines.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using LstmGen;
using LstmGen.Training;

namespace Consumer
{
    [Lstm(InputSize = 5, HiddenSize = 12, Layers = 2, OutputSize = 3)]
    internal sealed partial class ConsumerModel
    {
    }

    // Weights compiled in from an AdditionalFiles item (F16, converted at compile time): no file at run time.
    [Lstm(InputSize = 3, HiddenSize = 4, OutputSize = 2, Weights = "Common/pilot.safetensors")]
    internal sealed partial class CompiledPilot
    {
    }

    internal static class ConsumerRun
    {
        private const int Steps = 20;
        private const int Agents = 5;

        /// <summary>The lines a consumer prints; <paramref name="directory"/> receives the weight file.</summary>
        public static IReadOnlyList<string> Lines(string directory)
        {
            var lines = new List<string>();
            var model = new ConsumerModel(seed: 2026);
            lines.Add("parameters " + Digest(model.Parameters));
            lines.Add("compiled " + Digest(new CompiledPilot().Parameters));

            string path = Path.Combine(directory, "consumer.safetensors");
            model.Save(path);
            var loaded = new ConsumerModel(seed: 1);
            loaded.Load(path);
            lines.Add("loaded " + Digest(loaded.Parameters));

            float[] inputs = new float[Steps * ConsumerModel.InputSize];
            var random = new DeterministicRandom(3);
            for (int i = 0; i < inputs.Length; i++)
            {
                inputs[i] = random.NextSingle(-2f, 2f);
            }

            float[] outputs = new float[Steps * ConsumerModel.OutputSize];
            for (int t = 0; t < Steps; t++)
            {
                loaded.Step(inputs.AsSpan(t * ConsumerModel.InputSize, ConsumerModel.InputSize), outputs.AsSpan(t * ConsumerModel.OutputSize, ConsumerModel.OutputSize));
            }

            lines.Add("step " + Digest(outputs));

            loaded.ResetState();
            loaded.Forward(inputs, outputs);
            lines.Add("forward " + Digest(outputs));

            var states = new ConsumerModel.State[Agents];
            float[] agentOutputs = new float[Agents * ConsumerModel.OutputSize];
            for (int t = 0; t + Agents <= Steps; t++)
            {
                loaded.Step(states, inputs.AsSpan(t * ConsumerModel.InputSize, Agents * ConsumerModel.InputSize), agentOutputs);
            }

            lines.Add("agents " + Digest(agentOutputs));

            float[] targets = new float[Steps * ConsumerModel.OutputSize];
            for (int i = 0; i < targets.Length; i++)
            {
                targets[i] = random.NextSingle(-1f, 1f);
            }

            var optimizer = new Adam(learningRate: 1e-2f);
            for (int epoch = 0; epoch < 3; epoch++)
            {
                loaded.ZeroGradients();
                loaded.ResetState();
                float loss = loaded.AccumulateGradients(inputs, targets);
                lines.Add("loss " + BitConverter.SingleToInt32Bits(loss).ToString("X8", CultureInfo.InvariantCulture));
                lines.Add("gradients " + Digest(loaded.Gradients));
                GradientClipping.ClipByGlobalNorm(loaded.Gradients, maxNorm: 1f);
                optimizer.Step(loaded.Parameters, loaded.Gradients);
            }

            lines.Add("trained " + Digest(loaded.Parameters));
            return lines;
        }

        /// <summary>FNV-1a (64-bit) of the floats' bits.</summary>
        private static string Digest(ReadOnlySpan<float> values)
        {
            ulong hash = 14695981039346656037;
            foreach (float value in values)
            {
                uint bits = (uint)BitConverter.SingleToInt32Bits(value);
                for (int shift = 0; shift < 32; shift += 8)
                {
                    hash = (hash ^ ((bits >> shift) & 0xFF)) * 1099511628211;
                }
            }

            return hash.ToString("X16", CultureInfo.InvariantCulture) + " (" + values.Length.ToString(CultureInfo.InvariantCulture) + ")";
        }
    }
}
