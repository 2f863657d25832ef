using System;
using System.Collections.Generic;
using System.Linq;
using LstmGen.Generator.Model;
using static LstmGen.Generator.CodeWriter;

namespace LstmGen.Generator
{
    /// <summary>
    /// The helpers that write vector code for every kernel: how a vector of a path is spelled
    /// (<see cref="VectorSpelling"/>), how a kernel lays out its values (<see cref="ValueLayout"/>: one sequence,
    /// or a group of agents, one per lane), the loops of a tile, vector loops with a scalar tail, and the
    /// canonical 16-lane dot product that gives every path the same bits.
    /// </summary>
    internal sealed partial class Emitter
    {
        /// <summary>
        /// How C# spells a vector of <see cref="Width"/> floats (1: a scalar): its type, its loads, stores and
        /// broadcasts. (Not to be confused with the other lanes of the generated code: the agents of a group,
        /// one per lane, and the canonical 16 lanes of a dot product.)
        /// </summary>
        private readonly struct VectorSpelling
        {
            public VectorSpelling(int width, string refs)
            {
                Width = width;
                Refs = refs;
            }

            public int Width { get; }

            /// <summary>The class that adds to a reference: Unsafe, or Refs on the portable tier.</summary>
            public string Refs { get; }

            private string Vector => TypeNames.Intrinsics + ".Vector" + Literal(Width * 32);

            public string Type => Width == 1 ? "float" : Vector + "<float>";

            /// <summary>The type of a vector of words of row pairs (bfloat16 weights, <c>ref uint</c>).</summary>
            public string PairType => Width == 1 ? "uint" : Vector + "<uint>";

            public string Load(string reference, string offset) =>
                Width == 1 ? $"{Refs}.Add(ref {reference}, {offset})" : $"{Vector}.LoadUnsafe(ref {reference}, {offset})";

            /// <summary>
            /// A store. The vector one is a static call, not the <c>StoreUnsafe</c> extension, so that it binds
            /// without a <c>using</c> directive.
            /// </summary>
            public string Store(string value, string reference, string offset) =>
                Width == 1 ? $"{Refs}.Add(ref {reference}, {offset}) = {value};"
                : $"{Vector}.StoreUnsafe({value}, ref {reference}, {offset});";

            /// <summary>A load of bfloat16 values (a <c>ref ushort</c>), widened to floats (exactly).</summary>
            public string Widen(string reference, string offset) =>
                Width == 1 ? $"{TypeNames.BFloat16}.ToSingle({Refs}.Add(ref {reference}, {offset}))"
                : $"{TypeNames.BFloat16}.Load{Literal(Width * 32)}(ref {reference}, {offset})";

            public string Broadcast(string value) => Width == 1 ? value : $"{Vector}.Create({value})";

            public string One => Width == 1 ? "1f" : Type + ".One";
        }

        /// <summary>
        /// How a kernel lays out its values. One sequence: a vector holds consecutive units, weights are
        /// loaded as vectors and each input is broadcast. A group of agents (<see cref="Agents"/> &gt; 0): a
        /// vector holds one value of every agent, each position (input, unit, gate column) holds a vector,
        /// and each weight is broadcast to every agent. Either way each lane sums the same products in
        /// the same order, so both give the same bits.
        /// </summary>
        private sealed class ValueLayout
        {
            public ValueLayout(VectorSpelling vector, int agents, bool bfloat16 = false, string? firstAgent = null)
            {
                Vector = vector;
                Agents = agents;
                BFloat16 = bfloat16;
                FirstAgent = firstAgent;
            }

            /// <summary>How a vector of the layout is spelled: of the path's width (one lane per agent of a group).</summary>
            public VectorSpelling Vector { get; }

            /// <summary>The agents of a group (0: one sequence): each position holds a float of each.</summary>
            public int Agents { get; }

            /// <summary>The vectors of agents a position holds (1 for one sequence).</summary>
            public int AgentVectors => Agents == 0 ? 1 : Agents / Vector.Width;

            /// <summary>
            /// The first agent of the vector the layout reads and writes at each position, when a group holds more than
            /// one vector of agents: a constant or a local; null for the first.
            /// </summary>
            public string? FirstAgent { get; }

            /// <summary>
            /// The layouts of the group's vectors of agents, each with the suffix of its locals: the layout alone with an
            /// empty suffix, or (two vectors) "Low" for agents 0 to w - 1 and "High" for agents w to 2w - 1.
            /// </summary>
            public IReadOnlyList<(string Suffix, ValueLayout Layout)> AgentHalves => AgentVectors switch
            {
                1 => new[] { (string.Empty, this) },
                2 => new[] { ("Low", this), ("High", ForAgents(Literal(Vector.Width))) },
                _ => throw new InvalidOperationException($"A group of {AgentVectors} vectors of agents has no names for its locals."),
            };

            /// <summary>The layout at the vector of agents from <paramref name="firstAgent"/> on.</summary>
            public ValueLayout ForAgents(string firstAgent) => new(Vector, Agents, BFloat16, firstAgent);

            /// <summary>
            /// Whether the weights are bfloat16, widened as they are read: a layer's as words of row pairs (<c>ref uint</c>,
            /// <see cref="PairLoad"/>, <see cref="PairRow"/>, <see cref="Bias"/>), the head's side by side (<c>ref ushort</c>, <see cref="Weight"/>).
            /// </summary>
            public bool BFloat16 { get; }

            /// <summary>The type of a local that holds the words of row pairs of a gate column: a vector, or one word to broadcast.</summary>
            public string PairType => Agents == 0 ? Vector.PairType : "uint";

            /// <summary>The words of row pairs of a gate column.</summary>
            public string PairLoad(string pairs, string column) => Agents == 0 ? Vector.Load(pairs, column) : $"{Vector.Refs}.Add(ref {pairs}, {column})";

            /// <summary>The weights of one row of the pairs in <paramref name="local"/> (the lower or the upper row), widened.</summary>
            public string PairRow(string local, bool upper)
            {
                string row = $"{TypeNames.BFloat16}.{(upper ? "High" : "Low")}({local})";
                return Agents == 0 ? row : Vector.Broadcast(row);
            }

            public string Type => Vector.Type;

            /// <summary>The weight of a gate column in a row.</summary>
            public string Weight(string row, string column) =>
                Agents == 0 ? WeightVector(row, column) : Vector.Broadcast(ScalarWeight(row, column));

            /// <summary>Input <paramref name="k"/> of <paramref name="source"/>.</summary>
            public string Input(string source, IndexExpression k) =>
                Agents == 0 ? Vector.Broadcast($"{Vector.Refs}.Add(ref {source}, {k})") : Vector.Load(source, Position(k));

            /// <summary>b_ih + b_hh of a gate column, or one of them (<paramref name="terms"/>; a bfloat16 model, an LSTM, takes both).</summary>
            public string Bias(string column, BiasTerms terms = BiasTerms.Both) => BFloat16
                ? (Agents == 0
                    ? $"{PairRow(PairLoad("biases", column), upper: false)} + {PairRow(PairLoad("biases", column), upper: true)}"
                    : Vector.Broadcast($"{TypeNames.BFloat16}.Low({PairLoad("biases", column)}) + {TypeNames.BFloat16}.High({PairLoad("biases", column)})"))
                : terms switch
                {
                    BiasTerms.Input => Agents == 0 ? Vector.Load("inputBias", column) : Vector.Broadcast($"{Vector.Refs}.Add(ref inputBias, {column})"),
                    BiasTerms.Hidden => Agents == 0 ? Vector.Load("hiddenBias", column) : Vector.Broadcast($"{Vector.Refs}.Add(ref hiddenBias, {column})"),
                    _ => Agents == 0
                        ? $"{Vector.Load("inputBias", column)} + {Vector.Load("hiddenBias", column)}"
                        : Vector.Broadcast($"{Vector.Refs}.Add(ref inputBias, {column}) + {Vector.Refs}.Add(ref hiddenBias, {column})"),
                };

            public string Load(string reference, IndexExpression index) => Vector.Load(reference, Position(index));

            public string Store(string value, string reference, IndexExpression index) => Vector.Store(value, reference, Position(index));

            /// <summary>A vector of weights, widened from bfloat16 if they are.</summary>
            private string WeightVector(string reference, string offset) => BFloat16 ? Vector.Widen(reference, offset) : Vector.Load(reference, offset);

            /// <summary>One weight, widened from bfloat16 if it is.</summary>
            private string ScalarWeight(string reference, string offset)
            {
                var one = new VectorSpelling(1, Vector.Refs);
                return BFloat16 ? one.Widen(reference, offset) : one.Load(reference, offset);
            }

            /// <summary>Where an index of one sequence's values sits in the layout: itself, or times the agents of a group.</summary>
            private string Position(IndexExpression index) =>
                Agents == 0 ? index.Text : FirstAgent is null ? index.Times(Agents) : $"({index.Times(Agents)}) + {FirstAgent}";
        }

        /// <summary>
        /// One segment of a tile as a cell writes its code (<see cref="RecurrentCell.EmitActivations"/>,
        /// <see cref="RecurrentCell.EmitGateGradients"/>): a gate column of the segment, or its units.
        /// </summary>
        private sealed class SegmentCode : ICellCode
        {
            private readonly Emitter _emitter;
            private readonly ValueLayout _layout;
            private readonly TileLoop _tile;
            private readonly int _segment;

            public SegmentCode(Emitter emitter, ValueLayout layout, TileLoop tile, int segment)
            {
                _emitter = emitter;
                _layout = layout;
                _tile = tile;
                _segment = segment;
            }

            public string Type => _layout.Type;

            public string One => _layout.Vector.One;

            public bool KeepsGates => _layout.Agents == 0;

            public string Output => _emitter.ActivationOutput;

            public string? ProjectedGradient => _emitter._spec.HasProjection ? CellOutput + "Gradient" : null;

            public string Math(string function, params string[] arguments) => $"{TypeNames.LstmMath}.{function}({string.Join(", ", arguments)})";

            public string Load(CellValue value) => _layout.Load(value.Reference, Index(value));

            public string Store(string expression, CellValue value) => _layout.Store(expression, value.Reference, Index(value));

            public void Line(string text) => _emitter._writer.Line(text);

            private IndexExpression Index(CellValue value) => value.Column >= 0
                ? Offset("column", GateColumn(_tile, _segment, value.Column))
                : Offset("unit", _tile.Segments[_segment].UnitOffset);
        }

        /// <summary>
        /// Where a tile stores a sum of segment <paramref name="segment"/>: its gate column of <c>gates</c>, or its
        /// units in the row of values per unit that follows the gate row (<see cref="EmitUnitValuesRow"/>).
        /// </summary>
        private (string Reference, IndexExpression Index) SumPlace(TileLoop tile, int segment, Accumulator accumulator) => accumulator.IsUnitValue
            ? (_cell.UnitValuesRow!, Offset("unit", tile.Segments[segment].UnitOffset))
            : ("gates", Offset("column", GateColumn(tile, segment, accumulator.GateColumn)));

        /// <summary>
        /// <c>ref float {row} = ref gates[GateRowLength]</c>: the cell's values per unit after the gate row of
        /// <paramref name="gates"/> (times the agents of a group), where it has any.
        /// </summary>
        private void EmitUnitValuesRow(string gates, int agents)
        {
            if (_cell.UnitValuesRow is null)
            {
                return;
            }

            string offset = agents == 0 ? "GateRowLength" : $"GateRowLength * {Literal(agents)}";
            _writer.Line($"ref float {_cell.UnitValuesRow} = ref {Unsafe}.Add(ref {gates}, {offset});");
        }

        /// <summary><c>variable + constant</c>, without the parts that are zero.</summary>
        private static IndexExpression Offset(string? variable, int constant) => IndexExpression.Sum(variable, constant);

        /// <summary>The agents of a group on <paramref name="path"/>: one per lane of each of its vectors of agents.</summary>
        private static int AgentsPerGroup(PathPlan path) => path.AgentsPerGroup;

        /// <summary>"Units 0 to 31: one tile of 32 units, one Vector512&lt;float&gt; per gate and 16 units".</summary>
        private static string DescribeTile(TileLoop tile, ValueLayout layout)
        {
            int unitsPerTile = tile.Segments.Count * tile.VectorWidth;
            int lastUnit = tile.BaseUnit + tile.UnitsCovered - 1;
            string shape = layout.AgentVectors > 1 ? $"{Literal(layout.AgentVectors)} vectors of {Literal(layout.Vector.Width)} agents ({layout.Type}) per gate and unit"
                : layout.Agents > 0 ? $"one {layout.Type} of {Literal(layout.Agents)} agents per gate and unit"
                : tile.VectorWidth == 1 ? "one float per gate and unit"
                : $"one {layout.Type} per gate and {Literal(tile.VectorWidth)} units";
            string units = lastUnit == tile.BaseUnit ? $"Unit {Literal(lastUnit)}" : $"Units {Literal(tile.BaseUnit)} to {Literal(lastUnit)}";
            string tiles = tile.OuterCount * tile.InnerCount == 1 ? "one tile" : $"{Literal(tile.OuterCount * tile.InnerCount)} tiles";
            return $"{units}: {tiles} of {Literal(unitsPerTile)} unit{(unitsPerTile == 1 ? string.Empty : "s")}, {shape}";
        }

        /// <summary>
        /// Opens the loops of a tile (or a bare scope when it runs once) and declares <c>column</c>, the tile's
        /// first gate column, and <c>unit</c>, its first unit, when <paramref name="units"/> says it is used.
        /// Disposing the result closes them.
        /// </summary>
        private Blocks OpenTileLoops(TileLoop tile, bool units = true, bool blockColumn = false, bool descending = false, System.Func<Block>? betweenLoops = null)
        {
            var loops = new List<Block>();
            var unitTerms = new List<string>();
            var columnTerms = new List<string>();
            if (tile.BaseUnit != 0)
            {
                unitTerms.Add(Literal(tile.BaseUnit));
                columnTerms.Add(Literal(tile.BaseColumn));
            }

            if (tile.OuterCount > 1 && descending)
            {
                // In the order the local descending says (see TileOrder).
                loops.Add(_writer.Open($"for ({NUInt} pass = 0; pass < {Literal(tile.OuterCount)}; pass++)"));
                _writer.Line($"{NUInt} block = descending ? {Literal(tile.OuterCount - 1)} - pass : pass;");
                unitTerms.Add($"(block * {Literal(tile.OuterUnitStride)})");
                columnTerms.Add($"(block * {Literal(tile.OuterColumnStride)})");
            }
            else if (tile.OuterCount > 1)
            {
                loops.Add(_writer.Open($"for ({NUInt} block = 0; block < {Literal(tile.OuterCount)}; block++)"));
                unitTerms.Add($"(block * {Literal(tile.OuterUnitStride)})");
                columnTerms.Add($"(block * {Literal(tile.OuterColumnStride)})");
            }

            if (betweenLoops is not null)
            {
                // A loop of the caller's between the blocks and their parts.
                loops.Add(betweenLoops());
            }

            if (tile.InnerCount > 1)
            {
                loops.Add(_writer.Open($"for ({NUInt} part = 0; part < {Literal(tile.InnerCount)}; part++)"));
                unitTerms.Add($"(part * {Literal(tile.InnerUnitStride)})");
                columnTerms.Add($"(part * {Literal(tile.InnerColumnStride)})");
            }

            if (loops.Count == 0)
            {
                // A tile that runs once still gets its own scope for its locals.
                loops.Add(_writer.OpenScope());
            }

            if (units)
            {
                _writer.Line($"{NUInt} unit = {(unitTerms.Count == 0 ? "0" : string.Join(" + ", unitTerms))};");
            }

            if (blockColumn && tile.InnerCount > 1)
            {
                // The parts of a block share its weights' rows (see TileWeights).
                string part = columnTerms[columnTerms.Count - 1];
                columnTerms.RemoveAt(columnTerms.Count - 1);
                _writer.Line($"{NUInt} blockColumn = {(columnTerms.Count == 0 ? "0" : string.Join(" + ", columnTerms))};");
                _writer.Line($"{NUInt} column = blockColumn + {part};");
            }
            else
            {
                _writer.Line($"{NUInt} column = {(columnTerms.Count == 0 ? "0" : string.Join(" + ", columnTerms))};");
            }

            return new Blocks(loops);
        }

        /// <summary>
        /// Declares <c>tile</c> + <paramref name="weights"/> (for example <c>tileRecurrentWeights</c>), where the rows of a
        /// tile's weights start in a weight of <paramref name="rowsName"/> packed rows (or, in a bfloat16 copy, row pairs),
        /// which is kept block by block (GateBlocks.PackedOffset): a block of width w from column b holds its rows of
        /// G w columns (G the cell's gates) from rows * b on. Row k of the tile is then <see cref="BlockRowLength"/> * k further on,
        /// and the weight of a gate of a segment <see cref="TileWeightColumn"/> from there. The tile's loops must have
        /// been opened with <c>blockColumn: true</c>.
        /// </summary>
        private string DeclareTileWeights(TileLoop tile, string weights, string rowsName)
        {
            string name = "tile" + char.ToUpperInvariant(weights[0]) + weights.Substring(1);
            string start = tile.InnerCount > 1 ? $"({rowsName} * blockColumn) + (column - blockColumn)" : $"{rowsName} * column";
            _writer.Line($"ref {WeightType} {name} = ref {Unsafe}.Add(ref {weights}, {start});");
            return name;
        }

        /// <summary>The floats of one row of a block of the tile's width: its 4 gates' columns.</summary>
        private int BlockRowLength(TileLoop tile) => _cell.GateCount * tile.GateStride;

        /// <summary>
        /// The weight of a gate of a segment, relative to row k of the tile's weights (<see cref="DeclareTileWeights"/>)
        /// in a weight of <paramref name="rows"/> packed rows: the segment's block lies <paramref name="rows"/> rows of
        /// its block further on for each block of the tile before it.
        /// </summary>
        private int TileWeightColumn(TileLoop tile, int segment, int gate, int rows)
        {
            int column = GateColumn(tile, segment, gate);
            int block = tile.Segments[segment].ColumnOffset / BlockRowLength(tile);
            return column + (block * (rows - 1) * BlockRowLength(tile));
        }

        /// <summary>The column of a gate of a segment, relative to the tile's <c>column</c>.</summary>
        private static int GateColumn(TileLoop tile, int segment, int gate) =>
            tile.Segments[segment].ColumnOffset + (gate * tile.GateStride);

        /// <summary>
        /// A loop over <paramref name="count"/> elements in vectors of the path's width, then the elements
        /// past the last whole vector one at a time, with the same operations.
        /// </summary>
        private void EmitVectorLoop(VectorSpelling vector, string countName, int count, System.Func<VectorSpelling, string, string[]> body)
        {
            int whole = vector.Width == 1 ? count : count / vector.Width * vector.Width;
            if (whole > 0)
            {
                string limit = whole == count ? countName : Literal(whole);
                using (_writer.Open($"for ({NUInt} k = 0; k < {limit}; k{(vector.Width == 1 ? "++" : " += " + Literal(vector.Width))})"))
                {
                    foreach (string line in body(vector, "k"))
                    {
                        _writer.Line(line);
                    }
                }
            }

            if (whole < count)
            {
                _writer.Line($"// The last {Literal(count - whole)} element{(count - whole == 1 ? string.Empty : "s")}, one at a time.");
                using (_writer.Open($"for ({NUInt} k = {Literal(whole)}; k < {countName}; k++)"))
                {
                    foreach (string line in body(VectorOf(1), "k"))
                    {
                        _writer.Line(line);
                    }
                }
            }
        }

        /// <summary>
        /// <c>float sum = left · right</c> over <paramref name="count"/> elements in the canonical order: the
        /// products go to 16 lanes (lane l takes elements l, l + 16, ...), LstmMath.Sum adds the lanes in a
        /// fixed tree, and the elements past the last multiple of 16 follow in order (as <see cref="LaneDot"/> does
        /// for the backward pass's rows). While bfloat16 kernels are written (the head's), the right operand is the
        /// bfloat16 weights, widened as they are loaded.
        /// </summary>
        private void EmitLaneDot(PathPlan path, int count, string left, string right)
        {
            int chunks = count / 16;
            int tail = count % 16;
            if (chunks > 0 && path.Path == KernelPath.Scalar)
            {
                // The caller declares the 16 lanes once, outside its loops; scalar code does one row at a time.
                _writer.Line("lanes.Clear();");
                using (_writer.Open($"for ({NUInt} k = 0; k < {Literal(chunks * 16)}; k += 16)"))
                {
                    using (_writer.Open("for (int lane = 0; lane < 16; lane++)"))
                    {
                        _writer.Line($"{NUInt} index = k + ({NUInt})lane;");
                        _writer.Line($"float {right}Value = {ScalarWeight(right, "index")};");
                        _writer.Line($"lanes[lane] = {TypeNames.LstmMath}.MultiplyAdd({Unsafe}.Add(ref {left}, index), {right}Value, lanes[lane]);");
                    }
                }

                _writer.Line($"float sum = {TypeNames.LstmMath}.Sum(lanes);");
            }
            else if (chunks > 0)
            {
                var vector = VectorOf(path.VectorWidth);
                int registers = 16 / path.VectorWidth;
                string Lane(int i) => "lanes" + (registers == 1 ? string.Empty : $"{Literal(i * path.VectorWidth)}To{Literal(((i + 1) * path.VectorWidth) - 1)}");
                for (int i = 0; i < registers; i++)
                {
                    _writer.Line($"{vector.Type} {Lane(i)} = {vector.Type}.Zero;");
                }

                string? chunk = chunks == 1 ? null : "k";
                using (chunks == 1 ? _writer.OpenScope() : _writer.Open($"for ({NUInt} k = 0; k < {Literal(chunks * 16)}; k += 16)"))
                {
                    for (int i = 0; i < registers; i++)
                    {
                        string offset = Offset(chunk, i * path.VectorWidth);
                        _writer.Line($"{Lane(i)} = {TypeNames.LstmMath}.MultiplyAdd({vector.Load(left, offset)}, {VectorWeight(vector, right, offset)}, {Lane(i)});");
                    }
                }

                _writer.Line($"float sum = {TypeNames.LstmMath}.Sum({string.Join(", ", Enumerable.Range(0, registers).Select(Lane))});");
            }
            else
            {
                _writer.Line("float sum = 0f;");
            }

            if (tail > 0)
            {
                _writer.Line(chunks > 0 ? $"// The last {Literal(tail)} elements, in order." : "// Every element, in order.");
                using (_writer.Open($"for ({NUInt} k = {Literal(chunks * 16)}; k < {Literal(count)}; k++)"))
                {
                    _writer.Line($"float {right}Value = {ScalarWeight(right, "k")};");
                    _writer.Line($"sum = {TypeNames.LstmMath}.MultiplyAdd({Unsafe}.Add(ref {left}, k), {right}Value, sum);");
                }
            }
        }
    }
}
