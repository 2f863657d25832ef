using System;

namespace LstmGen.Training
{
    /// <summary>
    /// One independent training example for a <see cref="Trainer{TModel}"/>: a sequence of inputs and
    /// the targets of its outputs, both row-major.
    /// </summary>
    /// <remarks>
    /// The trainer reads the memory while it trains and never writes it: slices of one large array
    /// (a windowed time series, say) make a data set without copies. Do not change the values during
    /// <see cref="Trainer{TModel}.Fit"/> or <see cref="Trainer{TModel}.Evaluate"/>.
    /// </remarks>
    /// <param name="Inputs">The inputs, [T, InputSize] with T at least 1.</param>
    /// <param name="Targets">
    /// The targets: [T, OutputSize] for a loss on every step, or [OutputSize] for a loss on the last
    /// step only (see <see cref="ISequenceModel.AccumulateGradients(ReadOnlySpan{float}, ReadOnlySpan{float})"/>).
    /// </param>
    public readonly record struct TrainingSequence(ReadOnlyMemory<float> Inputs, ReadOnlyMemory<float> Targets);
}
