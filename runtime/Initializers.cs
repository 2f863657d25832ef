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
        /// PyTorch's default initialisation of <c>nn.LSTM</c> and <c>nn.Linear</c>: every tensor of the recurrent
        /// module uniform in ±1/sqrt(HiddenSize), the head's in ±1/sqrt(its inputs) (HiddenSize, or an LSTM's
        /// projection size), drawn tensor by tensor in state_dict order, element by element in PyTorch's row-major
        /// order, from a <see cref="DeterministicRandom"/> seeded with <paramref name="seed"/>. One seed gives the
        /// same weights on every machine.
        /// </summary>
        public static void PyTorchDefault(ISequenceModel model, int seed)
        {
            ArgumentNullException.ThrowIfNull(model);
            var random = new DeterministicRandom(seed);
            float bound = 1f / MathF.Sqrt(model.HiddenSize);

            // nn.Linear's bound is 1/sqrt(in_features): HiddenSize, or the projection's size the head reads.
            float headBound = bound;
            int largest = 0;
            foreach (TensorInfo tensor in model.Tensors)
            {
                largest = Math.Max(largest, tensor.Length);
                if (tensor.Name == "head.weight" && tensor.Shape[1] != model.HiddenSize)
                {
                    headBound = 1f / MathF.Sqrt(tensor.Shape[1]);
                }
            }

            float[] values = new float[largest];
            foreach (TensorInfo tensor in model.Tensors)
            {
                Span<float> tensorValues = values.AsSpan(0, tensor.Length);
                Uniform(tensorValues, tensor.Name.StartsWith("head.", StringComparison.Ordinal) ? headBound : bound, random);
                model.SetTensor(tensor.Name, tensorValues);
            }
        }
    }
}
