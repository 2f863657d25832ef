using System;
using System.Collections.Generic;

namespace LstmGen
{
    /// <summary>The recurrent cell of a generated model: which attribute generated it.</summary>
    public enum RecurrentCell
    {
        /// <summary>PyTorch's <c>nn.LSTM</c>, from <see cref="LstmAttribute"/>: tensors <c>lstm.*</c>, a hidden and a cell state.</summary>
        Lstm = 0,

        /// <summary>PyTorch's <c>nn.GRU</c>, from <see cref="GruAttribute"/>: tensors <c>gru.*</c>, a hidden state only.</summary>
        Gru = 1,
    }

    /// <summary>What a model's cell is, for code that takes any <see cref="ISequenceModel"/> (exporters, loaders).</summary>
    public static class RecurrentCells
    {
        /// <summary>The cell of <paramref name="model"/>, from its first tensor's name (<c>gru.weight_ih_l0</c> is a GRU's).</summary>
        public static RecurrentCell Of(ISequenceModel model)
        {
            ArgumentNullException.ThrowIfNull(model);
            IReadOnlyList<TensorInfo> tensors = model.Tensors;
            return tensors.Count > 0 && tensors[0].Name.StartsWith("gru.", StringComparison.Ordinal) ? RecurrentCell.Gru : RecurrentCell.Lstm;
        }

        /// <summary>
        /// Whether <paramref name="model"/>'s layers are bidirectional (generated with <c>Bidirectional = true</c>): its
        /// tensors include the reverse directions' (<c>weight_ih_l0_reverse</c>).
        /// </summary>
        public static bool IsBidirectional(ISequenceModel model)
        {
            ArgumentNullException.ThrowIfNull(model);
            IReadOnlyList<TensorInfo> tensors = model.Tensors;
            for (int i = 0; i < tensors.Count; i++)
            {
                if (tensors[i].Name.EndsWith(".weight_ih_l0_reverse", StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The width of what a layer of <paramref name="model"/> outputs per step: HiddenSize, or twice it for a bidirectional model.</summary>
        public static int LayerOutputSize(ISequenceModel model) => (IsBidirectional(model) ? 2 : 1) * model.HiddenSize;
    }
}
