namespace LstmGen.Generator.Model
{
    /// <summary>
    /// The LSTM cell as PyTorch's <c>nn.LSTM</c> defines it: four gates, in PyTorch's order i, f, g, o (input,
    /// forget, candidate, output), whose sums b_ih + b_hh + W_ih x + W_hh h fill a gate row of
    /// <see cref="GateCount"/> x HiddenSize columns. The planner, the weight packer and the emitter take the
    /// number of gates and their names from here.
    /// </summary>
    internal static class LstmCell
    {
        /// <summary>Gates per unit: a gate row holds GateCount x HiddenSize sums.</summary>
        public const int GateCount = 4;

        /// <summary>The gates' names in PyTorch's order, which name the emitted locals (inputSum0, forgetBias0, ...).</summary>
        public static readonly string[] GateNames = { "input", "forget", "candidate", "output" };

        /// <summary>The locals that hold the gate activations of a segment, in gate order.</summary>
        public static readonly string[] GateActivationLocals = { "inputGate", "forgetGate", "candidate", "outputGate" };
    }
}
