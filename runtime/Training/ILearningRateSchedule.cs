namespace LstmGen.Training
{
    /// <summary>
    /// A learning rate that depends on how far training has gone: the closed forms of
    /// <c>torch.optim.lr_scheduler</c>. Schedules are immutable and compose (see <see cref="LinearWarmup"/>).
    /// </summary>
    /// <remarks>
    /// <para>
    /// The argument counts whatever the caller steps the schedule by, from 0: optimizer steps taken
    /// so far (set <c>optimizer.LearningRate = schedule.LearningRate(optimizer.StepCount)</c> before
    /// each <see cref="IOptimizer.Step"/>), or epochs completed. It is PyTorch's
    /// <c>scheduler.last_epoch</c> after as many calls of <c>scheduler.step()</c>, and 0 gives the
    /// initial learning rate.
    /// </para>
    /// <para>The values are computed in double and rounded to float.</para>
    /// </remarks>
    public interface ILearningRateSchedule
    {
        /// <summary>The learning rate after <paramref name="step"/> steps (or epochs); <paramref name="step"/> is at least 0.</summary>
        /// <exception cref="System.ArgumentOutOfRangeException"><paramref name="step"/> is negative.</exception>
        float LearningRate(long step);
    }
}
