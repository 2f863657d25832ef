using System;

namespace LstmGen.Benchmarks.Onnx
{
    /// <summary>
    /// The ONNX models' weights, made again bit for bit from lstm_weights.py's formula: element k of the
    /// t-th tensor (PyTorch's state_dict order) is SplitMix64((t + 1) G + (k + 1) G), its top 24 bits as
    /// u in [0, 1), and float32((2u - 1) / sqrt(hidden)) computed in double.
    /// </summary>
    public static class WeightFormula
    {
        private const ulong Golden = 0x9E3779B97F4A7C15;

        /// <summary>Sets every tensor of <paramref name="model"/> from the formula.</summary>
        public static void Fill(ILstmModel model)
        {
            int index = 0;
            foreach (TensorInfo tensor in model.Tensors)
            {
                model.SetTensor(tensor.Name, Values(index++, tensor.Length, model.HiddenSize));
            }
        }

        /// <summary>The formula's values of one tensor.</summary>
        public static float[] Values(int tensorIndex, int count, int hidden)
        {
            double bound = 1.0 / Math.Sqrt(hidden);
            float[] values = new float[count];
            for (int k = 0; k < count; k++)
            {
                ulong z = unchecked(((ulong)(tensorIndex + 1) * Golden) + ((ulong)(k + 1) * Golden));
                z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9);
                z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EB);
                z ^= z >> 31;
                double u = (z >> 40) / (double)(1 << 24);
                values[k] = (float)(((2.0 * u) - 1.0) * bound);
            }

            return values;
        }
    }
}
