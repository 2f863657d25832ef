// This file is compiled into both the runtime and the generator (linked), so that the sizes a weight file
// has are read by one rule: for [Lstm(Weights = ...)] without sizes, and for LstmModels.Load's messages.
using System.Collections.Generic;
using System.Globalization;

namespace LstmGen.CompilerServices
{
    /// <summary>
    /// The sizes of an LSTM (or a GRU) that a PyTorch state_dict's shapes imply: InputSize from <c>lstm.weight_ih_l0</c>
    /// [4H, InputSize], HiddenSize from <c>lstm.weight_hh_l0</c> [4H, H], Layers from the count of
    /// <c>lstm.weight_ih_l{k}</c> for k = 0, 1, ..., OutputSize from <c>head.weight</c> [OutputSize, H] (0, no
    /// head, when there is none), ProjectionSize and HiddenSize from <c>lstm.weight_hr_l0</c> [P, H] when there is one (then
    /// <c>lstm.weight_hh_l0</c> is [4H, P] and <c>head.weight</c> [OutputSize, P]); a GRU's from <c>gru.*</c> with 3H rows. Only the sizes: whether every tensor fits
    /// them is checked by the loader.
    /// </summary>
    internal sealed class StateDictSizes
    {
        private StateDictSizes(int inputSize, int hiddenSize, int layers, int outputSize, int projectionSize, bool bidirectional)
        {
            ProjectionSize = projectionSize;
            Bidirectional = bidirectional;
            InputSize = inputSize;
            HiddenSize = hiddenSize;
            Layers = layers;
            OutputSize = outputSize;
        }

        public int InputSize { get; }

        public int HiddenSize { get; }

        public int Layers { get; }

        /// <summary>An LSTM's projection (<c>lstm.weight_hr_l0</c> [P, H]), or 0 without one.</summary>
        public int ProjectionSize { get; }

        /// <summary>The head's outputs, or 0 without a head.</summary>
        public int OutputSize { get; }

        /// <summary>Whether the layers are bidirectional: the file has <c>weight_ih_l0_reverse</c>.</summary>
        public bool Bidirectional { get; }

        /// <summary>
        /// Reads the sizes from <paramref name="shapes"/> (name to shape), or says in <paramref name="error"/>
        /// which tensor is missing or has an impossible shape.
        /// </summary>
        /// <param name="shapes">The state_dict's shapes, by name.</param>
        /// <param name="error">Why there are no sizes.</param>
        /// <param name="module">The recurrent module's name: <c>lstm</c>, or <c>gru</c> for a GRU; null: a GRU's if the file has <c>gru.weight_ih_l0</c> and no <c>lstm.weight_ih_l0</c>, else an LSTM's.</param>
        /// <param name="bidirectional">Whether the model that reads the file is bidirectional (a file that says otherwise gives an error naming the tensor); null: whatever the file has.</param>
        public static StateDictSizes? TryRead(IReadOnlyDictionary<string, IReadOnlyList<long>> shapes, out string? error, string? module = null, bool? bidirectional = null)
        {
            error = null;
            module ??= !shapes.ContainsKey("lstm.weight_ih_l0") && shapes.ContainsKey("gru.weight_ih_l0") ? "gru" : "lstm";
            int gates = module == "gru" ? 3 : 4;
            string cell = module == "gru" ? "a GRU" : "an LSTM";
            string g = gates.ToString(CultureInfo.InvariantCulture);
            if (!shapes.TryGetValue(module + ".weight_ih_l0", out IReadOnlyList<long>? inputWeight) || !shapes.TryGetValue(module + ".weight_hh_l0", out IReadOnlyList<long>? hiddenWeight))
            {
                error = $"it has no tensors '{module}.weight_ih_l0' and '{module}.weight_hh_l0', which give {cell}'s input and hidden sizes";
                return null;
            }

            // With a projection (PyTorch's proj_size), weight_hr_l0 [P, H] gives both sizes, and weight_hh_l0 is [4H, P].
            int projection = 0;
            long hiddenColumns = hiddenWeight.Count == 2 ? hiddenWeight[0] / gates : 0;
            if (module == "lstm" && shapes.TryGetValue(module + ".weight_hr_l0", out IReadOnlyList<long>? projectionWeight))
            {
                if (projectionWeight.Count != 2 || projectionWeight[0] < 1 || projectionWeight[1] > int.MaxValue / 4 || projectionWeight[0] >= projectionWeight[1])
                {
                    error = $"its '{module}.weight_hr_l0' has shape {Format(projectionWeight)}, not [ProjectionSize, HiddenSize] with 0 < ProjectionSize < HiddenSize";
                    return null;
                }

                projection = (int)projectionWeight[0];
                hiddenColumns = projectionWeight[1];
                if (hiddenWeight.Count != 2 || hiddenWeight[0] != gates * hiddenColumns || hiddenWeight[1] != projection)
                {
                    error = $"its '{module}.weight_hh_l0' has shape {Format(hiddenWeight)}, not [{g} * HiddenSize, ProjectionSize] with HiddenSize = {hiddenColumns.ToString(CultureInfo.InvariantCulture)} and ProjectionSize = {projection.ToString(CultureInfo.InvariantCulture)} (from '{module}.weight_hr_l0')";
                    return null;
                }
            }
            else if (hiddenWeight.Count != 2 || hiddenWeight[1] < 1 || hiddenWeight[1] > int.MaxValue / 4 || hiddenWeight[0] != gates * hiddenWeight[1])
            {
                error = $"its '{module}.weight_hh_l0' has shape {Format(hiddenWeight)}, not [{g} * HiddenSize, HiddenSize]";
                return null;
            }

            int hidden = (int)hiddenColumns;
            int width = projection > 0 ? projection : hidden;
            if (inputWeight.Count != 2 || inputWeight[0] != (long)gates * hidden || inputWeight[1] < 1 || inputWeight[1] > int.MaxValue)
            {
                error = $"its '{module}.weight_ih_l0' has shape {Format(inputWeight)}, not [{g} * HiddenSize, InputSize] with HiddenSize = {hidden.ToString(CultureInfo.InvariantCulture)}";
                return null;
            }

            string reverse = module + ".weight_ih_l0_reverse";
            bool fileBidirectional = shapes.ContainsKey(reverse);
            if (bidirectional is bool wanted && wanted != fileBidirectional)
            {
                error = wanted
                    ? $"it has no tensor '{reverse}', which a bidirectional model's reverse direction needs (the file is of a model with bidirectional=False)"
                    : $"it has the tensor '{reverse}' of a bidirectional model (bidirectional=True in PyTorch): set Bidirectional = true";
                return null;
            }

            int directions = fileBidirectional ? 2 : 1;
            int layers = 1;
            while (shapes.ContainsKey(module + ".weight_ih_l" + layers.ToString(CultureInfo.InvariantCulture)))
            {
                layers++;
            }

            int output = 0;
            if (shapes.TryGetValue("head.weight", out IReadOnlyList<long>? headWeight))
            {
                if (headWeight.Count != 2 || headWeight[0] < 1 || headWeight[0] > int.MaxValue || headWeight[1] != (long)directions * width)
                {
                    error = fileBidirectional && projection > 0
                        ? $"its 'head.weight' has shape {Format(headWeight)}, not [OutputSize, 2 * ProjectionSize] (a bidirectional model's head reads both directions) with ProjectionSize = {projection.ToString(CultureInfo.InvariantCulture)}"
                        : fileBidirectional
                        ? $"its 'head.weight' has shape {Format(headWeight)}, not [OutputSize, 2 * HiddenSize] (a bidirectional model's head reads both directions) with HiddenSize = {hidden.ToString(CultureInfo.InvariantCulture)}"
                        : projection > 0
                        ? $"its 'head.weight' has shape {Format(headWeight)}, not [OutputSize, ProjectionSize] with ProjectionSize = {projection.ToString(CultureInfo.InvariantCulture)}"
                        : $"its 'head.weight' has shape {Format(headWeight)}, not [OutputSize, HiddenSize] with HiddenSize = {hidden.ToString(CultureInfo.InvariantCulture)}";
                    return null;
                }

                output = (int)headWeight[0];
            }

            return new StateDictSizes((int)inputWeight[1], hidden, layers, output, projection, fileBidirectional);
        }

        /// <summary>For example "InputSize = 3, HiddenSize = 4, Layers = 1, OutputSize = 2" (with ", Bidirectional = true" for a bidirectional model's).</summary>
        public override string ToString() => string.Format(
            CultureInfo.InvariantCulture,
            "InputSize = {0}, HiddenSize = {1}, Layers = {2}, OutputSize = {3}{4}{5}{6}",
            InputSize,
            HiddenSize,
            Layers,
            OutputSize,
            OutputSize == 0 ? " (no head)" : string.Empty,
            ProjectionSize == 0 ? string.Empty : ", ProjectionSize = " + ProjectionSize.ToString(CultureInfo.InvariantCulture),
            Bidirectional ? ", Bidirectional = true" : string.Empty);

        private static string Format(IReadOnlyList<long> shape)
        {
            var parts = new string[shape.Count];
            for (int i = 0; i < parts.Length; i++)
            {
                parts[i] = shape[i].ToString(CultureInfo.InvariantCulture);
            }

            return "[" + string.Join(", ", parts) + "]";
        }
    }
}
