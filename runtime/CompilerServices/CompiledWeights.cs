using System;
using System.Buffers.Binary;
using System.ComponentModel;
using System.Runtime.InteropServices;

namespace LstmGen.CompilerServices
{
    /// <summary>
    /// Copies the parameters that the generator compiled into a model (<c>[Lstm(Weights = ...)]</c>) into its
    /// storage. The generator packs them at compile time into the model's own layout and writes them as a
    /// constant byte array, which C# keeps as data in the assembly: reading it allocates nothing.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class CompiledWeights
    {
        /// <summary>
        /// Copies <paramref name="littleEndian"/>, the parameters as little-endian IEEE single-precision floats
        /// (the safetensors byte order), into <paramref name="parameters"/>, whose length it must fill exactly.
        /// </summary>
        /// <exception cref="ArgumentException">The lengths do not match.</exception>
        public static void CopyTo(ReadOnlySpan<byte> littleEndian, Span<float> parameters)
        {
            if (littleEndian.Length != parameters.Length * sizeof(float))
            {
                throw new ArgumentException(
                    $"The compiled weights hold {littleEndian.Length} bytes, but the model's {parameters.Length} parameters take {parameters.Length * sizeof(float)}.",
                    nameof(littleEndian));
            }

            if (BitConverter.IsLittleEndian)
            {
                // A byte copy: the data need not be aligned as floats are.
                littleEndian.CopyTo(MemoryMarshal.AsBytes(parameters));
                return;
            }

            for (int i = 0; i < parameters.Length; i++)
            {
                parameters[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadInt32LittleEndian(littleEndian.Slice(i * sizeof(float), sizeof(float))));
            }
        }
    }
}
