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
        public static float[] Allocate(int length, out int offset)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(length);
            const int slack = Alignment / sizeof(float);
#if NET8_0_OR_GREATER
            float[] storage = GC.AllocateArray<float>(length + slack, pinned: true);
#else
            // No pinned object heap: an array the garbage collector may move, so its offset is 0 (see Offset).
            float[] storage = new float[length + slack];
#endif
            offset = Offset(storage);
            return storage;
        }

        /// <summary>
        /// The index of the first aligned element of an array from <see cref="Allocate"/>, computed from the
        /// array itself (the pinned object heap never moves it), so that a reader that has the array always
        /// has its offset: no second field can be seen out of step with it.
        /// </summary>
        public static unsafe int Offset(float[] storage)
        {
            ArgumentNullException.ThrowIfNull(storage);
#if !NET8_0_OR_GREATER
            // Without a pinned object heap the array may move between two calls: an offset taken from its address
            // could change under the weights, so it is always 0 here (only speed depends on alignment, never a result).
            return 0;
#else
            nuint address = (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(storage));
            int misalignment = (int)(address % Alignment);
            return misalignment == 0 ? 0 : (Alignment - misalignment) / sizeof(float);
#endif
        }

        /// <summary>
        /// Allocates room for <paramref name="length"/> 32-bit words (a model's bfloat16 copy of its weights in
        /// <see cref="WeightPrecision.BFloat16"/>, two values per word), as <see cref="Allocate"/> does for floats.
        /// </summary>
        public static uint[] AllocateBFloat16(int length, out int offset)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(length);
            const int slack = Alignment / sizeof(uint);
#if NET8_0_OR_GREATER
            uint[] storage = GC.AllocateArray<uint>(length + slack, pinned: true);
#else
            uint[] storage = new uint[length + slack];
#endif
            offset = Offset(storage);
            return storage;
        }

        /// <summary>The index of the first aligned element of an array from <see cref="AllocateBFloat16"/> (see <see cref="Offset(float[])"/>).</summary>
        public static unsafe int Offset(uint[] storage)
        {
            ArgumentNullException.ThrowIfNull(storage);
#if !NET8_0_OR_GREATER
            return 0;
#else
            nuint address = (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(storage));
            int misalignment = (int)(address % Alignment);
            return misalignment == 0 ? 0 : (Alignment - misalignment) / sizeof(uint);
#endif
        }
    }
}
