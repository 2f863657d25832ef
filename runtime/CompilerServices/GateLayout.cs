using System;
using System.ComponentModel;

namespace LstmGen.CompilerServices
{
    /// <summary>
    /// Converts LSTM tensors between PyTorch's layout and the packed layout of generated models
    /// (see <see cref="GateBlocks"/>): a weight [4H, columns] is kept transposed, one packed row
    /// of 4H gate columns per input column, block by block (<see cref="GateBlocks.PackedOffset"/>); a bias [4H]
    /// as one packed row.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class GateLayout
    {
        /// <summary>Packs PyTorch's [4H, columns] weight (or [4H] bias when columns is 1) into the model's layout.</summary>
        public static void Pack(TensorInfo tensor, ReadOnlySpan<float> source, Span<float> packed, int hiddenSize, int maxBlockWidth, string parameterName)
        {
            ModelGuard.TensorLength(tensor, source.Length, parameterName);
            int columns = tensor.Length / (4 * hiddenSize);
            for (int gate = 0; gate < 4; gate++)
            {
                for (int unit = 0; unit < hiddenSize; unit++)
                {
                    int packedColumn = GateBlocks.PackedColumn(hiddenSize, maxBlockWidth, gate, unit);
                    int sourceRow = (gate * hiddenSize) + unit;
                    for (int column = 0; column < columns; column++)
                    {
                        packed[GateBlocks.PackedOffset(hiddenSize, maxBlockWidth, columns, column, packedColumn)] = source[(sourceRow * columns) + column];
                    }
                }
            }
        }

        /// <summary>Unpacks a tensor from the model's layout into PyTorch's [4H, columns] layout.</summary>
        public static void Unpack(TensorInfo tensor, ReadOnlySpan<float> packed, Span<float> destination, int hiddenSize, int maxBlockWidth, string parameterName)
        {
            ModelGuard.TensorLength(tensor, destination.Length, parameterName);
            int columns = tensor.Length / (4 * hiddenSize);
            for (int gate = 0; gate < 4; gate++)
            {
                for (int unit = 0; unit < hiddenSize; unit++)
                {
                    int packedColumn = GateBlocks.PackedColumn(hiddenSize, maxBlockWidth, gate, unit);
                    int destinationRow = (gate * hiddenSize) + unit;
                    for (int column = 0; column < columns; column++)
                    {
                        destination[(destinationRow * columns) + column] = packed[GateBlocks.PackedOffset(hiddenSize, maxBlockWidth, columns, column, packedColumn)];
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
