using LstmGen.Generator.Model;

namespace LstmGen.Generator
{
    /// <summary>
    /// Many agents, one step: the agents are gathered into the lanes of the widest accelerated vectors
    /// (16, 8 or 4 per group), every weight is broadcast once to a whole group, and each lane sums the
    /// same products in the same order as a single Step, so the numbers are the same bit for bit.
    /// </summary>
    internal sealed partial class Emitter
    {
        private void EmitAgentsConstants()
        {
            Line("// A group of agents stepped together, one per vector lane; per lane: the inputs, every layer's hidden");
            Line("// and cell states, the gates, the 16 lanes of the head's sums and the outputs.");
            Line("private const int AgentHiddenOffset = InputSize;");
            Line("private const int AgentCellOffset = AgentHiddenOffset + (Layers * HiddenSize);");
            Line("private const int AgentGateOffset = AgentCellOffset + (Layers * HiddenSize);");
            Line("private const int AgentLaneOffset = AgentGateOffset + GateRowLength;");
            Line("private const int AgentOutputOffset = AgentLaneOffset + 16;");
            Line("private const int AgentScratchLength = AgentOutputOffset + OutputSize;");
            Line();
        }

        private void EmitAgentsApi()
        {
            Line("/// <summary>");
            Line("/// Advances many independent sequences (agents) by one step: agent n's state is <c>states[n]</c>, its");
            Line("/// input is row n of <paramref name=\"inputs\"/> ([N, InputSize]) and its output row n of");
            Line("/// <paramref name=\"outputs\"/> ([N, OutputSize]). The same numbers, bit for bit, as");
            if (IsPortable)
            {
                Line("/// <c>Step(ref states[n], ...)</c> for every n. The portable tier steps the agents one at a time (the full");
                Line("/// tier steps groups of 16, 8 or 4, one agent per vector lane, with the same bits). The weights are only");
                Line("/// read: several threads may step different states at once. <paramref name=\"outputs\"/>, <paramref name=\"inputs\"/>");
                Line("/// and <paramref name=\"states\"/> must not share memory.");
            }
            else
            {
                Line("/// <c>Step(ref states[n], ...)</c> for every n: groups of 16 (AVX-512), 8 or 4 agents are stepped together,");
                Line("/// one agent per vector lane, so that every weight loaded serves a whole group. A model with fewer bytes of");
                Line($"/// weights than <see cref=\"{TypeNames.AgentGroups}.MinimumParameterBytes\"/> (32 KiB, so that they fit in L1) steps");
                Line("/// its agents one at a time, which is faster there. The weights are only read: several threads may step");
                Line("/// different states at once. <paramref name=\"outputs\"/>, <paramref name=\"inputs\"/> and <paramref name=\"states\"/>");
                Line("/// must not share memory.");
            }

            Line("/// </summary>");
            using (Open($"public void Step({TypeNames.Span}<State> states, {TypeNames.ReadOnlySpan}<float> inputs, {TypeNames.Span}<float> outputs)"))
            {
                Line($"{TypeNames.ModelGuard}.Rows(inputs.Length, states.Length, InputSize, nameof(inputs), \"[N, InputSize] for N states\");");
                Line($"{TypeNames.ModelGuard}.Rows(outputs.Length, states.Length, OutputSize, nameof(outputs), \"[N, OutputSize] for N states\");");
                Line($"{TypeNames.ModelGuard}.AgentSpans<State>(states, inputs, outputs);");
                if (IsPortable)
                {
                    Line("// Every agent, one at a time.");
                }
                else
                {
                    Line($"int stepped = {TypeNames.Vector128}.IsHardwareAccelerated && (long)ParameterCount * sizeof(float) >= {TypeNames.AgentGroups}.MinimumParameterBytes");
                    Line("    ? StepAgents(states, inputs, outputs)");
                    Line("    : 0;");
                    Line();
                    Line("// The agents left over (fewer than a group, or all of them), one at a time.");
                }

                Line($"ref float input = ref {TypeNames.MemoryMarshal}.GetReference(inputs);");
                Line($"ref float output = ref {TypeNames.MemoryMarshal}.GetReference(outputs);");
                using (Open($"for (int agent = {(IsPortable ? "0" : "stepped")}; agent < states.Length; agent++)"))
                {
                    Line($"StepCore(ref states[agent], ref {Unsafe}.Add(ref input, agent * InputSize), ref {Unsafe}.Add(ref output, agent * OutputSize));");
                }
            }

            Line();
            if (IsPortable)
            {
                return;
            }

            Line("/// <summary>");
            Line("/// Steps the agents in whole groups, one per lane of the widest accelerated vectors, and returns how");
            Line("/// many it stepped (a multiple of the group's size).");
            Line("/// </summary>");
            using (Open($"private int StepAgents({TypeNames.Span}<State> states, {TypeNames.ReadOnlySpan}<float> inputs, {TypeNames.Span}<float> outputs)"))
            {
                Line($"int agents = {TypeNames.Vector512}.IsHardwareAccelerated ? 16 : {TypeNames.Vector256}.IsHardwareAccelerated ? 8 : 4;");
                Line("int groups = states.Length / agents;");
                using (Open("if (groups == 0)"))
                {
                    Line("return 0;");
                }

                Line();
                Line("// The group's values, each position a vector of agents: pooled, so a warm call allocates nothing.");
                Line($"float[] buffer = {TypeNames.ArrayPool}<float>.Shared.Rent(AgentScratchLength * agents);");
                Line($"ref float scratch = ref {ArrayData}(buffer);");
                Line("ref float input = ref scratch;");
                Line($"ref float hidden = ref {Unsafe}.Add(ref scratch, AgentHiddenOffset * agents);");
                Line($"ref float cell = ref {Unsafe}.Add(ref scratch, AgentCellOffset * agents);");
                Line($"ref float gates = ref {Unsafe}.Add(ref scratch, AgentGateOffset * agents);");
                if (_spec.HasHead)
                {
                    Line($"ref float lanes = ref {Unsafe}.Add(ref scratch, AgentLaneOffset * agents);");
                }

                Line($"ref float output = ref {Unsafe}.Add(ref scratch, AgentOutputOffset * agents);");
                Line($"ref float parameters = ref {Unsafe}.Add(ref {ArrayData}(_parameterStorage), _parameterStart);");
                Line($"ref float inputRows = ref {TypeNames.MemoryMarshal}.GetReference(inputs);");
                Line($"ref float outputRows = ref {TypeNames.MemoryMarshal}.GetReference(outputs);");
                Line();
                Line("// A State is its hidden values, then its cell values, as the group's scratch holds them: one row");
                Line("// of 2 * Layers * HiddenSize floats per agent, stateStride floats apart.");
                Line($"int stateStride = {Unsafe}.SizeOf<State>() / sizeof(float);");
                using (Open("for (int first = 0; first < groups * agents; first += agents)"))
                {
                    Line($"ref float groupStates = ref {Unsafe}.As<State, float>(ref states[first]);");
                    Line($"ref float groupInputs = ref {Unsafe}.Add(ref inputRows, first * InputSize);");
                    Line($"ref float groupOutputs = ref {Unsafe}.Add(ref outputRows, first * OutputSize);");
                    Line();
                    Line("// Each agent's input and state into its lane: [agents, values] blocks transposed.");
                    Line($"{TypeNames.AgentLanes}.Gather(ref groupInputs, InputSize, InputSize, ref input, agents);");
                    Line($"{TypeNames.AgentLanes}.Gather(ref groupStates, stateStride, 2 * Layers * HiddenSize, ref hidden, agents);");
                    Line();
                    Line("// Every layer and the output, for the whole group at once.");
                    string lanes = _spec.HasHead ? "ref lanes, " : string.Empty;
                    EmitDispatch(path => $"StepAgents{path}(ref parameters, ref input, ref hidden, ref cell, ref gates, {lanes}ref output);", withScalar: false);
                    Line();
                    Line("// The new states and the outputs, out of the lanes.");
                    Line($"{TypeNames.AgentLanes}.Scatter(ref hidden, agents, 2 * Layers * HiddenSize, ref groupStates, stateStride);");
                    Line($"{TypeNames.AgentLanes}.Scatter(ref output, agents, OutputSize, ref groupOutputs, OutputSize);");
                    if (_spec.OutputActivation != OutputActivation.Linear)
                    {
                        using (Open("for (int lane = 0; lane < agents; lane++)"))
                        {
                            Line($"ApplyOutputActivation(ref {Unsafe}.Add(ref groupOutputs, lane * OutputSize));");
                        }
                    }
                }

                Line();
                Line($"{TypeNames.ArrayPool}<float>.Shared.Return(buffer);");
                Line("return groups * agents;");
            }

            Line();
        }

        /// <summary>
        /// The head for a group of agents: for each output, the canonical sum of one sequence (16 lanes,
        /// lane l over units l, l + 16, ...; LstmMath.Sum's tree; the units past the last multiple of 16
        /// in order), with a vector of agents in place of every float.
        /// </summary>
        private void EmitAgentsHead(PathPlan path)
        {
            int group = AgentsPerGroup(path);
            var form = new Form(LanesOf(group), group);
            int chunks = _spec.HiddenSize / 16;
            int tail = _spec.HiddenSize % 16;
            Line("/// <summary>");
            Line($"/// The dense head for {N(group)} agents, one per lane, with {path.Path} kernels: output[o] = head.weight[o, :] · h");
            Line("/// + head.bias[o], summed as one sequence sums it: 16 lanes (lane l takes units l, l + 16, ...) added in");
            Line("/// LstmMath.Sum's tree, then the units past the last multiple of 16 in order.");
            Line("/// </summary>");
            using (Open($"private static void HeadAgents{path.Path}(ref float head, ref float hidden, ref float lanes, ref float output)"))
            {
                Line($"ref float bias = ref {Unsafe}.Add(ref head, OutputSize * HiddenSize);");
                using (Open($"for ({NUInt} o = 0; o < OutputSize; o++)"))
                {
                    Line($"ref float weights = ref {Unsafe}.Add(ref head, o * HiddenSize);");
                    if (chunks > 0)
                    {
                        Line("// Each of the 16 lanes, a vector of agents.");
                        using (Open($"for ({NUInt} lane = 0; lane < 16; lane++)"))
                        {
                            Line($"{form.Type} laneSum = {form.Type}.Zero;");
                            using (Open($"for ({NUInt} k = lane; k < {N(chunks * 16)}; k += 16)"))
                            {
                                Line($"laneSum = {TypeNames.LstmMath}.MultiplyAdd({form.Load("hidden", "k")}, {form.Weight("weights", "k")}, laneSum);");
                            }

                            Line(form.Store("laneSum", "lanes", "lane"));
                        }

                        Line();
                        Line("// LstmMath.Sum's tree: lane l + (l + 8), then + (l + 4), then (0 + 2) + (1 + 3).");
                        for (int quarter = 0; quarter < 4; quarter++)
                        {
                            string Lane(int l) => form.Load("lanes", N(l));
                            Line($"{form.Type} quarter{N(quarter)} = ({Lane(quarter)} + {Lane(quarter + 8)}) + ({Lane(quarter + 4)} + {Lane(quarter + 12)});");
                        }

                        Line($"{form.Type} sum = (quarter0 + quarter2) + (quarter1 + quarter3);");
                    }
                    else
                    {
                        Line($"{form.Type} sum = {form.Type}.Zero;");
                    }

                    if (tail > 0)
                    {
                        Line(chunks > 0 ? $"// The last {N(tail)} units, in order." : "// Every unit, in order.");
                        using (Open($"for ({NUInt} k = {N(chunks * 16)}; k < HiddenSize; k++)"))
                        {
                            Line($"sum = {TypeNames.LstmMath}.MultiplyAdd({form.Load("hidden", "k")}, {form.Weight("weights", "k")}, sum);");
                        }
                    }

                    Line(form.Store($"sum + {form.Lanes.Broadcast($"{Unsafe}.Add(ref bias, o)")}", "output", "o"));
                }
            }

            Line();
        }
    }
}
