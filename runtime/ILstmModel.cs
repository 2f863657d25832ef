using System;
using System.Collections.Generic;

namespace LstmGen
{
    /// <summary>
    /// What every model that steps offers (every model generated from <see cref="LstmAttribute"/> or
    /// <see cref="GruAttribute"/> that is not bidirectional): <see cref="ISequenceModel"/>'s members, the model's own state and
    /// <see cref="Step"/>.
    /// </summary>
    /// <remarks>
    /// A generated class also has the same sizes as <see langword="const"/> fields, a value type
    /// <c>State</c> and a <c>Step(ref State, ...)</c> overload for stepping many independent
    /// sequences through one model.
    /// <para>
    /// Thread safety: <c>Step(ref State, ...)</c> and the group step only read the weights, so any number
    /// of threads may call them at once, each with its own states. Everything that uses the model's own
    /// state or buffers, or writes its weights (<see cref="ISequenceModel.Forward"/>, <see cref="ISequenceModel.AccumulateGradients(ReadOnlySpan{float}, ReadOnlySpan{float})"/>,
    /// <see cref="ISequenceModel.ZeroGradients"/>, <see cref="SetState"/>, <see cref="ResetState"/>, <see cref="ISequenceModel.SetTensor"/>, <c>Load</c>,
    /// <see cref="ISequenceModel.TrimBuffers"/>) is for one thread at a time: a second thread's call throws
    /// <see cref="InvalidOperationException"/> instead of corrupting anything. <see cref="Step"/>,
    /// <see cref="GetState"/>, <see cref="ISequenceModel.GetTensor"/> and <see cref="ISequenceModel.GetGradient"/> check the same with a plain
    /// read (no locked instruction): they refuse to run while another thread's call holds the model, but two
    /// threads stepping the model's own state at once are not detected (wrong numbers, never an access
    /// outside the model's memory). Weights changed while
    /// other threads step are not atomic (a step may see old and new tensors): load into a second model and
    /// swap references (the generated <c>CopyParametersFrom</c> describes how).
    /// </para>
    /// </remarks>
    public interface ILstmModel : ISequenceModel
    {
        /// <summary>Sets the model's own hidden and cell states to zero.</summary>
        void ResetState();

        /// <summary>
        /// Sets the model's own state; each span is [Layers, HiddenSize] row-major (an LSTM with projections: the hidden state
        /// [Layers, ProjectionSize], the cell state [Layers, HiddenSize]).
        /// </summary>
        void SetState(ReadOnlySpan<float> hidden, ReadOnlySpan<float> cell);

        /// <summary>
        /// Copies the model's own state out; each span is [Layers, HiddenSize] row-major (an LSTM with projections: the hidden
        /// state [Layers, ProjectionSize], the cell state [Layers, HiddenSize]).
        /// </summary>
        void GetState(Span<float> hidden, Span<float> cell);

        /// <summary>
        /// Whether the model's own hidden and cell states are finite. A NaN input to a step makes the state
        /// NaN, and it stays NaN (so do the outputs) until <see cref="ResetState"/> or
        /// <see cref="SetState"/>: check after a step whose input may be bad. Costs one pass over the state.
        /// </summary>
        bool IsStateFinite();

        /// <summary>Advances the model's own state by one time step: [InputSize] in, [OutputSize] out.</summary>
        /// <remarks>
        /// <paramref name="output"/> may share memory with <paramref name="input"/>. A NaN input makes the
        /// state NaN until it is reset (see <see cref="IsStateFinite"/>); an infinite one saturates the gates,
        /// or gives NaN where infinities of both signs meet. Not for two threads at once:
        /// a call while another thread's <see cref="ISequenceModel.Forward"/>, training or weight change holds the model throws
        /// <see cref="InvalidOperationException"/>; two threads stepping the own state at once are not detected
        /// (they get wrong numbers, never an access outside the model's memory). Use one model per thread, or a
        /// <c>State</c> per sequence with the generated <c>Step(ref State, ...)</c>.
        /// </remarks>
        void Step(ReadOnlySpan<float> input, Span<float> output);
    }
}
