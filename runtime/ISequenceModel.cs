using System;
using System.Collections.Generic;

namespace LstmGen
{
    /// <summary>
    /// What every generated model offers, whether it steps or not: its sizes, its tensors and parameters, <see cref="Forward"/>
    /// over whole sequences and training (<see cref="AccumulateGradients(ReadOnlySpan{float}, ReadOnlySpan{float})"/>), so that
    /// runtime code (initialisers, the trainer, weight files) works on any of them. A model that steps one input at a time
    /// carries a state and is an <see cref="ILstmModel"/>; a bidirectional model (<c>Bidirectional = true</c>) is only this: its
    /// reverse direction reads the sequence from its end, so it has no step and no state to carry.
    /// </summary>
    /// <remarks>
    /// Thread safety: everything that uses the model's buffers or writes its weights (<see cref="Forward"/>,
    /// <see cref="AccumulateGradients(ReadOnlySpan{float}, ReadOnlySpan{float})"/>, <see cref="ZeroGradients"/>, <see cref="SetTensor"/>,
    /// <c>Load</c>, <see cref="TrimBuffers"/>) is for one thread at a time: a second thread's call throws
    /// <see cref="InvalidOperationException"/> instead of corrupting anything. <see cref="GetTensor"/> and
    /// <see cref="GetGradient"/> refuse to run while another thread's call holds the model.
    /// </remarks>
    public interface ISequenceModel
    {
        /// <summary>Features per time step.</summary>
        int InputSize { get; }

        /// <summary>Units per layer and direction.</summary>
        int HiddenSize { get; }

        /// <summary>Stacked layers (a bidirectional layer counts once: its two directions side by side).</summary>
        int Layers { get; }

        /// <summary>
        /// Values the model outputs per time step: the head's size, or without a head the last layer's output
        /// (<see cref="HiddenSize"/>; an LSTM with projections, its <c>ProjectionSize</c>; twice that for a bidirectional model,
        /// forward half first).
        /// </summary>
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

        /// <summary>
        /// The precision the model's steps read its weights in (the attribute's <c>WeightPrecision</c>). With
        /// <see cref="WeightPrecision.BFloat16"/>, <see cref="Parameters"/> stays the float32 master copy that training
        /// updates; reading it marks the model's bfloat16 copy out of date, and the next step, <see cref="Forward"/> or
        /// group step rounds it again (so a span of <see cref="Parameters"/> written after a step needs
        /// <see cref="Parameters"/> read again before the next). <c>Save</c> writes the rounded values as <c>BF16</c>.
        /// </summary>
        WeightPrecision WeightPrecision { get; }

        /// <summary>Sets a tensor from values in PyTorch's row-major layout.</summary>
        /// <exception cref="ArgumentException">The name is unknown or the length does not match the tensor's shape.</exception>
        void SetTensor(string name, ReadOnlySpan<float> values);

        /// <summary>Copies a tensor out in PyTorch's row-major layout.</summary>
        /// <exception cref="ArgumentException">The name is unknown or the length does not match the tensor's shape.</exception>
        void GetTensor(string name, Span<float> destination);

        /// <summary>
        /// Runs a whole sequence: [T, InputSize] in, [T, OutputSize] out, both row-major. A model that steps
        /// (<see cref="ILstmModel"/>) starts from its current state and leaves it after the last step; a bidirectional
        /// model starts both directions of every layer from zero, the reverse direction at the last step.
        /// </summary>
        /// <exception cref="ArgumentException">A span has the wrong length, or <paramref name="outputs"/> shares memory with <paramref name="inputs"/>.</exception>
        /// <exception cref="InvalidOperationException">Another thread's call holds the model (see the remarks on thread safety).</exception>
        void Forward(ReadOnlySpan<float> inputs, Span<float> outputs);

        /// <summary>
        /// The gradient of the loss with respect to every parameter, in the layout and order of
        /// <see cref="Parameters"/>. <see cref="AccumulateGradients(ReadOnlySpan{float}, ReadOnlySpan{float})"/>
        /// adds to it, as PyTorch's <c>.grad</c>; <see cref="ZeroGradients"/> clears it. Allocated on first use.
        /// </summary>
        Span<float> Gradients { get; }

        /// <summary>Sets every gradient to zero.</summary>
        void ZeroGradients();

        /// <summary>
        /// Releases the buffers that <see cref="Forward"/> and <see cref="AccumulateGradients(ReadOnlySpan{float}, ReadOnlySpan{float})"/>
        /// keep between calls: the training record (which grows to the longest sequence trained, about
        /// (T + 1) x (Layers x (6 x HiddenSize) + 2 x OutputSize) floats, and is otherwise kept for the model's
        /// life), the backward pass's scratch and Forward's chunk buffer. The weights, the gradients and the
        /// state are kept; the next call allocates what it needs again.
        /// </summary>
        void TrimBuffers();

        /// <summary>Copies the gradient of a tensor out in PyTorch's row-major layout (as <c>tensor.grad</c>).</summary>
        /// <exception cref="ArgumentException">The name is unknown or the length does not match the tensor's shape.</exception>
        void GetGradient(string name, Span<float> destination);

        /// <summary>
        /// Runs the sequence [T, InputSize] from the model's current state, computes the model's
        /// <see cref="Loss"/> against <paramref name="targets"/>, adds d loss / d parameters to
        /// <see cref="Gradients"/> (backpropagation through time) and returns the loss.
        /// </summary>
        /// <param name="inputs">The sequence, [T, InputSize] row-major.</param>
        /// <param name="targets">
        /// [T, OutputSize] for a loss on every step, or [OutputSize] for a loss on the last step only.
        /// Mean squared error is the mean over every target element; cross-entropy the mean over the
        /// scored steps of -sum(target * log softmax(logits)).
        /// </param>
        /// <returns>The loss: NaN (or infinite) when an input or a target is not finite; see the remarks.</returns>
        /// <remarks>
        /// <para>
        /// A model that steps (<see cref="ILstmModel"/>) leaves its state at the end of the sequence, so that
        /// consecutive chunks of a long stream train with truncated backpropagation through time (the state is
        /// carried from chunk to chunk, its gradient is not); call <see cref="ILstmModel.ResetState"/> first for
        /// independent sequences. A bidirectional model starts every sequence from zero.
        /// </para>
        /// <para>
        /// Nothing is checked for NaN or infinity, to keep the pass fast: a NaN in an input or a target
        /// makes the returned loss NaN and adds NaN to the gradients; an infinite input may leave the loss
        /// finite (the gates saturate) and still make gradients infinite or NaN. The parameters are never
        /// changed, but <see cref="Gradients"/> stay poisoned until <see cref="ZeroGradients"/>, and the state
        /// until <see cref="ILstmModel.ResetState"/> or <see cref="ILstmModel.SetState"/>. Check the loss with
        /// <see cref="float.IsFinite"/> (and the gradients' norm, which
        /// <see cref="Training.GradientClipping.ClipByGlobalNorm"/> returns) before an optimizer step, as
        /// <see cref="Training.Trainer{TModel}"/> does.
        /// </para>
        /// </remarks>
        /// <exception cref="ArgumentException">A span has the wrong length.</exception>
        float AccumulateGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets);

        /// <summary>
        /// As <see cref="AccumulateGradients(ReadOnlySpan{float}, ReadOnlySpan{float})"/>, and also writes
        /// d loss / d inputs and d loss / d the initial state, for models composed with other layers.
        /// </summary>
        /// <param name="inputs">The sequence, [T, InputSize] row-major.</param>
        /// <param name="targets">[T, OutputSize], or [OutputSize] for the last step only.</param>
        /// <param name="inputGradients">Receives d loss / d inputs, [T, InputSize].</param>
        /// <param name="initialHiddenGradients">
        /// Receives d loss / d the initial hidden state, [Layers, HiddenSize]; for a bidirectional model
        /// [2 x Layers, HiddenSize] as PyTorch's <c>h0</c> (layer k's forward direction in row 2k, its reverse in row 2k + 1).
        /// An LSTM with projections carries ProjectionSize hidden values: [Layers, ProjectionSize], or [2 x Layers, ProjectionSize].
        /// </param>
        /// <param name="initialCellGradients">
        /// Receives d loss / d the initial cell state, [Layers, HiddenSize] or for a bidirectional model [2 x Layers, HiddenSize]
        /// (HiddenSize wide with projections too; empty for a GRU).
        /// </param>
        /// <returns>The loss; for inputs or targets that are not finite, as the other overload (NaN, and the gradient spans poisoned too).</returns>
        /// <exception cref="ArgumentException">
        /// A span has the wrong length, or a span written (<paramref name="inputGradients"/>,
        /// <paramref name="initialHiddenGradients"/>, <paramref name="initialCellGradients"/>) shares memory with another span.
        /// </exception>
        float AccumulateGradients(
            ReadOnlySpan<float> inputs,
            ReadOnlySpan<float> targets,
            Span<float> inputGradients,
            Span<float> initialHiddenGradients,
            Span<float> initialCellGradients);
    }
}
