namespace TextGeneration
{
    /// <summary>How the sample cuts the novel and trains, and its defaults: short enough for under a minute on two cores.</summary>
    internal static class SampleSettings
    {
        /// <summary>The default passes over the training text.</summary>
        public const int Epochs = 4;

        /// <summary>The default characters to train on: the first chapters of the novel.</summary>
        public const int TrainingCharacters = 300_000;

        /// <summary>Characters of validation text, from the end of the novel.</summary>
        public const int ValidationCharacters = 30_000;

        /// <summary>Characters per training window (truncated backpropagation through time over this many steps).</summary>
        public const int WindowLength = 100;

        /// <summary>Windows per optimizer step.</summary>
        public const int BatchSize = 32;

        /// <summary>Adam's default peak learning rate; a cosine schedule takes it down to a tenth.</summary>
        public const float LearningRate = 3e-2f;

        /// <summary>Optimizer steps of linear warm-up (at most a quarter of the run).</summary>
        public const int WarmupSteps = 20;

        /// <summary>The largest global norm of a step's gradient.</summary>
        public const float ClipNorm = 1f;

        /// <summary>The default seed.</summary>
        public const int Seed = 1;

        /// <summary>The default sampling temperature.</summary>
        public const float Temperature = 0.7f;

        /// <summary>The default characters to generate.</summary>
        public const int Length = 400;

        /// <summary>Characters the untrained model writes, for contrast.</summary>
        public const int UntrainedLength = 80;

        /// <summary>The default text to continue.</summary>
        public const string Prime = "The whale ";

        /// <summary>The trained weights.</summary>
        public const string WeightsFileName = "moby-dick-chars.safetensors";

        /// <summary>The plot of the losses.</summary>
        public const string PlotFileName = "moby-dick-loss.png";
    }
}
