using System;
using System.Diagnostics;

namespace LstmGen
{
    /// <summary>
    /// Generates a complete LSTM model (PyTorch's <c>nn.LSTM</c>, optionally followed by an
    /// <c>nn.Linear</c> head) into the annotated <see langword="partial"/> class, specialised at
    /// compile time for the sizes given here.
    /// </summary>
    /// <example>
    /// <code>
    /// [Lstm(InputSize = 8, HiddenSize = 32, Layers = 2, OutputSize = 4)]
    /// public partial class Predictor { }
    /// </code>
    /// </example>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    [Conditional("LSTMGEN_KEEP_ATTRIBUTES")]
    public sealed class LstmAttribute : Attribute
    {
        /// <summary>Features per time step (required, 1 to 8192).</summary>
        public int InputSize { get; set; }

        /// <summary>Units per LSTM layer (required, 1 to 1024).</summary>
        public int HiddenSize { get; set; }

        /// <summary>Stacked LSTM layers (1 to 16; default 1).</summary>
        public int Layers { get; set; } = 1;

        /// <summary>
        /// Outputs of the dense head (0 to 8192; default 0 = no head: the output of a step is
        /// the last layer's hidden state).
        /// </summary>
        public int OutputSize { get; set; }

        /// <summary>The activation applied to the head's output (default <see cref="Activation.Linear"/>).</summary>
        public Activation OutputActivation { get; set; } = Activation.Linear;

        /// <summary>The loss that training minimises (default <see cref="LossFunction.MeanSquaredError"/>).</summary>
        public LossFunction Loss { get; set; } = LossFunction.MeanSquaredError;

        /// <summary>
        /// A safetensors file whose weights are compiled into the assembly, for example
        /// <c>"models/pilot.safetensors"</c>: the path (relative to the project, <c>/</c> or <c>\</c>) of an
        /// <c>&lt;AdditionalFiles&gt;</c> item. The generator checks every tensor's name, shape and dtype at
        /// compile time (F32, F16, BF16 and F64, converted as <c>Load</c> converts them) and the parameterless
        /// constructor starts from these weights, copied from data in the assembly (no file is read at run
        /// time). The sizes may then be left out: each one not set here is the file's (InputSize from
        /// <c>lstm.weight_ih_l0</c>, HiddenSize from <c>lstm.weight_hh_l0</c>, Layers from the count of
        /// <c>lstm.weight_ih_l{k}</c>, OutputSize from <c>head.weight</c>, or no head without one).
        /// </summary>
        public string? Weights { get; set; }

        /// <summary>
        /// The precision the model's steps read its weights in (default <see cref="LstmGen.WeightPrecision.Float32"/>).
        /// <see cref="LstmGen.WeightPrecision.BFloat16"/> keeps a bfloat16 copy of the weights, rounded to nearest even
        /// from the float32 parameters (which training updates), and every step, <c>Forward</c> and group step read that
        /// copy: half the bytes per step, the sums still in float32.
        /// </summary>
        public WeightPrecision WeightPrecision { get; set; } = WeightPrecision.Float32;
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
