using System;
using System.Globalization;

namespace LstmGen.Training
{
    /// <summary>
    /// A mini-batch of <see cref="Trainer{TModel}.Fit"/> gave a loss or a gradient that is NaN or infinite
    /// (a NaN or an infinity in a sequence's inputs or targets, weights that overflowed, a learning rate
    /// too high). The trainer throws it before the optimizer's step, so the model's parameters and the
    /// optimizer's state are those of before that batch.
    /// </summary>
    /// <remarks>
    /// Set <see cref="TrainerOptions.SkipNonFiniteBatches"/> to skip such batches instead
    /// (<see cref="TrainingResult.SkippedBatches"/> counts them).
    /// </remarks>
    public sealed class NonFiniteTrainingException : ArithmeticException
    {
        /// <summary>Creates the exception with a default message.</summary>
        public NonFiniteTrainingException()
            : base("A training batch gave a loss or a gradient that is NaN or infinite.")
        {
        }

        /// <summary>Creates the exception with a message.</summary>
        public NonFiniteTrainingException(string message)
            : base(message)
        {
        }

        /// <summary>Creates the exception with a message and the exception that caused it.</summary>
        public NonFiniteTrainingException(string message, Exception? innerException)
            : base(message, innerException)
        {
        }

        /// <summary>Creates the exception for the batch <paramref name="batch"/> of epoch <paramref name="epoch"/>.</summary>
        /// <param name="epoch">The epoch, from 1.</param>
        /// <param name="batch">The mini-batch of the epoch, from 1.</param>
        /// <param name="sequenceIndex">The index in the training set of the first sequence whose loss is not finite, or <see langword="null"/> when every loss is finite and only the gradient is not.</param>
        /// <param name="loss">That sequence's loss, or <see langword="null"/>.</param>
        /// <param name="gradientNorm">The L2 norm of the batch's mean gradient, or <see langword="null"/> when the losses were checked first and one was not finite.</param>
        public NonFiniteTrainingException(int epoch, int batch, int? sequenceIndex, float? loss, float? gradientNorm)
            : base(Describe(epoch, batch, sequenceIndex, loss, gradientNorm))
        {
            Epoch = epoch;
            Batch = batch;
            SequenceIndex = sequenceIndex;
            Loss = loss;
            GradientNorm = gradientNorm;
        }

        /// <summary>The epoch, from 1.</summary>
        public int Epoch { get; }

        /// <summary>The mini-batch of the epoch, from 1.</summary>
        public int Batch { get; }

        /// <summary>
        /// The index in the training set (as passed to <see cref="Trainer{TModel}.Fit"/>) of the batch's first
        /// sequence, in batch order, whose loss is NaN or infinite; <see langword="null"/> when every loss was
        /// finite and the gradient was not.
        /// </summary>
        public int? SequenceIndex { get; }

        /// <summary>The loss of <see cref="SequenceIndex"/>, or <see langword="null"/>.</summary>
        public float? Loss { get; }

        /// <summary>The L2 norm of the batch's mean gradient when it was not finite, or <see langword="null"/>.</summary>
        public float? GradientNorm { get; }

        private static string Describe(int epoch, int batch, int? sequenceIndex, float? loss, float? gradientNorm)
        {
            string what = sequenceIndex is int index
                ? string.Create(CultureInfo.InvariantCulture, $"the loss of training sequence {index} is {loss}")
                : string.Create(CultureInfo.InvariantCulture, $"every loss is finite, but the gradient's L2 norm is {gradientNorm}");
            return string.Create(
                CultureInfo.InvariantCulture,
                $"Training stopped in epoch {epoch}, mini-batch {batch}: {what}. The model's parameters and the optimizer's state are those of before this batch. Check the sequence's inputs and targets for NaN or infinity (or lower the learning rate), or set TrainerOptions.SkipNonFiniteBatches to skip such batches.");
        }
    }
}
