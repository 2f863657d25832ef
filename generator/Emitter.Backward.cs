using System.Collections.Generic;
using System.Linq;
using LstmGen.CompilerServices;
using LstmGen.Generator.Model;
using static LstmGen.Generator.CodeWriter;

namespace LstmGen.Generator
{
    /// <summary>
    /// The backward kernels of every path: a layer's step backward (gate gradients, d loss / d input and
    /// d loss / d state), the weights' gradients a block of steps at a time, and the head's backward pass.
    /// Each sums in the same fixed order on every path, so gradients have the same bits on every processor.
    /// </summary>
    internal sealed partial class Emitter
    {
        private void EmitLayerBackward(LayerKernel kernel, PathPlan path)
        {
            string inputs = KernelInputs(kernel);
            _writer.Line("/// <summary>");
            _writer.Line($"/// The backward pass of {DescribeLayers(kernel)} ({Literal(kernel.InputCount)} inputs) at one step, with {path.Path} kernels.");
            _writer.Line("/// From d loss / d h (from above, plus what the next step carried back) and d loss / d c, it finds");
            _writer.Line("/// the gate gradients, which replace the gates in the record (the weights' gradients are summed from them");
            _writer.Line("/// after the backward pass), adds d loss / d b_ih and b_hh to the gradients, writes d loss / d x (when");
            _writer.Line("/// wanted) and leaves d loss / d h and d loss / d c of the step before.");
            _writer.Line("/// </summary>");
            using (_writer.Open($"internal static void {kernel.Name}Backward{path.Path}({LayerBackwardParameters.Declaration})"))
            {
                _writer.Line($"// This layer's packed parameters and their gradients: W_ih, W_hh, then the two biases{ProjectionAfterBiases}.");
                _writer.Line("ref float inputWeights = ref weights;");
                _writer.Line($"ref float recurrentWeights = ref {Unsafe}.Add(ref weights, {inputs} * GateRowLength);");
                _writer.Line($"ref float inputBiasGradients = ref {Unsafe}.Add(ref gradients, ({inputs} + {RecurrentWidth}) * GateRowLength);");
                _writer.Line($"ref float hiddenBiasGradients = ref {Unsafe}.Add(ref gradients, ({inputs} + {RecurrentWidth} + 1) * GateRowLength);");
                _writer.Line();
                if (_spec.HasProjection)
                {
                    EmitProjectionBackwardCall(path, inputs);
                    _writer.Line();
                }

                if (_cell.HasCellState)
                {
                    _writer.Line("// What the forward pass recorded: this step's gates and cell state, the cell state before it. Each unit's");
                    _writer.Line("// gate gradients overwrite its gates once they are read.");
                    _writer.Line("ref float gates = ref current;");
                    _writer.Line("ref float gateGradients = ref current;");
                    _writer.Line($"ref float cell = ref {Unsafe}.Add(ref current, RecordCellOffset);");
                    _writer.Line($"ref float previousCell = ref {Unsafe}.Add(ref previous, RecordCellOffset);");
                }
                else
                {
                    _writer.Line("// What the forward pass recorded: this step's gates and W_hn h + b_hn, the hidden state before it. Each");
                    _writer.Line("// unit's gate gradients of the input side overwrite its gates once they are read; the recurrent side's");
                    _writer.Line("// (which differ in n) go to their own row of the record.");
                    _writer.Line("ref float gates = ref current;");
                    _writer.Line("ref float gateGradients = ref current;");
                    EmitUnitValuesRow("current", agents: 0);
                    _writer.Line($"ref float previousHidden = ref {Unsafe}.Add(ref previous, RecordHiddenOffset);");
                    _writer.Line($"ref float {GruCell.RecurrentGateGradients} = ref {Unsafe}.Add(ref current, RecordRecurrentGradientOffset);");
                }

                foreach (TileLoop tile in path.Tiles)
                {
                    _writer.Line();
                    EmitGateGradients(tile);
                }

                var vector = VectorOf(path.VectorWidth);
                _writer.Line();
                _writer.Line("// d loss / d b_ih and d loss / d b_hh: the gate gradients.");
                EmitVectorLoop(vector, "GateRowLength", _cell.GateCount * _spec.HiddenSize, (l, k) => new[]
                {
                    $"{l.Type} gateGradient = {l.Load("gateGradients", k)};",
                    l.Store($"{l.Load("inputBiasGradients", k)} + gateGradient", "inputBiasGradients", k),
                    l.Store($"{l.Load("hiddenBiasGradients", k)} + {(_cell.HasCellState ? "gateGradient" : l.Load(GruCell.RecurrentGateGradients, k))}", "hiddenBiasGradients", k),
                });

                _writer.Line();
                _writer.Line("// d loss / d x = W_ih^T gate gradients, when wanted.");
                using (_writer.Open("if (computeInputGradient)"))
                {
                    EmitRowsBackward(path, inputs, kernel.InputCount, "inputWeights", "inputGradient", "gateGradients");
                }

                _writer.Line();
                if (_cell.HasCellState)
                {
                    _writer.Line("// d loss / d h_prev = W_hh^T gate gradients, for the step before.");
                    EmitRowsBackward(path, RecurrentWidth, _spec.RecurrentWidth, "recurrentWeights", "hiddenGradient", "gateGradients");
                }
                else
                {
                    _writer.Line("// d loss / d h_prev = W_hh^T (the recurrent side's gate gradients), for the step before, and what");
                    _writer.Line("// h = (h_prev - n) * z + n carries to it directly.");
                    EmitRowsBackward(path, "HiddenSize", _spec.HiddenSize, "recurrentWeights", "hiddenGradient", GruCell.RecurrentGateGradients);
                    EmitVectorLoop(vector, "HiddenSize", _spec.HiddenSize, (l, k) => new[]
                    {
                        l.Store($"{l.Load("hiddenGradient", k)} + {l.Load(GruCell.CarriedGradient, k)}", "hiddenGradient", k),
                    });
                }
            }

            _writer.Line();
        }

        /// <summary>
        /// The rows of a weight's backward pass: several rows per call of GateRowsBackward, then the rows
        /// left over one at a time.
        /// </summary>
        private void EmitRowsBackward(PathPlan path, string countName, int count, string weights, string result, string gradients)
        {
            int rows = path.BackwardRows;
            int whole = count / rows * rows;
            string Call(string helper) =>
                $"{helper}{path.Path}(ref {weights}, {countName}, k, ref {gradients}, ref {Unsafe}.Add(ref {result}, k));";
            if (whole > 0)
            {
                using (_writer.Open($"for ({NUInt} k = 0; k < {(whole == count ? countName : Literal(whole))}; k{(rows == 1 ? "++" : " += " + Literal(rows))})"))
                {
                    _writer.Line(Call(rows == 1 ? "GateRowBackward" : "GateRowsBackward"));
                }
            }

            if (whole < count)
            {
                using (_writer.Open($"for ({NUInt} k = {Literal(whole)}; k < {countName}; k++)"))
                {
                    _writer.Line(Call("GateRowBackward"));
                }
            }
        }

        /// <summary>
        /// The element-wise part of a layer's backward pass over one tile of the forward pass: from
        /// d loss / d h and d loss / d c, the gradients of the four gate sums, and d loss / d c for the step before.
        /// </summary>
        private void EmitGateGradients(TileLoop tile)
        {
            var vector = VectorOf(tile.VectorWidth);
            _writer.Line($"// {DescribeTile(tile, new ValueLayout(vector, agents: 0))}: the gate gradients.");
            using (OpenTileLoops(tile))
            {
                for (int s = 0; s < tile.Segments.Count; s++)
                {
                    string unit = Offset("unit", tile.Segments[s].UnitOffset);
                    string[] text = _cell.GradientText;
                    _writer.Line();
                    _writer.Line($"// Units [{unit}, +{Literal(tile.VectorWidth)}): {text[0]}");
                    for (int line = 1; line < text.Length; line++)
                    {
                        _writer.Line(text[line]);
                    }

                    using (_writer.OpenScope())
                    {
                        _cell.EmitGateGradients(new SegmentCode(this, new ValueLayout(vector, agents: 0), tile, s));
                    }
                }
            }
        }

        /// <summary>The per-row helpers of a weight's backward pass, for one path.</summary>
        private void EmitGateRowHelpers(PathPlan path)
        {
            EmitGateRowsBackward(path, rows: 1);
            if (path.BackwardRows > 1)
            {
                EmitGateRowsBackward(path, path.BackwardRows);
            }
        }

        /// <summary>
        /// GateRowBackward (one row) or GateRowsBackward (several rows): for each row r from <c>row</c> on of a weight of
        /// <c>weightRows</c> packed rows, result[r] = weightRow_r · gateGradients. The weight is kept block by block
        /// (GateBlocks.PackedOffset), so a row is read a block at a time; the products go to the canonical 16 lanes in
        /// the order of the columns, then the last block of fewer than 4 units in order, as every path sums them.
        /// </summary>
        private void EmitGateRowsBackward(PathPlan path, int rows)
        {
            string name = rows == 1 ? $"GateRowBackward{path.Path}" : $"GateRowsBackward{path.Path}";
            _writer.Line("/// <summary>");
            _writer.Line(rows == 1
                ? $"/// One row of a weight's backward pass with {path.Path} kernels: result = weightRow · gateGradients,"
                : $"/// {Literal(rows)} rows of a weight's backward pass with {path.Path} kernels, {Literal(rows)} dot products in flight:");
            _writer.Line(rows == 1
                ? "/// a block of units at a time (the weight of weightRows rows is kept block by block), summed in the"
                : "/// result[r] = weightRow_r · gateGradients for each row r from row on, each as one row alone sums it: a block");
            _writer.Line(rows == 1
                ? "/// canonical 16 lanes and then in order."
                : "/// of units at a time (the weight of weightRows rows is kept block by block).");
            _writer.Line("/// </summary>");
            _writer.Line($"[{TypeNames.MethodImpl}({TypeNames.MethodImplOptions}.AggressiveInlining)]");
            using (_writer.Open($"internal static void {name}(ref float weights, {NUInt} weightRows, {NUInt} row, ref float gateGradients, ref float result)"))
            {
                // The runs of blocks of one width: each block's rows hold G * w columns, whole chunks of 16 of them go to
                // the lanes, the rest (a GRU's blocks of 8 and 4, the last block of fewer than 4 units) after them in order.
                var runs = GateBlocks.Runs(GateBlocks.Split(_spec.HiddenSize, _plan.MaxBlockWidth));
                var laneDot = new LaneDot(this, path, rows, hasChunks: runs.Any(run => _cell.GateCount * run.Width >= 16));
                laneDot.DeclareLanes();
                foreach ((int start, int width, int count) in runs.Where(run => _cell.GateCount * run.Width >= 16))
                {
                    int rowLength = _cell.GateCount * width;
                    _writer.Line($"// {DescribeRun(start, width, count)}: each block's part of the rows, {Literal(rowLength)} columns.");
                    using (OpenRunBlocks(start, width, count))
                    {
                        laneDot.DeclareRows("blockRow", $"(weightRows * column) + (row * {Literal(rowLength)})", rowLength);
                        for (int chunk = 0; chunk < rowLength / 16; chunk++)
                        {
                            laneDot.Chunk(chunk * 16);
                        }
                    }
                }

                laneDot.Sums();
                foreach ((int start, int width, int count) in runs.Where(run => _cell.GateCount * run.Width % 16 != 0))
                {
                    int rowLength = _cell.GateCount * width;
                    int from = rowLength / 16 * 16;
                    _writer.Line($"// {DescribeRun(start, width, count)}: {(from == 0 ? $"each block's {Literal(rowLength)} columns" : $"the last {Literal(rowLength - from)} of each block's {Literal(rowLength)} columns")}, in order.");
                    using (OpenRunBlocks(start, width, count))
                    {
                        laneDot.DeclareRows("lastRow", $"(weightRows * column) + (row * {Literal(rowLength)})", rowLength);
                        laneDot.InOrder(from, rowLength - from);
                    }
                }

                for (int row = 0; row < rows; row++)
                {
                    _writer.Line($"{Unsafe}.Add(ref result, {Literal(row)}) = {laneDot.Sum(row)};");
                }
            }

            _writer.Line();
        }

        /// <summary>"Units 0 to 15" or "Units 0 to 63, 16 at a time": a run of <paramref name="count"/> blocks of one width.</summary>
        private static string DescribeRun(int start, int width, int count) => count == 1
            ? $"Units {Literal(start)} to {Literal(start + width - 1)}"
            : $"Units {Literal(start)} to {Literal(start + (count * width) - 1)}, {Literal(width)} at a time";

        /// <summary>A loop over the blocks of a run (or a scope for one block) that declares <c>column</c>, a block's first gate column.</summary>
        private Block OpenRunBlocks(int start, int width, int count)
        {
            int rowLength = _cell.GateCount * width;
            Block block = count == 1 ? _writer.OpenScope() : _writer.Open($"for ({NUInt} block = 0; block < {Literal(count)}; block++)");
            _writer.Line($"{NUInt} column = {IndexExpression.Sum(count == 1 ? null : $"(block * {Literal(rowLength)})", _cell.GateCount * start)};");
            return block;
        }

        /// <summary>
        /// WeightGradients{Path}: for the rows of a weight's gradient and a block of steps, gradientRow_k +=
        /// x_t[k] * gateGradients_t, the steps from the last to the first. Every element takes the same fused
        /// multiply-adds in the same order on every path; the columns go several vectors at a time to keep
        /// independent chains in flight, a run of blocks of one width at a time (the gradient is kept block by block,
        /// as the weight is).
        /// </summary>
        private void EmitWeightGradients(PathPlan path)
        {
            var vector = VectorOf(path.VectorWidth);
            int chains = path.WeightGradientChains;
            _writer.Line("/// <summary>");
            _writer.Line($"/// Adds steps [start, end) to the rows of a weight's gradient with {path.Path} kernels: gradientRow_k +=");
            _writer.Line("/// x_t[k] * gateGradients_t, with x_t[k] at x + t * xStride + k and gateGradients_t at gateGradients +");
            _writer.Line("/// t * StepRecordLength, from the last step to the first. Each gradient is loaded and stored once. The");
            _writer.Line("/// gradient of a weight of <paramref name=\"rows\"/> rows is kept block by block, as the weight is.");
            _writer.Line("/// </summary>");
            using (_writer.Open($"internal static void WeightGradients{path.Path}({WeightGradientParameters.Declaration})"))
            {
                bool first = true;
                foreach ((int start, int width, int count) in GateBlocks.Runs(GateBlocks.Split(_spec.HiddenSize, _plan.MaxBlockWidth)))
                {
                    if (!first)
                    {
                        _writer.Line();
                    }

                    first = false;
                    int rowLength = _cell.GateCount * width;
                    int firstColumn = _cell.GateCount * start;
                    int columns = count * rowLength;
                    string units = $"Units {Literal(start)} to {Literal(start + (count * width) - 1)}";
                    if (width < GateBlocks.MinimumVectorWidth || path.VectorWidth == 1 || rowLength % path.VectorWidth != 0)
                    {
                        // One column at a time: the last block of fewer than 4 units, scalar code, or a block whose rows are
                        // not whole vectors (a GRU's 24 or 12 columns in 512-bit vectors).
                        _writer.Line($"// {units}: one column at a time, every row, every step of the block.");
                        using (_writer.Open($"for ({NUInt} column = {Literal(firstColumn)}; column < {Literal(firstColumn + columns)}; column++)"))
                        {
                            EmitWeightGradientColumns(VectorOf(1), 1, rowLength, blocksPerChunk: 0, count == 1 ? firstColumn : (int?)null);
                        }

                        continue;
                    }

                    int vectorsPerRow = rowLength / path.VectorWidth;
                    if (chains >= vectorsPerRow)
                    {
                        // A chunk of whole blocks: every chain of a block from that block's rows.
                        int blocksPerChunk = chains / vectorsPerRow;
                        int chunkChains = blocksPerChunk * vectorsPerRow;
                        int chunkColumns = chunkChains * path.VectorWidth;
                        int wholeChunks = count / blocksPerChunk;
                        if (wholeChunks > 0)
                        {
                            string what = $"{Literal(blocksPerChunk)} block{(blocksPerChunk == 1 ? string.Empty : "s")} ({Literal(chunkChains)} vectors of columns)";
                            _writer.Line($"// {units}: {what} at a time, every row, every step of the block.");
                            using (wholeChunks == 1 ? _writer.OpenScope() : _writer.Open($"for ({NUInt} column = {Literal(firstColumn)}; column < {Literal(firstColumn + (wholeChunks * blocksPerChunk * rowLength))}; column += {Literal(chunkColumns)})"))
                            {
                                if (wholeChunks == 1)
                                {
                                    _writer.Line($"{NUInt} column = {Literal(firstColumn)};");
                                }

                                EmitWeightGradientColumns(vector, chunkChains, rowLength, blocksPerChunk);
                            }
                        }

                        int blocksLeft = count - (wholeChunks * blocksPerChunk);
                        if (blocksLeft > 0)
                        {
                            if (wholeChunks > 0)
                            {
                                _writer.Line();
                            }

                            _writer.Line($"// {(wholeChunks > 0 ? "The last " : string.Empty)}{Literal(blocksLeft)} block{(blocksLeft == 1 ? string.Empty : "s")} of {Literal(width)} units, every row, every step of the block.");
                            using (_writer.OpenScope())
                            {
                                _writer.Line($"{NUInt} column = {Literal(firstColumn + (wholeChunks * blocksPerChunk * rowLength))};");
                                EmitWeightGradientColumns(vector, blocksLeft * rowLength / path.VectorWidth, rowLength, blocksLeft);
                            }
                        }
                    }
                    else
                    {
                        // Several chunks to a block, as many vectors each as divide a block's row: each chunk from the rows of
                        // the block it lies in.
                        int chunkChains = Enumerable.Range(1, chains).Last(divisor => vectorsPerRow % divisor == 0);
                        _writer.Line($"// {units}: {Literal(chunkChains)} vectors of columns at a time, every row, every step of the block.");
                        using (_writer.Open($"for ({NUInt} column = {Literal(firstColumn)}; column < {Literal(firstColumn + columns)}; column += {Literal(chunkChains * path.VectorWidth)})"))
                        {
                            EmitWeightGradientColumns(vector, chunkChains, rowLength, blocksPerChunk: 0, count == 1 ? firstColumn : (int?)null);
                        }
                    }
                }
            }

            _writer.Line();
        }

        /// <summary>
        /// The body of WeightGradients for <paramref name="chains"/> vectors of columns from <c>column</c>, in blocks
        /// whose rows hold <paramref name="rowLength"/> columns: each row's gradients in registers, every step of the
        /// block added from the last to the first. With <paramref name="blocksPerChunk"/> 0 the columns lie in one
        /// block, <c>column</c> anywhere in it; otherwise they span that many whole blocks from <c>column</c>, the
        /// first column of a block. <paramref name="blockColumn"/> is the block's first column where the run has one
        /// block; in a run of several the blocks are 16, 32 or 64 columns wide and start at multiples of that.
        /// </summary>
        private void EmitWeightGradientColumns(VectorSpelling vector, int chains, int rowLength, int blocksPerChunk, int? blockColumn = null)
        {
            string length = Literal(rowLength);
            int chainsPerBlock = blocksPerChunk == 0 ? chains : rowLength / vector.Width;
            string Row(int chain) => chain / chainsPerBlock == 0 ? "gradientRow" : $"gradientRow{Literal(chain / chainsPerBlock)}";
            string At(int chain) => Literal((chain % chainsPerBlock) * vector.Width);
            using (_writer.Open($"for ({NUInt} k = 0; k < rows; k++)"))
            {
                _writer.Line(blocksPerChunk > 0 ? $"ref float gradientRow = ref {Unsafe}.Add(ref gradientRows, (rows * column) + (k * {length}));"
                    : blockColumn is int start ? $"ref float gradientRow = ref {Unsafe}.Add(ref gradientRows, (rows * {Literal(start)}) + (k * {length}) + {(start == 0 ? "column" : $"(column - {Literal(start)})")});"
                    : $"ref float gradientRow = ref {Unsafe}.Add(ref gradientRows, (rows * (column / {length} * {length})) + (k * {length}) + (column % {length}));");
                for (int block = 1; block < blocksPerChunk; block++)
                {
                    _writer.Line($"ref float gradientRow{Literal(block)} = ref {Unsafe}.Add(ref gradientRow, rows * {Literal(block * rowLength)});");
                }

                _writer.Line($"ref float xRow = ref {Unsafe}.Add(ref x, k);");
                for (int chain = 0; chain < chains; chain++)
                {
                    _writer.Line($"{vector.Type} sum{Literal(chain)} = {vector.Load(Row(chain), At(chain))};");
                }

                using (_writer.Open($"for ({NUInt} step = end; step > start; step--)"))
                {
                    _writer.Line($"{NUInt} t = step - 1;");
                    _writer.Line($"{vector.Type} xs = {vector.Broadcast($"{Unsafe}.Add(ref xRow, t * xStride)")};");
                    _writer.Line($"ref float stepGradients = ref {Unsafe}.Add(ref gateGradients, (t * StepRecordLength) + column);");
                    for (int chain = 0; chain < chains; chain++)
                    {
                        _writer.Line($"sum{Literal(chain)} = {TypeNames.LstmMath}.MultiplyAdd(xs, {vector.Load("stepGradients", Literal(chain * vector.Width))}, sum{Literal(chain)});");
                    }
                }

                for (int chain = 0; chain < chains; chain++)
                {
                    _writer.Line(vector.Store($"sum{Literal(chain)}", Row(chain), At(chain)));
                }
            }
        }

        private void EmitHeadBackward(PathPlan path)
        {
            var vector = VectorOf(path.VectorWidth);
            _writer.Line("/// <summary>");
            _writer.Line($"/// The dense head's backward pass with {path.Path} kernels: head.weight's gradient += d logits (outer) h,");
            _writer.Line("/// head.bias's += d logits, and upstream = head.weight^T d logits, summed over the outputs in order.");
            _writer.Line("/// </summary>");
            using (_writer.Open($"internal static void HeadBackward{path.Path}({HeadBackwardParameters.Declaration})"))
            {
                _writer.Line($"ref float biasGradients = ref {Unsafe}.Add(ref gradients, OutputSize * {HeadInputs});");
                _writer.Line($"{TypeNames.Floats}.Clear(ref upstream, {HeadInputs});");
                using (_writer.Open($"for ({NUInt} o = 0; o < OutputSize; o++)"))
                {
                    _writer.Line($"float logitGradient = {Unsafe}.Add(ref logitGradients, o);");
                    _writer.Line($"{Unsafe}.Add(ref biasGradients, o) += logitGradient;");
                    _writer.Line($"ref float weights = ref {Unsafe}.Add(ref head, o * {HeadInputs});");
                    _writer.Line($"ref float weightGradients = ref {Unsafe}.Add(ref gradients, o * {HeadInputs});");
                    if (path.VectorWidth > 1 && _spec.LayerOutputWidth >= path.VectorWidth)
                    {
                        // For the vector loop over whole vectors of units (a smaller head has only the scalar tail).
                        _writer.Line($"{vector.Type} logitGradients{Literal(path.VectorWidth)} = {vector.Broadcast("logitGradient")};");
                    }

                    EmitVectorLoop(vector, HeadInputs, _spec.LayerOutputWidth, (l, k) =>
                    {
                        string g = l.Width == 1 ? "logitGradient" : $"logitGradients{Literal(l.Width)}";
                        return new[]
                        {
                            l.Store($"{TypeNames.LstmMath}.MultiplyAdd({g}, {l.Load("hidden", k)}, {l.Load("weightGradients", k)})", "weightGradients", k),
                            l.Store($"{TypeNames.LstmMath}.MultiplyAdd({g}, {l.Load("weights", k)}, {l.Load("upstream", k)})", "upstream", k),
                        };
                    });
                }
            }

            _writer.Line();
        }
    }
}
