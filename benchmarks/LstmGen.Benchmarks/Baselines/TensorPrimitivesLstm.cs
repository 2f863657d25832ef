using System;
using System.Numerics.Tensors;

namespace LstmGen.Benchmarks.Baselines
{
    /// <summary>How <see cref="TensorPrimitivesLstm"/> forms the gate pre-activations.</summary>
    public enum GateFormulation
    {
        /// <summary>
        /// W = [W_ih | W_hh] as one [4H, in + H] row-major matrix, times [x; h] by one
        /// TensorPrimitives.Dot per gate row (4H dots of length in + H, each ending in a horizontal sum).
        /// </summary>
        RowDot,

        /// <summary>
        /// The same matrix transposed, [in + H, 4H]: the gate vector starts as the bias and each input
        /// and hidden value adds its row with one TensorPrimitives.MultiplyAdd (in + H axpys of length 4H,
        /// no horizontal sums).
        /// </summary>
        TransposedAxpy,
    }

    /// <summary>
    /// The best run-time-sized vectorised LSTM written on System.Numerics.Tensors.TensorPrimitives:
    /// concatenated input and recurrent weights (see <see cref="GateFormulation"/>), the biases summed
    /// once, TensorPrimitives.Sigmoid and Tanh over whole gate blocks, the cell update as vector
    /// Multiply / MultiplyAdd, and preallocated buffers: no allocation per step.
    /// </summary>
    public sealed class TensorPrimitivesLstm : BaselineLstm
    {
        private readonly GateFormulation _formulation;

        // Per layer: [4H, in + H] (RowDot) or [in + H, 4H] (TransposedAxpy), and b_ih + b_hh [4H].
        private readonly float[][] _weights;
        private readonly float[][] _bias;
        private readonly float[] _headWeight;
        private readonly float[] _headBias;

        private readonly float[] _gates;
        private readonly float[] _concatenated;
        private readonly float[] _scratch;

        /// <summary>A baseline with the weights of <paramref name="model"/>.</summary>
        public TensorPrimitivesLstm(ILstmModel model, GateFormulation formulation)
            : base(model.InputSize, model.HiddenSize, model.Layers, model.OutputSize)
        {
            _formulation = formulation;
            int n = HiddenSize;
            _weights = new float[Layers][];
            _bias = new float[Layers][];
            for (int layer = 0; layer < Layers; layer++)
            {
                int inputs = layer == 0 ? InputSize : n;
                int columns = inputs + n;
                float[] wih = Tensor(model, $"lstm.weight_ih_l{layer}");
                float[] whh = Tensor(model, $"lstm.weight_hh_l{layer}");
                float[] weights = new float[4 * n * columns];
                for (int row = 0; row < 4 * n; row++)
                {
                    for (int j = 0; j < columns; j++)
                    {
                        float w = j < inputs ? wih[(row * inputs) + j] : whh[(row * n) + j - inputs];
                        if (formulation == GateFormulation.RowDot)
                        {
                            weights[(row * columns) + j] = w;
                        }
                        else
                        {
                            weights[(j * 4 * n) + row] = w;
                        }
                    }
                }

                _weights[layer] = weights;
                float[] bias = Tensor(model, $"lstm.bias_ih_l{layer}");
                TensorPrimitives.Add(bias, Tensor(model, $"lstm.bias_hh_l{layer}"), bias);
                _bias[layer] = bias;
            }

            _headWeight = Tensor(model, "head.weight");
            _headBias = Tensor(model, "head.bias");
            _gates = new float[4 * n];
            _concatenated = new float[Math.Max(InputSize, n) + n];
            _scratch = new float[n];
        }

        /// <summary>How the gate pre-activations are formed.</summary>
        public GateFormulation Formulation => _formulation;

        /// <inheritdoc/>
        public override void Step(Span<float> hidden, Span<float> cell, ReadOnlySpan<float> input, Span<float> output)
        {
            int n = HiddenSize;
            Span<float> gates = _gates;
            for (int layer = 0; layer < Layers; layer++)
            {
                ReadOnlySpan<float> x = layer == 0 ? input : hidden.Slice((layer - 1) * n, n);
                Span<float> h = hidden.Slice(layer * n, n);
                Span<float> c = cell.Slice(layer * n, n);
                float[] weights = _weights[layer];
                int columns = x.Length + n;

                if (_formulation == GateFormulation.RowDot)
                {
                    Span<float> xh = _concatenated.AsSpan(0, columns);
                    x.CopyTo(xh);
                    h.CopyTo(xh.Slice(x.Length));
                    ReadOnlySpan<float> w = weights;
                    float[] bias = _bias[layer];
                    for (int row = 0; row < 4 * n; row++)
                    {
                        gates[row] = bias[row] + TensorPrimitives.Dot(w.Slice(row * columns, columns), xh);
                    }
                }
                else
                {
                    ReadOnlySpan<float> w = weights;
                    int width = 4 * n;
                    _bias[layer].CopyTo(gates);
                    for (int j = 0; j < x.Length; j++)
                    {
                        TensorPrimitives.MultiplyAdd(w.Slice(j * width, width), x[j], gates, gates);
                    }

                    for (int j = 0; j < n; j++)
                    {
                        TensorPrimitives.MultiplyAdd(w.Slice((x.Length + j) * width, width), h[j], gates, gates);
                    }
                }

                // i and f are adjacent: one sigmoid over both.
                Span<float> inputAndForget = gates.Slice(0, 2 * n);
                Span<float> candidate = gates.Slice(2 * n, n);
                Span<float> outputGate = gates.Slice(3 * n, n);
                TensorPrimitives.Sigmoid(inputAndForget, inputAndForget);
                TensorPrimitives.Tanh(candidate, candidate);
                TensorPrimitives.Sigmoid(outputGate, outputGate);

                // c = f * c + i * g; h = o * tanh(c).
                TensorPrimitives.Multiply(inputAndForget.Slice(n, n), c, c);
                TensorPrimitives.MultiplyAdd(inputAndForget.Slice(0, n), candidate, c, c);
                Span<float> tanhCell = _scratch;
                TensorPrimitives.Tanh(c, tanhCell);
                TensorPrimitives.Multiply(outputGate, tanhCell, h);
            }

            ReadOnlySpan<float> last = hidden.Slice((Layers - 1) * n, n);
            ReadOnlySpan<float> headWeight = _headWeight;
            for (int k = 0; k < OutputSize; k++)
            {
                output[k] = _headBias[k] + TensorPrimitives.Dot(headWeight.Slice(k * n, n), last);
            }
        }
    }
}
