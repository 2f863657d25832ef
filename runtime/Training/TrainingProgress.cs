using System;

namespace LstmGen.Training
{
    /// <summary>
    /// What <see cref="Trainer{TModel}.Fit"/> reports after each optimizer step and at the end of each
    /// epoch.
    /// </summary>
    /// <param name="Epoch">The epoch, from 1 to <paramref name="Epochs"/>.</param>
    /// <param name="Epochs">The number of epochs asked for (<see cref="TrainerOptions.Epochs"/>).</param>
    /// <param name="Batch">The mini-batch just trained, from 1 to <paramref name="Batches"/>; <paramref name="Batches"/> at the end of the epoch.</param>
    /// <param name="Batches">The mini-batches of each epoch.</param>
    /// <param name="Loss">
    /// The mean training loss of the epoch's sequences so far (each sequence's loss as the model computed
    /// it, with the weights of its batch); at the end of the epoch, the epoch's training loss. Batches skipped
    /// as not finite (<see cref="TrainerOptions.SkipNonFiniteBatches"/>) are left out: NaN while every batch so far was skipped.
    /// </param>
    /// <param name="ValidationLoss">The epoch's validation loss, on the end-of-epoch report when there is a validation set; otherwise <see langword="null"/>.</param>
    /// <param name="SequencesPerSecond">The epoch's training sequences so far divided by the time spent training them (validation excluded).</param>
    /// <param name="Elapsed">The time since <see cref="Trainer{TModel}.Fit"/> began, validation included.</param>
    /// <param name="EpochCompleted">
    /// <see langword="false"/> after a mini-batch; <see langword="true"/> on the one report at the end of
    /// each epoch, after its validation.
    /// </param>
    public readonly record struct TrainingProgress(
        int Epoch,
        int Epochs,
        int Batch,
        int Batches,
        float Loss,
        float? ValidationLoss,
        double SequencesPerSecond,
        TimeSpan Elapsed,
        bool EpochCompleted);
}
