using System.Collections.Generic;
using System.Linq;
using LstmGen.Generator.Model;

namespace LstmGen.Generator
{
    /// <summary>
    /// The spellings that differ between the tiers (<see cref="Tier"/>). Everything else is emitted by the same
    /// code for both: the portable tier's kernels are the full tier's scalar kernels with these names swapped.
    /// </summary>
    internal sealed partial class Emitter
    {
        /// <summary>
        /// The full tier's loop indices' type, nuint: spelled as the type it is (C# 11 on .NET 7+ makes System.UIntPtr
        /// and nuint one type), because 'nuint' is a contextual keyword that a user's type named nuint would take over.
        /// </summary>
        private const string FullTierNUInt = "global::System.UIntPtr";

        private const string FullTierUnsafe = "global::System.Runtime.CompilerServices.Unsafe";

        private bool IsPortable => _tier == Tier.Portable;

        /// <summary>The kernel paths this tier emits: all of the plan's, or only the scalar one.</summary>
        private IEnumerable<PathPlan> Paths => IsPortable ? _plan.Paths.Where(path => path.Path == KernelPath.Scalar) : _plan.Paths;

        /// <summary>
        /// The class that adds an offset to a <c>ref float</c>: System.Runtime.CompilerServices.Unsafe, or on the
        /// portable tier (.NET Standard 2.1 has no Unsafe class) LstmGen.CompilerServices.Refs, which is Unsafe
        /// itself on .NET 8 and later.
        /// </summary>
        private string Unsafe => IsPortable ? TypeNames.Refs : FullTierUnsafe;

        /// <summary>
        /// The loop indices' type. The full tier spells System.UIntPtr (nuint), immune to a user's type named nuint.
        /// C# 9 gives System.UIntPtr no arithmetic, and its nuint keyword binds to a user's type of that name, so the
        /// portable tier counts with int, a keyword nothing can take over (the offsets fit: they index one array).
        /// </summary>
        private string NUInt => IsPortable ? "int" : FullTierNUInt;

        /// <summary>The method that gives a reference to an array's first element, without a bounds check.</summary>
        private string ArrayData => IsPortable
            ? TypeNames.Refs + ".GetArrayDataReference"
            : TypeNames.MemoryMarshal + ".GetArrayDataReference";

        private VectorSpelling VectorOf(int width) => new(width, Unsafe);

        /// <summary>
        /// A span over the hidden or cell values of <paramref name="state"/> (a variable or a field of type State):
        /// the full tier's properties, or the portable tier's static accessors.
        /// </summary>
        private string StateValues(string state, string part) => IsPortable ? $"State.{part}(ref {state})" : $"{state}.{part}";

        /// <summary><c>ref float hidden</c> and (a cell with a cell state) <c>ref float cell</c>: the first values of <paramref name="state"/>.</summary>
        private void EmitStateReferences(string state)
        {
            _writer.Line($"ref float hidden = ref {TypeNames.MemoryMarshal}.GetReference({StateValues(state, "Hidden")});");
            if (_cell.HasCellState)
            {
                _writer.Line($"ref float cell = ref {TypeNames.MemoryMarshal}.GetReference({StateValues(state, "Cell")});");
            }
        }

        /// <summary>The state a kernel takes: <c>hidden, cell</c>, or <c>hidden</c> alone for a cell without a cell state.</summary>
        private string StateArguments(string hidden, string cell) => _cell.HasCellState ? $"{hidden}, {cell}" : hidden;

        /// <summary>The floats of a State: the hidden values of every layer, then as many cell values where the cell has them.</summary>
        private string StateLength => !_cell.HasCellState ? "Layers * HiddenSize" : _spec.HasProjection ? "Layers * (ProjectionSize + HiddenSize)" : "2 * Layers * HiddenSize";

        /// <summary>The state's names in a parameter list: hidden, cell; or hidden alone.</summary>
        private string[] StateNames => _cell.HasCellState ? new[] { "hidden", "cell" } : new[] { "hidden" };

        /// <summary>
        /// The length of a row of gate values (a step's sums, or its activations for training): the gate row, and
        /// the values per unit that follow it for a cell that has any (<see cref="RecurrentCell.UnitValues"/>) or, with
        /// projections, o * tanh(c) of every unit.
        /// </summary>
        private string GateValuesLength => _cell.UnitValues == 0 && !_spec.HasProjection ? "GateRowLength" : "GateValuesLength";
    }
}
