using System;
using System.Diagnostics;

namespace LstmGen
{
    /// <summary>
    /// Generates a complete LSTM model (PyTorch's <c>nn.LSTM</c>, optionally followed by an
    /// <c>nn.Linear</c> head) into the annotated <see langword="partial"/> class, specialised at
    /// compile time for the sizes given here (the properties are <see cref="RecurrentModelAttribute"/>'s).
    /// </summary>
    /// <example>
    /// <code>
    /// [Lstm(InputSize = 8, HiddenSize = 32, Layers = 2, OutputSize = 4)]
    /// public partial class Predictor { }
    /// </code>
    /// </example>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    [Conditional("LSTMGEN_KEEP_ATTRIBUTES")]
    public sealed class LstmAttribute : RecurrentModelAttribute
    {
    }

    /// <summary>The activation of a model's output.</summary>
    public enum Activation
    {
        /// <summary>No activation: the head's affine output.</summary>
        Linear = 0,

        /// <summary>The logistic function, 1 / (1 + e^-x), per output.</summary>
        Sigmoid = 1,

        /// <summary>The hyperbolic tangent, per output.</summary>
        Tanh = 2,

        /// <summary>Probabilities over the outputs (needs a head of at least 2 outputs).</summary>
        Softmax = 3,
    }

    /// <summary>The loss a model is trained on.</summary>
    public enum LossFunction
    {
        /// <summary>The mean of the squared error over every target element.</summary>
        MeanSquaredError = 0,

        /// <summary>The mean over the scored steps of -sum(target * log softmax(logits)); needs <see cref="Activation.Softmax"/>.</summary>
        CrossEntropy = 1,
    }
}
