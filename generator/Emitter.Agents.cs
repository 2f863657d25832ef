using System.Linq;
using LstmGen.Generator.Model;
using static LstmGen.Generator.CodeWriter;

namespace LstmGen.Generator
{
    /// <summary>
    /// Many agents, one step: the agents are gathered into the lanes of two vectors of the widest accelerated
    /// width (32, 16 or 8 per group), every weight is broadcast once to a whole group, and each lane sums the
    /// same products in the same order as a single Step, so the numbers are the same bit for bit.
    /// </summary>
    internal sealed partial class Emitter
    {
        /// <summary>Whether the group's head sums in the 16 lanes of the canonical order (<see cref="KernelPlan.AgentsHeadUsesLanes"/>).</summary>
        private bool AgentsHeadUsesLanes => _plan.AgentsHeadUsesLanes;

        private void EmitAgentsConstants()
        {
            if (!_cell.HasCellState)
            {
                _writer.Lines("""
                    // A group of agents stepped together, one per vector lane; per lane: the inputs, every layer's hidden
                    // state, the gate values, the 16 lanes of the head's sums and the outputs.
                    private const int AgentHiddenOffset = InputSize;
                    private const int AgentGateOffset = AgentHiddenOffset + (Layers * HiddenSize);
                    private const int AgentLaneOffset = AgentGateOffset + GateValuesLength;
                    private const int AgentOutputOffset = AgentLaneOffset + 16;
                    private const int AgentScratchLength = AgentOutputOffset + OutputSize;

                    """);
                return;
            }

            if (_spec.HasProjection)
            {
                _writer.Lines("""
                    // A group of agents stepped together, one per vector lane; per lane: the inputs, every layer's hidden
                    // and cell states, the gates and o * tanh(c), the 16 lanes of the projections' and the head's sums and the
                    // outputs.
                    private const int AgentHiddenOffset = InputSize;
                    private const int AgentCellOffset = AgentHiddenOffset + (Layers * ProjectionSize);
                    private const int AgentGateOffset = AgentCellOffset + (Layers * HiddenSize);
                    private const int AgentLaneOffset = AgentGateOffset + GateValuesLength;
                    private const int AgentOutputOffset = AgentLaneOffset + 16;
                    private const int AgentScratchLength = AgentOutputOffset + OutputSize;

                    """);
                return;
            }

            _writer.Lines("""
                // A group of agents stepped together, one per vector lane; per lane: the inputs, every layer's hidden
                // and cell states, the gates, the 16 lanes of the head's sums and the outputs.
                private const int AgentHiddenOffset = InputSize;
                private const int AgentCellOffset = AgentHiddenOffset + (Layers * HiddenSize);
                private const int AgentGateOffset = AgentCellOffset + (Layers * HiddenSize);
                private const int AgentLaneOffset = AgentGateOffset + GateRowLength;
                private const int AgentOutputOffset = AgentLaneOffset + 16;
                private const int AgentScratchLength = AgentOutputOffset + OutputSize;

                """);
        }

        private void EmitAgentsApi()
        {
            _writer.Line("/// <summary>");
            _writer.Line("/// Advances many independent sequences (agents) by one step: agent n's state is <c>states[n]</c>, its");
            _writer.Line("/// input is row n of <paramref name=\"inputs\"/> ([N, InputSize]) and its output row n of");
            _writer.Line("/// <paramref name=\"outputs\"/> ([N, OutputSize]). The same numbers, bit for bit, as");
            if (IsPortable)
            {
                _writer.Line("/// <c>Step(ref states[n], ...)</c> for every n. The portable tier steps the agents one at a time (the full");
                _writer.Line("/// tier steps groups of 32, 16 or 8, one agent per vector lane, with the same bits). The weights are only");
                _writer.Line("/// read: several threads may step different states at once. <paramref name=\"outputs\"/>, <paramref name=\"inputs\"/>");
                _writer.Line("/// and <paramref name=\"states\"/> must not share memory.");
            }
            else
            {
                _writer.Line("/// <c>Step(ref states[n], ...)</c> for every n: groups of 32 (AVX-512), 16 or 8 agents are stepped together,");
                _writer.Line("/// one agent per lane of two vectors, so that every weight loaded serves a whole group (a last group of");
                _writer.Line("/// at least half as many agents too, its other lanes on zeros). A model with fewer bytes of");
                _writer.Line($"/// weights than <see cref=\"{TypeNames.AgentGroups}.MinimumParameterBytes\"/> (32 KiB, so that they fit in L1) steps");
                _writer.Line("/// its agents one at a time, which is faster there. The weights are only read: several threads may step");
                _writer.Line("/// different states at once. <paramref name=\"outputs\"/>, <paramref name=\"inputs\"/> and <paramref name=\"states\"/>");
                _writer.Line("/// must not share memory.");
            }

            _writer.Line("/// </summary>");
            using (_writer.Open($"public void Step({TypeNames.Span}<State> states, {TypeNames.ReadOnlySpan}<float> inputs, {TypeNames.Span}<float> outputs)"))
            {
                _writer.Line($"{TypeNames.ModelGuard}.Rows(inputs.Length, states.Length, InputSize, nameof(inputs), \"[N, InputSize] for N states\");");
                _writer.Line($"{TypeNames.ModelGuard}.Rows(outputs.Length, states.Length, OutputSize, nameof(outputs), \"[N, OutputSize] for N states\");");
                _writer.Line($"{TypeNames.ModelGuard}.AgentSpans<State>(states, inputs, outputs);");
                if (IsPortable)
                {
                    _writer.Line("// Every agent, one at a time.");
                }
                else
                {
                    _writer.Line($"int stepped = {TypeNames.Vector128}.IsHardwareAccelerated && (long)ParameterCount * sizeof({ModelWeightType}) >= {TypeNames.AgentGroups}.MinimumParameterBytes");
                    _writer.Line("    ? StepAgents(states, inputs, outputs)");
                    _writer.Line("    : 0;");
                    _writer.Line();
                    _writer.Line("// The agents left over (fewer than a group, or all of them), one at a time.");
                }

                _writer.Line($"ref float input = ref {TypeNames.MemoryMarshal}.GetReference(inputs);");
                _writer.Line($"ref float output = ref {TypeNames.MemoryMarshal}.GetReference(outputs);");
                using (_writer.Open($"for (int agent = {(IsPortable ? "0" : "stepped")}; agent < states.Length; agent++)"))
                {
                    _writer.Line($"StepCore(ref states[agent], ref {Unsafe}.Add(ref input, agent * InputSize), ref {Unsafe}.Add(ref output, agent * OutputSize));");
                }
            }

            _writer.Line();
            if (IsPortable)
            {
                return;
            }

            PathPlan Widest(KernelPath path) => _plan.Paths.First(plan => plan.Path == path);
            _writer.Line("/// <summary>");
            _writer.Line("/// Steps the agents in groups, one per lane of vectors of the widest accelerated width, and returns how");
            _writer.Line("/// many it stepped: the first ones, in whole groups, and the last group too where it fills at least one");
            _writer.Line("/// vector, since a group with lanes left at zero still costs less than its agents stepped one at a time.");
            _writer.Line("/// </summary>");
            using (_writer.Open($"private int StepAgents({TypeNames.Span}<State> states, {TypeNames.ReadOnlySpan}<float> inputs, {TypeNames.Span}<float> outputs)"))
            {
                _writer.Line($"int vectorLanes = {TypeNames.Vector512}.IsHardwareAccelerated ? 16 : {TypeNames.Vector256}.IsHardwareAccelerated ? 8 : 4;");
                _writer.Line($"int agents = {TypeNames.Vector512}.IsHardwareAccelerated ? {Literal(Widest(KernelPath.Vector512).AgentsPerGroup)} : {TypeNames.Vector256}.IsHardwareAccelerated ? {Literal(Widest(KernelPath.Vector256).AgentsPerGroup)} : {Literal(Widest(KernelPath.Vector128).AgentsPerGroup)};");
                _writer.Line("int stepped = states.Length - (states.Length % agents);");
                using (_writer.Open("if (states.Length - stepped >= vectorLanes)"))
                {
                    _writer.Line("stepped = states.Length;");
                }

                _writer.Line();
                using (_writer.Open("if (stepped == 0)"))
                {
                    _writer.Line("return 0;");
                }

                _writer.Line();
                _writer.Line("// The group's values, each position a vector of agents: pooled, so a warm call allocates nothing.");
                _writer.Line($"float[] buffer = {TypeNames.ArrayPool}<float>.Shared.Rent(AgentScratchLength * agents);");
                _writer.Line($"ref float scratch = ref {ArrayData}(buffer);");
                _writer.Line("ref float input = ref scratch;");
                _writer.Line($"ref float hidden = ref {Unsafe}.Add(ref scratch, AgentHiddenOffset * agents);");
                if (_cell.HasCellState)
                {
                    _writer.Line($"ref float cell = ref {Unsafe}.Add(ref scratch, AgentCellOffset * agents);");
                }

                _writer.Line($"ref float gates = ref {Unsafe}.Add(ref scratch, AgentGateOffset * agents);");
                if (AgentsHeadUsesLanes)
                {
                    _writer.Line($"ref float lanes = ref {Unsafe}.Add(ref scratch, AgentLaneOffset * agents);");
                }

                _writer.Line($"ref float output = ref {Unsafe}.Add(ref scratch, AgentOutputOffset * agents);");
                EmitParameterReference();
                _writer.Line($"ref float inputRows = ref {TypeNames.MemoryMarshal}.GetReference(inputs);");
                _writer.Line($"ref float outputRows = ref {TypeNames.MemoryMarshal}.GetReference(outputs);");
                _writer.Line();
                _writer.Line(_cell.HasCellState
                    ? "// A State is its hidden values, then its cell values, as the group's scratch holds them: one row"
                    : "// A State is its hidden values, as the group's scratch holds them: one row");
                _writer.Line($"// of {StateLength} floats per agent, stateStride floats apart.");
                _writer.Line($"int stateStride = {Unsafe}.SizeOf<State>() / sizeof(float);");
                using (_writer.Open("for (int first = 0; first < stepped; first += agents)"))
                {
                    _writer.Line($"int count = {TypeNames.Math}.Min(agents, stepped - first);");
                    _writer.Line($"ref float groupStates = ref {Unsafe}.As<State, float>(ref states[first]);");
                    _writer.Line($"ref float groupInputs = ref {Unsafe}.Add(ref inputRows, first * InputSize);");
                    _writer.Line($"ref float groupOutputs = ref {Unsafe}.Add(ref outputRows, first * OutputSize);");
                    _writer.Line();
                    _writer.Line("// Each agent's input and state into its lane: [agents, values] blocks transposed; lanes without an agent, zeros.");
                    _writer.Line($"{TypeNames.AgentLanes}.Gather(ref groupInputs, InputSize, InputSize, ref input, agents, count);");
                    _writer.Line($"{TypeNames.AgentLanes}.Gather(ref groupStates, stateStride, {StateLength}, ref hidden, agents, count);");
                    _writer.Line();
                    _writer.Line("// Every layer and the output, for the whole group at once.");
                    EmitDispatch(path => $"{KernelClass}.StepAgents{ModelPrecision}{path}({PathStepParameters(agents: true).Arguments});", withScalar: false);
                    _writer.Line();
                    _writer.Line("// The new states and the outputs, out of the lanes.");
                    _writer.Line($"{TypeNames.AgentLanes}.Scatter(ref hidden, agents, {StateLength}, ref groupStates, stateStride, count);");
                    _writer.Line($"{TypeNames.AgentLanes}.Scatter(ref output, agents, OutputSize, ref groupOutputs, OutputSize, count);");
                    if (_spec.OutputActivation != OutputActivation.Linear)
                    {
                        using (_writer.Open("for (int lane = 0; lane < count; lane++)"))
                        {
                            _writer.Line($"{KernelClass}.ApplyOutputActivation(ref {Unsafe}.Add(ref groupOutputs, lane * OutputSize));");
                        }
                    }
                }

                _writer.Line();
                _writer.Line($"{TypeNames.ArrayPool}<float>.Shared.Return(buffer);");
                _writer.Line("return stepped;");
            }

            _writer.Line();
        }

        /// <summary>
        /// The head for a group of agents: for each output, the canonical sum of one sequence (16 lanes,
        /// lane l over units l, l + 16, ...; LstmMath.Sum's tree; the units past the last multiple of 16
        /// in order), with a vector of agents in place of every float.
        /// </summary>
        private void EmitAgentsHead(PathPlan path)
        {
            int group = AgentsPerGroup(path);
            var layout = new ValueLayout(VectorOf(path.VectorWidth), group, _bfloat16);
            _writer.Line("/// <summary>");
            _writer.Line($"/// The dense head for {Literal(group)} agents, one per lane, with {path.Path} kernels: output[o] = head.weight[o, :] · h");
            _writer.Line("/// + head.bias[o], summed as one sequence sums it: 16 lanes (lane l takes units l, l + 16, ...) added in");
            _writer.Line("/// LstmMath.Sum's tree, then the units past the last multiple of 16 in order.");
            _writer.Line("/// </summary>");
            using (_writer.Open($"internal static void HeadAgents{Precision}{path.Path}(ref {DenseWeightType} head, ref float hidden, {(AgentsHeadUsesLanes ? "ref float lanes, " : string.Empty)}ref float output)"))
            {
                _writer.Line($"ref {DenseWeightType} bias = ref {Unsafe}.Add(ref head, OutputSize * {LayerOutputName});");
                EmitAgentDenseRows(layout, "head", DenseWeightType, "o", "OutputSize", LayerOutputName, _spec.LayerOutputWidth, "hidden", "output", sum => $"{sum} + {layout.Vector.Broadcast(ScalarWeight("bias", "o"))}");
            }

            _writer.Line();
        }

        /// <summary>
        /// output[r] = <paramref name="matrix"/>[r, :] · <paramref name="input"/> (then <paramref name="result"/> of the sum) for a
        /// group of agents, each row summed as one sequence sums it: 16 lanes (lane l takes columns l, l + 16, ...) added in
        /// LstmMath.Sum's tree (the lanes kept in <c>lanes</c>), then the columns past the last multiple of 16 in order, with a
        /// vector of agents in place of every float: the head's, and a layer's projection.
        /// </summary>
        private void EmitAgentDenseRows(ValueLayout layout, string matrix, string weightType, string row, string rows, string columnsName, int columns, string input, string output, System.Func<string, string> result)
        {
            int chunks = columns / 16;
            int tail = columns % 16;
            using (OpenAgentVectors(ref layout))
            using (_writer.Open($"for ({NUInt} {row} = 0; {row} < {rows}; {row}++)"))
            {
                _writer.Line($"ref {weightType} weights = ref {Unsafe}.Add(ref {matrix}, {row} * {columnsName});");
                if (chunks > 0)
                {
                    _writer.Line("// Each of the 16 lanes, a vector of agents.");
                    using (_writer.Open($"for ({NUInt} lane = 0; lane < 16; lane++)"))
                    {
                        _writer.Line($"{layout.Type} laneSum = {layout.Type}.Zero;");
                        using (_writer.Open($"for ({NUInt} k = lane; k < {Literal(chunks * 16)}; k += 16)"))
                        {
                            _writer.Line($"laneSum = {TypeNames.LstmMath}.MultiplyAdd({layout.Load(input, IndexExpression.Name("k"))}, {layout.Weight("weights", "k")}, laneSum);");
                        }

                        _writer.Line(layout.Store("laneSum", "lanes", IndexExpression.Name("lane")));
                    }

                    _writer.Line();
                    _writer.Line("// LstmMath.Sum's tree: lane l + (l + 8), then + (l + 4), then (0 + 2) + (1 + 3).");
                    for (int quarter = 0; quarter < 4; quarter++)
                    {
                        string Lane(int l) => layout.Load("lanes", IndexExpression.Constant(l));
                        _writer.Line($"{layout.Type} quarter{Literal(quarter)} = ({Lane(quarter)} + {Lane(quarter + 8)}) + ({Lane(quarter + 4)} + {Lane(quarter + 12)});");
                    }

                    _writer.Line($"{layout.Type} sum = (quarter0 + quarter2) + (quarter1 + quarter3);");
                }
                else
                {
                    _writer.Line($"{layout.Type} sum = {layout.Type}.Zero;");
                }

                if (tail > 0)
                {
                    _writer.Line(chunks > 0 ? $"// The last {Literal(tail)} units, in order." : "// Every unit, in order.");
                    using (_writer.Open($"for ({NUInt} k = {Literal(chunks * 16)}; k < {columnsName}; k++)"))
                    {
                        _writer.Line($"sum = {TypeNames.LstmMath}.MultiplyAdd({layout.Load(input, IndexExpression.Name("k"))}, {layout.Weight("weights", "k")}, sum);");
                    }
                }

                _writer.Line(layout.Store(result("sum"), output, IndexExpression.Name(row)));
            }
        }
    }
}
