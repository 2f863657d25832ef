using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LstmGen.CompilerServices
{
    /// <summary>Copies and clears of float runs that generated code addresses by reference.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class Floats
    {
        /// <summary>
        /// Copies <paramref name="count"/> floats from <paramref name="source"/> to <paramref name="destination"/>,
        /// which do not overlap. Inlined with a constant count (the generated code's sizes are constants),
        /// the JIT unrolls small copies into a few vector moves instead of calling memmove.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Copy(ref float source, ref float destination, int count) =>
#if NET8_0_OR_GREATER
            Unsafe.CopyBlockUnaligned(ref Unsafe.As<float, byte>(ref destination), ref Unsafe.As<float, byte>(ref source), (uint)count * sizeof(float));
#else
            MemoryMarshal.CreateReadOnlySpan(ref source, count).CopyTo(MemoryMarshal.CreateSpan(ref destination, count));
#endif

        /// <summary>Sets <paramref name="count"/> floats from <paramref name="destination"/> to zero.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Clear(ref float destination, int count) => MemoryMarshal.CreateSpan(ref destination, count).Clear();

        /// <summary>
        /// Adds <paramref name="count"/> floats from <paramref name="source"/> to those at <paramref name="destination"/>
        /// (which do not overlap), element by element: the same bits on every processor.
        /// </summary>
        public static void Add(ref float source, ref float destination, int count)
        {
            ReadOnlySpan<float> values = MemoryMarshal.CreateReadOnlySpan(ref source, count);
            Span<float> sums = MemoryMarshal.CreateSpan(ref destination, count);
            for (int i = 0; i < sums.Length; i++)
            {
                sums[i] += values[i];
            }
        }
    }
}
