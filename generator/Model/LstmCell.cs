using System.Collections.Generic;

namespace LstmGen.Generator.Model
{
    /// <summary>
    /// The LSTM cell as PyTorch's <c>nn.LSTM</c> defines it: four gates, in PyTorch's order i, f, g, o (input,
    /// forget, candidate, output), whose sums b_ih + b_hh + W_ih x + W_hh h fill a gate row of
    /// <see cref="GateCount"/> x HiddenSize columns; c = f * c + i * g and h = o * tanh(c).
    /// </summary>
    internal sealed class LstmCell : RecurrentCell
    {
        public static readonly LstmCell Instance = new();

        /// <summary>The locals that hold the gate activations of a segment, in gate order.</summary>
        private static readonly string[] s_activationLocals = { "inputGate", "forgetGate", "candidate", "outputGate" };

        private static readonly Accumulator[] s_accumulators =
        {
            new("input", 0, 0, BiasTerms.Both, 0, 0),
            new("forget", 1, 1, BiasTerms.Both, 1, 1),
            new("candidate", 2, 2, BiasTerms.Both, 2, 2),
            new("output", 3, 3, BiasTerms.Both, 3, 3),
        };

        private LstmCell()
        {
        }

        public override CellKind Kind => CellKind.Lstm;

        public override string Name => "LSTM";

        public override string Attribute => "[Lstm]";

        public override string TensorPrefix => "lstm";

        public override int GateCount => 4;

        public override string GateLetters => "i, f, g and o";

        public override string GateList => "i, f, g, o";

        public override IReadOnlyList<Accumulator> Accumulators => s_accumulators;

        public override bool HasCellState => true;

        public override string SumsText => "b_ih + b_hh + W_ih x + W_hh h";

        public override string SumsStartText => "the two biases";

        public override string ProjectionText => "b_ih + b_hh + W_ih x_t";

        public override string ProjectionBiasText => "b_ih + b_hh";

        public override string ProjectedStartText => "b_ih + b_hh + W_ih x";

        public override string UpdateText => "c = f * c + i * g, h = o * tanh(c)";

        public override string[] GradientText => new[]
        {
            "d h = from above + from the next step; d c += d h * o * (1 - tanh(c)^2);",
            "// both flushed to zero below 2^-60, where they would only slow the processor down.",
        };

        public override void EmitActivations(ICellCode code)
        {
            CellValue Gate(int gate) => CellValue.Gate("gates", gate);
            code.Line($"{code.Type} inputGate = {code.Math("Sigmoid", code.Load(Gate(0)))};");
            code.Line($"{code.Type} forgetGate = {code.Math("Sigmoid", code.Load(Gate(1)))};");
            code.Line($"{code.Type} candidate = {code.Math("Tanh", code.Load(Gate(2)))};");
            code.Line($"{code.Type} outputGate = {code.Math("Sigmoid", code.Load(Gate(3)))};");
            if (code.KeepsGates)
            {
                // Training reads the activations back; a group of agents only steps, so they stay in registers.
                for (int gate = 0; gate < s_activationLocals.Length; gate++)
                {
                    code.Line(code.Store(s_activationLocals[gate], Gate(gate)));
                }
            }

            code.Line($"{code.Type} newCell = {code.Math("MultiplyAdd", "forgetGate", code.Load(CellValue.Unit("cell")), "inputGate * candidate")};");
            code.Line(code.Store("newCell", CellValue.Unit("cell")));
            code.Line(code.Store($"outputGate * {code.Math("Tanh", "newCell")}", CellValue.Unit(code.Output)));
        }

        public override void EmitGateGradients(ICellCode code)
        {
            CellValue Gradient(int gate) => CellValue.Gate("gateGradients", gate);
            code.Line($"{code.Type} one = {code.One};");
            code.Line(code.ProjectedGradient is null
                ? $"{code.Type} hiddenGradientSum = {code.Math("FlushNegligible", $"{code.Load(CellValue.Unit("upstream"))} + {code.Load(CellValue.Unit("hiddenGradient"))}")};"
                : $"{code.Type} hiddenGradientSum = {code.Math("FlushNegligible", code.Load(CellValue.Unit(code.ProjectedGradient)))};");
            for (int gate = 0; gate < s_activationLocals.Length; gate++)
            {
                code.Line($"{code.Type} {s_activationLocals[gate]} = {code.Load(CellValue.Gate("gates", gate))};");
            }

            code.Line($"{code.Type} tanhCell = {code.Math("Tanh", code.Load(CellValue.Unit("cell")))};");
            code.Line($"{code.Type} cellGradientSum = {code.Math("FlushNegligible", code.Math("MultiplyAdd", "hiddenGradientSum * outputGate", "one - (tanhCell * tanhCell)", code.Load(CellValue.Unit("cellGradient"))))};");
            code.Line("// Through each gate's activation: sigmoid' = s (1 - s), tanh' = 1 - t^2.");
            code.Line(code.Store("cellGradientSum * candidate * (inputGate * (one - inputGate))", Gradient(0)));
            code.Line(code.Store($"cellGradientSum * {code.Load(CellValue.Unit("previousCell"))} * (forgetGate * (one - forgetGate))", Gradient(1)));
            code.Line(code.Store("cellGradientSum * inputGate * (one - (candidate * candidate))", Gradient(2)));
            code.Line(code.Store("hiddenGradientSum * tanhCell * (outputGate * (one - outputGate))", Gradient(3)));
            code.Line("// d loss / d c of the step before: through c = f * c_prev + i * g.");
            code.Line(code.Store("cellGradientSum * forgetGate", CellValue.Unit("cellGradient")));
        }
    }
}
