using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using LstmGen.CompilerServices;
using LstmGen.Serialization;
using LstmGen.Training;

namespace LstmGen.Tests.Portable
{
    /// <summary>
    /// Runs the runtime's arithmetic, optimizers, schedules, losses, random numbers and weight files on fixed inputs
    /// and digests the exact bits of every result. The tests run it in process (the net10.0 runtime) and in
    /// LstmGen.PortableRunner, a program built against the netstandard2.1 runtime: every line must be equal.
    /// </summary>
    public static class PortableProbe
    {
        /// <summary>"name digest" lines, in a fixed order.</summary>
        public static IReadOnlyList<string> Run(string fixtureDirectory)
        {
            var lines = new List<string>();
            void Add(string name, ReadOnlySpan<float> values) => lines.Add($"{name} {Digest(values)}");

            // Activations over a dense grid and over random finite bit patterns (every exponent, subnormals included).
            float[] inputs = Inputs();
            Add("sigmoid", Map(inputs, LstmMath.Sigmoid));
            Add("tanh", Map(inputs, LstmMath.Tanh));
            Add("exp", Map(inputs, LstmMath.Exp));
            Add("flush-negligible", Map(inputs, LstmMath.FlushNegligible));

            // Fused multiply-add: a software FMA on netstandard2.1, the processor's on .NET 8+.
            var random = new DeterministicRandom(12);
            float[] products = new float[1 << 18];
            for (int i = 0; i < products.Length; i++)
            {
                products[i] = LstmMath.MultiplyAdd(RandomFinite(random), RandomFinite(random), RandomFinite(random));
            }

            Add("multiply-add", products);
            for (int i = 0; i < products.Length; i++)
            {
                float a = random.NextSingle(-4f, 4f);
                float b = random.NextSingle(-4f, 4f);
                products[i] = LstmMath.MultiplyAdd(a, b, -(a * b)); // the rounding error of a * b: cancellation
            }

            Add("multiply-add-cancellation", products);
            for (int i = 0; i < products.Length; i++)
            {
                // a b a float midpoint (25 significant bits), c far below it: only a correctly rounded FMA goes c's way.
                float a = (4097 + (2 * random.NextInt32(2048))) * (random.NextInt32(2) == 0 ? 1f : -1f);
                float b = 6145 + (2 * random.NextInt32(1024));
                float c = random.NextSingle(-1f, 1f) * 1e-12f;
                products[i] = LstmMath.MultiplyAdd(a, b, c);
            }

            Add("multiply-add-near-ties", products);

            float[] softmax = new float[4096];
            Initializers.Uniform(softmax, 30f, new DeterministicRandom(5));
            for (int start = 0; start < softmax.Length; start += 64)
            {
                LstmMath.Softmax(softmax.AsSpan(start, 64));
            }

            Add("softmax", softmax);
            float[] sums = new float[256];
            for (int i = 0; i < sums.Length; i++)
            {
                sums[i] = LstmMath.Sum(softmax.AsSpan(i * 16, 16));
            }

            Add("sum16", sums);

            // Optimizers: five steps on 1037 parameters (vector widths and a remainder on .NET 8+).
            var optimizers = new (string Name, Func<IOptimizer> Create)[]
            {
                ("sgd", () => new Sgd(0.1f)),
                ("sgd-nesterov", () => new Sgd(0.05f, momentum: 0.9f, nesterov: true, weightDecay: 1e-3f)),
                ("sgd-dampening", () => new Sgd(0.05f, momentum: 0.8f, dampening: 0.3f)),
                ("adam", () => new Adam(1e-2f)),
                ("adam-l2", () => new Adam(1e-2f, weightDecay: 1e-2f)),
                ("adamw", () => new AdamW(1e-2f)),
                ("rmsprop", () => new RmsProp(1e-2f)),
                ("rmsprop-centered-momentum", () => new RmsProp(1e-2f, momentum: 0.9f, centered: true, weightDecay: 1e-3f)),
            };
            foreach (var (name, create) in optimizers)
            {
                IOptimizer optimizer = create();
                float[] parameters = new float[1037];
                float[] gradients = new float[parameters.Length];
                var values = new DeterministicRandom(7);
                Initializers.Uniform(parameters, 1f, values);
                for (int step = 0; step < 5; step++)
                {
                    Initializers.Uniform(gradients, 0.5f, values);
                    optimizer.Step(parameters, gradients);
                }

                Add(name, parameters);
            }

            float[] clipped = new float[1037];
            Initializers.Uniform(clipped, 3f, new DeterministicRandom(8));
            float norm = GradientClipping.ClipByGlobalNorm(clipped, 1f);
            Add("clip-by-global-norm", clipped.Append(norm).ToArray());

            var schedules = new ILearningRateSchedule[]
            {
                new StepDecay(0.1f, 7, 0.5f),
                new CosineAnnealing(0.1f, 100, 1e-3f),
                new LinearWarmup(new CosineAnnealing(0.1f, 100), 10),
            };
            Add("schedules", schedules.SelectMany(schedule => Enumerable.Range(0, 120).Select(step => schedule.LearningRate(step))).ToArray());

            // Losses and the head's activation gradients.
            float[] logits = new float[8];
            float[] outputs = new float[8];
            float[] target = new float[8];
            float[] logitGradients = new float[8];
            var lossValues = new List<float>();
            var lossRandom = new DeterministicRandom(9);
            foreach (Activation activation in new[] { Activation.Linear, Activation.Sigmoid, Activation.Tanh, Activation.Softmax })
            {
                for (int trial = 0; trial < 50; trial++)
                {
                    Initializers.Uniform(logits, 4f, lossRandom);
                    Initializers.Uniform(target, 1f, lossRandom);
                    logits.CopyTo(outputs, 0);
                    ApplyActivation(activation, outputs);
                    LossFunction loss = activation == Activation.Softmax ? LossFunction.CrossEntropy : LossFunction.MeanSquaredError;
                    lossValues.Add((float)Losses.StepLoss(loss, activation, logits, outputs, target, 0.125f, logitGradients));
                    lossValues.AddRange(logitGradients);
                }
            }

            Add("losses", lossValues.ToArray());

            // Weight files: write, read back, and the bytes of the file.
            float[] weights = new float[3 * 5];
            Initializers.Uniform(weights, 1f, new DeterministicRandom(10));
            using (var stream = new MemoryStream())
            {
                SafeTensorsFile.Write(
                    stream,
                    new[] { SafeTensorsTensor.FromSingles("lstm.weight_ih_l0", new long[] { 3, 5 }, weights), SafeTensorsTensor.FromSingles("head.bias", new long[] { 2 }, new[] { 0.5f, -0f }) },
                    new Dictionary<string, string> { ["format"] = "pt", ["note"] = "quote \" backslash \\ tab \t é" });
                byte[] bytes = stream.ToArray();
                lines.Add($"safetensors-bytes {Digest(MemoryMarshal.Cast<byte, float>(bytes.AsSpan(0, bytes.Length / 4 * 4)))}");
                SafeTensorsFile file = SafeTensorsFile.Read(new MemoryStream(bytes));
                lines.Add($"safetensors-metadata {string.Join(";", file.Metadata.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => $"{pair.Key}={pair.Value}")).Replace(' ', '_')}");
                Add("safetensors-read", ReadAll(file));
            }

            // The fixtures' F16, BF16, F64 and mixed tensors, converted to float.
            foreach (string fixture in new[] { "tiny_f16", "tiny_bf16", "tiny_f64", "tiny_mixed" })
            {
                Add($"fixture-{fixture}", ReadAll(SafeTensorsFile.Read(Path.Combine(fixtureDirectory, fixture + ".safetensors"))));
            }

            // Headers, well-formed and not: on netstandard2.1 a JSON reader of the runtime's own reads them, on
            // .NET 8+ System.Text.Json; both must accept the same headers with the same entries, and reject the same.
            for (int i = 0; i < Headers.Length; i++)
            {
                lines.Add($"header-{i} {ReadHeader(Headers[i])}");
            }

            // The fuzzer's corpus (seeds and every input it kept): netstandard2.1 reads safetensors headers with the
            // runtime's own JSON reader, so each file must be read to the same values, or refused, as on .NET 8+.
            string corpus = Path.Combine(fixtureDirectory, "..", "FuzzCorpus");
            foreach (string path in Directory.GetFiles(corpus).OrderBy(path => path, StringComparer.Ordinal))
            {
                lines.Add($"corpus-{Path.GetFileName(path)} {ReadFile(File.ReadAllBytes(path))}");
            }

            // RTNeural's JSON: on netstandard2.1 the runtime's own JSON reader parses it, on .NET 8+ System.Text.Json;
            // the same weights, and the same refusals, word for word.
            var rtneural = new TensorStore(inputs: 1, hidden: 4, outputs: 1);
            RTNeuralModel.Load(rtneural, Path.Combine(fixtureDirectory, "rtneural_lstm1x4_dense1.json"));
            Add("rtneural-fixture", rtneural.Parameters);
            foreach (string json in RTNeuralModels)
            {
                string result;
                try
                {
                    RTNeuralModel.Load(new TensorStore(inputs: 1, hidden: 1, outputs: 1), new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json)));
                    result = "loaded";
                }
                catch (WeightFileException exception)
                {
                    // The reader's own words (after "not valid JSON:") differ between the readers; whether it is refused may not.
                    int reader = exception.Message.IndexOf("not valid JSON", StringComparison.Ordinal);
                    result = reader < 0 ? exception.Message : exception.Message.Substring(0, reader);
                }

                lines.Add($"rtneural-{lines.Count} {result.Replace(' ', '_')}");
            }

            // RTNeural's PyTorch state_dicts as JSON: parsed by the same two readers, then the safetensors loader.
            foreach (string json in RTNeuralStateDicts)
            {
                var store = new TensorStore(inputs: 1, hidden: 1, outputs: 1);
                string result;
                try
                {
                    RTNeuralModel.LoadStateDict(store, new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json)), new WeightLoadOptions().MapHead("fc"));
                    result = "loaded";
                }
                catch (WeightFileException exception)
                {
                    int reader = exception.Message.IndexOf("not valid JSON", StringComparison.Ordinal);
                    result = (reader < 0 ? exception.Message : exception.Message.Substring(0, reader)) + $" ({exception.TensorName})";
                }

                Add($"statedict-{lines.Count}-{result.Replace(' ', '_')}", store.Parameters);
            }

            // Keras' layout from arrays, through the conversion shared with RTNeural, and a config refused.
            var keras = new TensorStore(inputs: 1, hidden: 1, outputs: 1);
            var kerasWeights = new KerasWeights(keras);
            kerasWeights.SetLstm(0, new[] { 0.5f, -1.25e-3f, 300f, -0f }, new[] { 1f, 2f, 3f, 4f }, new[] { 0.1f, 0.2f, 0.3f, 0.4f });
            kerasWeights.SetDense(new[] { 0.7f }, new[] { -0.7f });
            kerasWeights.Apply();
            Add("keras-arrays", keras.Parameters);
            try
            {
                _ = new KerasWeights(keras, new KerasLstmConfig { RecurrentActivation = "hard_sigmoid" });
                lines.Add("keras-config loaded");
            }
            catch (WeightFileException exception)
            {
                lines.Add($"keras-config {exception.Message.Replace(' ', '_')}");
            }

            lines.Add($"refs {CheckRefs()}");
            return lines;
        }

        /// <summary>RTNeural models of one input, one hidden unit and one output: loadable, and not.</summary>
        private static readonly string[] RTNeuralModels =
        {
            "{\"in_shape\":[null,null,1],\"layers\":[{\"type\":\"lstm\",\"activation\":\"tanh\",\"shape\":[null,null,1],\"weights\":[[[0.5,-1.25e-3,3E2,-0]],[[1,2,3,4]],[0.1,0.2,0.3,0.4]]},{\"type\":\"dense\",\"activation\":\"\",\"shape\":[null,null,1],\"weights\":[[[0.7]],[-0.7]]}]}",
            "\uFEFF{\"in_shape\":[null,1],\"layers\":[{\"type\":\"gru\",\"shape\":[null,null,1],\"weights\":[]}]}",
            "{\"in_shape\":[null,1],\"layers\":[{\"type\":\"lstm\",\"activation\":\"\",\"shape\":[null,null,1],\"weights\":[[[1e39,0,0,0]],[[0,0,0,0]],[0,0,0,0]]}]}",
            "{\"in_shape\":[null,1],\"layers\":[{\"type\":\"lstm\",\"shape\":[null,null,1],\"weights\":[[[NaN,0,0,0]],[[0,0,0,0]],[0,0,0,0]]}]}",
            "{\"in_shape\":[null,1],\"layers\":[{\"type\":\"lstm\",\"shape\":[null,null,1],\"weights\":[[[1,0,0,0],],[[0,0,0,0]],[0,0,0,0]]}]}",
            "{\"in_shape\":[null,1],\"in_shape\":[null,1],\"layers\":[]}",
            "{\"in_shape\":[null,1.5],\"layers\":[]}",
        };

        /// <summary>PyTorch state_dicts as JSON for a model of one input, one hidden unit and one output (head "fc"): loadable, and not.</summary>
        private static readonly string[] RTNeuralStateDicts =
        {
            "\uFEFF{\"lstm.weight_ih_l0\":[[0.5],[-1.25e-3],[3E2],[-0]],\"lstm.weight_hh_l0\":[[1],[2],[3],[4]],\"lstm.bias_ih_l0\":[0.1,0.2,0.3,0.4],\"lstm.bias_hh_l0\":[1e-45,-2,0.30000001192092896,4],\"fc.weight\":[[0.7]],\"fc.bias\":[-0.7]}",
            "{\"lstm.weight_ih_l0\":[[0.5],[1],[2,3],[4]],\"lstm.weight_hh_l0\":[[1],[2],[3],[4]]}",
            "{\"lstm.weight_ih_l0\":[[0.5],[1],[NaN],[4]]}",
            "{\"lstm.weight_ih_l0\":[[0.5],[1],[\"2\"],[4]]}",
            "{\"lstm.weight_ih_l0\":[[[[[[[[[1]]]]]]]]]}",
            "{\"lstm.weight_ih_l0\":[[1e39],[1],[2],[4]],\"lstm.weight_hh_l0\":[[1],[2],[3],[4]],\"lstm.bias_ih_l0\":[0.1,0.2,0.3,0.4],\"lstm.bias_hh_l0\":[1,2,3,4],\"fc.weight\":[[0.7]],\"fc.bias\":[-0.7]}",
            "{\"fc.bias\":[1],\"fc.bias\":[1]}",
            "{\"lstm.weight_ih_l0\":[[0.5],[1],[2],[4]],\"lstm.weight_hh_l0\":[[1],[2],[3],[4]],\"lstm.bias_ih_l0\":[0.1,0.2,0.3,0.4],\"lstm.bias_hh_l0\":[1,2,3,4],\"fc.weight\":[[0.7]]}",
            "[1]",
        };

        private const string Entry = "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";

        private static readonly string[] Headers =
        {
            "{\"a\":" + Entry + "}",
            "{\"a\\u0041\\n\\\"\\/\":" + Entry + ", \"__metadata__\" : {\"k\":\"v\\t\\u00e9\"} }",
            "{\"a\":{\"dtype\":\"F32\",\"extra\":{\"x\":[1,-2.5e3,{\"y\":null},true,false,\"s\"]},\"shape\":[1],\"data_offsets\":[0,4]}}",
            "{\"__metadata__\":null,\"a\":" + Entry + "}",
            "{\"a\":" + Entry,
            "{\"a\":" + Entry + "},",
            "{\"a\":" + Entry + "}x",
            "{\"a\":" + Entry + ",}",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1,],\"data_offsets\":[0,4]}}",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1.0],\"data_offsets\":[0,4]}}",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[01],\"data_offsets\":[0,4]}}",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":tru}}",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":\"\\q\"}}",
            "{\"a\" " + Entry + "}",
            "{\"a\":" + Entry + ",\"a\":" + Entry + "}",
            "{\"a\":" + Entry + "]",
            "{\"a\":[" + Entry + "}",
            "{\"a\":\"tab\there\"}",
            "{\"a\":" + Entry + "} /* comment */",
            "{\"a\":" + Entry.Replace("1]", "1e0]", StringComparison.Ordinal) + "}",
            "{\"__metadata__\":{\"k\":1},\"a\":" + Entry + "}",
        };

        /// <summary>The entries and metadata a header gives, or the type of exception it raises.</summary>
        private static string ReadHeader(string header)
        {
            byte[] json = System.Text.Encoding.UTF8.GetBytes(header);
            byte[] file = new byte[8 + json.Length + 4];
            BitConverter.GetBytes((long)json.Length).CopyTo(file, 0);
            json.CopyTo(file, 8);
            try
            {
                SafeTensorsFile read = SafeTensorsFile.Read(new MemoryStream(file));
                string text = "entries=" + string.Join(",", read.Entries.Select(entry => $"[{entry.Name}:{entry.DType}:{entry.ShapeText}]"))
                    + " metadata=" + string.Join(",", read.Metadata.Select(pair => $"{pair.Key}={pair.Value}"));
                return text.Replace("\n", "\\n", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal); // one line
            }
            catch (Exception exception)
            {
                return exception.GetType().Name;
            }
        }

        /// <summary>The entries and values a file holds, digested, or the type of exception reading it raises.</summary>
        private static string ReadFile(byte[] bytes)
        {
            try
            {
                SafeTensorsFile file = SafeTensorsFile.Read(new MemoryStream(bytes));
                string entries = string.Join(",", file.Entries.Select(entry => $"{entry.Name}:{entry.DType}:{entry.ShapeText}"));
                return $"entries={Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(entries)), 0, 12)} values={Digest(ReadAll(file))}";
            }
            catch (Exception exception)
            {
                return exception.GetType().Name;
            }
        }

        /// <summary>Refs.Add at every offset type, with a collection (which may move the array) between taking and using the reference.</summary>
        private static string CheckRefs()
        {
            float[] values = Enumerable.Range(0, 64).Select(i => (float)i).ToArray();
            ref float middle = ref Refs.Add(ref Refs.GetArrayDataReference(values), 32);
            _ = Enumerable.Range(0, 10_000).Select(i => new byte[64]).ToList(); // garbage, so a compacting collection moves things
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            Refs.Add(ref middle, -3) = 100f;
            Refs.Add(ref middle, (nint)(-32)) += 1000f;
            Refs.Add(ref middle, (nuint)31) = -1f;
            bool ok = middle == 32f && values[29] == 100f && values[0] == 1000f && values[63] == -1f
                && Refs.GetArrayDataReference(values) == 1000f;
            return ok ? "ok" : $"wrong: {values[29]} {values[0]} {values[63]}";
        }

        private static float[] ReadAll(SafeTensorsFile file)
        {
            var all = new List<float>();
            foreach (SafeTensorsEntry entry in file.Entries.OrderBy(entry => entry.Name, StringComparer.Ordinal))
            {
                float[] values = new float[entry.ElementCount];
                file.ReadSingles(entry, values);
                all.AddRange(values);
            }

            return all.ToArray();
        }

        private static void ApplyActivation(Activation activation, Span<float> values)
        {
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = activation switch
                {
                    Activation.Sigmoid => LstmMath.Sigmoid(values[i]),
                    Activation.Tanh => LstmMath.Tanh(values[i]),
                    _ => values[i],
                };
            }

            if (activation == Activation.Softmax)
            {
                LstmMath.Softmax(values);
            }
        }

        private static float[] Inputs()
        {
            var inputs = new List<float>();
            for (int i = -40_000; i <= 40_000; i++)
            {
                inputs.Add(i / 1000f); // [-40, 40] in steps of 1/1000
            }

            var random = new DeterministicRandom(11);
            for (int i = 0; i < 1 << 19; i++)
            {
                inputs.Add(RandomFinite(random));
            }

            inputs.AddRange(new[] { 0f, -0f, float.Epsilon, -float.Epsilon, 1e-30f, -1e-30f, 7.960386f, -7.960386f, 15.93f, 88f, -87.34f, 100f, -100f, float.MaxValue, float.MinValue });
            return inputs.ToArray();
        }

        /// <summary>A float with random bits that is finite (NaN and infinities are redrawn).</summary>
        private static float RandomFinite(DeterministicRandom random)
        {
            while (true)
            {
                float value = BitConverter.Int32BitsToSingle((int)random.NextUInt32());
                if (!float.IsNaN(value) && !float.IsInfinity(value))
                {
                    return value;
                }
            }
        }

        private static float[] Map(float[] inputs, Func<float, float> function)
        {
            float[] results = new float[inputs.Length];
            for (int i = 0; i < inputs.Length; i++)
            {
                results[i] = function(inputs[i]);
            }

            return results;
        }

        private static string Digest(ReadOnlySpan<float> values)
        {
            byte[] hash = SHA256.HashData(MemoryMarshal.AsBytes(values));
            return Convert.ToHexString(hash, 0, 12);
        }
        /// <summary>Only the tensors of an LSTM of one layer with a head, in PyTorch's order: what a loader fills.</summary>
        private sealed class TensorStore : ILstmModel
        {
            private readonly float[] _parameters;
            private readonly TensorInfo[] _tensors;

            public TensorStore(int inputs, int hidden, int outputs)
            {
                (InputSize, HiddenSize, OutputSize) = (inputs, hidden, outputs);
                var shapes = new (string Name, int[] Shape)[]
                {
                    ("lstm.weight_ih_l0", new[] { 4 * hidden, inputs }), ("lstm.weight_hh_l0", new[] { 4 * hidden, hidden }),
                    ("lstm.bias_ih_l0", new[] { 4 * hidden }), ("lstm.bias_hh_l0", new[] { 4 * hidden }),
                    ("head.weight", new[] { outputs, hidden }), ("head.bias", new[] { outputs }),
                };
                int offset = 0;
                _tensors = shapes.Select(t =>
                {
                    var info = new TensorInfo(t.Name, t.Shape, offset);
                    offset += info.Length;
                    return info;
                }).ToArray();
                _parameters = new float[offset];
            }

            public int InputSize { get; }

            public int HiddenSize { get; }

            public int Layers => 1;

            public int OutputSize { get; }

            public bool HasHead => true;

            public Activation OutputActivation => Activation.Linear;

            public LossFunction Loss => LossFunction.MeanSquaredError;

            public int ParameterCount => _parameters.Length;

            public IReadOnlyList<TensorInfo> Tensors => _tensors;

            public Span<float> Parameters => _parameters;

            public WeightPrecision WeightPrecision => WeightPrecision.Float32;

            public Span<float> Gradients => throw new NotSupportedException();

            public void SetTensor(string name, ReadOnlySpan<float> values)
            {
                TensorInfo tensor = _tensors.Single(t => t.Name == name);
                values.CopyTo(_parameters.AsSpan(tensor.Offset, tensor.Length));
            }

            public void GetTensor(string name, Span<float> destination)
            {
                TensorInfo tensor = _tensors.Single(t => t.Name == name);
                _parameters.AsSpan(tensor.Offset, tensor.Length).CopyTo(destination);
            }

            public void ResetState() => throw new NotSupportedException();

            public void SetState(ReadOnlySpan<float> hidden, ReadOnlySpan<float> cell) => throw new NotSupportedException();

            public void GetState(Span<float> hidden, Span<float> cell) => throw new NotSupportedException();

            public bool IsStateFinite() => throw new NotSupportedException();

            public void Step(ReadOnlySpan<float> input, Span<float> output) => throw new NotSupportedException();

            public void Forward(ReadOnlySpan<float> inputs, Span<float> outputs) => throw new NotSupportedException();

            public void ZeroGradients() => throw new NotSupportedException();

            public void TrimBuffers() => throw new NotSupportedException();

            public void GetGradient(string name, Span<float> destination) => throw new NotSupportedException();

            public float AccumulateGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets) => throw new NotSupportedException();

            public float AccumulateGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, Span<float> inputGradients, Span<float> initialHiddenGradients, Span<float> initialCellGradients) =>
                throw new NotSupportedException();
        }
    }
}
