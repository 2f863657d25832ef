using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using LstmGen.Serialization;
using Xunit;
using static LstmGen.Tests.Serialization.ModelAssert;

namespace LstmGen.Tests.Serialization
{
    /// <summary>The shape of RTNeural's guitar-amp models: one input, an LSTM, one output.</summary>
    [Lstm(InputSize = 1, HiddenSize = 4, OutputSize = 1)]
    internal partial class RTNeuralAmpModel
    {
    }

    [Lstm(InputSize = 3, HiddenSize = 5, Layers = 2, OutputSize = 2, OutputActivation = Activation.Tanh)]
    internal partial class RTNeuralStackModel
    {
    }

    /// <summary>
    /// RTNeural's JSON model format: Keras' layout (kernel [in][4H], recurrent kernel [H][4H], one bias [4H],
    /// gates i, f, c, o; dense kernel [H][O]), checked against a forward pass written here from RTNeural's
    /// LSTM (lstm.tpp) in double, against the same weights transposed here and set with SetTensor, and on a
    /// committed file in the layout of RTNeural's PyTorch exporter.
    /// </summary>
    public sealed class RTNeuralModelTests
    {
        /// <summary>One RTNeural LSTM layer's weights in Keras' layout.</summary>
        private sealed record KerasLstm(float[][] Kernel, float[][] Recurrent, float[] Bias);

        private static float[][] Matrix(Random random, int rows, int columns) =>
            Enumerable.Range(0, rows).Select(_ => Enumerable.Range(0, columns).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray()).ToArray();

        private static (KerasLstm[] Lstms, float[][] Dense, float[] DenseBias) RandomWeights(int inputs, int hidden, int layers, int outputs, int seed)
        {
            var random = new Random(seed);
            KerasLstm[] lstms = Enumerable.Range(0, layers)
                .Select(k => new KerasLstm(Matrix(random, k == 0 ? inputs : hidden, 4 * hidden), Matrix(random, hidden, 4 * hidden), Matrix(random, 1, 4 * hidden)[0]))
                .ToArray();
            return (lstms, Matrix(random, hidden, outputs), Matrix(random, 1, outputs)[0]);
        }

        /// <summary>The layers as RTNeural's Keras exporter writes them, as dictionaries that a test may change.</summary>
        private static List<Dictionary<string, object?>> Layers(KerasLstm[] lstms, float[][] dense, float[] denseBias, string headActivation)
        {
            var layers = lstms.Select(l => new Dictionary<string, object?>
            {
                ["type"] = "lstm",
                ["activation"] = "tanh",
                ["shape"] = new object?[] { null, null, l.Recurrent.Length },
                ["weights"] = new object[] { l.Kernel, l.Recurrent, l.Bias },
            }).ToList();
            layers.Add(new Dictionary<string, object?>
            {
                ["type"] = "dense",
                ["activation"] = headActivation,
                ["shape"] = new object?[] { null, null, denseBias.Length },
                ["weights"] = new object[] { dense, denseBias },
            });
            return layers;
        }

        private static byte[] Json(int inputs, List<Dictionary<string, object?>> layers) =>
            JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object?>
            {
                ["in_shape"] = new object?[] { null, null, inputs },
                ["layers"] = layers,
            });

        /// <summary>RTNeural's LSTM and dense layers (lstm.tpp, dense.h) in double, on Keras' layout.</summary>
        private static double[][] Reference(KerasLstm[] lstms, float[][] dense, float[] denseBias, Func<double, double> activation, float[][] inputs)
        {
            int hidden = lstms[0].Recurrent.Length;
            double[][] h = lstms.Select(_ => new double[hidden]).ToArray();
            double[][] c = lstms.Select(_ => new double[hidden]).ToArray();
            static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
            var outputs = new List<double[]>();
            foreach (float[] input in inputs)
            {
                double[] x = input.Select(v => (double)v).ToArray();
                for (int layer = 0; layer < lstms.Length; layer++)
                {
                    KerasLstm w = lstms[layer];
                    double Gate(int gate, int k)
                    {
                        int column = (gate * hidden) + k;
                        double sum = w.Bias[column];
                        for (int i = 0; i < x.Length; i++)
                        {
                            sum += x[i] * w.Kernel[i][column];
                        }

                        for (int j = 0; j < hidden; j++)
                        {
                            sum += h[layer][j] * w.Recurrent[j][column];
                        }

                        return sum;
                    }

                    double[] next = new double[hidden];
                    for (int k = 0; k < hidden; k++)
                    {
                        double i = Sigmoid(Gate(0, k)), f = Sigmoid(Gate(1, k)), g = Math.Tanh(Gate(2, k)), o = Sigmoid(Gate(3, k));
                        c[layer][k] = (f * c[layer][k]) + (i * g);
                        next[k] = o * Math.Tanh(c[layer][k]);
                    }

                    h[layer] = next;
                    x = next;
                }

                outputs.Add(Enumerable.Range(0, denseBias.Length)
                    .Select(o => activation(denseBias[o] + Enumerable.Range(0, hidden).Sum(k => x[k] * dense[k][o])))
                    .ToArray());
            }

            return outputs.ToArray();
        }

        /// <summary>Keras' [rows][columns] as PyTorch's [columns, rows], row-major.</summary>
        private static float[] Transpose(float[][] keras)
        {
            int rows = keras.Length, columns = keras[0].Length;
            float[] torch = new float[rows * columns];
            for (int r = 0; r < rows; r++)
            {
                for (int col = 0; col < columns; col++)
                {
                    torch[(col * rows) + r] = keras[r][col];
                }
            }

            return torch;
        }

        private static float[][] Run(ILstmModel model, float[][] inputs, Action<float[], float[]> step)
        {
            model.ResetState();
            return inputs.Select(x =>
            {
                float[] y = new float[model.OutputSize];
                step(x, y);
                return y;
            }).ToArray();
        }

        private static float[][] Inputs(int count, int size, int seed) => Matrix(new Random(seed), count, size).Select(r => r.Select(v => v * 4).ToArray()).ToArray();

        [Fact]
        public void LoadsAStackAndComputesWhatRTNeuralComputes()
        {
            (KerasLstm[] lstms, float[][] dense, float[] denseBias) = RandomWeights(3, 5, 2, 2, seed: 11);
            var model = new RTNeuralStackModel(seed: 1);
            RTNeuralModel.Load(model, new MemoryStream(Json(3, Layers(lstms, dense, denseBias, "tanh"))));

            // The same weights converted here, set with SetTensor: the same tensors, the same outputs bit for bit.
            var converted = new RTNeuralStackModel(seed: 2);
            for (int layer = 0; layer < lstms.Length; layer++)
            {
                converted.SetTensor($"lstm.weight_ih_l{layer}", Transpose(lstms[layer].Kernel));
                converted.SetTensor($"lstm.weight_hh_l{layer}", Transpose(lstms[layer].Recurrent));
                converted.SetTensor($"lstm.bias_ih_l{layer}", lstms[layer].Bias);
                converted.SetTensor($"lstm.bias_hh_l{layer}", new float[20]);
            }

            converted.SetTensor("head.weight", Transpose(dense));
            converted.SetTensor("head.bias", denseBias);
            SameWeights(converted, model);

            float[][] inputs = Inputs(12, 3, seed: 5);
            float[][] loaded = Run(model, inputs, (x, y) => model.Step(x, y));
            float[][] expected = Run(converted, inputs, (x, y) => converted.Step(x, y));
            Assert.Equal(expected.Select(y => Bits(y)), loaded.Select(y => Bits(y)));

            // And RTNeural's own math, in double.
            double[][] reference = Reference(lstms, dense, denseBias, Math.Tanh, inputs);
            for (int t = 0; t < inputs.Length; t++)
            {
                for (int o = 0; o < 2; o++)
                {
                    Assert.True(Math.Abs(reference[t][o] - loaded[t][o]) < 1e-5, $"Step {t}, output {o}: {loaded[t][o]}, RTNeural's math gives {reference[t][o]}.");
                }
            }
        }

        [Fact]
        public void LoadsAFileInTheLayoutOfRTNeuralsPyTorchExporter()
        {
            // make_rtneural_fixture.py: nn.LSTM(1, 4) and nn.Linear(4, 1) holding value(k, i), bias_hh_l0 not exported.
            static double Value(int k, int i) => ((k + 1) * 0.125) + ((((i * 7) % 19) - 9) * 0.01);
            static float[] Tensor(int k, int length) => Enumerable.Range(0, length).Select(i => (float)Value(k, i)).ToArray();
            var model = new RTNeuralAmpModel(seed: 1);
            RTNeuralModel.Load(model, Path.Combine(AppContext.BaseDirectory, "Fixtures", "rtneural_lstm1x4_dense1.json"));

            var expected = new RTNeuralAmpModel(seed: 2);
            expected.SetTensor("lstm.weight_ih_l0", Tensor(0, 16));
            expected.SetTensor("lstm.weight_hh_l0", Tensor(1, 64));
            expected.SetTensor("lstm.bias_ih_l0", Tensor(2, 16));
            expected.SetTensor("lstm.bias_hh_l0", new float[16]);
            expected.SetTensor("head.weight", Tensor(4, 4));
            expected.SetTensor("head.bias", Tensor(5, 1));
            SameWeights(expected, model);

            float[][] inputs = Inputs(16, 1, seed: 3);
            Assert.Equal(
                Run(expected, inputs, (x, y) => expected.Step(x, y)).Select(y => Bits(y)),
                Run(model, inputs, (x, y) => model.Step(x, y)).Select(y => Bits(y)));
        }

        [Fact]
        public void TakesAHeadActivationFromAnActivationLayer()
        {
            (KerasLstm[] lstms, float[][] dense, float[] denseBias) = RandomWeights(3, 5, 2, 2, seed: 12);
            List<Dictionary<string, object?>> layers = Layers(lstms, dense, denseBias, string.Empty);
            layers.Add(new Dictionary<string, object?> { ["type"] = "activation", ["activation"] = "tanh", ["shape"] = new object?[] { null, null, 2 }, ["weights"] = Array.Empty<object>() });
            var model = new RTNeuralStackModel(seed: 1);
            RTNeuralModel.Load(model, new MemoryStream(Json(3, layers)));
            float[] head = new float[10];
            model.GetTensor("head.weight", head);
            Assert.Equal(Transpose(dense), head);
        }

        public static TheoryData<string, string[]> BadModels => new()
        {
            { "gru", new[] { "a 'gru' layer (layer 1 (gru))", "which the model does not have: it has 2 lstm layers and a dense head" } },
            { "conv1d", new[] { "a 'conv1d' layer (layer 0 (conv1d))" } },
            { "hidden", new[] { "The shape [null, null, 6] of layer 1 (lstm) has 6 units, but the model has HiddenSize = 5" } },
            { "kernel", new[] { "The recurrent kernel (weights[1]) of layer 0 (lstm) has shape [5][19] (row 0), but the model expects [5][20]." } },
            { "rows", new[] { "The kernel (weights[0]) of layer 2 (dense) has shape [4][2], but the model expects [5][2]." } },
            { "lstm activation", new[] { "The activation 'relu' of layer 0 (lstm) is not supported" } },
            { "head activation", new[] { "dense layer has the activation 'relu', which LstmGen does not support" } },
            { "other head activation", new[] { "dense layer has the activation 'sigmoid', but the model's OutputActivation is Tanh" } },
            { "one lstm", new[] { "dense layer (layer 1 (dense)) comes after 1 lstm layer, but the model has 2" } },
            { "inputs", new[] { "in_shape [null, null, 4] has 4 inputs, but the model has InputSize = 3" } },
            { "string", new[] { "The recurrent kernel (weights[1]) of layer 1 (lstm), element [2][3] is a string, not a number." } },
            { "overflow", new[] { "The bias (weights[2]) of layer 0 (lstm), element [7] is 1e39, which is not a finite float." } },
        };

        [Theory]
        [MemberData(nameof(BadModels))]
        public void RefusesWhatTheModelCannotComputeAndLeavesTheModel(string bad, string[] message)
        {
            (KerasLstm[] lstms, float[][] dense, float[] denseBias) = RandomWeights(3, 5, 2, 2, seed: 13);
            List<Dictionary<string, object?>> layers = Layers(lstms, dense, denseBias, "tanh");
            int inputs = 3;
            string? raw = null;
            switch (bad)
            {
                case "gru": layers[1]["type"] = "gru"; break;
                case "conv1d": layers.Insert(0, new Dictionary<string, object?> { ["type"] = "conv1d", ["activation"] = "", ["shape"] = new object?[] { null, null, 3 }, ["weights"] = Array.Empty<object>() }); break;
                case "hidden": layers[1]["shape"] = new object?[] { null, null, 6 }; break;
                case "kernel": layers[0]["weights"] = new object[] { lstms[0].Kernel, lstms[0].Recurrent.Select(r => r[..19]).ToArray(), lstms[0].Bias }; break;
                case "rows": layers[2]["weights"] = new object[] { dense[..4], denseBias }; break;
                case "lstm activation": layers[0]["activation"] = "relu"; break;
                case "head activation": layers[2]["activation"] = "relu"; break;
                case "other head activation": layers[2]["activation"] = "sigmoid"; break;
                case "one lstm": layers.RemoveAt(1); break;
                case "inputs": inputs = 4; break;
                case "string":
                    object?[][] recurrent = lstms[1].Recurrent.Select(r => r.Cast<object?>().ToArray()).ToArray();
                    recurrent[2][3] = "0.5";
                    layers[1]["weights"] = new object[] { lstms[1].Kernel, recurrent, lstms[1].Bias };
                    break;
                case "overflow":
                    raw = Encoding.UTF8.GetString(Json(inputs, layers)).Replace(JsonSerializer.Serialize(lstms[0].Bias[7]), "1e39", StringComparison.Ordinal);
                    break;
            }

            byte[] json = raw is null ? Json(inputs, layers) : Encoding.UTF8.GetBytes(raw);
            var model = new RTNeuralStackModel(seed: 1);
            Dictionary<string, int[]> before = TensorBits(model);
            Refuses(() => RTNeuralModel.Load(model, new MemoryStream(json)), message);
            Assert.Equal(before, TensorBits(model));
        }

        [Fact]
        public void RefusesFilesThatAreNotRTNeuralModels()
        {
            var model = new RTNeuralAmpModel(seed: 1);
            Dictionary<string, int[]> before = TensorBits(model);
            Refuses(() => RTNeuralModel.Load(model, new MemoryStream(Encoding.UTF8.GetBytes("{\"in_shape\": [null, 1], \"layers\": [{\"weights\": [NaN]}]}"))), "is not valid JSON");
            Refuses(() => RTNeuralModel.Load(model, new MemoryStream(Encoding.UTF8.GetBytes("[1, 2]"))), "is a JSON array, not an object with 'in_shape' and 'layers'");
            Refuses(() => RTNeuralModel.Load(model, new MemoryStream(Encoding.UTF8.GetBytes("{\"in_shape\": [null, 1]}"))), "The RTNeural model has no 'layers' (it has 'in_shape')");
            Refuses(() => RTNeuralModel.Load(model, new MemoryStream(Encoding.UTF8.GetBytes("{\"in_shape\": [null, 1], \"layers\": []}"))), "has 0 lstm layers, but the model has 1");
            Assert.Equal(before, TensorBits(model));

            using var directory = new TemporaryDirectory();
            string path = directory.File("model.json");
            File.WriteAllText(path, "{\"in_shape\": [null, 2], \"layers\": []}");
            Refuses(() => RTNeuralModel.Load(model, path), path + ": ", "in_shape [null, 2] has 2 inputs, but the model has InputSize = 1");
        }
    }
}
