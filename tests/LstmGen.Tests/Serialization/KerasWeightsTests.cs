using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using LstmGen.Serialization;
using Xunit;
using static LstmGen.Tests.Serialization.ModelAssert;

namespace LstmGen.Tests.Serialization
{
    [Lstm(InputSize = 3, HiddenSize = 5, Layers = 2, OutputSize = 2)]
    internal partial class KerasStackModel
    {
    }

    /// <summary>
    /// Keras / TensorFlow weights (kernel [in, 4H], recurrent_kernel [H, 4H], bias [4H], gates i, f, c, o; Dense kernel
    /// [H, O]) from arrays and from safetensors files named as Keras writes them, checked against Keras' LSTM written
    /// here in double, and bit for bit against the same weights converted here and set with SetTensor.
    /// </summary>
    public sealed class KerasWeightsTests
    {
        private const int Inputs = 3, Hidden = 5, Gates = 20, Outputs = 2;

        /// <summary>One Keras LSTM layer's get_weights(), row-major.</summary>
        private sealed record Layer(float[] Kernel, float[] Recurrent, float[] Bias);

        private static float[] Values(Random random, int count) => Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();

        private static (Layer[] Lstms, float[] Dense, float[] DenseBias) RandomWeights(int seed)
        {
            var random = new Random(seed);
            Layer[] lstms = Enumerable.Range(0, 2).Select(k => new Layer(Values(random, (k == 0 ? Inputs : Hidden) * Gates), Values(random, Hidden * Gates), Values(random, Gates))).ToArray();
            return (lstms, Values(random, Hidden * Outputs), Values(random, Outputs));
        }

        /// <summary>Keras' LSTM (keras/src/layers/rnn/lstm.py, LSTMCell.call) and Dense in double: z = x·kernel + h·recurrent_kernel + bias, split i, f, c, o.</summary>
        private static double[][] Reference(Layer[] lstms, float[] dense, float[] denseBias, float[][] inputs)
        {
            double[][] h = lstms.Select(_ => new double[Hidden]).ToArray();
            double[][] c = lstms.Select(_ => new double[Hidden]).ToArray();
            static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
            var outputs = new List<double[]>();
            foreach (float[] input in inputs)
            {
                double[] x = input.Select(v => (double)v).ToArray();
                for (int layer = 0; layer < lstms.Length; layer++)
                {
                    Layer w = lstms[layer];
                    double[] z = new double[Gates];
                    for (int col = 0; col < Gates; col++)
                    {
                        z[col] = w.Bias[col];
                        for (int i = 0; i < x.Length; i++)
                        {
                            z[col] += x[i] * w.Kernel[(i * Gates) + col];
                        }

                        for (int j = 0; j < Hidden; j++)
                        {
                            z[col] += h[layer][j] * w.Recurrent[(j * Gates) + col];
                        }
                    }

                    double[] next = new double[Hidden];
                    for (int k = 0; k < Hidden; k++)
                    {
                        double i = Sigmoid(z[k]), f = Sigmoid(z[Hidden + k]), g = Math.Tanh(z[(2 * Hidden) + k]), o = Sigmoid(z[(3 * Hidden) + k]);
                        c[layer][k] = (f * c[layer][k]) + (i * g);
                        next[k] = o * Math.Tanh(c[layer][k]);
                    }

                    h[layer] = next;
                    x = next;
                }

                outputs.Add(Enumerable.Range(0, Outputs).Select(o => denseBias[o] + Enumerable.Range(0, Hidden).Sum(k => x[k] * dense[(k * Outputs) + o])).ToArray());
            }

            return outputs.ToArray();
        }

        /// <summary>Keras' [rows, columns] row-major as PyTorch's [columns, rows] row-major, written here independently of the runtime.</summary>
        private static float[] Transpose(float[] keras, int rows, int columns)
        {
            float[] torch = new float[keras.Length];
            for (int r = 0; r < rows; r++)
            {
                for (int col = 0; col < columns; col++)
                {
                    torch[(col * rows) + r] = keras[(r * columns) + col];
                }
            }

            return torch;
        }

        private static KerasStackModel Converted(Layer[] lstms, float[] dense, float[] denseBias, bool useBias = true)
        {
            var model = new KerasStackModel(seed: 2);
            for (int layer = 0; layer < 2; layer++)
            {
                model.SetTensor($"lstm.weight_ih_l{layer}", Transpose(lstms[layer].Kernel, layer == 0 ? Inputs : Hidden, Gates));
                model.SetTensor($"lstm.weight_hh_l{layer}", Transpose(lstms[layer].Recurrent, Hidden, Gates));
                model.SetTensor($"lstm.bias_ih_l{layer}", useBias ? lstms[layer].Bias : new float[Gates]);
                model.SetTensor($"lstm.bias_hh_l{layer}", new float[Gates]);
            }

            model.SetTensor("head.weight", Transpose(dense, Hidden, Outputs));
            model.SetTensor("head.bias", denseBias);
            return model;
        }

        private static float[][] Run(KerasStackModel model, float[][] inputs)
        {
            model.ResetState();
            return inputs.Select(x =>
            {
                float[] y = new float[Outputs];
                model.Step(x, y);
                return y;
            }).ToArray();
        }

        private static float[][] RandomInputs(int seed)
        {
            var random = new Random(seed);
            return Enumerable.Range(0, 12).Select(_ => Values(random, Inputs).Select(v => v * 4).ToArray()).ToArray();
        }

        private static void SetAll(KerasWeights keras, Layer[] lstms, float[] dense, float[] denseBias)
        {
            keras.SetLstm(0, lstms[0].Kernel, lstms[0].Recurrent, lstms[0].Bias);
            keras.SetLstm(1, lstms[1].Kernel, lstms[1].Recurrent, lstms[1].Bias);
            keras.SetDense(dense, denseBias);
        }

        [Fact]
        public void ArraysComputeWhatKerasComputes()
        {
            (Layer[] lstms, float[] dense, float[] denseBias) = RandomWeights(seed: 21);
            var model = new KerasStackModel(seed: 1);
            var keras = new KerasWeights(model);
            SetAll(keras, lstms, dense, denseBias);
            keras.Apply();

            KerasStackModel converted = Converted(lstms, dense, denseBias);
            SameWeights(converted, model);
            float[][] inputs = RandomInputs(seed: 4);
            float[][] loaded = Run(model, inputs);
            Assert.Equal(Run(converted, inputs).Select(y => Bits(y)), loaded.Select(y => Bits(y)));

            double[][] reference = Reference(lstms, dense, denseBias, inputs);
            for (int t = 0; t < inputs.Length; t++)
            {
                for (int o = 0; o < Outputs; o++)
                {
                    Assert.True(Math.Abs(reference[t][o] - loaded[t][o]) < 1e-5, $"Step {t}, output {o}: {loaded[t][o]}, Keras' math gives {reference[t][o]}.");
                }
            }
        }

        [Fact]
        public void WithoutBiasesTheBiasesAreZero()
        {
            (Layer[] lstms, float[] dense, float[] denseBias) = RandomWeights(seed: 22);
            var model = new KerasStackModel(seed: 1);
            var keras = new KerasWeights(model, new KerasLstmConfig { UseBias = false, UnitForgetBias = false });
            keras.SetLstm(0, lstms[0].Kernel, lstms[0].Recurrent, ReadOnlySpan<float>.Empty);
            keras.SetLstm(1, lstms[1].Kernel, lstms[1].Recurrent, ReadOnlySpan<float>.Empty);
            keras.SetDense(dense, denseBias);
            keras.Apply();
            SameWeights(Converted(lstms, dense, denseBias, useBias: false), model);
        }

        /// <summary>The tensor names of each style: (LSTM layer 0, LSTM layer 1, dense) prefixes and the variable names.</summary>
        public static TheoryData<string> Styles => new() { "tf2", "keras3-path", "keras3-h5", "tf2-model-h5", "keras1" };

        private static Dictionary<string, (float[] Values, int[] Shape)> Named(string style, Layer[] lstms, float[] dense, float[] denseBias)
        {
            var tensors = new Dictionary<string, (float[] Values, int[] Shape)>();
            for (int layer = 0; layer < 2; layer++)
            {
                string name = layer == 0 ? "lstm" : "lstm_1";
                string[] names = style switch
                {
                    "tf2" => new[] { $"{name}/lstm_cell/kernel:0", $"{name}/lstm_cell/recurrent_kernel:0", $"{name}/lstm_cell/bias:0" },
                    "keras3-path" => new[] { $"{name}/lstm_cell/kernel", $"{name}/lstm_cell/recurrent_kernel", $"{name}/lstm_cell/bias" },
                    "keras3-h5" => new[] { $"layers/{name}/cell/vars/0", $"layers/{name}/cell/vars/1", $"layers/{name}/cell/vars/2" },
                    "tf2-model-h5" => new[] { $"model_weights/{name}/{name}/lstm_cell/kernel:0", $"model_weights/{name}/{name}/lstm_cell/recurrent_kernel:0", $"model_weights/{name}/{name}/lstm_cell/bias:0" },
                    _ => new[] { $"lstm_{layer + 1}/kernel:0", $"lstm_{layer + 1}/recurrent_kernel:0", $"lstm_{layer + 1}/bias:0" },
                };
                tensors[names[0]] = (lstms[layer].Kernel, new[] { layer == 0 ? Inputs : Hidden, Gates });
                tensors[names[1]] = (lstms[layer].Recurrent, new[] { Hidden, Gates });
                tensors[names[2]] = (lstms[layer].Bias, new[] { Gates });
            }

            (string kernel, string bias) = style switch
            {
                "tf2" => ("dense/kernel:0", "dense/bias:0"),
                "keras3-path" => ("dense/kernel", "dense/bias"),
                "keras3-h5" => ("layers/dense/vars/0", "layers/dense/vars/1"),
                "tf2-model-h5" => ("model_weights/dense/dense/kernel:0", "model_weights/dense/dense/bias:0"),
                _ => ("dense_1/kernel:0", "dense_1/bias:0"),
            };
            tensors[kernel] = (dense, new[] { Hidden, Outputs });
            tensors[bias] = (denseBias, new[] { Outputs });
            return tensors;
        }

        private static void Write(Stream stream, Dictionary<string, (float[] Values, int[] Shape)> tensors) =>
            SafeTensorsFile.Write(stream, tensors.Select(t => SafeTensorsTensor.FromSingles(t.Key, t.Value.Shape.Select(d => (long)d).ToArray(), t.Value.Values)));

        private static SafeTensorsFile File(Dictionary<string, (float[] Values, int[] Shape)> tensors)
        {
            var stream = new MemoryStream();
            Write(stream, tensors);
            stream.Position = 0;
            return SafeTensorsFile.Read(stream);
        }

        [Theory]
        [MemberData(nameof(Styles))]
        public void LoadsSafetensorsNamedAsKerasNamesThem(string style)
        {
            (Layer[] lstms, float[] dense, float[] denseBias) = RandomWeights(seed: 23);
            var model = new KerasStackModel(seed: 1);
            KerasWeights.Load(model, File(Named(style, lstms, dense, denseBias)));
            SameWeights(Converted(lstms, dense, denseBias), model);
        }

        [Fact]
        public void LoadsAFileFromAPath()
        {
            (Layer[] lstms, float[] dense, float[] denseBias) = RandomWeights(seed: 24);
            Dictionary<string, (float[] Values, int[] Shape)> tensors = Named("tf2", lstms, dense, denseBias);
            using var directory = new TemporaryDirectory();
            string path = directory.File("keras.safetensors");
            using (FileStream stream = System.IO.File.Create(path))
            {
                Write(stream, tensors);
            }

            var model = new KerasStackModel(seed: 1);
            KerasWeights.Load(model, path);
            SameWeights(Converted(lstms, dense, denseBias), model);

            tensors.Remove("dense/bias:0");
            using (FileStream stream = System.IO.File.Create(path))
            {
                Write(stream, tensors);
            }

            Dictionary<string, int[]> before = TensorBits(model);
            Refuses(() => KerasWeights.Load(new KerasStackModel(seed: 3), path), path + ": ", "The Keras layer 'dense' has no bias");
            Assert.Equal(before, TensorBits(model));
        }

        public static TheoryData<string, string[]> BadConfigs => new()
        {
            { "activation", new[] { "The Keras LSTM activation 'relu' is not supported: the model (PyTorch's nn.LSTM) computes tanh only." } },
            { "recurrent", new[] { "The Keras LSTM recurrent_activation 'hard_sigmoid' is not supported: the model (PyTorch's nn.LSTM) computes sigmoid only" } },
            { "backwards", new[] { "go_backwards = True" } },
            { "dense", new[] { "The Keras Dense activation 'relu' is not the model's: which LstmGen does not support" } },
            { "other dense", new[] { "The Keras Dense activation 'tanh' is not the model's: but the model's OutputActivation is Linear" } },
        };

        [Theory]
        [MemberData(nameof(BadConfigs))]
        public void RefusesAConfigTheModelCannotComputeAndLeavesTheModel(string bad, string[] message)
        {
            (Layer[] lstms, float[] dense, float[] denseBias) = RandomWeights(seed: 25);
            KerasLstmConfig config = bad switch
            {
                "activation" => new KerasLstmConfig { Activation = "relu" },
                "recurrent" => new KerasLstmConfig { RecurrentActivation = "hard_sigmoid" },
                "backwards" => new KerasLstmConfig { GoBackwards = true },
                "dense" => new KerasLstmConfig { DenseActivation = "relu" },
                _ => new KerasLstmConfig { DenseActivation = "tanh" },
            };
            var model = new KerasStackModel(seed: 1);
            Dictionary<string, int[]> before = TensorBits(model);
            Refuses(() => new KerasWeights(model, config), message);
            Refuses(() => KerasWeights.Load(model, File(Named("tf2", lstms, dense, denseBias)), config), message);
            Assert.Equal(before, TensorBits(model));
        }

        public static TheoryData<string, string[]> BadFiles => new()
        {
            { "recurrent shape", new[] { "The tensor 'lstm_1/lstm_cell/recurrent_kernel:0' has shape [20, 5], but the model expects [5, 20] (Keras' layout)." } },
            { "kernel shape", new[] { "The tensor 'lstm/lstm_cell/kernel:0' has shape [4, 20], but the model expects [3, 20] (Keras' layout)." } },
            { "dense shape", new[] { "The tensor 'dense/kernel:0' has shape [2, 5], but the model expects [5, 2] (Keras' layout)." } },
            { "one lstm", new[] { "The file has 1 Keras LSTM layer ('lstm'), but the model has 2" } },
            { "gru", new[] { "The file has 2 Keras layers other than LSTM ('dense', 'gru'), but the model has one Dense head" } },
            { "names", new[] { "The Keras LSTM layers 'encoder', 'decoder' do not order by Keras' numbering" } },
            { "unknown", new[] { "The tensor 'lstm/lstm_cell/peephole:0' is not a Keras LSTM or Dense weight" } },
            { "nan", new[] { "The tensor 'lstm_1/lstm_cell/bias:0' has NaN at index 7; the model takes finite weights only." } },
        };

        [Theory]
        [MemberData(nameof(BadFiles))]
        public void RefusesAFileThatDoesNotFitAndLeavesTheModel(string bad, string[] message)
        {
            (Layer[] lstms, float[] dense, float[] denseBias) = RandomWeights(seed: 26);
            Dictionary<string, (float[] Values, int[] Shape)> tensors = Named("tf2", lstms, dense, denseBias);
            switch (bad)
            {
                case "recurrent shape": tensors["lstm_1/lstm_cell/recurrent_kernel:0"] = (lstms[1].Recurrent, new[] { Gates, Hidden }); break;
                case "kernel shape": tensors["lstm/lstm_cell/kernel:0"] = (new float[4 * Gates], new[] { 4, Gates }); break;
                case "dense shape": tensors["dense/kernel:0"] = (dense, new[] { Outputs, Hidden }); break;
                case "one lstm":
                    foreach (string name in tensors.Keys.Where(n => n.StartsWith("lstm_1/", StringComparison.Ordinal)).ToList())
                    {
                        tensors.Remove(name);
                    }

                    break;
                case "gru": tensors["gru/kernel:0"] = (new float[3], new[] { 3 }); break;
                case "names":
                    tensors = tensors.ToDictionary(t => t.Key.Replace("lstm_1/", "decoder/", StringComparison.Ordinal).Replace("lstm/", "encoder/", StringComparison.Ordinal), t => t.Value);
                    break;
                case "unknown": tensors["lstm/lstm_cell/peephole:0"] = (new float[5], new[] { 5 }); break;
                case "nan":
                    float[] bias = (float[])lstms[1].Bias.Clone();
                    bias[7] = float.NaN;
                    tensors["lstm_1/lstm_cell/bias:0"] = (bias, new[] { Gates });
                    break;
            }

            var model = new KerasStackModel(seed: 1);
            Dictionary<string, int[]> before = TensorBits(model);
            Refuses(() => KerasWeights.Load(model, File(tensors)), message);
            Assert.Equal(before, TensorBits(model));
        }

        [Fact]
        public void RefusesArraysOfTheWrongLengthOrMissingAndLeavesTheModel()
        {
            (Layer[] lstms, float[] dense, float[] denseBias) = RandomWeights(seed: 27);
            var model = new KerasStackModel(seed: 1);
            Dictionary<string, int[]> before = TensorBits(model);
            var keras = new KerasWeights(model);
            Refuses(() => keras.SetLstm(1, lstms[0].Kernel, lstms[1].Recurrent, lstms[1].Bias), "The kernel of LSTM layer 1 has 60 values, but the model expects [5, 20] (100 values).");
            Refuses(() => keras.SetLstm(0, lstms[0].Kernel, lstms[1].Recurrent[..99], lstms[0].Bias), "The recurrent kernel of LSTM layer 0 has 99 values, but the model expects [5, 20] (100 values).");
            Refuses(() => keras.SetLstm(0, lstms[0].Kernel, lstms[0].Recurrent, lstms[0].Bias[..16]), "The bias of LSTM layer 0 has 16 values, but the model expects [20].");
            Refuses(() => keras.SetDense(dense[..8], denseBias), "The kernel of the Dense layer has 8 values, but the model expects [5, 2] (10 values).");
            float[] infinite = (float[])dense.Clone();
            infinite[3] = float.PositiveInfinity;
            Refuses(() => keras.SetDense(infinite, denseBias), "The kernel of the Dense layer has Infinity at index 3; the model takes finite weights only.");
            Assert.Throws<ArgumentOutOfRangeException>(() => keras.SetLstm(2, lstms[1].Kernel, lstms[1].Recurrent, lstms[1].Bias));
            keras.SetLstm(0, lstms[0].Kernel, lstms[0].Recurrent, lstms[0].Bias);
            keras.SetDense(dense, denseBias);
            Refuses(() => keras.Apply(), "LSTM layer 1 was not given (SetLstm); the model has 2");
            var noHead = new KerasWeights(model);
            noHead.SetLstm(0, lstms[0].Kernel, lstms[0].Recurrent, lstms[0].Bias);
            noHead.SetLstm(1, lstms[1].Kernel, lstms[1].Recurrent, lstms[1].Bias);
            Refuses(() => noHead.Apply(), "The Dense head was not given (SetDense)");
            var unbiased = new KerasWeights(model, new KerasLstmConfig { UseBias = false });
            Refuses(() => unbiased.SetLstm(0, lstms[0].Kernel, lstms[0].Recurrent, lstms[0].Bias), "The bias of LSTM layer 0 has 20 values, but use_bias is False (pass no bias).");
            Assert.Equal(before, TensorBits(model));
        }
    }
}
