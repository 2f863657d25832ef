using System;

namespace LstmGen
{
    /// <summary>Weight initialisers.</summary>
    public static class Initializers
    {
        /// <summary>Fills <paramref name="values"/> uniformly in [-bound, bound).</summary>
        public static void Uniform(Span<float> values, float bound, DeterministicRandom random)
        {
            ArgumentNullException.ThrowIfNull(random);
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = random.NextSingle(-bound, bound);
            }
        }

        /// <summary>
        /// PyTorch's default initialisation of <c>nn.LSTM</c> and <c>nn.Linear</c>: every tensor
        /// uniform in ±1/sqrt(HiddenSize), drawn tensor by tensor in state_dict order, element by
        /// element in PyTorch's row-major order, from a <see cref="DeterministicRandom"/> seeded
        /// with <paramref name="seed"/>. One seed gives the same weights on every machine.
        /// </summary>
        public static void PyTorchDefault(ISequenceModel model, int seed)
        {
            ArgumentNullException.ThrowIfNull(model);
            var random = new DeterministicRandom(seed);
            float bound = 1f / MathF.Sqrt(model.HiddenSize);
            int largest = 0;
            foreach (TensorInfo tensor in model.Tensors)
            {
                largest = Math.Max(largest, tensor.Length);
            }

            float[] values = new float[largest];
            foreach (TensorInfo tensor in model.Tensors)
            {
                Span<float> tensorValues = values.AsSpan(0, tensor.Length);
                Uniform(tensorValues, bound, random);
                model.SetTensor(tensor.Name, tensorValues);
            }
        }
    }
}
