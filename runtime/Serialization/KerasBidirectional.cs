using System;
using System.Collections.Generic;
using System.Linq;

namespace LstmGen.Serialization
{
    /// <summary>
    /// Keras' <c>Bidirectional</c> wrapper in a weights file, for <see cref="KerasWeights.Load(ISequenceModel, SafeTensorsFile, KerasLstmConfig?)"/>:
    /// the wrapper holds a forward layer and a backward layer (Keras 2 and TF 2 name them <c>forward_lstm</c> and
    /// <c>backward_lstm</c>, or <c>forward_gru</c> and <c>backward_gru</c>; Keras 3's <c>.weights.h5</c> <c>forward_layer</c>
    /// and <c>backward_layer</c>), so that a layer's variables are named <c>bidirectional/forward_lstm/lstm_cell/kernel</c>
    /// and so on. The backward layer reads the sequence from its end and the wrapper puts its outputs back in order, after
    /// the forward layer's: PyTorch's reverse direction (the <c>*_reverse</c> tensors). Wrappers are ordered by Keras'
    /// numbering (<c>bidirectional</c>, <c>bidirectional_1</c>, ...).
    /// </summary>
    internal static class KerasBidirectional
    {
        /// <summary>The wrapper's name and whether <paramref name="layer"/> is its backward layer; null when the layer is no wrapper's direction.</summary>
        public static (string Wrapper, bool Backward)? Split(string layer)
        {
            int slash = layer.LastIndexOf('/');
            if (slash <= 0)
            {
                return null;
            }

            string last = layer.Substring(slash + 1);
            bool forward = last.StartsWith("forward_", StringComparison.Ordinal);
            bool backward = last.StartsWith("backward_", StringComparison.Ordinal);
            return forward || backward ? (layer.Substring(0, slash), backward) : null;
        }

        /// <summary>Sets both directions of every layer of the bidirectional <paramref name="model"/> from the file's wrappers.</summary>
        public static void Load(KerasWeights keras, ISequenceModel model, SafeTensorsFile file, List<KeyValuePair<string, Dictionary<string, SafeTensorsEntry>>> recurrent, KerasLstmConfig? config)
        {
            var wrappers = new Dictionary<string, KeyValuePair<string, Dictionary<string, SafeTensorsEntry>>?[]>(StringComparer.Ordinal);
            foreach (KeyValuePair<string, Dictionary<string, SafeTensorsEntry>> layer in recurrent)
            {
                if (Split(layer.Key) is not (string wrapper, bool backward))
                {
                    throw new WeightFileException($"The Keras layer '{MessageText.Name(layer.Key)}' is not a direction of a Bidirectional layer (forward_... or backward_...), but the model is bidirectional ({WeightFile.ModelShape(model)}).", layer.Value.Values.First().Name);
                }

                if (!wrappers.TryGetValue(wrapper, out var directions))
                {
                    wrappers.Add(wrapper, directions = new KeyValuePair<string, Dictionary<string, SafeTensorsEntry>>?[2]);
                }

                int index = backward ? 1 : 0;
                if (directions[index] is { } other)
                {
                    throw new WeightFileException($"The Keras layers '{MessageText.Name(other.Key)}' and '{MessageText.Name(layer.Key)}' are both the {(backward ? "backward" : "forward")} layer of '{MessageText.Name(wrapper)}'.", layer.Value.Values.First().Name);
                }

                directions[index] = layer;
            }

            if (wrappers.Count != model.Layers)
            {
                throw new WeightFileException($"The file has {wrappers.Count} Keras Bidirectional layer{(wrappers.Count == 1 ? string.Empty : "s")} ({(wrappers.Count == 0 ? "none" : MessageText.List(wrappers.Keys.ToList(), w => $"'{MessageText.Name(w)}'"))}), but the model has {model.Layers} ({WeightFile.ModelShape(model)}).");
            }

            var ordered = wrappers.Select(w => (Number: KerasWeights.AutoNumber(w.Key), Wrapper: w)).OrderBy(w => w.Number).ToList();
            for (int i = 0; i < ordered.Count; i++)
            {
                if (ordered[i].Number < 0 || (i > 0 && ordered[i].Number == ordered[i - 1].Number))
                {
                    throw new WeightFileException($"The Keras Bidirectional layers {MessageText.List(wrappers.Keys.ToList(), w => $"'{MessageText.Name(w)}'")} do not order by Keras' numbering (bidirectional, bidirectional_1, ...); name them so, or load them with SetLstm / SetGru.");
                }

                for (int direction = 0; direction < 2; direction++)
                {
                    if (ordered[i].Wrapper.Value[direction] is not { } layer)
                    {
                        throw new WeightFileException($"The Keras Bidirectional layer '{MessageText.Name(ordered[i].Wrapper.Key)}' has no {(direction == 0 ? "forward" : "backward")} layer.");
                    }

                    KerasWeights.SetLayer(keras, model, file, i, backward: direction == 1, layer, config);
                }
            }
        }
    }
}
