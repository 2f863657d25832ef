using System;
using System.Diagnostics;

namespace LstmGen
{
    /// <summary>
    /// Generates a complete GRU model (PyTorch's <c>nn.GRU</c>, gates r, z, n, optionally followed by an
    /// <c>nn.Linear</c> head) into the annotated <see langword="partial"/> class, specialised at compile time for
    /// the sizes given here. The same properties, API and interface (<see cref="ILstmModel"/>) as
    /// <see cref="LstmAttribute"/>; the tensors are named <c>gru.weight_ih_l{k}</c> [3H, in], <c>gru.weight_hh_l{k}</c>
    /// [3H, H], <c>gru.bias_ih_l{k}</c>, <c>gru.bias_hh_l{k}</c> [3H]. A GRU has no cell state: its <c>State</c> holds the
    /// hidden values alone, and every span of cell values the interface takes must be empty.
    /// </summary>
    /// <example>
    /// <code>
    /// [Gru(InputSize = 8, HiddenSize = 32, Layers = 2, OutputSize = 4)]
    /// public partial class Predictor { }
    /// </code>
    /// </example>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    [Conditional("LSTMGEN_KEEP_ATTRIBUTES")]
    public sealed class GruAttribute : Attribute
    {
        /// <summary>Features per time step (required, 1 to 8192).</summary>
        public int InputSize { get; set; }

        /// <summary>Units per GRU layer (required, 1 to 1024).</summary>
        public int HiddenSize { get; set; }

        /// <summary>Stacked GRU layers (1 to 16; default 1).</summary>
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
        /// A safetensors file whose weights are compiled into the assembly, as <see cref="LstmAttribute.Weights"/>; the
        /// sizes left out are the file's (from <c>gru.weight_ih_l0</c>, <c>gru.weight_hh_l0</c>, the count of
        /// <c>gru.weight_ih_l{k}</c> and <c>head.weight</c>).
        /// </summary>
        public string? Weights { get; set; }
    }
}
