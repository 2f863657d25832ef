using System;

namespace LstmGen.Benchmarks.Baselines
{
    /// <summary>
    /// A hand-written LSTM + dense head with sizes known only at run time, for comparison with the
    /// generated models. Weights are copied from a generated model in PyTorch's layout, so both compute
    /// the same function of the same numbers.
    /// </summary>
    public abstract class BaselineLstm
    {
        private readonly float[] _hidden;
        private readonly float[] _cell;

        /// <summary>Sizes the baseline; the weights are loaded by the derived class.</summary>
        protected BaselineLstm(int inputSize, int hiddenSize, int layers, int outputSize)
        {
            InputSize = inputSize;
            HiddenSize = hiddenSize;
            Layers = layers;
            OutputSize = outputSize;
            _hidden = new float[layers * hiddenSize];
            _cell = new float[layers * hiddenSize];
        }

        /// <summary>Features per step.</summary>
        public int InputSize { get; }

        /// <summary>Units per layer.</summary>
        public int HiddenSize { get; }

        /// <summary>Stacked layers.</summary>
        public int Layers { get; }

        /// <summary>Outputs of the head.</summary>
        public int OutputSize { get; }

        /// <summary>Sets the baseline's own state to zero.</summary>
        public void ResetState()
        {
            Array.Clear(_hidden);
            Array.Clear(_cell);
        }

        /// <summary>One step of the baseline's own state.</summary>
        public void Step(ReadOnlySpan<float> input, Span<float> output) => Step(_hidden, _cell, input, output);

        /// <summary>A sequence [T, InputSize] from the baseline's own state; outputs [T, OutputSize].</summary>
        public void Forward(ReadOnlySpan<float> inputs, Span<float> outputs)
        {
            int steps = inputs.Length / InputSize;
            for (int t = 0; t < steps; t++)
            {
                Step(_hidden, _cell, inputs.Slice(t * InputSize, InputSize), outputs.Slice(t * OutputSize, OutputSize));
            }
        }

        /// <summary>One step of an external state: hidden and cell are [Layers, HiddenSize], updated in place.</summary>
        public abstract void Step(Span<float> hidden, Span<float> cell, ReadOnlySpan<float> input, Span<float> output);

        /// <summary>A tensor of <paramref name="model"/> in PyTorch's layout.</summary>
        protected static float[] Tensor(ILstmModel model, string name)
        {
            foreach (TensorInfo tensor in model.Tensors)
            {
                if (tensor.Name == name)
                {
                    float[] values = new float[tensor.Length];
                    model.GetTensor(name, values);
                    return values;
                }
            }

            throw new ArgumentException($"The model has no tensor '{name}'.", nameof(name));
        }
    }
}
