using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LstmGen.CompilerServices
{
    /// <summary>
    /// Parameter memory for generated models: a pinned array whose used range starts on a
    /// 64-byte boundary, so that vector loads of a model's weights never split a cache line
    /// at a vector's start.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class ParameterStorage
    {
        /// <summary>The alignment, in bytes, of the first parameter.</summary>
        public const int Alignment = 64;

        /// <summary>
        /// Allocates room for <paramref name="length"/> floats on the pinned object heap;
        /// <paramref name="offset"/> is the index of the first aligned element.
        /// </summary>
        public static float[] Allocate(int length, out int offset) => AllocateAligned<float>(length, out offset);

        /// <summary>
        /// The index of the first aligned element of an array from <see cref="Allocate"/>, computed from the
        /// array itself (the pinned object heap never moves it), so that a reader that has the array always
        /// has its offset: no second field can be seen out of step with it.
        /// </summary>
        public static int Offset(float[] storage) => AlignedOffset(storage);

        /// <summary>
        /// Allocates room for <paramref name="length"/> 32-bit words (a model's bfloat16 copy of its weights in
        /// <see cref="WeightPrecision.BFloat16"/>, two values per word), as <see cref="Allocate"/> does for floats.
        /// </summary>
        public static uint[] AllocateBFloat16(int length, out int offset) => AllocateAligned<uint>(length, out offset);

        /// <summary>The index of the first aligned element of an array from <see cref="AllocateBFloat16"/> (see <see cref="Offset(float[])"/>).</summary>
        public static int Offset(uint[] storage) => AlignedOffset(storage);

        private static unsafe T[] AllocateAligned<T>(int length, out int offset)
            where T : unmanaged
        {
            ArgumentOutOfRangeException.ThrowIfNegative(length);
            int slack = Alignment / sizeof(T);
#if NET8_0_OR_GREATER
            T[] storage = GC.AllocateArray<T>(length + slack, pinned: true);
#else
            // No pinned object heap: an array the garbage collector may move, so its offset is 0 (see Offset).
            T[] storage = new T[length + slack];
#endif
            offset = AlignedOffset(storage);
            return storage;
        }

        private static unsafe int AlignedOffset<T>(T[] storage)
            where T : unmanaged
        {
            ArgumentNullException.ThrowIfNull(storage);
#if !NET8_0_OR_GREATER
            // Without a pinned object heap the array may move between two calls: an offset taken from its address
            // could change under the weights, so it is always 0 here (only speed depends on alignment, never a result).
            return 0;
#else
            nuint address = (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(storage));
            int misalignment = (int)(address % Alignment);
            return misalignment == 0 ? 0 : (Alignment - misalignment) / sizeof(T);
#endif
        }
    }
}
