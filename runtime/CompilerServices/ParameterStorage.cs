using System;
using System.ComponentModel;
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
            // No pinned object heap: an array the garbage collector may move (where it does not, as in
            // Unity's, the alignment holds); only speed depends on it, never a result.
            float[] storage = new float[length + slack];
#endif
            GCHandle handle = GCHandle.Alloc(storage, GCHandleType.Pinned);
            try
            {
                long address = handle.AddrOfPinnedObject().ToInt64();
                int misalignment = (int)(address % Alignment);
                offset = misalignment == 0 ? 0 : (Alignment - misalignment) / sizeof(float);
            }
            finally
            {
                handle.Free();
            }

            return storage;
        }
    }
}
