using System.Linq;
using LstmGen.Generator.Model;
using static LstmGen.Generator.CodeWriter;

namespace LstmGen.Generator
{
    /// <summary>
    /// Forward over a sequence: a chunk of steps at a time, layer by layer, the input part of every
    /// step's gate sums (b_ih + b_hh + W_ih x) computed for the whole chunk first, several steps per
    /// pass over W_ih, then the recurrent part step by step. Each sum is added in the order of a single
    /// step, so Forward gives the bits of Step.
    /// </summary>
    internal sealed partial class Emitter
    {

        /// <summary>Whether Forward computes the first layer's input projection a chunk at a time (<see cref="LayerKernel.ProjectsInForward"/>).</summary>
        private bool FirstLayerProjects => _plan.ProjectsInForward(_plan.FirstLayer);

        /// <summary>Why a layer that does not project runs whole steps: its input is narrower than its state, or its state is of the size that keeps a step busy.</summary>
        private string WholeStepReason(LayerKernel kernel) => _spec.HasProjection ? "each step ends with the projection of its output"
            : kernel.InputCount < _spec.HiddenSize ? "its input is narrower than its state"
            : StateReason;

        /// <summary>Why a state of 16 to 31 units runs whole steps (<see cref="LayerKernel.IsWholeStepState"/>).</summary>
        private static string StateReason =>
            $"a state of {Literal(LayerKernel.MinWholeStepHiddenSize)} to {Literal(LayerKernel.MaxWholeStepHiddenSize)} units keeps the multiply-add units busy with whole vectors";

        /// <summary>Whether some layer computes its input projection a chunk at a time (the layers above the first do if any does).</summary>
        private bool AnyLayerProjects => _plan.ProjectsInForward(_plan.UpperLayer);

        private void EmitForwardConstants()
        {
            _writer.Line("// Forward runs a chunk of steps at a time, layer by layer. Its buffer holds the gates: per step of a chunk");
            _writer.Line(HasUpperLayers
                ? "// where a layer computes its input projection first, else one step's; then each step's output of a layer."
                : "// where the layer computes its input projection first, else one step's.");
            _writer.Line($"private const int ForwardChunk = {Literal(KernelPlan.ForwardChunk)};");
            _writer.Line(AnyLayerProjects
                ? $"private const int ForwardGatesLength = ForwardChunk * {GateValuesLength};"
                : $"private const int ForwardGatesLength = {GateValuesLength};");
            _writer.Line(HasUpperLayers
                ? $"private const int ForwardBufferLength = ForwardGatesLength + (ForwardChunk * {LayerOutputName});"
                : "private const int ForwardBufferLength = ForwardGatesLength;");
            _writer.Line();
        }

        private void EmitForward()
        {
            // Forward reads the weights in the model's precision.
            _bfloat16 = _spec.HasBFloat16Weights;
            _writer.Line($"/// <inheritdoc cref=\"{TypeNames.ISequenceModel}.Forward\"/>");
            _writer.Line("/// <remarks>");
            _writer.Line("/// A chunk of steps at a time, layer by layer, the head right after each step of the top layer.");
            if (FirstLayerProjects)
            {
                _writer.Line("/// Every layer computes the input part of the chunk's gate sums first (several steps per pass over");
                _writer.Line("/// W_ih), then the recurrence step by step.");
            }
            else if (AnyLayerProjects)
            {
                _writer.Line($"/// The first layer runs whole steps ({WholeStepReason(_plan.FirstLayer)}), as a step hides the input");
                _writer.Line("/// part of its sums; the layers above compute the input part of the chunk's gate sums first (several");
                _writer.Line("/// steps per pass over W_ih), then the recurrence step by step.");
            }
            else
            {
                // Upper layers read an input as wide as their state, so only the state's size keeps them from projecting.
                string reason = HasUpperLayers && !_spec.HasProjection ? StateReason : WholeStepReason(_plan.FirstLayer);
                _writer.Line($"/// {(HasUpperLayers ? "Every layer" : "The layer")} runs whole steps ({reason}), as a step");
                _writer.Line("/// hides the input part of its sums, which a separate pass would only add to.");
            }

            _writer.Line($"/// Every sum is added in the order of <see cref=\"Step({TypeNames.ReadOnlySpan}{{float}}, {TypeNames.Span}{{float}})\"/>, which");
            _writer.Line("/// gives the same bits. <paramref name=\"outputs\"/> must not share memory with <paramref name=\"inputs\"/>.");
            _writer.Line("/// </remarks>");
            using (OpenForwardCore())
            {
                _writer.Line("// The buffer is read into a local once: every reference below points into this one array.");
                _writer.Line("float[] buffer = _forwardBuffer ??= new float[ForwardBufferLength];");
                EmitParameterReference();
                _writer.Line($"ref float gates = ref {ArrayData}(buffer);");
                if (HasUpperLayers)
                {
                    _writer.Line($"ref float sequence = ref {Unsafe}.Add(ref gates, ForwardGatesLength);");
                }

                EmitStateReferences("_state");
                using (_writer.Open("for (int start = 0; start < steps; start += ForwardChunk)"))
                {
                    _writer.Line($"int count = {TypeNames.Math}.Min(ForwardChunk, steps - start);");
                    _writer.Line();
                    _writer.Line((HasUpperLayers, FirstLayerProjects) switch
                    {
                        (true, true) => "// Layer 0: the input part of the chunk's gate sums, then the recurrence; its outputs go to the sequence.",
                        (true, false) => $"// Layer 0, a whole step at a time ({WholeStepReason(_plan.FirstLayer)}); its outputs go to the sequence.",
                        (false, true) => "// The input part of the chunk's gate sums, then the recurrence and each step's output.",
                        (false, false) => $"// A whole step at a time ({WholeStepReason(_plan.FirstLayer)}), and each step's output.",
                    });
                    _writer.Line($"ref float chunkInputs = ref {Unsafe}.Add(ref {TypeNames.MemoryMarshal}.GetReference(inputs), start * InputSize);");
                    EmitLayerChunk(_plan.FirstLayer, "ref parameters", "chunkInputs", "InputSize", "ref hidden", "ref cell", top: !HasUpperLayers);
                    if (HasUpperLayers)
                    {
                        if (_spec.Layers > 2)
                        {
                            _writer.Line();
                            _writer.Line("// Each layer in between reads the chunk of outputs of the layer below, and replaces them with its own.");
                            using (_writer.Open("for (int layer = 1; layer < Layers - 1; layer++)"))
                            {
                                EmitUpperLayerReferences("layer", "(layer - 1)");
                                EmitLayerChunk(_plan.UpperLayer, "ref weights", "sequence", LayerOutputName, "ref layerHidden", "ref layerCell", top: false);
                            }
                        }

                        _writer.Line();
                        _writer.Line("// The top layer reads the chunk of outputs of the layer below; each of its steps gives an output.");
                        using (_writer.OpenScope())
                        {
                            EmitUpperLayerReferences("(Layers - 1)", "(Layers - 2)");
                            EmitLayerChunk(_plan.UpperLayer, "ref weights", "sequence", LayerOutputName, "ref layerHidden", "ref layerCell", top: true);
                        }
                    }
                }
            }

            _writer.Line();
            EmitForwardDispatchers();
        }

        /// <summary>
        /// The public Forward, which checks the spans and holds the model while it calls ForwardCore, and opens ForwardCore's
        /// body (after the doc comment of Forward, which the caller writes).
        /// </summary>
        private Block OpenForwardCore(FinalStates? finalStates = null)
        {
            using (_writer.Open($"public void Forward({TypeNames.ReadOnlySpan}<float> inputs, {TypeNames.Span}<float> outputs)"))
            {
                _writer.Line($"int steps = {TypeNames.ModelGuard}.SequenceLength(inputs.Length, InputSize, outputs.Length, OutputSize, nameof(inputs), nameof(outputs));");
                _writer.Line($"{TypeNames.ModelGuard}.Disjoint<float>(outputs, inputs, nameof(outputs), nameof(inputs));");
                using (Guard("Forward"))
                {
                    _writer.Line($"ForwardCore(inputs, outputs, steps{finalStates?.NoneArguments});");
                }
            }

            _writer.Line();
            _writer.Line($"/// <summary>Forward's work: the spans were checked, and the call holds the model.{finalStates?.CoreRemark}</summary>");
            return _writer.Open($"private void ForwardCore({TypeNames.ReadOnlySpan}<float> inputs, {TypeNames.Span}<float> outputs, int steps{finalStates?.Parameters})");
        }

        /// <summary>
        /// What ForwardCore takes besides the sequence where a Forward also writes final states (a bidirectional model's):
        /// the arguments that the plain Forward passes (none wanted), ForwardCore's parameters, and a sentence on them.
        /// </summary>
        private sealed record FinalStates(string NoneArguments, string Parameters, string CoreRemark);

        /// <summary>The methods that pick a path for Forward's kernels: a whole step, or a layer's projection and its recurrence.</summary>
        private void EmitForwardDispatchers()
        {
            foreach (LayerKernel kernel in _plan.LayerKernels)
            {
                if (!_plan.ProjectsInForward(kernel))
                {
                    EmitDispatcher(
                        $"One whole step of {DescribeLayers(kernel)}, its gates in <paramref name=\"gates\"/>",
                        $"{kernel.Name}Step",
                        LayerStepParameters,
                        kernel.Name + Precision);
                    continue;
                }

                EmitDispatcher(
                    $"The input part of {DescribeLayers(kernel)}'s gate sums for a chunk of steps",
                    $"{kernel.Name}Projection",
                    LayerProjectionParameters,
                    $"{kernel.Name}Projection{Precision}");
                EmitDispatcher(
                    $"The recurrent part of one step of {DescribeLayers(kernel)}",
                    $"{kernel.Name}Recurrent",
                    LayerRecurrentParameters,
                    $"{kernel.Name}Recurrent{Precision}");
            }

            if (_bfloat16 && _spec.HasHead)
            {
                EmitDispatcher("The dense head's outputs from the bfloat16 weights", "HeadForwardBFloat16", new ParameterList().Refs(DenseWeightType, "head").RefFloats("hidden", "logits"), kernel: "HeadBFloat16");
            }

            _bfloat16 = false;
        }

        /// <summary>The weights and state of an upper layer in Forward: <paramref name="below"/> is the index of the layer below it.</summary>
        private void EmitUpperLayerReferences(string layer, string below)
        {
            _writer.Line($"ref {WeightType} weights = ref {Unsafe}.Add(ref parameters, {FirstLayerLength} + ({below} * {UpperLayerLength}));");
            _writer.Line($"ref float layerHidden = ref {Unsafe}.Add(ref hidden, {layer} * {RecurrentWidth});");
            if (_cell.HasCellState)
            {
                _writer.Line($"ref float layerCell = ref {Unsafe}.Add(ref cell, {layer} * HiddenSize);");
            }
        }

        /// <summary>
        /// A layer over the chunk, reading its input from <paramref name="inputs"/>: the input part of the chunk's
        /// gate sums first, several steps per pass over W_ih, then the recurrence step by step; or, for a layer that
        /// does not project (<see cref="LayerKernel.ProjectsInForward"/>), whole steps. Below the top, each step's
        /// output goes to the sequence for the layer above; the top layer's output goes through the head at once,
        /// which the next step's recurrence does not wait for, so the processor overlaps the two.
        /// </summary>
        private void EmitLayerChunk(LayerKernel kernel, string weights, string inputs, string inputStride, string layerHidden, string layerCell, bool top)
        {
            bool projects = _plan.ProjectsInForward(kernel);
            if (projects)
            {
                _writer.Line($"{KernelClass}.{kernel.Name}Projection({weights}, ref {inputs}, {inputStride}, ref gates, ({NUInt})count);");
            }

            using (_writer.Open("for (int step = 0; step < count; step++)"))
            {
                _writer.Line(projects
                    ? $"{KernelClass}.{kernel.Name}Recurrent({weights}, {StateArguments(layerHidden, layerCell)}, ref {Unsafe}.Add(ref gates, step * {GateValuesLength}));"
                    : $"{KernelClass}.{kernel.Name}Step({weights}, ref {Unsafe}.Add(ref {inputs}, step * {inputStride}), {StateArguments(layerHidden, layerCell)}, ref gates);");
                if (!top)
                {
                    _writer.Line($"{TypeNames.Floats}.Copy({layerHidden}, ref {Unsafe}.Add(ref sequence, step * {LayerOutputName}), {LayerOutputName});");
                    return;
                }

                _writer.Line($"ref float output = ref {Unsafe}.Add(ref {TypeNames.MemoryMarshal}.GetReference(outputs), (start + step) * OutputSize);");
                _writer.Line(_spec.HasHead
                    ? $"{KernelClass}.HeadForward{Precision}({HeadWeights}, {layerHidden}, ref output);"
                    : $"{TypeNames.Floats}.Copy({layerHidden}, ref output, OutputSize);");
                if (_spec.OutputActivation != OutputActivation.Linear)
                {
                    _writer.Line($"{KernelClass}.ApplyOutputActivation(ref output);");
                }
            }
        }

        private void EmitProjectionKernel(LayerKernel kernel, PathPlan path)
        {
            string inputs = KernelInputs(kernel);
            _writer.Line("/// <summary>");
            _writer.Line($"/// The input part of {DescribeLayers(kernel)}'s gate sums for <paramref name=\"steps\"/> steps with {path.Path} kernels:");
            _writer.Line($"/// gates[t] = {_cell.ProjectionText}, each sum added in the order of a single step, several steps per");
            _writer.Line("/// pass over the weights.");
            _writer.Line("/// </summary>");
            using (_writer.Open($"internal static void {kernel.Name}Projection{Precision}{path.Path}({LayerProjectionParameters.Declaration})"))
            {
                _writer.Line("// This layer's W_ih and biases.");
                _writer.Line($"ref {WeightType} inputWeights = ref weights;");
                if (_bfloat16)
                {
                    _writer.Line($"ref uint biases = ref {Unsafe}.Add(ref weights, ({InputRows(kernel)} + {RecurrentPairs}) * GateRowLength);");
                }
                else
                {
                    _writer.Line($"ref float inputBias = ref {Unsafe}.Add(ref weights, ({inputs} + HiddenSize) * GateRowLength);");
                    _writer.Line($"ref float hiddenBias = ref {Unsafe}.Add(ref weights, ({inputs} + HiddenSize + 1) * GateRowLength);");
                }

                foreach (TileLoop tile in path.ActivationTiles)
                {
                    _writer.Line();
                    EmitProjectionTile(tile, kernel, path);
                }
            }

            _writer.Line();
        }

        /// <summary>One tile of the projection: its steps in blocks, then the steps left over one at a time.</summary>
        private void EmitProjectionTile(TileLoop tile, LayerKernel kernel, PathPlan path)
        {
            var layout = new ValueLayout(VectorOf(tile.VectorWidth), agents: 0, _bfloat16);
            int stepsAtOnce = _plan.ProjectionSteps(path, tile);
            _writer.Line($"// {DescribeTile(tile, layout)}, {Literal(stepsAtOnce)} step{(stepsAtOnce == 1 ? string.Empty : "s")} at a time.");
            using (OpenTileLoops(tile, units: false, blockColumn: true))
            {
                _writer.Line("// The tile's rows of W_ih (each block's rows together).");
                string tileWeights = DeclareTileWeights(tile, "inputWeights", InputRows(kernel));
                _writer.Line($"// {_cell.ProjectionBiasText}, where every step's sums start.");
                for (int s = 0; s < tile.Segments.Count; s++)
                {
                    foreach (Accumulator accumulator in _cell.InputAccumulators)
                    {
                        _writer.Line($"{layout.Type} {BiasLocal(s, accumulator)} = {layout.Bias(Offset("column", GateColumn(tile, s, accumulator.BiasColumn)), accumulator.Bias)};");
                    }
                }

                _writer.Line($"{NUInt} step = 0;");
                if (stepsAtOnce > 1)
                {
                    using (_writer.Open($"for (; step + {Literal(stepsAtOnce)} <= steps; step += {Literal(stepsAtOnce)})"))
                    {
                        EmitProjectionSteps(tile, kernel, layout, tileWeights, stepsAtOnce);
                    }

                    _writer.Line();
                    _writer.Line("// The steps left over, one at a time.");
                }

                using (_writer.Open("for (; step < steps; step++)"))
                {
                    EmitProjectionSteps(tile, kernel, layout, tileWeights, 1);
                }
            }
        }

        /// <summary>One row of W_ih for the steps of a projection tile: its weights loaded once, added to every step's sums.</summary>
        private void EmitProjectionRow(TileLoop tile, ValueLayout layout, int stepsAtOnce, System.Func<int, int, Accumulator, string> sum, IndexExpression k, System.Func<int, Accumulator, string> weight)
        {
            for (int s = 0; s < tile.Segments.Count; s++)
            {
                foreach (Accumulator accumulator in _cell.InputAccumulators)
                {
                    _writer.Line($"{layout.Type} {WeightLocal(s, accumulator)} = {weight(s, accumulator)};");
                }
            }

            for (int t = 0; t < stepsAtOnce; t++)
            {
                _writer.Line($"{layout.Type} x{Literal(t)} = {layout.Input($"input{Literal(t)}", k)};");
                for (int s = 0; s < tile.Segments.Count; s++)
                {
                    foreach (Accumulator accumulator in _cell.InputAccumulators)
                    {
                        _writer.Line($"{sum(t, s, accumulator)} = {TypeNames.LstmMath}.MultiplyAdd(x{Literal(t)}, {WeightLocal(s, accumulator)}, {sum(t, s, accumulator)});");
                    }
                }
            }
        }

        /// <summary>
        /// The rows of W_ih from bfloat16 row pairs: a pair at a time, its lower row then its upper row (each word loaded
        /// once per row, the second time from L1), then an odd last row alone.
        /// </summary>
        private void EmitProjectionRowPairs(TileLoop tile, LayerKernel kernel, ValueLayout layout, string tileWeights, int stepsAtOnce, System.Func<int, int, Accumulator, string> sum)
        {
            int pairs = kernel.InputCount / 2;
            string Row(int s, Accumulator accumulator, bool upper) => layout.PairRow(layout.PairLoad("pair", Literal(TileWeightColumn(tile, s, accumulator.InputColumn, (kernel.InputCount + 1) / 2))), upper);
            if (pairs > 0)
            {
                using (_writer.Open($"for ({NUInt} k = 0; k < {Literal(2 * pairs)}; k += 2)"))
                {
                    _writer.Line($"ref uint pair = ref {Unsafe}.Add(ref {tileWeights}, (k / 2) * {Literal(BlockRowLength(tile))});");
                    using (_writer.OpenScope())
                    {
                        EmitProjectionRow(tile, layout, stepsAtOnce, sum, IndexExpression.Name("k"), (s, accumulator) => Row(s, accumulator, upper: false));
                    }

                    using (_writer.OpenScope())
                    {
                        EmitProjectionRow(tile, layout, stepsAtOnce, sum, IndexExpression.Sum("k", 1), (s, accumulator) => Row(s, accumulator, upper: true));
                    }
                }
            }

            if (kernel.InputCount % 2 == 1)
            {
                _writer.Line("// The last row, the lower half of its pair.");
                using (_writer.OpenScope())
                {
                    _writer.Line($"ref uint pair = ref {Unsafe}.Add(ref {tileWeights}, {Literal(pairs * BlockRowLength(tile))});");
                    EmitProjectionRow(tile, layout, stepsAtOnce, sum, IndexExpression.Constant(kernel.InputCount - 1), (s, accumulator) => Row(s, accumulator, upper: false));
                }
            }
        }

        /// <summary>The local that holds b_ih + b_hh of a gate of a segment.</summary>
        private static string BiasLocal(int segment, Accumulator accumulator) => $"{accumulator.Name}Bias{Literal(segment)}";

        /// <summary>The local that holds an accumulator's weight of a segment in a row: weight0I for an LSTM's input gate.</summary>
        private static string WeightLocal(int segment, Accumulator accumulator) => $"weight{Literal(segment)}{accumulator.Name.Substring(0, 1).ToUpperInvariant()}";

        /// <summary>The sums of a tile for <paramref name="stepsAtOnce"/> steps from <c>step</c>: every weight loaded once for them all.</summary>
        private void EmitProjectionSteps(TileLoop tile, LayerKernel kernel, ValueLayout layout, string tileWeights, int stepsAtOnce)
        {
            string Sum(int step, int segment, Accumulator accumulator) => $"{accumulator.Name}Sum{Literal(segment)}{(stepsAtOnce == 1 ? string.Empty : "Step" + Literal(step))}";
            for (int t = 0; t < stepsAtOnce; t++)
            {
                _writer.Line($"ref float input{Literal(t)} = ref {Unsafe}.Add(ref inputs, {(t == 0 ? "step" : $"(step + {Literal(t)})")} * inputStride);");
            }

            for (int t = 0; t < stepsAtOnce; t++)
            {
                for (int s = 0; s < tile.Segments.Count; s++)
                {
                    foreach (Accumulator accumulator in _cell.InputAccumulators)
                    {
                        _writer.Line($"{layout.Type} {Sum(t, s, accumulator)} = {BiasLocal(s, accumulator)};");
                    }
                }
            }

            string source = kernel.IsFirst ? "the input" : "the layer below";
            _writer.Line($"// W_ih x: {source} ({Literal(kernel.InputCount)} values), in order.");
            if (_bfloat16)
            {
                EmitProjectionRowPairs(tile, kernel, layout, tileWeights, stepsAtOnce, Sum);
            }
            else
            {
                using (_writer.Open($"for ({NUInt} k = 0; k < {KernelInputs(kernel)}; k++)"))
                {
                    _writer.Line($"ref float row = ref {Unsafe}.Add(ref {tileWeights}, {IndexExpression.Name("k").Times(BlockRowLength(tile))});");
                    EmitProjectionRow(tile, layout, stepsAtOnce, Sum, IndexExpression.Name("k"), (s, accumulator) => layout.Weight("row", Literal(TileWeightColumn(tile, s, accumulator.InputColumn, kernel.InputCount))));
                }
            }

            for (int t = 0; t < stepsAtOnce; t++)
            {
                string row = t == 0 ? $"step * {GateValuesLength}" : $"(step + {Literal(t)}) * {GateValuesLength}";
                _writer.Line($"ref float gates{Literal(t)} = ref {Unsafe}.Add(ref gates, {row});");
                for (int s = 0; s < tile.Segments.Count; s++)
                {
                    foreach (Accumulator accumulator in _cell.InputAccumulators)
                    {
                        _writer.Line(layout.Store(Sum(t, s, accumulator), $"gates{Literal(t)}", Offset("column", GateColumn(tile, s, accumulator.GateColumn))));
                    }
                }
            }
        }
    }
}
