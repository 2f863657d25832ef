using System.Linq;
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
            using (_writer.Open($"private static void {kernel.Name}Backward{path.Path}({LayerBackwardParameters.Declaration})"))
            {
                _writer.Line("// This layer's packed parameters and their gradients: W_ih, W_hh, then the two biases.");
                _writer.Line("ref float inputWeights = ref weights;");
                _writer.Line($"ref float recurrentWeights = ref {Unsafe}.Add(ref weights, {inputs} * GateRowLength);");
                _writer.Line($"ref float inputBiasGradients = ref {Unsafe}.Add(ref gradients, ({inputs} + HiddenSize) * GateRowLength);");
                _writer.Line($"ref float hiddenBiasGradients = ref {Unsafe}.Add(ref gradients, ({inputs} + HiddenSize + 1) * GateRowLength);");
                _writer.Line();
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
                    EmitRowsBackward(path, "HiddenSize", _spec.HiddenSize, "recurrentWeights", "hiddenGradient", "gateGradients");
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
            int rows = BackwardRows(path);
            int whole = count / rows * rows;
            string Call(string helper) =>
                $"{helper}{path.Path}(ref {Unsafe}.Add(ref {weights}, row), ref {gradients}, ref {Unsafe}.Add(ref {result}, k));";
            if (whole > 0)
            {
                using (_writer.Open($"for ({NUInt} k = 0; k < {(whole == count ? countName : Literal(whole))}; k{(rows == 1 ? "++" : " += " + Literal(rows))})"))
                {
                    _writer.Line($"{NUInt} row = k * GateRowLength;");
                    _writer.Line(Call(rows == 1 ? "GateRowBackward" : "GateRowsBackward"));
                }
            }

            if (whole < count)
            {
                using (_writer.Open($"for ({NUInt} k = {Literal(whole)}; k < {countName}; k++)"))
                {
                    _writer.Line($"{NUInt} row = k * GateRowLength;");
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

        /// <summary>
        /// Rows a backward helper takes at once: enough independent dot products to hide the latency of the
        /// FMA chains, few enough that their lanes stay in the registers of the path.
        /// </summary>
        private static int BackwardRows(PathPlan path) => path.Path switch
        {
            KernelPath.Vector512 => 4,
            KernelPath.Scalar => 1,
            _ => 2,
        };

        /// <summary>The per-row helpers of a weight's backward pass, for one path.</summary>
        private void EmitGateRowHelpers(PathPlan path)
        {
            EmitGateRowsBackward(path, rows: 1);
            if (BackwardRows(path) > 1)
            {
                EmitGateRowsBackward(path, BackwardRows(path));
            }
        }

        /// <summary>
        /// GateRowBackward (one row) or GateRowsBackward (several rows of stride GateRowLength): for each row
        /// r, result[r] = weightRow_r · gateGradients.
        /// </summary>
        private void EmitGateRowsBackward(PathPlan path, int rows)
        {
            string name = rows == 1 ? $"GateRowBackward{path.Path}" : $"GateRowsBackward{path.Path}";
            _writer.Line("/// <summary>");
            _writer.Line(rows == 1
                ? $"/// One row of a weight's backward pass with {path.Path} kernels: result = weightRow · gateGradients,"
                : $"/// {Literal(rows)} rows of a weight's backward pass with {path.Path} kernels, {Literal(rows)} dot products in flight:");
            _writer.Line(rows == 1
                ? "/// summed in the canonical 16 lanes and then in order."
                : "/// result[r] = weightRow_r · gateGradients for each row r, each as one row alone sums it.");
            _writer.Line("/// </summary>");
            _writer.Line($"[{TypeNames.MethodImpl}({TypeNames.MethodImplOptions}.AggressiveInlining)]");
            using (_writer.Open($"private static void {name}(ref float weightRows, ref float gateGradients, ref float result)"))
            {
                string[] weightRows = new string[rows];
                for (int row = 0; row < rows; row++)
                {
                    weightRows[row] = rows == 1 ? "weightRows" : $"weightRow{Literal(row)}";
                    if (rows > 1)
                    {
                        _writer.Line($"ref float weightRow{Literal(row)} = ref {(row == 0 ? "weightRows" : $"{Unsafe}.Add(ref weightRows, {(row == 1 ? string.Empty : Literal(row) + " * ")}GateRowLength)")};");
                    }
                }

                if (path.Path == KernelPath.Scalar && _cell.GateCount * _spec.HiddenSize >= 16)
                {
                    _writer.Line($"{TypeNames.Span}<float> lanes = stackalloc float[16];");
                }

                EmitLaneDot(path, _cell.GateCount * _spec.HiddenSize, weightRows, "gateGradients", alongside: null);
                for (int row = 0; row < rows; row++)
                {
                    _writer.Line($"{Unsafe}.Add(ref result, {Literal(row)}) = {(rows == 1 ? "sum" : $"sum{Literal(row)}")};");
                }
            }

            _writer.Line();
        }

        /// <summary>
        /// WeightGradients{Path}: for the rows of a weight's gradient and a block of steps, gradientRow_k +=
        /// x_t[k] * gateGradients_t, the steps from the last to the first. Every element takes the same fused
        /// multiply-adds in the same order on every path; the columns go several vectors at a time to keep
        /// independent chains in flight.
        /// </summary>
        private void EmitWeightGradients(PathPlan path)
        {
            var vector = VectorOf(path.VectorWidth);
            int count = _cell.GateCount * _spec.HiddenSize;
            int perChunk = path.VectorWidth == 1 ? 1 : WeightGradientChains * path.VectorWidth;
            int whole = count / perChunk * perChunk;
            int vectorsLeft = path.VectorWidth == 1 ? 0 : (count - whole) / path.VectorWidth;
            int vectorEnd = whole + (vectorsLeft * path.VectorWidth);
            _writer.Line("/// <summary>");
            _writer.Line($"/// Adds steps [start, end) to rows of a weight's gradient with {path.Path} kernels: gradientRow_k +=");
            _writer.Line("/// x_t[k] * gateGradients_t, with x_t[k] at x + t * xStride + k and gateGradients_t at gateGradients +");
            _writer.Line("/// t * StepRecordLength, from the last step to the first. Each gradient is loaded and stored once.");
            _writer.Line("/// </summary>");
            using (_writer.Open($"private static void WeightGradients{path.Path}({WeightGradientParameters.Declaration})"))
            {
                if (whole > 0)
                {
                    string what = path.VectorWidth == 1 ? "One column at a time" : $"{Literal(WeightGradientChains)} vectors of columns at a time";
                    _writer.Line($"// {what}, every row, every step of the block.");
                    using (_writer.Open($"for ({NUInt} column = 0; column < {(whole == count ? "GateRowLength" : Literal(whole))}; column += {Literal(perChunk)})"))
                    {
                        EmitWeightGradientColumns(vector, path.VectorWidth == 1 ? 1 : WeightGradientChains);
                    }
                }

                if (vectorsLeft > 0)
                {
                    if (whole > 0)
                    {
                        _writer.Line();
                    }

                    string vectors = $"{Literal(vectorsLeft)} vector{(vectorsLeft == 1 ? string.Empty : "s")} of columns";
                    _writer.Line(whole > 0 ? $"// The last {vectors}." : $"// {vectors}, every row, every step of the block.");
                    using (_writer.OpenScope())
                    {
                        _writer.Line($"{NUInt} column = {Literal(whole)};");
                        EmitWeightGradientColumns(vector, vectorsLeft);
                    }
                }

                if (vectorEnd < count)
                {
                    if (vectorEnd > 0)
                    {
                        _writer.Line();
                    }

                    _writer.Line($"// The last {Literal(count - vectorEnd)} column{(count - vectorEnd == 1 ? string.Empty : "s")}, one at a time.");
                    using (_writer.Open($"for ({NUInt} column = {Literal(vectorEnd)}; column < GateRowLength; column++)"))
                    {
                        EmitWeightGradientColumns(VectorOf(1), 1);
                    }
                }
            }

            _writer.Line();
        }

        /// <summary>Independent accumulation chains of WeightGradients (vectors of columns in flight).</summary>
        private const int WeightGradientChains = 8;

        /// <summary>
        /// The body of WeightGradients for <paramref name="chains"/> vectors of columns from <c>column</c>:
        /// each row's gradients in registers, every step of the block added from the last to the first.
        /// </summary>
        private void EmitWeightGradientColumns(VectorSpelling vector, int chains)
        {
            string At(int chain) => chain == 0 ? "0" : Literal(chain * vector.Width);
            using (_writer.Open($"for ({NUInt} k = 0; k < rows; k++)"))
            {
                _writer.Line($"ref float gradientRow = ref {Unsafe}.Add(ref gradientRows, (k * GateRowLength) + column);");
                _writer.Line($"ref float xRow = ref {Unsafe}.Add(ref x, k);");
                for (int chain = 0; chain < chains; chain++)
                {
                    _writer.Line($"{vector.Type} sum{Literal(chain)} = {vector.Load("gradientRow", At(chain))};");
                }

                using (_writer.Open($"for ({NUInt} step = end; step > start; step--)"))
                {
                    _writer.Line($"{NUInt} t = step - 1;");
                    _writer.Line($"{vector.Type} xs = {vector.Broadcast($"{Unsafe}.Add(ref xRow, t * xStride)")};");
                    _writer.Line($"ref float stepGradients = ref {Unsafe}.Add(ref gateGradients, (t * StepRecordLength) + column);");
                    for (int chain = 0; chain < chains; chain++)
                    {
                        _writer.Line($"sum{Literal(chain)} = {TypeNames.LstmMath}.MultiplyAdd(xs, {vector.Load("stepGradients", At(chain))}, sum{Literal(chain)});");
                    }
                }

                for (int chain = 0; chain < chains; chain++)
                {
                    _writer.Line(vector.Store($"sum{Literal(chain)}", "gradientRow", At(chain)));
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
            using (_writer.Open($"private static void HeadBackward{path.Path}({HeadBackwardParameters.Declaration})"))
            {
                _writer.Line($"ref float biasGradients = ref {Unsafe}.Add(ref gradients, OutputSize * HiddenSize);");
                _writer.Line($"{TypeNames.Floats}.Clear(ref upstream, HiddenSize);");
                using (_writer.Open($"for ({NUInt} o = 0; o < OutputSize; o++)"))
                {
                    _writer.Line($"float logitGradient = {Unsafe}.Add(ref logitGradients, o);");
                    _writer.Line($"{Unsafe}.Add(ref biasGradients, o) += logitGradient;");
                    _writer.Line($"ref float weights = ref {Unsafe}.Add(ref head, o * HiddenSize);");
                    _writer.Line($"ref float weightGradients = ref {Unsafe}.Add(ref gradients, o * HiddenSize);");
                    if (path.VectorWidth > 1 && _spec.HiddenSize >= path.VectorWidth)
                    {
                        // For the vector loop over whole vectors of units (a smaller head has only the scalar tail).
                        _writer.Line($"{vector.Type} logitGradients{Literal(path.VectorWidth)} = {vector.Broadcast("logitGradient")};");
                    }

                    EmitVectorLoop(vector, "HiddenSize", _spec.HiddenSize, (l, k) =>
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
