using System;
using System.Collections.Generic;

namespace LstmGen
{
    /// <summary>
    /// What every model generated from <see cref="LstmAttribute"/> offers, so that runtime code
    /// (initialisers, trainers, weight files) works on any of them.
    /// </summary>
    /// <remarks>
    /// A generated class also has the same sizes as <see langword="const"/> fields, a value type
    /// <c>State</c> and a <c>Step(ref State, ...)</c> overload for stepping many independent
    /// sequences through one model.
    /// </remarks>
    public interface ILstmModel
    {
        /// <summary>Features per time step.</summary>
        int InputSize { get; }

        /// <summary>Units per LSTM layer.</summary>
        int HiddenSize { get; }

        /// <summary>Stacked LSTM layers.</summary>
        int Layers { get; }

        /// <summary>Values a step outputs: the head's size, or <see cref="HiddenSize"/> without a head.</summary>
        int OutputSize { get; }

        /// <summary>Whether the model has a dense head (<c>head.weight</c>, <c>head.bias</c>).</summary>
        bool HasHead { get; }

        /// <summary>The activation applied to the head's output.</summary>
        Activation OutputActivation { get; }

        /// <summary>The loss the model is trained on.</summary>
        LossFunction Loss { get; }

        /// <summary>The number of trainable values, as PyTorch counts them.</summary>
        int ParameterCount { get; }

        /// <summary>The model's tensors, named and shaped as PyTorch's state_dict has them, in that order.</summary>
        IReadOnlyList<TensorInfo> Tensors { get; }

        /// <summary>
        /// Every trainable value, <see cref="ParameterCount"/> floats in the model's own layout
        /// (each tensor at its <see cref="TensorInfo.Offset"/>). Optimizers update it in place.
        /// </summary>
        Span<float> Parameters { get; }

        /// <summary>Sets a tensor from values in PyTorch's row-major layout.</summary>
        /// <exception cref="ArgumentException">The name is unknown or the length does not match the tensor's shape.</exception>
        void SetTensor(string name, ReadOnlySpan<float> values);

        /// <summary>Copies a tensor out in PyTorch's row-major layout.</summary>
        /// <exception cref="ArgumentException">The name is unknown or the length does not match the tensor's shape.</exception>
        void GetTensor(string name, Span<float> destination);

        /// <summary>Sets the model's own hidden and cell states to zero.</summary>
        void ResetState();

        /// <summary>Sets the model's own state; each span is [Layers, HiddenSize] row-major.</summary>
        void SetState(ReadOnlySpan<float> hidden, ReadOnlySpan<float> cell);

        /// <summary>Copies the model's own state out; each span is [Layers, HiddenSize] row-major.</summary>
        void GetState(Span<float> hidden, Span<float> cell);

        /// <summary>Advances the model's own state by one time step: [InputSize] in, [OutputSize] out.</summary>
        void Step(ReadOnlySpan<float> input, Span<float> output);

        /// <summary>
        /// Runs a whole sequence from the model's current state: [T, InputSize] in,
        /// [T, OutputSize] out, both row-major. The state is left after the last step.
        /// </summary>
        void Forward(ReadOnlySpan<float> inputs, Span<float> outputs);
    }
}
