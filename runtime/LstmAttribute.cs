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
        /// <summary>
        /// The precision the model's steps read its weights in (default <see cref="LstmGen.WeightPrecision.Float32"/>).
        /// <see cref="LstmGen.WeightPrecision.BFloat16"/> keeps a bfloat16 copy of the weights, rounded to nearest even
        /// from the float32 parameters (which training updates), and every step, <c>Forward</c> and group step read that
        /// copy: half the bytes per step, the sums still in float32.
        /// </summary>
        public WeightPrecision WeightPrecision { get; set; } = WeightPrecision.Float32;

        /// <summary>
        /// The size of each layer's projection (PyTorch's <c>proj_size</c>, default 0: none). With 0 &lt; P &lt;
        /// <see cref="RecurrentModelAttribute.HiddenSize"/>, each layer maps o * tanh(c) to h = W_hr (o * tanh(c)) of P values
        /// (<c>lstm.weight_hr_l{k}</c> [P, HiddenSize], no bias): the state carries h (P values) and c (HiddenSize values), the
        /// gates read h, the layer above and the head read P values, and without a head a step outputs P values.
        /// With <c>Weights</c> and other sizes left to the file, left out, it is the file's too (from <c>lstm.weight_hr_l0</c>;
        /// 0 when the file has none); left out otherwise, there is no projection.
        /// </summary>
        public int ProjectionSize { get; set; }
    }

    /// <summary>The precision a model's steps read its weights in; the sums are float32 either way.</summary>
    public enum WeightPrecision
    {
        /// <summary>float32: the parameters themselves.</summary>
        Float32 = 0,

        /// <summary>
        /// bfloat16 (the upper half of a float32: 8 bits of significand): a copy of the parameters rounded to nearest
        /// even, widened to float32 in registers. The parameters stay float32 for training (mixed precision), and
        /// <c>Save</c> writes the rounded values as <c>BF16</c> tensors.
        /// </summary>
        BFloat16 = 1,
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
