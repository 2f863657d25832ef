using System;
using System.Collections.Generic;
using System.Globalization;

namespace LstmGen.Serialization
{
    /// <summary>
    /// Keras' LSTM layout as the model's tensors, shared by <see cref="RTNeuralModel"/> and <see cref="KerasWeights"/>:
    /// <c>kernel</c> [in][4H], <c>recurrent_kernel</c> [H][4H] and one <c>bias</c> [4H], gates i, f, c, o (PyTorch's
    /// i, f, g, o), load as <c>weight_ih = kernel</c>ᵀ, <c>weight_hh = recurrent_kernel</c>ᵀ, <c>bias_ih = bias</c>,
    /// <c>bias_hh = 0</c>; a dense <c>kernel</c> [H][O] and <c>bias</c> [O] as <c>head.weight = kernel</c>ᵀ, <c>head.bias</c>.
    /// </summary>
    internal static class KerasLayout
    {
        /// <summary>Keras' [rows][columns], row-major, as PyTorch's [columns, rows], row-major.</summary>
        internal static float[] Transpose(ReadOnlySpan<float> keras, int rows, int columns)
        {
            float[] torch = new float[rows * columns];
            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < columns; c++)
                {
                    torch[(c * rows) + r] = keras[(r * columns) + c];
                }
            }

            return torch;
        }

        /// <summary>Adds LSTM layer <paramref name="layer"/>'s tensors from Keras' kernel and recurrent kernel (row-major) and bias (null: no bias).</summary>
        internal static void AddLstm(Dictionary<string, float[]> tensors, ISequenceModel model, int layer, ReadOnlySpan<float> kernel, ReadOnlySpan<float> recurrentKernel, float[]? bias, bool reverse = false)
        {
            int hidden = model.HiddenSize;
            int gates = 4 * hidden;
            string suffix = Suffix(layer, reverse);
            tensors["lstm.weight_ih_l" + suffix] = Transpose(kernel, LayerInputs(model, layer), gates);
            tensors["lstm.weight_hh_l" + suffix] = Transpose(recurrentKernel, hidden, gates);
            tensors["lstm.bias_ih_l" + suffix] = bias ?? new float[gates];
            tensors["lstm.bias_hh_l" + suffix] = new float[gates];
        }

        /// <summary>
        /// Adds GRU layer <paramref name="layer"/>'s tensors from Keras' kernel [in][3H] and recurrent kernel [H][3H]
        /// (row-major) and bias [2][3H] (the input bias, then the recurrent one; null: no bias), reset_after = True.
        /// Keras orders a GRU's gates z, r, h; PyTorch r, z, n: the rows of each gate move to PyTorch's place.
        /// </summary>
        internal static void AddGru(Dictionary<string, float[]> tensors, ISequenceModel model, int layer, ReadOnlySpan<float> kernel, ReadOnlySpan<float> recurrentKernel, float[]? bias, bool reverse = false)
        {
            int hidden = model.HiddenSize;
            int gates = 3 * hidden;
            string suffix = Suffix(layer, reverse);
            tensors["gru.weight_ih_l" + suffix] = GruGateOrder(Transpose(kernel, LayerInputs(model, layer), gates), hidden);
            tensors["gru.weight_hh_l" + suffix] = GruGateOrder(Transpose(recurrentKernel, hidden, gates), hidden);
            tensors["gru.bias_ih_l" + suffix] = bias is null ? new float[gates] : GruGateOrder(bias.AsSpan(0, gates).ToArray(), hidden);
            tensors["gru.bias_hh_l" + suffix] = bias is null ? new float[gates] : GruGateOrder(bias.AsSpan(gates, gates).ToArray(), hidden);
        }

        /// <summary>The end of a layer's tensor names: <c>0</c>, or <c>0_reverse</c> for the reverse direction of a bidirectional layer.</summary>
        private static string Suffix(int layer, bool reverse) => layer.ToString(CultureInfo.InvariantCulture) + (reverse ? "_reverse" : string.Empty);

        /// <summary>Rows in Keras' GRU gate order (z, r, h; H rows each) moved to PyTorch's (r, z, n).</summary>
        private static float[] GruGateOrder(float[] keras, int hidden)
        {
            int gateLength = keras.Length / 3;
            float[] torch = new float[keras.Length];
            keras.AsSpan(gateLength, gateLength).CopyTo(torch.AsSpan(0, gateLength));          // r: Keras' second gate
            keras.AsSpan(0, gateLength).CopyTo(torch.AsSpan(gateLength, gateLength));          // z: Keras' first gate
            keras.AsSpan(2 * gateLength, gateLength).CopyTo(torch.AsSpan(2 * gateLength));     // n: Keras' h
            return torch;
        }

        /// <summary>Adds the head's tensors from a Keras dense kernel (row-major [H][O]) and bias (null: no bias).</summary>
        internal static void AddHead(Dictionary<string, float[]> tensors, ISequenceModel model, ReadOnlySpan<float> kernel, float[]? bias)
        {
            tensors["head.weight"] = Transpose(kernel, RecurrentCells.LayerOutputSize(model), model.OutputSize);
            tensors["head.bias"] = bias ?? new float[model.OutputSize];
        }

        /// <summary>The inputs of layer <paramref name="layer"/>: the model's for the first, the layer below's output after (both directions of a bidirectional one).</summary>
        internal static int LayerInputs(ISequenceModel model, int layer) => layer == 0 ? model.InputSize : RecurrentCells.LayerOutputSize(model);

        /// <summary>The model's tensors in its order, for <see cref="WeightFile.Apply"/>; a tensor not given is refused.</summary>
        internal static float[][] Stage(ISequenceModel model, Dictionary<string, float[]> tensors, string format)
        {
            IReadOnlyList<TensorInfo> modelTensors = model.Tensors;
            var staged = new float[modelTensors.Count][];
            for (int i = 0; i < modelTensors.Count; i++)
            {
                if (!tensors.TryGetValue(modelTensors[i].Name, out float[]? values) || values.Length != modelTensors[i].Length)
                {
                    throw new WeightFileException($"The model's tensor '{modelTensors[i].Name}' {modelTensors[i].ShapeText} has no place in {format} ({WeightFile.ModelShape(model)}).", modelTensors[i].Name);
                }

                staged[i] = values;
            }

            return staged;
        }

        /// <summary>The model's head activation for Keras' (and RTNeural's) name of one; null for one LstmGen does not have.</summary>
        internal static Activation? HeadActivation(string name) => name switch
        {
            "" or "linear" => Activation.Linear,
            "sigmoid" => Activation.Sigmoid,
            "tanh" => Activation.Tanh,
            "softmax" => Activation.Softmax,
            _ => null,
        };
    }
}
