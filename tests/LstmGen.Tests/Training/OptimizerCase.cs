using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using LstmGen.Tests.Reference;
using LstmGen.Training;

namespace LstmGen.Tests.Training
{
    /// <summary>
    /// One optimizer case computed by PyTorch (see Reference/README.md): the options of a
    /// <c>torch.optim</c> optimizer, a start vector, the gradient of each step, and the parameters
    /// after each step.
    /// </summary>
    internal sealed class OptimizerCase
    {
        public static readonly string[] Names = { "sgd", "sgd-momentum-nesterov", "adam", "adamw", "rmsprop" };

        private OptimizerCase(string name, JsonElement root)
        {
            Name = name;
            Optimizer = root.GetProperty("optimizer").GetString()!;
            Options = root.GetProperty("options").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
            Start = ReadVector(root.GetProperty("start"));
            Gradients = root.GetProperty("gradients").EnumerateArray().Select(ReadVector).ToArray();
            ParametersAfterEachStep = root.GetProperty("parametersAfterEachStep").EnumerateArray().Select(ReadVector).ToArray();
        }

        public string Name { get; }

        /// <summary>PyTorch's optimizer: sgd, adam, adamw or rmsprop.</summary>
        public string Optimizer { get; }

        /// <summary>The keyword arguments of the optimizer, by PyTorch's names (lr, betas, ...).</summary>
        public IReadOnlyDictionary<string, JsonElement> Options { get; }

        /// <summary>The parameters before the first step (exact in float).</summary>
        public double[] Start { get; }

        /// <summary>The gradient of each step (exact in float).</summary>
        public double[][] Gradients { get; }

        /// <summary>The parameters after each step, computed in double.</summary>
        public double[][] ParametersAfterEachStep { get; }

        public static OptimizerCase Load(string name)
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(ReferenceCase.Directory, name + ".json")));
            return new OptimizerCase(name, document.RootElement);
        }

        public static float[] ToSingle(double[] values) => values.Select(value => (float)value).ToArray();

        /// <summary>The optimizer of the case, its options mapped from PyTorch's keywords to this library's parameters.</summary>
        public IOptimizer CreateOptimizer()
        {
            var unused = new HashSet<string>(Options.Keys);
            float Number(string key, float fallback)
            {
                unused.Remove(key);
                return Options.TryGetValue(key, out JsonElement value) ? (float)value.GetDouble() : fallback;
            }

            bool Flag(string key)
            {
                unused.Remove(key);
                return Options.TryGetValue(key, out JsonElement value) && value.GetBoolean();
            }

            float Beta(int index, float fallback)
            {
                unused.Remove("betas");
                return Options.TryGetValue("betas", out JsonElement value) ? (float)value[index].GetDouble() : fallback;
            }

            IOptimizer optimizer = Optimizer switch
            {
                "sgd" => new Sgd(Number("lr", float.NaN), Number("momentum", 0f), Number("dampening", 0f), Flag("nesterov"), Number("weight_decay", 0f)),
                "adam" => new Adam(Number("lr", 1e-3f), Beta(0, 0.9f), Beta(1, 0.999f), Number("eps", 1e-8f), Number("weight_decay", 0f)),
                "adamw" => new AdamW(Number("lr", 1e-3f), Beta(0, 0.9f), Beta(1, 0.999f), Number("eps", 1e-8f), Number("weight_decay", 1e-2f)),
                "rmsprop" => new RmsProp(Number("lr", 1e-2f), Number("alpha", 0.99f), Number("eps", 1e-8f), Number("weight_decay", 0f), Number("momentum", 0f), Flag("centered")),
                _ => throw new InvalidOperationException($"Case {Name}: unknown optimizer '{Optimizer}'."),
            };

            if (unused.Count > 0)
            {
                throw new InvalidOperationException($"Case {Name}: options not mapped: {string.Join(", ", unused)}.");
            }

            return optimizer;
        }

        private static double[] ReadVector(JsonElement element) => element.EnumerateArray().Select(e => e.GetDouble()).ToArray();
    }
}
