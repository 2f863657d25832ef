using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LstmGen.CompilerServices
{
    /// <summary>Copies and clears of float runs that generated code addresses by reference.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class Floats
    {
        /// <summary>Copies <paramref name="count"/> floats from <paramref name="source"/> to <paramref name="destination"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Copy(ref float source, ref float destination, int count) =>
            MemoryMarshal.CreateReadOnlySpan(ref source, count).CopyTo(MemoryMarshal.CreateSpan(ref destination, count));

        /// <summary>Sets <paramref name="count"/> floats from <paramref name="destination"/> to zero.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Clear(ref float destination, int count) => MemoryMarshal.CreateSpan(ref destination, count).Clear();
    }
}
