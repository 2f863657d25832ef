using LstmGen.Generator.Model;
using static LstmGen.Generator.CodeWriter;

namespace LstmGen.Generator
{
    /// <summary>
    /// An LSTM's projections (PyTorch's <c>proj_size</c>, <see cref="ModelSpec.HasProjection"/>): each layer's step ends with
    /// h = W_hr (o * tanh(c)), P values from the H the activations left after the gate row, and its backward pass starts with
    /// d (o * tanh(c)) = W_hr^T d h and d W_hr += d h (outer) (o * tanh(c)). The widths of the hidden state and of what a
    /// layer outputs are named here once, for every other part of the emitter.
    /// </summary>
    internal sealed partial class Emitter
    {
        /// <summary>The local that holds o * tanh(c) of every unit, after the gate row, which the projection maps to h.</summary>
        private const string CellOutput = "cellOutput";

        /// <summary>
        /// The generated constant of the hidden state's width (what W_hh reads and a State holds per layer):
        /// <c>ProjectionSize</c> with projections, else <c>HiddenSize</c> (<see cref="ModelSpec.RecurrentWidth"/>).
        /// </summary>
        private string RecurrentWidth => _spec.HasProjection ? "ProjectionSize" : "HiddenSize";

        /// <summary>Where the activations store h: the hidden state, or with projections o * tanh(c), which the projection maps to h.</summary>
        private string ActivationOutput => _spec.HasProjection ? CellOutput : "hidden";

        /// <summary>What follows a layer's two biases in its parameters, as a comment says it: ", then W_hr", or nothing.</summary>
        private string ProjectionAfterBiases => _spec.HasProjection ? ", then W_hr" : string.Empty;

        /// <summary>A layer's update, as a comment says it: the cell's, with projections ending in h = W_hr (o * tanh(c)).</summary>
        private string LayerUpdateText => _spec.HasProjection ? "c = f * c + i * g, h = W_hr (o * tanh(c))" : _cell.UpdateText;

        /// <summary>What the activations of a tile compute, as a comment says it (with projections, o * tanh(c); the projection follows).</summary>
        private string ActivationUpdateText => _spec.HasProjection ? "c = f * c + i * g and o * tanh(c)" : _cell.UpdateText.Replace(", h", " and h");

        /// <summary>The offset of a layer's W_hr [P, H] in its parameters: after W_ih, W_hh and the two biases.</summary>
        private string ProjectionWeightsOffset(string inputs) => $"({inputs} + ProjectionSize + 2) * GateRowLength";

        /// <summary>
        /// A reference to a layer's W_hr in the weights the kernels being written read: after the two biases in the float32
        /// parameters; in the bfloat16 copy after the bias pair, two values per word (as the head's, <see cref="DenseWeightType"/>).
        /// </summary>
        private string ProjectionWeights(LayerKernel kernel) => _bfloat16
            ? $"ref {TypeNames.Refs}.AsBFloat16(ref {Unsafe}.Add(ref weights, ({InputRows(kernel)} + {RecurrentPairs} + 1) * GateRowLength))"
            : $"ref {Unsafe}.Add(ref weights, {ProjectionWeightsOffset(KernelInputs(kernel))})";

        private void EmitProjectionConstant()
        {
            if (!_spec.HasProjection)
            {
                return;
            }

            _writer.Line("/// <summary>Values of each layer's projection h = W_hr (o * tanh(c)): the hidden state a layer carries and outputs.</summary>");
            _writer.Line($"public const int ProjectionSize = {Literal(_spec.ProjectionSize)};");
            _writer.Line();
        }

        /// <summary>The record and the backward scratch of an LSTM with projections: the hidden values are ProjectionSize wide.</summary>
        private void EmitProjectedTrainingConstants()
        {
            _writer.Lines("""
                // The record of a training sequence, one row per step after a row 0 that holds the state the
                // sequence starts from. For each layer: the gate activations (packed like a gate row), o * tanh(c) of
                // every unit (which the backward pass replaces with its gradient), the cell state and the hidden state
                // (ProjectionSize values); then the step's outputs before and after the output activation.
                private const int RecordCellOutputOffset = GateRowLength;
                private const int RecordCellOffset = GateValuesLength;
                private const int RecordHiddenOffset = GateValuesLength + HiddenSize;
                private const int LayerRecordLength = RecordHiddenOffset + ProjectionSize;
                private const int RecordLogitsOffset = Layers * LayerRecordLength;
                private const int RecordOutputsOffset = RecordLogitsOffset + OutputSize;
                """);
            EmitStepRecordLength();
            _writer.Lines("""
                // The backward pass's scratch: d loss / d h (ProjectionSize values) and d loss / d c (HiddenSize values)
                // of every layer, carried to the step before; the gradient reaching a layer's output from above; the
                // logit gradients.
                private const int ScratchCellOffset = Layers * ProjectionSize;
                private const int ScratchUpstreamOffset = ScratchCellOffset + (Layers * HiddenSize);
                private const int ScratchLogitOffset = ScratchUpstreamOffset + ProjectionSize;
                private const int BackwardScratchLength = ScratchLogitOffset + OutputSize;

                """);
        }

        /// <summary>
        /// <c>ref float cellOutput</c>: o * tanh(c) of every unit, after the gate row of <c>gates</c> (times the agents of a
        /// group), where the activations write it and the projection reads it.
        /// </summary>
        private void EmitCellOutputRow(int agents)
        {
            if (!_spec.HasProjection)
            {
                return;
            }

            _writer.Line("// o * tanh(c) of every unit, after the gate row: the projection maps it to h.");
            _writer.Line($"ref float {CellOutput} = ref {Unsafe}.Add(ref gates, {(agents == 0 ? "GateRowLength" : $"GateRowLength * {Literal(agents)}")});");
        }

        /// <summary>
        /// At the end of a layer's step: the projection of o * tanh(c) (<see cref="EmitCellOutputRow"/>) into the hidden state;
        /// for a group of agents, with the 16 lanes of its sums after o * tanh(c) in the group's scratch.
        /// </summary>
        private void EmitProjectionCall(PathPlan path, LayerKernel kernel, bool agents)
        {
            _writer.Line();
            _writer.Line("// The projection: h = W_hr (o * tanh(c)), ProjectionSize values from HiddenSize.");
            string weights = ProjectionWeights(kernel);
            if (!agents)
            {
                _writer.Line($"HiddenProjection{Precision}{path.Path}({weights}, ref {CellOutput}, ref hidden);");
                return;
            }

            string lanes = ProjectionUsesLanes ? $"ref {Unsafe}.Add(ref gates, GateValuesLength * {Literal(AgentsPerGroup(path))}), " : string.Empty;
            _writer.Line($"HiddenProjectionAgents{Precision}{path.Path}({weights}, ref {CellOutput}, {lanes}ref hidden);");
        }

        /// <summary>Whether a group's projection sums in the 16 lanes of the canonical order (<see cref="KernelPlan.AgentsProjectionUsesLanes"/>).</summary>
        private bool ProjectionUsesLanes => _plan.AgentsProjectionUsesLanes;

        /// <summary>
        /// HiddenProjectionAgents{Path}: the projection for a group of agents, one per lane, each row summed as one sequence
        /// sums it (<see cref="EmitAgentDenseRows"/>).
        /// </summary>
        private void EmitAgentsHiddenProjection(PathPlan path)
        {
            int group = AgentsPerGroup(path);
            _writer.Line("/// <summary>");
            _writer.Line($"/// A layer's projection for {Literal(group)} agents, one per lane, with {path.Path} kernels: hidden[p] = W_hr[p, :] · (o * tanh(c)),");
            _writer.Line("/// summed as one sequence sums it: 16 lanes (lane l takes units l, l + 16, ...) added in LstmMath.Sum's tree, then the");
            _writer.Line("/// units past the last multiple of 16 in order.");
            _writer.Line("/// </summary>");
            using (_writer.Open($"internal static void HiddenProjectionAgents{Precision}{path.Path}(ref {DenseWeightType} projection, ref float {CellOutput}, {(ProjectionUsesLanes ? "ref float lanes, " : string.Empty)}ref float hidden)"))
            {
                EmitAgentDenseRows(new ValueLayout(VectorOf(path.VectorWidth), group, _bfloat16), "projection", DenseWeightType, "p", "ProjectionSize", "HiddenSize", _spec.HiddenSize, CellOutput, "hidden", sum => sum);
            }

            _writer.Line();
        }

        /// <summary>
        /// HiddenProjection{Path}: hidden[p] = W_hr[p, :] · cellOutput for every p, each a dot product in the canonical order
        /// (16 lanes, LstmMath.Sum's tree, then the units past the last multiple of 16 in order), as the head sums.
        /// </summary>
        private void EmitHiddenProjection(PathPlan path)
        {
            _writer.Line("/// <summary>");
            _writer.Line($"/// A layer's projection with {path.Path} kernels: hidden[p] = W_hr[p, :] · (o * tanh(c)), W_hr [ProjectionSize, HiddenSize]");
            _writer.Line("/// as PyTorch keeps it. The products go to 16 lanes (lane l takes units l, l + 16, ...) that LstmMath.Sum adds in a");
            _writer.Line("/// fixed tree; units past the last multiple of 16 follow in order; so every path gives the same bits.");
            _writer.Line("/// </summary>");
            using (_writer.Open($"internal static void HiddenProjection{Precision}{path.Path}(ref {DenseWeightType} projection, ref float {CellOutput}, ref float hidden)"))
            {
                EmitDenseRows(path, "projection", DenseWeightType, "p", "ProjectionSize", "HiddenSize", _spec.HiddenSize, CellOutput, "hidden", sum => sum);
            }

            _writer.Line();
        }

        /// <summary>
        /// At the start of a layer's backward pass: d h (from above and from the next step) through the projection, into
        /// d (o * tanh(c)) where the record kept o * tanh(c), and d W_hr.
        /// </summary>
        private void EmitProjectionBackwardCall(PathPlan path, string inputs)
        {
            _writer.Line("// Through the projection h = W_hr (o * tanh(c)): d W_hr += d h (outer) (o * tanh(c)), then d (o * tanh(c)) =");
            _writer.Line("// W_hr^T d h replaces o * tanh(c) in the record; d h (from above plus from the next step) is left in upstream.");
            _writer.Line($"ref float {CellOutput}Gradient = ref {Unsafe}.Add(ref current, RecordCellOutputOffset);");
            string offset = ProjectionWeightsOffset(inputs);
            _writer.Line($"HiddenProjectionBackward{path.Path}(ref {Unsafe}.Add(ref weights, {offset}), ref {Unsafe}.Add(ref gradients, {offset}), ref upstream, ref hiddenGradient, ref {CellOutput}Gradient);");
        }

        /// <summary>
        /// HiddenProjectionBackward{Path}: d h = upstream + hiddenGradient (flushed below 2^-60, into upstream); d W_hr[p, :] +=
        /// d h[p] * (o * tanh(c)); then d (o * tanh(c)) = W_hr^T d h, summed over p in order, over o * tanh(c) in the record.
        /// Element by element, the same fused multiply-adds on every path.
        /// </summary>
        private void EmitHiddenProjectionBackward(PathPlan path)
        {
            var vector = VectorOf(path.VectorWidth);
            string gradientLocal = $"hiddenGradients{Literal(path.VectorWidth)}";
            _writer.Line("/// <summary>");
            _writer.Line($"/// The backward pass of a layer's projection with {path.Path} kernels: d h = upstream + hiddenGradient (into upstream),");
            _writer.Line("/// W_hr's gradient += d h (outer) (o * tanh(c)), then <paramref name=\"cellOutput\"/> = W_hr^T d h, summed over the rows in");
            _writer.Line("/// order, in place of o * tanh(c), which it no longer needs.");
            _writer.Line("/// </summary>");
            using (_writer.Open($"internal static void HiddenProjectionBackward{path.Path}(ref float projection, ref float gradients, ref float upstream, ref float hiddenGradient, ref float {CellOutput})"))
            {
                _writer.Line("// d loss / d h: from above plus from the next step, flushed to zero below 2^-60.");
                EmitVectorLoop(vector, "ProjectionSize", _spec.ProjectionSize, (l, k) => new[]
                {
                    l.Store($"{TypeNames.LstmMath}.FlushNegligible({l.Load("upstream", k)} + {l.Load("hiddenGradient", k)})", "upstream", k),
                });

                _writer.Line();
                _writer.Line("// W_hr's gradient: row p += d h[p] * (o * tanh(c)).");
                using (_writer.Open($"for ({NUInt} p = 0; p < ProjectionSize; p++)"))
                {
                    EmitProjectionRowLoop(path, vector, gradientLocal, "gradients", target: null, rowAddend: CellOutput);
                }

                _writer.Line();
                _writer.Line("// d (o * tanh(c)) = W_hr^T d h, the rows in order, over o * tanh(c).");
                _writer.Line($"{TypeNames.Floats}.Clear(ref {CellOutput}, HiddenSize);");
                using (_writer.Open($"for ({NUInt} p = 0; p < ProjectionSize; p++)"))
                {
                    EmitProjectionRowLoop(path, vector, gradientLocal, "projection", target: CellOutput, rowAddend: null);
                }
            }

            _writer.Line();
        }

        /// <summary>
        /// One row p of the projection's backward pass, d h[p] = upstream[p] times row p of <paramref name="matrix"/>: added to
        /// <paramref name="target"/>, or (<paramref name="rowAddend"/>) that vector times d h[p] added to the row.
        /// </summary>
        private void EmitProjectionRowLoop(PathPlan path, VectorSpelling vector, string gradientLocal, string matrix, string? target, string? rowAddend)
        {
            _writer.Line($"float hiddenGradientValue = {Unsafe}.Add(ref upstream, p);");
            _writer.Line($"ref float row = ref {Unsafe}.Add(ref {matrix}, p * HiddenSize);");
            if (path.VectorWidth > 1 && _spec.HiddenSize >= path.VectorWidth)
            {
                _writer.Line($"{vector.Type} {gradientLocal} = {vector.Broadcast("hiddenGradientValue")};");
            }

            EmitVectorLoop(vector, "HiddenSize", _spec.HiddenSize, (l, k) =>
            {
                string g = l.Width == 1 ? "hiddenGradientValue" : gradientLocal;
                return rowAddend is not null
                    ? new[] { l.Store($"{TypeNames.LstmMath}.MultiplyAdd({g}, {l.Load(rowAddend, k)}, {l.Load("row", k)})", "row", k) }
                    : new[] { l.Store($"{TypeNames.LstmMath}.MultiplyAdd({g}, {l.Load("row", k)}, {l.Load(target!, k)})", target!, k) };
            });
        }
    }
}
