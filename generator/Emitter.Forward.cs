using System;
using System.Collections.Generic;
using System.Linq;
using LstmGen.Generator.Model;
using static LstmGen.Generator.CodeWriter;

namespace LstmGen.Generator
{
    internal sealed partial class Emitter
    {
        /// <summary>
        /// Step{Path}, one step of every layer and the head for one sequence, or StepAgents{Path}, the same
        /// for a group of agents, one per lane (each position of their values holds a vector of agents).
        /// </summary>
        private void EmitPathStep(PathPlan path, bool agents)
        {
            string kind = agents ? "Agents" : string.Empty;
            string suffix = kind + Precision + path.Path;
            string stride = agents ? $"{RecurrentWidth} * {Literal(AgentsPerGroup(path))}" : RecurrentWidth;
            string cellStride = agents ? $"HiddenSize * {Literal(AgentsPerGroup(path))}" : "HiddenSize";
            _writer.Line(agents
                ? $"/// <summary>One step of every layer{(_spec.HasHead ? " and the head" : string.Empty)} for {Literal(AgentsPerGroup(path))} agents, one per lane, with the {path.Path} kernels.</summary>"
                : $"/// <summary>One step of every layer{(_spec.HasHead ? " and the head" : string.Empty)} with the {path.Path} kernels.</summary>");
            using (_writer.Open($"internal static void Step{suffix}({PathStepParameters(agents).Declaration})"))
            {
                _writer.Line($"// Layer 0: the input ({(_plan.FirstLayer.IsUpper ? LayerOutputName : "InputSize")} values) -> hidden[0].");
                _writer.Line($"{_plan.FirstLayer.Name}{suffix}(ref parameters, ref input, {StateArguments("ref hidden", "ref cell")}, ref gates);");
                for (int layer = 1; layer < _spec.Layers; layer++)
                {
                    string weights = layer == 1
                        ? FirstLayerLength
                        : $"{FirstLayerLength} + ({Literal(layer - 1)} * {UpperLayerLength})";
                    string below = layer == 1 ? "ref hidden" : $"ref {Unsafe}.Add(ref hidden, {Literal(layer - 1)} * {stride})";
                    _writer.Line();
                    _writer.Line($"// Layer {Literal(layer)}: hidden[{Literal(layer - 1)}] -> hidden[{Literal(layer)}].");
                    _writer.Line($"{_plan.UpperLayer.Name}{suffix}(ref {Unsafe}.Add(ref parameters, {weights}), {below}, {StateArguments($"ref {Unsafe}.Add(ref hidden, {Literal(layer)} * {stride})", $"ref {Unsafe}.Add(ref cell, {Literal(layer)} * {cellStride})")}, ref gates);");
                }

                string top = _spec.Layers == 1 ? "ref hidden" : $"ref {Unsafe}.Add(ref hidden, {Literal(_spec.Layers - 1)} * {stride})";
                if (_spec.HasHead)
                {
                    _writer.Line();
                    _writer.Line($"// The dense head reads the top layer's hidden state.");
                    _writer.Line(agents
                        ? $"Head{suffix}({HeadWeights}, {top}, {(AgentsHeadUsesLanes ? "ref lanes, " : string.Empty)}ref output);"
                        : $"Head{suffix}({HeadWeights}, {top}, ref output);");
                }
                else if (agents)
                {
                    _writer.Line();
                    _writer.Line("// Without a head, the output is the top layer's hidden state.");
                    _writer.Line($"{TypeNames.Floats}.Copy({top}, ref output, {stride});");
                }
            }

            _writer.Line();
        }

        /// <summary>
        /// One step of a layer kernel on one path, for one sequence or for a group of agents; or, with
        /// <paramref name="recurrentOnly"/>, its recurrent part, from gate sums the projection started.
        /// </summary>
        private void EmitLayerKernel(LayerKernel kernel, PathPlan path, bool agents, bool recurrentOnly = false)
        {
            string inputs = KernelInputs(kernel);
            int group = AgentsPerGroup(path);
            _writer.Line("/// <summary>");
            if (recurrentOnly)
            {
                _writer.Line($"/// The recurrent part of one step of {DescribeLayers(kernel)} with {path.Path} kernels: <paramref name=\"gates\"/> holds");
                _writer.Line($"/// {_cell.ProjectedStartText} from the projection; W_hh h is added in registers, in the order of a whole step,");
            }
            else
            {
                _writer.Line(agents
                    ? $"/// One step of {DescribeLayers(kernel)} ({Literal(kernel.InputCount)} inputs) for {Literal(group)} agents, one per lane, with {path.Path} kernels:"
                    : $"/// One step of {DescribeLayers(kernel)} ({Literal(kernel.InputCount)} inputs) with {path.Path} kernels:");
                _writer.Line($"/// the gate sums {_cell.SumsText} of every unit, summed in registers and stored into");
            }

            _writer.Line(agents
                ? "/// <paramref name=\"gates\"/> (packed like a gate row); then the gate activations, in registers, and"
                : "/// <paramref name=\"gates\"/> (packed like a gate row); then the gate activations replace them there");
            _writer.Line(agents
                ? $"/// {LayerUpdateText}. Each value of one sequence is a vector of agents here."
                : $"/// (training keeps them for the backward pass), and {LayerUpdateText}.");
            _writer.Line("/// </summary>");
            string kind = agents ? "Agents" : recurrentOnly ? "Recurrent" : string.Empty;
            ParameterList parameters = recurrentOnly ? LayerRecurrentParameters : LayerStepParameters;
            bool recurrentBias = _cell.Accumulators.Any(accumulator => accumulator.InputColumn < 0);
            using (_writer.Open($"internal static void {kernel.Name}{kind}{Precision}{path.Path}({parameters.Declaration})"))
            {
                if (recurrentOnly)
                {
                    _writer.Line(recurrentBias ? "// This layer's recurrent weights W_hh and b_hh." : "// This layer's recurrent weights W_hh.");
                    _writer.Line($"ref {WeightType} recurrentWeights = ref {Unsafe}.Add(ref weights, {InputRows(kernel)} * GateRowLength);");
                    if (recurrentBias)
                    {
                        _writer.Line($"ref float hiddenBias = ref {Unsafe}.Add(ref weights, ({inputs} + {RecurrentWidth} + 1) * GateRowLength);");
                    }
                }
                else if (_bfloat16)
                {
                    _writer.Line("// This layer's packed parameters in row pairs: W_ih, W_hh, then the two biases as one pair.");
                    _writer.Line($"ref uint inputWeights = ref weights;");
                    _writer.Line($"ref uint recurrentWeights = ref {Unsafe}.Add(ref weights, {InputRows(kernel)} * GateRowLength);");
                    _writer.Line($"ref uint biases = ref {Unsafe}.Add(ref weights, ({InputRows(kernel)} + {RecurrentPairs}) * GateRowLength);");
                }
                else
                {
                    _writer.Line($"// This layer's packed parameters: W_ih, W_hh, then the two biases{ProjectionAfterBiases}.");
                    _writer.Line("ref float inputWeights = ref weights;");
                    _writer.Line($"ref float recurrentWeights = ref {Unsafe}.Add(ref weights, {inputs} * GateRowLength);");
                    _writer.Line($"ref float inputBias = ref {Unsafe}.Add(ref weights, ({inputs} + {RecurrentWidth}) * GateRowLength);");
                    _writer.Line($"ref float hiddenBias = ref {Unsafe}.Add(ref weights, ({inputs} + {RecurrentWidth} + 1) * GateRowLength);");
                }

                EmitUnitValuesRow("gates", agents ? group : 0);
                EmitCellOutputRow(agents ? group : 0);

                EquatableArray<TileLoop> tiles = agents ? path.AgentTiles : path.Tiles;
                bool descending = AlternatesTileOrder && tiles.Any(tile => tile.OuterCount > 1);
                if (descending)
                {
                    _writer.Line();
                    _writer.Line("// Every other step (on this thread) the tiles run from the last to the first, so that a step starts with the");
                    _writer.Line("// weights the last one read last, which the cache still holds; each tile sums its own columns: the same bits.");
                    _writer.Line($"bool descending = {TileOrderCall(kernel)};");
                }

                foreach (TileLoop tile in tiles)
                {
                    _writer.Line();
                    int rowsPerPass = agents && tile.InnerCount > 1 ? kernel.AgentRowsPerPass(_spec.RecurrentWidth, _bfloat16) : 0;
                    EmitTile(tile, kernel, new ValueLayout(VectorOf(agents ? path.VectorWidth : tile.VectorWidth), agents ? group : 0, _bfloat16), recurrentOnly, descending, rowsPerPass);
                }

                _writer.Line();
                _writer.Line(_spec.HasProjection
                    ? "// Every gate sum has read the old hidden state: the activations, then the projection writes the new one."
                    : "// Every gate sum has read the old hidden state, so the new one replaces it unit by unit.");
                EquatableArray<TileLoop> activationTiles = agents ? path.AgentActivationTiles : path.ActivationTiles;
                for (int i = 0; i < activationTiles.Count; i++)
                {
                    if (i > 0)
                    {
                        _writer.Line();
                    }

                    TileLoop tile = activationTiles[i];
                    EmitActivationTile(tile, new ValueLayout(VectorOf(agents ? path.VectorWidth : tile.VectorWidth), agents ? group : 0));
                }

                if (_spec.HasProjection)
                {
                    EmitProjectionCall(path, kernel, agents);
                }
            }

            _writer.Line();
        }

        /// <summary>"the first layer", "every layer" or "the layers above the first".</summary>
        private static string DescribeLayers(LayerKernel kernel) =>
            kernel.IsFirst && kernel.IsUpper ? "every layer" : kernel.IsFirst ? "the first layer" : "the layers above the first";

        /// <summary>The constant that counts a kernel's inputs.</summary>
        private string KernelInputs(LayerKernel kernel) => kernel.IsFirst ? "InputSize" : LayerOutputName;

        /// <summary>
        /// The gate sums of a tile, in registers, over every row of W_ih and W_hh; or, with <paramref name="rowsPerPass"/>,
        /// in passes over that many rows of each block, every part of the block in turn, the sums kept in the gate row
        /// between passes (<see cref="LayerKernel.AgentRowsPerPass"/>).
        /// </summary>
        private void EmitTile(TileLoop tile, LayerKernel kernel, ValueLayout layout, bool recurrentOnly, bool descending, int rowsPerPass = 0)
        {
            string inputs = KernelInputs(kernel);
            _writer.Line($"// {DescribeTile(tile, layout)}, summed in registers.");
            using (OpenTileLoops(tile, units: _cell.UnitValues > 0, blockColumn: true, descending, rowsPerPass > 0 ? () => OpenRowPass(inputs, rowsPerPass) : null))
            {
                _writer.Line();
                _writer.Line(recurrentOnly
                    ? $"// The gate sums start from {_cell.ProjectedStartText}, which the projection computed for the whole chunk."
                    : rowsPerPass > 0 ? $"// The gate sums start from {_cell.SumsStartText}, or from where the last pass left them."
                    : $"// The gate sums start from {_cell.SumsStartText}.");
                for (int s = 0; s < tile.Segments.Count; s++)
                {
                    foreach (Accumulator accumulator in _cell.Accumulators)
                    {
                        (string Sum, string Start)? first = null;
                        foreach ((string suffix, ValueLayout half) in layout.AgentHalves)
                        {
                            (string reference, IndexExpression index) = SumPlace(tile, s, accumulator);
                            string start = recurrentOnly && accumulator.InputColumn >= 0
                                ? half.Load(reference, index)
                                : half.Bias(Offset("column", GateColumn(tile, s, accumulator.BiasColumn)), accumulator.Bias);
                            string sum = $"{accumulator.Name}Sum{Literal(s)}{suffix}";

                            // Every vector of agents starts from the same broadcast bias: the first's, copied.
                            start = start == first?.Start ? first.Value.Sum : start;
                            first ??= (sum, start);
                            _writer.Line(rowsPerPass > 0
                                ? $"{layout.Type} {sum} = firstRow == 0 ? {start} : {half.Load(reference, index)};"
                                : $"{layout.Type} {sum} = {start};");
                        }
                    }
                }

                _writer.Line();
                string source = kernel.IsFirst ? "the input" : "the layer below";
                if (rowsPerPass > 0)
                {
                    EmitPassRows(tile, layout, $"W_ih x: {source}", "inputWeights", inputs, kernel.InputCount, "input", "firstRow", "inputEnd", accumulator => accumulator.InputColumn);
                    _writer.Line();
                    EmitPassRows(tile, layout, "W_hh h: the previous hidden state", "recurrentWeights", RecurrentWidth, _spec.RecurrentWidth, "hidden", "hiddenStart", "hiddenEnd", accumulator => accumulator.RecurrentColumn);
                }
                else
                {
                    if (!recurrentOnly)
                    {
                        EmitAccumulation(tile, layout, $"W_ih x: {source}", "inputWeights", InputRows(kernel), "input", kernel.InputCount, accumulator => accumulator.InputColumn);
                        _writer.Line();
                    }

                    EmitAccumulation(tile, layout, "W_hh h: the previous hidden state", "recurrentWeights", _bfloat16 ? RecurrentPairs : RecurrentWidth, "hidden", _spec.RecurrentWidth, accumulator => accumulator.RecurrentColumn);
                }

                _writer.Line();
                _writer.Line("// The gate sums, for the activations below.");
                for (int s = 0; s < tile.Segments.Count; s++)
                {
                    foreach (Accumulator accumulator in _cell.Accumulators)
                    {
                        (string reference, IndexExpression index) = SumPlace(tile, s, accumulator);
                        foreach ((string suffix, ValueLayout half) in layout.AgentHalves)
                        {
                            _writer.Line(half.Store($"{accumulator.Name}Sum{Literal(s)}{suffix}", reference, index));
                        }
                    }
                }
            }
        }

        /// <summary>
        /// Opens the loop over the passes of a tile's rows (<see cref="LayerKernel.AgentRowsPerPass"/>): the rows of W_ih, then
        /// of W_hh, <paramref name="rowsPerPass"/> at a time, and the bounds of each pass's rows in either.
        /// </summary>
        private Block OpenRowPass(string inputs, int rowsPerPass)
        {
            _writer.Line($"// The block's rows of W_ih and W_hh, {Literal(rowsPerPass)} at a time, so that every part of the block reads them from L1.");
            Block loop = _writer.Open($"for ({NUInt} firstRow = 0; firstRow < {inputs} + {RecurrentWidth}; firstRow += {Literal(rowsPerPass)})");
            _writer.Line($"{NUInt} endRow = {TypeNames.Math}.Min(firstRow + {Literal(rowsPerPass)}, {inputs} + {RecurrentWidth});");
            _writer.Line($"{NUInt} inputEnd = {TypeNames.Math}.Min(endRow, {inputs});");
            _writer.Line($"{NUInt} hiddenStart = {TypeNames.Math}.Max(firstRow, {inputs}) - {inputs};");
            _writer.Line($"{NUInt} hiddenEnd = {TypeNames.Math}.Max(endRow, {inputs}) - {inputs};");
            return loop;
        }

        /// <summary>The rows of a weight from <paramref name="start"/> to <paramref name="end"/> (locals of the pass), one at a time.</summary>
        private void EmitPassRows(TileLoop tile, ValueLayout layout, string what, string weights, string rowsName, int rows, string source, string start, string end, System.Func<Accumulator, int> column)
        {
            _writer.Line($"// {what}, this pass's rows.");
            weights = DeclareTileWeights(tile, weights, rowsName);
            using (_writer.Open($"for ({NUInt} k = {start}; k < {end}; k++)"))
            {
                EmitRows(tile, layout, weights, rows, source, column, variable: "k", start: 0, rows: 1);
            }
        }

        /// <summary>Whether this model's step kernels alternate the order of their tiles (<see cref="KernelPlan.AlternatesTileOrder"/>): not in the portable tier.</summary>
        private bool AlternatesTileOrder => _plan.AlternatesTileOrder && !IsPortable;

        /// <summary>
        /// TileOrder's answer for a call of <paramref name="kernel"/>: the first layer's kernel is called once a step, or
        /// once for each layer where it serves them all; the upper layers' kernel once for each layer above the first.
        /// </summary>
        private string TileOrderCall(LayerKernel kernel) => kernel.IsFirst
            ? $"{TypeNames.TileOrder}.FirstLayerDescending(callsPerStep: {Literal(kernel.IsUpper ? _spec.Layers : 1)})"
            : $"{TypeNames.TileOrder}.UpperLayerDescending(callsPerStep: {Literal(_spec.Layers - 1)})";

        /// <summary>
        /// The activations of one tile of a segment (looped over blocks): the gates from their sums, in
        /// place, then the new cell and hidden states of its units.
        /// </summary>
        private void EmitActivationTile(TileLoop tile, ValueLayout layout)
        {
            string units = tile.UnitsCovered == 1 ? $"Unit {Literal(tile.BaseUnit)}" : $"Units {Literal(tile.BaseUnit)} to {Literal(tile.BaseUnit + tile.UnitsCovered - 1)}";
            string per = layout.Agents > 0 ? $"one at a time for {Literal(layout.Agents)} agents" : tile.VectorWidth == 1 ? "one unit at a time" : $"{Literal(tile.VectorWidth)} at a time";
            _writer.Line($"// {units}, {per}: the gates, then {ActivationUpdateText}.");
            using (OpenTileLoops(tile))
            using (OpenAgentVectors(ref layout))
            {
                for (int s = 0; s < tile.Segments.Count; s++)
                {
                    using (tile.Segments.Count > 1 ? _writer.OpenScope() : default(Block?))
                    {
                        _cell.EmitActivations(new SegmentCode(this, layout, tile, s));
                    }
                }
            }
        }

        /// <summary>
        /// Adds <c>weights[k, column] * source[k]</c> to every accumulator of the tile, for k from 0 to
        /// <paramref name="count"/> - 1 in order (the order every path shares), several k per iteration.
        /// </summary>
        private void EmitAccumulation(TileLoop tile, ValueLayout layout, string what, string weights, string rowsName, string source, int count, System.Func<Accumulator, int> column)
        {
            int unroll = tile.InputUnroll;
            int iterations = count / unroll;
            _writer.Line(iterations <= 1
                ? $"// {what} ({Literal(count)} value{(count == 1 ? string.Empty : "s")})."
                : $"// {what} ({Literal(count)} values), {Literal(unroll)} per iteration.");
            weights = DeclareTileWeights(tile, weights, rowsName);
            int weightRows = layout.BFloat16 ? (count + 1) / 2 : count;
            if (iterations <= 1)
            {
                // Too few values for a loop to pay: one straight run.
                using (_writer.OpenScope())
                {
                    EmitRows(tile, layout, weights, weightRows, source, column, variable: null, start: 0, count);
                }

                return;
            }

            int whole = iterations * unroll;
            using (_writer.Open($"for ({NUInt} k = 0; k < {Literal(whole)}; k += {Literal(unroll)})"))
            {
                EmitRows(tile, layout, weights, weightRows, source, column, variable: "k", start: 0, unroll);
            }

            int rest = count - whole;
            if (rest > 1 && layout.BFloat16)
            {
                // Row pairs start at even rows: the last rows straight, not one at a time.
                _writer.Line();
                _writer.Line($"// The last {Literal(rest)} values.");
                using (_writer.OpenScope())
                {
                    EmitRows(tile, layout, weights, weightRows, source, column, variable: null, start: whole, rest);
                }
            }
            else if (rest == 1)
            {
                _writer.Line();
                _writer.Line("// The last value.");
                using (_writer.OpenScope())
                {
                    EmitRows(tile, layout, weights, weightRows, source, column, variable: null, start: whole, rows: 1);
                }
            }
            else if (rest > 1)
            {
                _writer.Line();
                _writer.Line($"// The last {Literal(rest)} values, one at a time.");
                using (_writer.Open($"for ({NUInt} k = {Literal(whole)}; k < {Literal(count)}; k++)"))
                {
                    EmitRows(tile, layout, weights, weightRows, source, column, variable: "k", start: 0, rows: 1);
                }
            }
        }

        /// <summary>
        /// Rows k = <paramref name="variable"/> + <paramref name="start"/> (or the constant start when
        /// there is no variable) to k + <paramref name="rows"/> - 1.
        /// </summary>
        private void EmitRows(TileLoop tile, ValueLayout layout, string tileWeights, int weightRows, string source, System.Func<Accumulator, int> column, string? variable, int start, int rows)
        {
            if (layout.BFloat16)
            {
                EmitRowPairs(tile, layout, tileWeights, weightRows, source, column, variable, start, rows);
                return;
            }

            string rowLength = Literal(BlockRowLength(tile));
            var halves = layout.AgentHalves;
            if (halves.Count > 1)
            {
                // Each weight is broadcast once for every vector of agents.
                _writer.Line($"{layout.Type} weight;");
            }

            for (int r = 0; r < rows; r++)
            {
                if (r == 0)
                {
                    string rowStart = variable is null
                        ? (start == 0 ? "0" : Literal(start * BlockRowLength(tile)))
                        : Offset(variable, start).Times(BlockRowLength(tile));
                    _writer.Line(rowStart == "0" ? $"ref float row0 = ref {tileWeights};" : $"ref float row0 = ref {Unsafe}.Add(ref {tileWeights}, {rowStart});");
                }
                else
                {
                    _writer.Line($"ref float row{Literal(r)} = ref {Unsafe}.Add(ref row{Literal(r - 1)}, {rowLength});");
                }

                IndexExpression k = Offset(variable, start + r);
                foreach ((string suffix, ValueLayout half) in halves)
                {
                    _writer.Line($"{layout.Type} x{Literal(r)}{suffix} = {half.Input(source, k)};");
                }

                for (int s = 0; s < tile.Segments.Count; s++)
                {
                    foreach (Accumulator accumulator in _cell.Accumulators.Where(accumulator => column(accumulator) >= 0))
                    {
                        string weight = layout.Weight($"row{Literal(r)}", Literal(TileWeightColumn(tile, s, column(accumulator), weightRows)));
                        EmitMultiplyAdds(halves, $"x{Literal(r)}", weight, $"{accumulator.Name}Sum{Literal(s)}");
                    }
                }
            }
        }

        /// <summary>
        /// <see cref="EmitRows"/> from bfloat16 weights in row pairs (<paramref name="variable"/> and <paramref name="start"/>
        /// are even): each pair's words are loaded once per gate column, the lower row's weights added to the sum, then the
        /// upper row's, so that every sum takes its rows in the order of the float32 kernels.
        /// </summary>
        private void EmitRowPairs(TileLoop tile, ValueLayout layout, string weights, int weightPairs, string source, System.Func<Accumulator, int> column, string? variable, int start, int rows)
        {
            _writer.Line($"{layout.PairType} pairs;");
            var halves = layout.AgentHalves;
            if (halves.Count > 1)
            {
                // Each weight is widened and broadcast once for every vector of agents.
                _writer.Line($"{layout.Type} weight;");
            }

            for (int r = 0; r < rows; r += 2)
            {
                int pair = (start + r) / 2;
                string pairStart = variable is null
                    ? Literal(pair * BlockRowLength(tile))
                    : $"{(pair == 0 ? $"({variable} / 2)" : $"(({variable} / 2) + {Literal(pair)})")} * {Literal(BlockRowLength(tile))}";
                bool both = r + 1 < rows;
                _writer.Line(both
                    ? $"// Rows {Offset(variable, start + r)} and {Offset(variable, start + r + 1)}, one word of each pair."
                    : $"// Row {Offset(variable, start + r)}, the lower half of its pair.");
                _writer.Line(pairStart == "0" ? $"ref uint pair{Literal(r / 2)} = ref {weights};" : $"ref uint pair{Literal(r / 2)} = ref {Unsafe}.Add(ref {weights}, {pairStart});");
                foreach ((string suffix, ValueLayout half) in halves)
                {
                    _writer.Line($"{layout.Type} x{Literal(r)}{suffix} = {half.Input(source, Offset(variable, start + r))};");
                    if (both)
                    {
                        _writer.Line($"{layout.Type} x{Literal(r + 1)}{suffix} = {half.Input(source, Offset(variable, start + r + 1))};");
                    }
                }

                for (int s = 0; s < tile.Segments.Count; s++)
                {
                    foreach (Accumulator accumulator in _cell.Accumulators.Where(accumulator => column(accumulator) >= 0))
                    {
                        string sum = $"{accumulator.Name}Sum{Literal(s)}";
                        _writer.Line($"pairs = {layout.PairLoad($"pair{Literal(r / 2)}", Literal(TileWeightColumn(tile, s, column(accumulator), weightPairs)))};");
                        EmitMultiplyAdds(halves, $"x{Literal(r)}", layout.PairRow("pairs", upper: false), sum);
                        if (both)
                        {
                            EmitMultiplyAdds(halves, $"x{Literal(r + 1)}", layout.PairRow("pairs", upper: true), sum);
                        }
                    }
                }
            }
        }

        /// <summary>
        /// For a group of several vectors of agents, opens a loop over them (<c>firstAgent</c>, the first agent of each) and
        /// turns <paramref name="layout"/> into the layout of the loop's vector; otherwise nothing.
        /// </summary>
        private Block? OpenAgentVectors(ref ValueLayout layout)
        {
            if (layout.AgentVectors == 1)
            {
                return null;
            }

            _writer.Line();
            _writer.Line($"// Each vector of {Literal(layout.Vector.Width)} agents in turn.");
            Block loop = _writer.Open($"for ({NUInt} firstAgent = 0; firstAgent < {Literal(layout.Agents)}; firstAgent += {Literal(layout.Vector.Width)})");
            layout = layout.ForAgents("firstAgent");
            return loop;
        }

        /// <summary>
        /// <c>sum = x * weight + sum</c> for one sequence; for a group of several vectors of agents, the weight into the
        /// local <c>weight</c> once and then the same for each vector's <paramref name="x"/> and <paramref name="sum"/>.
        /// </summary>
        private void EmitMultiplyAdds(IReadOnlyList<(string Suffix, ValueLayout Layout)> halves, string x, string weight, string sum)
        {
            if (halves.Count > 1)
            {
                _writer.Line($"weight = {weight};");
                weight = "weight";
            }

            foreach ((string suffix, _) in halves)
            {
                _writer.Line($"{sum}{suffix} = {TypeNames.LstmMath}.MultiplyAdd({x}{suffix}, {weight}, {sum}{suffix});");
            }
        }

        private void EmitHead(PathPlan path)
        {
            _writer.Line("/// <summary>");
            _writer.Line($"/// The dense head with {path.Path} kernels: output[o] = head.weight[o, :] · h + head.bias[o]. The");
            _writer.Line("/// products go to 16 lanes (lane l takes elements l, l + 16, ...) that LstmMath.Sum adds in a fixed");
            _writer.Line("/// tree; elements past the last multiple of 16 follow in order; so every path gives the same bits.");
            _writer.Line("/// </summary>");
            using (_writer.Open($"internal static void Head{Precision}{path.Path}(ref {DenseWeightType} head, ref float hidden, ref float output)"))
            {
                _writer.Line($"ref {DenseWeightType} bias = ref {Unsafe}.Add(ref head, OutputSize * {LayerOutputName});");
                EmitDenseRows(path, "head", DenseWeightType, "o", "OutputSize", LayerOutputName, _spec.LayerOutputWidth, "hidden", "output", sum => $"{sum} + {ScalarWeight("bias", "o")}");
            }

            _writer.Line();
        }

        /// <summary>
        /// output[r] = <paramref name="matrix"/>[r, :] · <paramref name="input"/> (then <paramref name="result"/> of the sum) for
        /// every row r (<paramref name="row"/>) of a row-major matrix of <paramref name="rows"/> rows and <paramref name="columns"/>
        /// columns, each a dot product in the canonical order (<see cref="EmitLaneDot"/>): the head's, and a layer's projection.
        /// </summary>
        private void EmitDenseRows(PathPlan path, string matrix, string weightType, string row, string rows, string columnsName, int columns, string input, string output, System.Func<string, string> result)
        {
            if (columns >= 16 && path.Path == KernelPath.Scalar)
            {
                _writer.Line($"{TypeNames.Span}<float> lanes = stackalloc float[16];");
            }

            using (_writer.Open($"for ({NUInt} {row} = 0; {row} < {rows}; {row}++)"))
            {
                _writer.Line($"ref {weightType} weights = ref {Unsafe}.Add(ref {matrix}, {row} * {columnsName});");
                EmitLaneDot(path, columns, input, "weights");
                _writer.Line($"{Unsafe}.Add(ref {output}, {row}) = {result("sum")};");
            }
        }
    }
}
