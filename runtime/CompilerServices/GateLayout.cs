using System;
using System.ComponentModel;

namespace LstmGen.CompilerServices
{
    /// <summary>
    /// Converts LSTM and GRU tensors between PyTorch's layout and the packed layout of generated models
    /// (see <see cref="GateBlocks"/>): a weight [GH, columns] (G gates: an LSTM's 4, a GRU's 3, read from the
    /// tensor's first dimension) is kept transposed, one packed row of GH gate columns per input column, block by
    /// block (<see cref="GateBlocks.PackedOffset"/>); a bias [GH] as one packed row.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class GateLayout
    {
        /// <summary>Packs PyTorch's [GH, columns] weight (or [4H] bias when columns is 1) into the model's layout.</summary>
        public static void Pack(TensorInfo tensor, ReadOnlySpan<float> source, Span<float> packed, int hiddenSize, int maxBlockWidth, string parameterName)
        {
            ModelGuard.TensorLength(tensor, source.Length, parameterName);
            int gates = tensor.Shape[0] / hiddenSize;
            int columns = tensor.Length / (gates * hiddenSize);
            for (int gate = 0; gate < gates; gate++)
            {
                for (int unit = 0; unit < hiddenSize; unit++)
                {
                    int packedColumn = GateBlocks.PackedColumn(hiddenSize, maxBlockWidth, gate, unit, gates);
                    int sourceRow = (gate * hiddenSize) + unit;
                    for (int column = 0; column < columns; column++)
                    {
                        packed[GateBlocks.PackedOffset(hiddenSize, maxBlockWidth, columns, column, packedColumn, gates)] = source[(sourceRow * columns) + column];
                    }
                }
            }
        }

        /// <summary>Unpacks a tensor from the model's layout into PyTorch's [GH, columns] layout.</summary>
        public static void Unpack(TensorInfo tensor, ReadOnlySpan<float> packed, Span<float> destination, int hiddenSize, int maxBlockWidth, string parameterName)
        {
            ModelGuard.TensorLength(tensor, destination.Length, parameterName);
            int gates = tensor.Shape[0] / hiddenSize;
            int columns = tensor.Length / (gates * hiddenSize);
            for (int gate = 0; gate < gates; gate++)
            {
                for (int unit = 0; unit < hiddenSize; unit++)
                {
                    int packedColumn = GateBlocks.PackedColumn(hiddenSize, maxBlockWidth, gate, unit, gates);
                    int destinationRow = (gate * hiddenSize) + unit;
                    for (int column = 0; column < columns; column++)
                    {
                        destination[(destinationRow * columns) + column] = packed[GateBlocks.PackedOffset(hiddenSize, maxBlockWidth, columns, column, packedColumn, gates)];
                    }
                }
            }
        }

        /// <summary>Sets a tensor the model keeps in PyTorch's layout (the head), checking its length.</summary>
        public static void CopyIn(TensorInfo tensor, ReadOnlySpan<float> source, Span<float> storage, string parameterName)
        {
            ModelGuard.TensorLength(tensor, source.Length, parameterName);
            source.CopyTo(storage);
        }

        /// <summary>Copies out a tensor the model keeps in PyTorch's layout (the head), checking its length.</summary>
        public static void CopyOut(TensorInfo tensor, ReadOnlySpan<float> storage, Span<float> destination, string parameterName)
        {
            ModelGuard.TensorLength(tensor, destination.Length, parameterName);
            storage.CopyTo(destination);
        }
    }
}
