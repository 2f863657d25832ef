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
            string suffix = kind + path.Path;
            string stride = agents ? $"HiddenSize * {Literal(AgentsPerGroup(path))}" : "HiddenSize";
            _writer.Line(agents
                ? $"/// <summary>One step of every layer{(_spec.HasHead ? " and the head" : string.Empty)} for {Literal(AgentsPerGroup(path))} agents, one per lane, with the {path.Path} kernels.</summary>"
                : $"/// <summary>One step of every layer{(_spec.HasHead ? " and the head" : string.Empty)} with the {path.Path} kernels.</summary>");
            using (_writer.Open($"private static void Step{suffix}({PathStepParameters(agents).Declaration})"))
            {
                _writer.Line($"// Layer 0: the input ({(_plan.FirstLayer.IsUpper ? "HiddenSize" : "InputSize")} values) -> hidden[0].");
                _writer.Line($"{_plan.FirstLayer.Name}{suffix}(ref parameters, ref input, {StateArguments("ref hidden", "ref cell")}, ref gates);");
                for (int layer = 1; layer < _spec.Layers; layer++)
                {
                    string weights = layer == 1
                        ? "FirstLayerParameterCount"
                        : $"FirstLayerParameterCount + ({Literal(layer - 1)} * UpperLayerParameterCount)";
                    string below = layer == 1 ? "ref hidden" : $"ref {Unsafe}.Add(ref hidden, {Literal(layer - 1)} * {stride})";
                    _writer.Line();
                    _writer.Line($"// Layer {Literal(layer)}: hidden[{Literal(layer - 1)}] -> hidden[{Literal(layer)}].");
                    _writer.Line($"{_plan.UpperLayer.Name}{suffix}(ref {Unsafe}.Add(ref parameters, {weights}), {below}, {StateArguments($"ref {Unsafe}.Add(ref hidden, {Literal(layer)} * {stride})", $"ref {Unsafe}.Add(ref cell, {Literal(layer)} * {stride})")}, ref gates);");
                }

                string top = _spec.Layers == 1 ? "ref hidden" : $"ref {Unsafe}.Add(ref hidden, {Literal(_spec.Layers - 1)} * {stride})";
                if (_spec.HasHead)
                {
                    _writer.Line();
                    _writer.Line($"// The dense head reads the top layer's hidden state.");
                    _writer.Line(agents
                        ? $"Head{suffix}(ref {Unsafe}.Add(ref parameters, HeadOffset), {top}, {(AgentsHeadUsesLanes ? "ref lanes, " : string.Empty)}ref output);"
                        : $"Head{suffix}(ref {Unsafe}.Add(ref parameters, HeadOffset), {top}, ref output);");
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
                ? $"/// {_cell.UpdateText}. Each value of one sequence is a vector of agents here."
                : $"/// (training keeps them for the backward pass), and {_cell.UpdateText}.");
            _writer.Line("/// </summary>");
            string kind = agents ? "Agents" : recurrentOnly ? "Recurrent" : string.Empty;
            ParameterList parameters = recurrentOnly ? LayerRecurrentParameters : LayerStepParameters;
            bool recurrentBias = _cell.Accumulators.Any(accumulator => accumulator.InputColumn < 0);
            using (_writer.Open($"private static void {kernel.Name}{kind}{path.Path}({parameters.Declaration})"))
            {
                if (recurrentOnly)
                {
                    _writer.Line(recurrentBias ? "// This layer's recurrent weights W_hh and b_hh." : "// This layer's recurrent weights W_hh.");
                    _writer.Line($"ref float recurrentWeights = ref {Unsafe}.Add(ref weights, {inputs} * GateRowLength);");
                    if (recurrentBias)
                    {
                        _writer.Line($"ref float hiddenBias = ref {Unsafe}.Add(ref weights, ({inputs} + HiddenSize + 1) * GateRowLength);");
                    }
                }
                else
                {
                    _writer.Line("// This layer's packed parameters: W_ih, W_hh, then the two biases.");
                    _writer.Line("ref float inputWeights = ref weights;");
                    _writer.Line($"ref float recurrentWeights = ref {Unsafe}.Add(ref weights, {inputs} * GateRowLength);");
                    _writer.Line($"ref float inputBias = ref {Unsafe}.Add(ref weights, ({inputs} + HiddenSize) * GateRowLength);");
                    _writer.Line($"ref float hiddenBias = ref {Unsafe}.Add(ref weights, ({inputs} + HiddenSize + 1) * GateRowLength);");
                }

                EmitUnitValuesRow("gates", agents ? group : 0);
                foreach (TileLoop tile in agents ? path.AgentTiles : path.Tiles)
                {
                    _writer.Line();
                    EmitTile(tile, kernel, new ValueLayout(VectorOf(agents ? group : tile.VectorWidth), agents ? group : 0), recurrentOnly);
                }

                _writer.Line();
                _writer.Line("// Every gate sum has read the old hidden state, so the new one replaces it unit by unit.");
                EquatableArray<TileLoop> activationTiles = agents ? path.AgentActivationTiles : path.ActivationTiles;
                for (int i = 0; i < activationTiles.Count; i++)
                {
                    if (i > 0)
                    {
                        _writer.Line();
                    }

                    TileLoop tile = activationTiles[i];
                    EmitActivationTile(tile, new ValueLayout(VectorOf(agents ? group : tile.VectorWidth), agents ? group : 0));
                }
            }

            _writer.Line();
        }

        /// <summary>"the first layer", "every layer" or "the layers above the first".</summary>
        private static string DescribeLayers(LayerKernel kernel) =>
            kernel.IsFirst && kernel.IsUpper ? "every layer" : kernel.IsFirst ? "the first layer" : "the layers above the first";

        /// <summary>The constant that counts a kernel's inputs.</summary>
        private static string KernelInputs(LayerKernel kernel) => kernel.IsFirst ? "InputSize" : "HiddenSize";

        private void EmitTile(TileLoop tile, LayerKernel kernel, ValueLayout layout, bool recurrentOnly)
        {
            _writer.Line($"// {DescribeTile(tile, layout)}, summed in registers.");
            using (OpenTileLoops(tile, units: _cell.UnitValues > 0))
            {
                _writer.Line();
                _writer.Line(recurrentOnly
                    ? $"// The gate sums start from {_cell.ProjectedStartText}, which the projection computed for the whole chunk."
                    : $"// The gate sums start from {_cell.SumsStartText}.");
                for (int s = 0; s < tile.Segments.Count; s++)
                {
                    foreach (Accumulator accumulator in _cell.Accumulators)
                    {
                        string start = recurrentOnly && accumulator.InputColumn >= 0
                            ? layout.Load(SumPlace(tile, s, accumulator).Reference, SumPlace(tile, s, accumulator).Index)
                            : layout.Bias(Offset("column", GateColumn(tile, s, accumulator.BiasColumn)), accumulator.Bias);
                        _writer.Line($"{layout.Type} {accumulator.Name}Sum{Literal(s)} = {start};");
                    }
                }

                _writer.Line();
                if (!recurrentOnly)
                {
                    string source = kernel.IsFirst ? "the input" : "the layer below";
                    EmitAccumulation(tile, layout, $"W_ih x: {source}", "inputWeights", "input", kernel.InputCount, accumulator => accumulator.InputColumn);
                    _writer.Line();
                }

                EmitAccumulation(tile, layout, "W_hh h: the previous hidden state", "recurrentWeights", "hidden", _spec.HiddenSize, accumulator => accumulator.RecurrentColumn);

                _writer.Line();
                _writer.Line("// The gate sums, for the activations below.");
                for (int s = 0; s < tile.Segments.Count; s++)
                {
                    foreach (Accumulator accumulator in _cell.Accumulators)
                    {
                        (string reference, IndexExpression index) = SumPlace(tile, s, accumulator);
                        _writer.Line(layout.Store($"{accumulator.Name}Sum{Literal(s)}", reference, index));
                    }
                }
            }
        }

        /// <summary>
        /// The activations of one tile of a segment (looped over blocks): the gates from their sums, in
        /// place, then the new cell and hidden states of its units.
        /// </summary>
        private void EmitActivationTile(TileLoop tile, ValueLayout layout)
        {
            string units = tile.UnitsCovered == 1 ? $"Unit {Literal(tile.BaseUnit)}" : $"Units {Literal(tile.BaseUnit)} to {Literal(tile.BaseUnit + tile.UnitsCovered - 1)}";
            string per = layout.Agents > 0 ? $"one at a time for {Literal(layout.Agents)} agents" : tile.VectorWidth == 1 ? "one unit at a time" : $"{Literal(tile.VectorWidth)} at a time";
            _writer.Line($"// {units}, {per}: the gates, then {_cell.UpdateText.Replace(", h", " and h")}.");
            using (OpenTileLoops(tile))
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
        private void EmitAccumulation(TileLoop tile, ValueLayout layout, string what, string weights, string source, int count, System.Func<Accumulator, int> column)
        {
            int unroll = tile.InputUnroll;
            int iterations = count / unroll;
            if (iterations <= 1)
            {
                // Too few values for a loop to pay: one straight run.
                _writer.Line($"// {what} ({Literal(count)} value{(count == 1 ? string.Empty : "s")}).");
                using (_writer.OpenScope())
                {
                    EmitRows(tile, layout, weights, source, column, variable: null, start: 0, count);
                }

                return;
            }

            int whole = iterations * unroll;
            _writer.Line($"// {what} ({Literal(count)} values), {Literal(unroll)} per iteration.");
            using (_writer.Open($"for ({NUInt} k = 0; k < {Literal(whole)}; k += {Literal(unroll)})"))
            {
                EmitRows(tile, layout, weights, source, column, variable: "k", start: 0, unroll);
            }

            int rest = count - whole;
            if (rest == 1)
            {
                _writer.Line();
                _writer.Line("// The last value.");
                using (_writer.OpenScope())
                {
                    EmitRows(tile, layout, weights, source, column, variable: null, start: whole, rows: 1);
                }
            }
            else if (rest > 1)
            {
                _writer.Line();
                _writer.Line($"// The last {Literal(rest)} values, one at a time.");
                using (_writer.Open($"for ({NUInt} k = {Literal(whole)}; k < {Literal(count)}; k++)"))
                {
                    EmitRows(tile, layout, weights, source, column, variable: "k", start: 0, rows: 1);
                }
            }
        }

        /// <summary>
        /// Rows k = <paramref name="variable"/> + <paramref name="start"/> (or the constant start when
        /// there is no variable) to k + <paramref name="rows"/> - 1.
        /// </summary>
        private void EmitRows(TileLoop tile, ValueLayout layout, string weights, string source, System.Func<Accumulator, int> column, string? variable, int start, int rows)
        {
            for (int r = 0; r < rows; r++)
            {
                if (r == 0)
                {
                    string rowStart = variable is null
                        ? (start == 0 ? "column" : $"({Literal(start)} * GateRowLength) + column")
                        : $"({Offset(variable, start)} * GateRowLength) + column";
                    _writer.Line($"ref float row0 = ref {Unsafe}.Add(ref {weights}, {rowStart});");
                }
                else
                {
                    _writer.Line($"ref float row{Literal(r)} = ref {Unsafe}.Add(ref row{Literal(r - 1)}, GateRowLength);");
                }

                IndexExpression k = Offset(variable, start + r);
                _writer.Line($"{layout.Type} x{Literal(r)} = {layout.Input(source, k)};");
                for (int s = 0; s < tile.Segments.Count; s++)
                {
                    foreach (Accumulator accumulator in _cell.Accumulators.Where(accumulator => column(accumulator) >= 0))
                    {
                        string sum = $"{accumulator.Name}Sum{Literal(s)}";
                        _writer.Line($"{sum} = {TypeNames.LstmMath}.MultiplyAdd(x{Literal(r)}, {layout.Weight($"row{Literal(r)}", Literal(GateColumn(tile, s, column(accumulator))))}, {sum});");
                    }
                }
            }
        }

        private void EmitHead(PathPlan path)
        {
            _writer.Line("/// <summary>");
            _writer.Line($"/// The dense head with {path.Path} kernels: output[o] = head.weight[o, :] · h + head.bias[o]. The");
            _writer.Line("/// products go to 16 lanes (lane l takes elements l, l + 16, ...) that LstmMath.Sum adds in a fixed");
            _writer.Line("/// tree; elements past the last multiple of 16 follow in order; so every path gives the same bits.");
            _writer.Line("/// </summary>");
            using (_writer.Open($"private static void Head{path.Path}(ref float head, ref float hidden, ref float output)"))
            {
                _writer.Line($"ref float bias = ref {Unsafe}.Add(ref head, OutputSize * HiddenSize);");
                if (_spec.HiddenSize >= 16 && path.Path == KernelPath.Scalar)
                {
                    _writer.Line($"{TypeNames.Span}<float> lanes = stackalloc float[16];");
                }

                using (_writer.Open($"for ({NUInt} o = 0; o < OutputSize; o++)"))
                {
                    _writer.Line($"ref float weights = ref {Unsafe}.Add(ref head, o * HiddenSize);");
                    EmitLaneDot(path, _spec.HiddenSize, new[] { "hidden" }, "weights", alongside: null);
                    _writer.Line($"{Unsafe}.Add(ref output, o) = sum + {Unsafe}.Add(ref bias, o);");
                }
            }

            _writer.Line();
        }
    }
}
