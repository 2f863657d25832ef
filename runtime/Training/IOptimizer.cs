using System;

namespace LstmGen.Training
{
    /// <summary>
    /// Updates a parameter vector from its gradient, as the optimizers of <c>torch.optim</c> do.
    /// An optimizer keeps per-parameter state (momentum, moment estimates) sized on its first step,
    /// and allocates nothing after that.
    /// </summary>
    public interface IOptimizer
    {
        /// <summary>The learning rate of the next step; schedules change it between steps.</summary>
        float LearningRate { get; set; }

        /// <summary>The number of steps taken so far (PyTorch's <c>state["step"]</c>).</summary>
        long StepCount { get; }

        /// <summary>One optimisation step: updates <paramref name="parameters"/> in place from <paramref name="gradients"/>.</summary>
        /// <exception cref="ArgumentException">The spans differ in length, or differ from the length of earlier steps.</exception>
        void Step(Span<float> parameters, ReadOnlySpan<float> gradients);

        /// <summary>Forgets every step taken: the next step is a first step again.</summary>
        void Reset();

        /// <summary>A copy of the optimizer's state, for a checkpoint.</summary>
        OptimizerState GetState();

        /// <summary>Restores a state that <see cref="GetState"/> of the same kind of optimizer returned.</summary>
        /// <exception cref="ArgumentException">The state is of another optimizer, or its buffers have the wrong length.</exception>
        void SetState(OptimizerState state);
    }
}
