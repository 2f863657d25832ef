using System;
using System.Diagnostics;

namespace LstmGen
{
    /// <summary>
    /// Generates a complete GRU model (PyTorch's <c>nn.GRU</c>, gates r, z, n, optionally followed by an
    /// <c>nn.Linear</c> head) into the annotated <see langword="partial"/> class, specialised at compile time for
    /// the sizes given here. The same properties (<see cref="RecurrentModelAttribute"/>'s), API and interface
    /// (<see cref="ILstmModel"/>) as <see cref="LstmAttribute"/>; the tensors are named <c>gru.weight_ih_l{k}</c> [3H, in], <c>gru.weight_hh_l{k}</c>
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
    public sealed class GruAttribute : RecurrentModelAttribute
    {
    }
}
