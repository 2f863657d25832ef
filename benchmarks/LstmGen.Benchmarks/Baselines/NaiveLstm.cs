using System;

namespace LstmGen.Benchmarks.Baselines
{
    /// <summary>
    /// The LSTM a user writes by hand: scalar loops over PyTorch's own layout (W_ih [4H, in] and
    /// W_hh [4H, H] row-major, gates in the order i, f, g, o), MathF.Exp and MathF.Tanh.
    /// </summary>
    public sealed class NaiveLstm : BaselineLstm
    {
        private readonly float[][] _weightIh;
        private readonly float[][] _weightHh;
        private readonly float[][] _biasIh;
        private readonly float[][] _biasHh;
        private readonly float[] _headWeight;
        private readonly float[] _headBias;
        private readonly float[] _gates;

        /// <summary>A baseline with the weights of <paramref name="model"/>.</summary>
        public NaiveLstm(ILstmModel model)
            : base(model.InputSize, model.HiddenSize, model.Layers, model.OutputSize)
        {
            _weightIh = new float[Layers][];
            _weightHh = new float[Layers][];
            _biasIh = new float[Layers][];
            _biasHh = new float[Layers][];
            for (int layer = 0; layer < Layers; layer++)
            {
                _weightIh[layer] = Tensor(model, $"lstm.weight_ih_l{layer}");
                _weightHh[layer] = Tensor(model, $"lstm.weight_hh_l{layer}");
                _biasIh[layer] = Tensor(model, $"lstm.bias_ih_l{layer}");
                _biasHh[layer] = Tensor(model, $"lstm.bias_hh_l{layer}");
            }

            _headWeight = Tensor(model, "head.weight");
            _headBias = Tensor(model, "head.bias");
            _gates = new float[4 * HiddenSize];
        }

        /// <inheritdoc/>
        public override void Step(Span<float> hidden, Span<float> cell, ReadOnlySpan<float> input, Span<float> output)
        {
            int n = HiddenSize;
            float[] gates = _gates;
            for (int layer = 0; layer < Layers; layer++)
            {
                ReadOnlySpan<float> x = layer == 0 ? input : hidden.Slice((layer - 1) * n, n);
                Span<float> h = hidden.Slice(layer * n, n);
                Span<float> c = cell.Slice(layer * n, n);
                float[] wih = _weightIh[layer];
                float[] whh = _weightHh[layer];
                float[] bih = _biasIh[layer];
                float[] bhh = _biasHh[layer];
                int inputs = x.Length;

                // Every gate reads the old hidden state, so all of them are computed before it changes.
                for (int row = 0; row < 4 * n; row++)
                {
                    float sum = bih[row] + bhh[row];
                    for (int j = 0; j < inputs; j++)
                    {
                        sum += wih[(row * inputs) + j] * x[j];
                    }

                    for (int j = 0; j < n; j++)
                    {
                        sum += whh[(row * n) + j] * h[j];
                    }

                    gates[row] = sum;
                }

                for (int u = 0; u < n; u++)
                {
                    float i = Sigmoid(gates[u]);
                    float f = Sigmoid(gates[n + u]);
                    float g = MathF.Tanh(gates[(2 * n) + u]);
                    float o = Sigmoid(gates[(3 * n) + u]);
                    c[u] = (f * c[u]) + (i * g);
                    h[u] = o * MathF.Tanh(c[u]);
                }
            }

            ReadOnlySpan<float> last = hidden.Slice((Layers - 1) * n, n);
            for (int k = 0; k < OutputSize; k++)
            {
                float sum = _headBias[k];
                for (int j = 0; j < n; j++)
                {
                    sum += _headWeight[(k * n) + j] * last[j];
                }

                output[k] = sum;
            }
        }

        private static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));
    }
}
