using System.Collections.Generic;

namespace LstmGen.Generator.Model
{
    /// <summary>
    /// The GRU cell as PyTorch's <c>nn.GRU</c> defines it: three gates in PyTorch's order r, z, n (reset, update,
    /// new), r = sigmoid(b_ir + b_hr + W_ir x + W_hr h), z likewise, n = tanh(b_in + W_in x + r * (b_hn + W_hn h)),
    /// h = (h - n) * z + n (PyTorch's CPU form of (1 - z) * n + z * h). A gate row holds 3 x HiddenSize columns, as
    /// PyTorch's tensors do; a step keeps four sums per unit, as an LSTM does: r and z add their input and recurrent
    /// parts together, n keeps them apart (its recurrent part is scaled by r), the recurrent one in the row of one
    /// value per unit that follows the gate row. The cell carries no cell state.
    /// </summary>
    internal sealed class GruCell : RecurrentCell
    {
        public static readonly GruCell Instance = new();

        /// <summary>The row of W_hn h + b_hn, one value per unit after the gate row.</summary>
        public const string NewHiddenSums = "newHiddenSums";

        /// <summary>d loss / d h of the step before, through h = (h - n) * z + n directly (not through the gates).</summary>
        public const string CarriedGradient = "carriedGradient";

        /// <summary>The gate gradients of the recurrent side: n's is d loss / d (W_hn h + b_hn), not d loss / d (W_in x + b_in).</summary>
        public const string RecurrentGateGradients = "recurrentGateGradients";

        private static readonly Accumulator[] s_accumulators =
        {
            new("reset", 0, 0, BiasTerms.Both, 0, 0),
            new("update", 1, 1, BiasTerms.Both, 1, 1),
            new("newInput", 2, -1, BiasTerms.Input, 2, 2),
            new("newHidden", -1, 2, BiasTerms.Hidden, 2, -1),
        };

        private GruCell()
        {
        }

        public override CellKind Kind => CellKind.Gru;

        public override string Name => "GRU";

        public override string Attribute => "[Gru]";

        public override string TensorPrefix => "gru";

        public override int GateCount => 3;

        public override string GateLetters => "r, z and n";

        public override string GateList => "r, z, n";

        public override IReadOnlyList<Accumulator> Accumulators => s_accumulators;

        public override bool HasCellState => false;

        public override string? UnitValuesRow => NewHiddenSums;

        public override string SumsText => "b_i + W_i x and b_h + W_h h";

        public override string ProjectionText => "b_ih + b_hh + W_ih x_t (r, z), b_in + W_in x_t (n)";

        public override string ProjectionBiasText => "b_ih + b_hh (r, z) and b_in (n)";

        public override string SumsStartText => "the two biases (r, z), b_in (n's input part) and b_hn (n's recurrent part)";

        public override string ProjectedStartText => "b_ih + b_hh + W_ih x (r, z) and b_in + W_in x (n)";

        public override string UpdateText => "n = tanh(b_in + W_in x + r * (b_hn + W_hn h)), h = (h - n) * z + n";

        public override string[] GradientText => new[]
        {
            "d h = from above + from the next step, flushed to zero below 2^-60;",
            "// then through h = (h_prev - n) * z + n and n = tanh(b_in + W_in x + r * (b_hn + W_hn h)).",
        };

        public override void EmitActivations(ICellCode code)
        {
            CellValue Gate(int gate) => CellValue.Gate("gates", gate);
            code.Line($"{code.Type} resetGate = {code.Math("Sigmoid", code.Load(Gate(0)))};");
            code.Line($"{code.Type} updateGate = {code.Math("Sigmoid", code.Load(Gate(1)))};");
            code.Line($"{code.Type} candidate = {code.Math("Tanh", code.Math("MultiplyAdd", "resetGate", code.Load(CellValue.Unit(NewHiddenSums)), code.Load(Gate(2))))};");
            if (code.KeepsGates)
            {
                // Training reads the activations back (and W_hn h + b_hn, left where it is); a group of agents only steps.
                code.Line(code.Store("resetGate", Gate(0)));
                code.Line(code.Store("updateGate", Gate(1)));
                code.Line(code.Store("candidate", Gate(2)));
            }

            code.Line($"{code.Type} previousHidden = {code.Load(CellValue.Unit("hidden"))};");
            code.Line(code.Store(code.Math("MultiplyAdd", "previousHidden - candidate", "updateGate", "candidate"), CellValue.Unit("hidden")));
        }

        public override void EmitGateGradients(ICellCode code)
        {
            CellValue Gradient(int gate) => CellValue.Gate("gateGradients", gate);
            CellValue Recurrent(int gate) => CellValue.Gate(RecurrentGateGradients, gate);
            code.Line($"{code.Type} one = {code.One};");
            code.Line($"{code.Type} hiddenGradientSum = {code.Math("FlushNegligible", $"{code.Load(CellValue.Unit("upstream"))} + {code.Load(CellValue.Unit("hiddenGradient"))}")};");
            code.Line($"{code.Type} resetGate = {code.Load(CellValue.Gate("gates", 0))};");
            code.Line($"{code.Type} updateGate = {code.Load(CellValue.Gate("gates", 1))};");
            code.Line($"{code.Type} candidate = {code.Load(CellValue.Gate("gates", 2))};");
            code.Line("// Through each gate's activation: sigmoid' = s (1 - s), tanh' = 1 - t^2.");
            code.Line($"{code.Type} candidateGradient = hiddenGradientSum * (one - updateGate) * (one - (candidate * candidate));");
            code.Line($"{code.Type} resetGradient = candidateGradient * {code.Load(CellValue.Unit(NewHiddenSums))} * (resetGate * (one - resetGate));");
            code.Line($"{code.Type} updateGradient = hiddenGradientSum * ({code.Load(CellValue.Unit("previousHidden"))} - candidate) * (updateGate * (one - updateGate));");
            code.Line("// The input side's gate gradients replace the gates; the recurrent side's differ in n: r * d n.");
            code.Line(code.Store("resetGradient", Gradient(0)));
            code.Line(code.Store("updateGradient", Gradient(1)));
            code.Line(code.Store("candidateGradient", Gradient(2)));
            code.Line(code.Store("resetGradient", Recurrent(0)));
            code.Line(code.Store("updateGradient", Recurrent(1)));
            code.Line(code.Store("candidateGradient * resetGate", Recurrent(2)));
            code.Line("// d loss / d h_prev through h = (h_prev - n) * z + n itself; W_hh^T adds the gates' part.");
            code.Line(code.Store("hiddenGradientSum * updateGate", CellValue.Unit(CarriedGradient)));
        }
    }
}
