using System.Collections.Generic;
using System.Linq;

namespace LstmGen.Generator.Model
{
    /// <summary>The recurrent cell of a model: which attribute asked for it.</summary>
    internal enum CellKind
    {
        /// <summary>PyTorch's <c>nn.LSTM</c>, from <c>[Lstm]</c>.</summary>
        Lstm = 0,

        /// <summary>PyTorch's <c>nn.GRU</c>, from <c>[Gru]</c>.</summary>
        Gru = 1,
    }

    /// <summary>Which of a gate column's two biases an accumulator starts from.</summary>
    internal enum BiasTerms
    {
        /// <summary>b_ih + b_hh.</summary>
        Both,

        /// <summary>b_ih alone.</summary>
        Input,

        /// <summary>b_hh alone.</summary>
        Hidden,
    }

    /// <summary>
    /// One sum a tile keeps in a register per segment: it starts from <see cref="Bias"/> of gate column
    /// <see cref="BiasColumn"/>, adds W_ih x of weight column <see cref="InputColumn"/> and W_hh h of weight column
    /// <see cref="RecurrentColumn"/> (-1: none), and is stored at gate column <see cref="GateColumn"/> of the gate
    /// values, or (-1) in the row of one value per unit that follows the gate row. <see cref="Name"/> names its
    /// locals (<c>inputSum0</c>, <c>inputBias0</c>).
    /// </summary>
    internal sealed record Accumulator(string Name, int InputColumn, int RecurrentColumn, BiasTerms Bias, int BiasColumn, int GateColumn)
    {
        /// <summary>Whether the sum is kept in the row after the gate row, one value per unit.</summary>
        public bool IsUnitValue => GateColumn < 0;
    }

    /// <summary>
    /// Where a value of one segment is, for <see cref="ICellCode"/>: a gate column of <see cref="Reference"/> (a
    /// packed gate row), or (<see cref="Column"/> -1) the segment's units of <see cref="Reference"/>.
    /// </summary>
    internal readonly struct CellValue
    {
        private CellValue(string reference, int column)
        {
            Reference = reference;
            Column = column;
        }

        public string Reference { get; }

        /// <summary>The gate column, or -1 for a value per unit.</summary>
        public int Column { get; }

        /// <summary>Gate column <paramref name="column"/> of the packed row <paramref name="reference"/>.</summary>
        public static CellValue Gate(string reference, int column) => new(reference, column);

        /// <summary>The segment's units of <paramref name="reference"/> (a state, a gradient, a row of values per unit).</summary>
        public static CellValue Unit(string reference) => new(reference, -1);
    }

    /// <summary>
    /// What a cell writes its per-segment code through: the emitter's spelling of vectors, loads and stores
    /// for one segment of a tile, on one path, for one sequence or a group of agents.
    /// </summary>
    internal interface ICellCode
    {
        /// <summary>The type of a value (<c>float</c> or a vector).</summary>
        string Type { get; }

        /// <summary>One, of <see cref="Type"/>.</summary>
        string One { get; }

        /// <summary>Whether the gate activations are written back (one sequence: training reads them), or stay in registers (agents).</summary>
        bool KeepsGates { get; }

        /// <summary>
        /// The values per unit a cell's output goes to: <c>hidden</c>, or for an LSTM with projections the row of
        /// o * tanh(c) after the gate row, which the projection then maps to h.
        /// </summary>
        string Output { get; }

        /// <summary>
        /// With projections, the values per unit that hold d loss / d (o * tanh(c)), which the projection's backward pass
        /// computed from d loss / d h; null without (d loss / d h is <c>upstream</c> + <c>hiddenGradient</c>).
        /// </summary>
        string? ProjectedGradient { get; }

        /// <summary>A call of LstmGen.LstmMath's <paramref name="function"/>.</summary>
        string Math(string function, params string[] arguments);

        string Load(CellValue value);

        /// <summary>A statement that stores <paramref name="expression"/> at <paramref name="value"/>.</summary>
        string Store(string expression, CellValue value);

        void Line(string text);
    }

    /// <summary>
    /// A recurrent cell as PyTorch defines it: its gates (the weight columns per unit, in PyTorch's row order), the
    /// sums a step accumulates, the state it carries, its update and its derivatives. The planner, the weight
    /// packer and the emitter ask the cell; <see cref="LstmCell"/> and <see cref="GruCell"/> implement it.
    /// </summary>
    internal abstract class RecurrentCell
    {
        public static RecurrentCell For(CellKind kind) => kind == CellKind.Gru ? GruCell.Instance : LstmCell.Instance;

        public abstract CellKind Kind { get; }

        /// <summary>"LSTM" or "GRU", for comments and messages.</summary>
        public abstract string Name { get; }

        /// <summary>The attribute, as a user writes it: "[Lstm]".</summary>
        public abstract string Attribute { get; }

        /// <summary>The module's name in PyTorch's state_dict: "lstm" in <c>lstm.weight_ih_l0</c>.</summary>
        public abstract string TensorPrefix { get; }

        /// <summary>Gates per unit: a gate row (of W_ih, W_hh or a bias) holds GateCount x HiddenSize columns.</summary>
        public abstract int GateCount { get; }

        /// <summary>The gates' letters in PyTorch's row order, for comments: "i, f, g and o".</summary>
        public abstract string GateLetters { get; }

        /// <summary>The gates' letters as a list: "i, f, g, o".</summary>
        public abstract string GateList { get; }

        /// <summary>The sums of a step, per segment, in the order a tile keeps them.</summary>
        public abstract IReadOnlyList<Accumulator> Accumulators { get; }

        /// <summary>Whether the cell carries a cell state besides the hidden state (an LSTM's c).</summary>
        public abstract bool HasCellState { get; }

        /// <summary>The local that points at the values per unit after the gate row, or null for a cell that has none.</summary>
        public virtual string? UnitValuesRow => null;

        /// <summary>Values kept per unit after the gate row (sums no gate column holds).</summary>
        public int UnitValues => Accumulators.Count(accumulator => accumulator.IsUnitValue);

        /// <summary>The sums that read the input, which a projection of the input computes ahead.</summary>
        public IEnumerable<Accumulator> InputAccumulators => Accumulators.Where(accumulator => accumulator.InputColumn >= 0);

        /// <summary>Where a step's sums start, as a comment says it: "the two biases".</summary>
        public abstract string SumsStartText { get; }

        /// <summary>Where a step's recurrent part starts, from a projection of the input: "b_ih + b_hh + W_ih x".</summary>
        public abstract string ProjectedStartText { get; }

        /// <summary>What a projection of the input computes per step, as a comment says it: "b_ih + b_hh + W_ih x_t".</summary>
        public abstract string ProjectionText { get; }

        /// <summary>The biases a projection's sums start from: "b_ih + b_hh".</summary>
        public abstract string ProjectionBiasText { get; }

        /// <summary>The sums of a step, as a comment says them: "b_ih + b_hh + W_ih x + W_hh h".</summary>
        public abstract string SumsText { get; }

        /// <summary>The update a step makes, as a comment says it: "c = f * c + i * g, h = o * tanh(c)".</summary>
        public abstract string UpdateText { get; }

        /// <summary>The comment before a segment's backward pass: its first line follows "// Units [u, +w): ".</summary>
        public abstract string[] GradientText { get; }

        /// <summary>The activations and the new state of one segment, from the sums a tile stored.</summary>
        public abstract void EmitActivations(ICellCode code);

        /// <summary>
        /// The backward pass of one segment at one step: from d loss / d h (<c>upstream</c> + <c>hiddenGradient</c>)
        /// and what the forward pass recorded, the gate gradients into <c>gateGradients</c> and what flows to the step before.
        /// </summary>
        public abstract void EmitGateGradients(ICellCode code);
    }
}
