using System;

namespace LstmGen.Training
{
    /// <summary>
    /// What every optimizer of the runtime shares: the learning rate, the step count, the per-parameter
    /// buffers and the state a checkpoint keeps. Each optimizer adds its own update in <see cref="Step"/>.
    /// </summary>
    public abstract class Optimizer : IOptimizer
    {
        private float _learningRate;

        private protected Optimizer(float learningRate, OptimizerBuffers buffers)
        {
            _learningRate = OptimizerGuard.LearningRate(learningRate, nameof(learningRate));
            Buffers = buffers;
        }

        /// <inheritdoc/>
        /// <exception cref="ArgumentOutOfRangeException">The value is below 0, NaN or infinite.</exception>
        public float LearningRate
        {
            get => _learningRate;
            set => _learningRate = OptimizerGuard.LearningRate(value, nameof(value));
        }

        /// <inheritdoc/>
        public long StepCount => Buffers.StepCount;

        /// <summary>The per-parameter buffers, sized on the first step, and the step count.</summary>
        private protected OptimizerBuffers Buffers { get; }

        /// <inheritdoc/>
        public abstract void Step(Span<float> parameters, ReadOnlySpan<float> gradients);

        /// <inheritdoc/>
        public void Reset() => Buffers.Reset();

        /// <inheritdoc/>
        public OptimizerState GetState() => Buffers.GetState(_learningRate);

        /// <inheritdoc/>
        public void SetState(OptimizerState state)
        {
            ArgumentNullException.ThrowIfNull(state);
            OptimizerGuard.LearningRate(state.LearningRate, "state.LearningRate");
            Buffers.SetState(state);
            _learningRate = state.LearningRate;
        }
    }
}
