using System.Linq;
using LstmGen.Generator.Model;
using static LstmGen.Generator.CodeWriter;

namespace LstmGen.Generator
{
    internal sealed partial class Emitter
    {
        /// <summary>
        /// Writes the dot products of a weight's rows, a block of units at a time, with <c>gateGradients</c>, in the
        /// canonical order every path shares: the products go to 16 lanes (lane l takes columns l, l + 16, ...), which
        /// LstmMath.Sum adds in a fixed tree, and the columns past the last whole 16 follow in order. Several rows
        /// share each load of the gradients.
        /// </summary>
        private sealed class LaneDot
        {
            private readonly Emitter _emitter;
            private readonly PathPlan _path;
            private readonly int _rows;
            private readonly bool _hasChunks;
            private readonly int _registers;
            private string _rowPrefix = "row";

            public LaneDot(Emitter emitter, PathPlan path, int rows, bool hasChunks)
            {
                _emitter = emitter;
                _path = path;
                _rows = rows;
                _hasChunks = hasChunks;
                _registers = path.Path == KernelPath.Scalar ? 1 : 16 / path.VectorWidth;
            }

            private CodeWriter Writer => _emitter._writer;

            /// <summary>The local that holds row <paramref name="row"/>'s dot product once <see cref="Sums"/> has run.</summary>
            public string Sum(int row) => _rows == 1 ? "sum" : $"sum{Literal(row)}";

            private string Lane(int row, int register) =>
                (_rows == 1 ? "lanes" : $"row{Literal(row)}Lanes")
                + (_registers == 1 ? string.Empty : $"{Literal(register * _path.VectorWidth)}To{Literal(((register + 1) * _path.VectorWidth) - 1)}");

            private string Row(int row) => $"{_rowPrefix}{Literal(row)}";

            /// <summary>The 16 lanes of every row, zero.</summary>
            public void DeclareLanes()
            {
                if (!_hasChunks)
                {
                    return;
                }

                if (_path.Path == KernelPath.Scalar)
                {
                    Writer.Line($"{TypeNames.Span}<float> lanes = stackalloc float[16];");
                    Writer.Line("lanes.Clear();");
                    return;
                }

                var vector = _emitter.VectorOf(_path.VectorWidth);
                for (int row = 0; row < _rows; row++)
                {
                    for (int register = 0; register < _registers; register++)
                    {
                        Writer.Line($"{vector.Type} {Lane(row, register)} = {vector.Type}.Zero;");
                    }
                }
            }

            /// <summary>
            /// Declares <paramref name="prefix"/>0, the first row's part at <paramref name="start"/> from <c>weights</c>,
            /// and the next rows' parts, <paramref name="rowLength"/> floats apart.
            /// </summary>
            public void DeclareRows(string prefix, string start, int rowLength)
            {
                _rowPrefix = prefix;
                Writer.Line($"ref float {Row(0)} = ref {_emitter.Unsafe}.Add(ref weights, {start});");
                for (int row = 1; row < _rows; row++)
                {
                    Writer.Line($"ref float {Row(row)} = ref {_emitter.Unsafe}.Add(ref {Row(row - 1)}, {Literal(rowLength)});");
                }
            }

            /// <summary>16 columns, <paramref name="offset"/> from the rows' parts and from <c>column</c> of the gradients.</summary>
            public void Chunk(int offset)
            {
                if (_path.Path == KernelPath.Scalar)
                {
                    using (Writer.Open("for (int lane = 0; lane < 16; lane++)"))
                    {
                        Writer.Line($"{_emitter.NUInt} index = {(offset == 0 ? string.Empty : Literal(offset) + " + ")}({_emitter.NUInt})lane;");
                        Writer.Line($"lanes[lane] = {TypeNames.LstmMath}.MultiplyAdd({_emitter.Unsafe}.Add(ref {Row(0)}, index), {_emitter.Unsafe}.Add(ref gateGradients, column + index), lanes[lane]);");
                    }

                    return;
                }

                var vector = _emitter.VectorOf(_path.VectorWidth);
                for (int register = 0; register < _registers; register++)
                {
                    int at = offset + (register * _path.VectorWidth);
                    string gradients = vector.Load("gateGradients", IndexExpression.Sum("column", at));
                    if (_rows > 1)
                    {
                        Writer.Line($"{vector.Type} gateGradients{Literal(at)} = {gradients};");
                        gradients = $"gateGradients{Literal(at)}";
                    }

                    for (int row = 0; row < _rows; row++)
                    {
                        Writer.Line($"{Lane(row, register)} = {TypeNames.LstmMath}.MultiplyAdd({vector.Load(Row(row), IndexExpression.Constant(at))}, {gradients}, {Lane(row, register)});");
                    }
                }
            }

            /// <summary>Each row's lanes added in the fixed tree (or zero, when no row has 16 columns).</summary>
            public void Sums()
            {
                for (int row = 0; row < _rows; row++)
                {
                    string lanes = !_hasChunks ? "0f"
                        : _path.Path == KernelPath.Scalar ? $"{TypeNames.LstmMath}.Sum(lanes)"
                        : $"{TypeNames.LstmMath}.Sum({string.Join(", ", Enumerable.Range(0, _registers).Select(register => Lane(row, register)))})";
                    Writer.Line($"float {Sum(row)} = {lanes};");
                }
            }

            /// <summary>
            /// Adds <paramref name="count"/> columns from <paramref name="from"/> of the rows' parts (and of the gradients from
            /// <c>column</c>) to the sums, in order.
            /// </summary>
            public void InOrder(int from, int count)
            {
                using (Writer.Open($"for ({_emitter.NUInt} k = {Literal(from)}; k < {Literal(from + count)}; k++)"))
                {
                    Writer.Line($"float gradient = {_emitter.Unsafe}.Add(ref gateGradients, column + k);");
                    for (int row = 0; row < _rows; row++)
                    {
                        Writer.Line($"{Sum(row)} = {TypeNames.LstmMath}.MultiplyAdd({_emitter.Unsafe}.Add(ref {Row(row)}, k), gradient, {Sum(row)});");
                    }
                }
            }
        }
    }
}
