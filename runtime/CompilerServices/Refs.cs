using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LstmGen.CompilerServices
{
    /// <summary>
    /// Reference arithmetic for generated code on every target: <c>Unsafe.Add</c> and
    /// <c>MemoryMarshal.GetArrayDataReference</c> on .NET 8 and later; on .NET Standard 2.1, which has
    /// neither without a package, the same through a pinned pointer. The returned reference is a managed
    /// reference (the garbage collector tracks it); the pin lasts only while the address is computed.
    /// </summary>
    /// <remarks>
    /// One overload per element type (float, and the bfloat16 weights' ushort and uint) on purpose, not one
    /// <c>Add&lt;T&gt;</c>: the portable tier's kernels call these in their innermost loops, and Unity's IL2CPP with
    /// "Faster (smaller) builds" shares generic code even across value types, which would turn each call into a
    /// lookup of T's size. Non-generic methods compile to a pointer add on every runtime.
    /// </remarks>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class Refs
    {
        /// <summary>The float <paramref name="offset"/> elements after <paramref name="source"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ref float Add(ref float source, int offset) => ref Add(ref source, (nint)offset);

        /// <summary>The float <paramref name="offset"/> elements after <paramref name="source"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ref float Add(ref float source, nuint offset) => ref Add(ref source, (nint)offset);

        /// <summary>The float <paramref name="offset"/> elements after <paramref name="source"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
#if NET8_0_OR_GREATER
        public static ref float Add(ref float source, nint offset) => ref Unsafe.Add(ref source, offset);
#else
        public static unsafe ref float Add(ref float source, nint offset)
        {
            fixed (float* pointer = &source)
            {
                return ref pointer[offset];
            }
        }
#endif

        /// <summary>The first element of <paramref name="array"/> (where it would be, if the array is empty), without a bounds check.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ref float GetArrayDataReference(float[] array) =>
#if NET8_0_OR_GREATER
            ref MemoryMarshal.GetArrayDataReference(array);
#else
            ref MemoryMarshal.GetReference(new System.Span<float>(array));
#endif

        /// <summary>The bfloat16 <paramref name="offset"/> elements after <paramref name="source"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ref ushort Add(ref ushort source, int offset) => ref Add(ref source, (nint)offset);

        /// <summary>The bfloat16 <paramref name="offset"/> elements after <paramref name="source"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ref ushort Add(ref ushort source, nuint offset) => ref Add(ref source, (nint)offset);

        /// <summary>The bfloat16 <paramref name="offset"/> elements after <paramref name="source"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
#if NET8_0_OR_GREATER
        public static ref ushort Add(ref ushort source, nint offset) => ref Unsafe.Add(ref source, offset);
#else
        public static unsafe ref ushort Add(ref ushort source, nint offset)
        {
            fixed (ushort* pointer = &source)
            {
                return ref pointer[offset];
            }
        }
#endif

        /// <summary>The 32-bit word <paramref name="offset"/> elements after <paramref name="source"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ref uint Add(ref uint source, int offset) => ref Add(ref source, (nint)offset);

        /// <summary>The 32-bit word <paramref name="offset"/> elements after <paramref name="source"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ref uint Add(ref uint source, nuint offset) => ref Add(ref source, (nint)offset);

        /// <summary>The 32-bit word <paramref name="offset"/> elements after <paramref name="source"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
#if NET8_0_OR_GREATER
        public static ref uint Add(ref uint source, nint offset) => ref Unsafe.Add(ref source, offset);
#else
        public static unsafe ref uint Add(ref uint source, nint offset)
        {
            fixed (uint* pointer = &source)
            {
                return ref pointer[offset];
            }
        }
#endif

        /// <summary>The first element of <paramref name="array"/> (where it would be, if the array is empty), without a bounds check.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ref uint GetArrayDataReference(uint[] array) =>
#if NET8_0_OR_GREATER
            ref MemoryMarshal.GetArrayDataReference(array);
#else
            ref MemoryMarshal.GetReference(new System.Span<uint>(array));
#endif

        /// <summary>The 32-bit words at <paramref name="source"/> seen as bfloat16 values, two per word (the lower first).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
#if NET8_0_OR_GREATER
        public static ref ushort AsBFloat16(ref uint source) => ref Unsafe.As<uint, ushort>(ref source);
#else
        public static unsafe ref ushort AsBFloat16(ref uint source)
        {
            fixed (uint* pointer = &source)
            {
                return ref *(ushort*)pointer;
            }
        }
#endif
    }
}
