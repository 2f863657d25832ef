using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
#if NET8_0_OR_GREATER
using System.Runtime.Intrinsics;
#endif

namespace LstmGen.CompilerServices
{
    /// <summary>
    /// bfloat16, the upper 16 bits of a float32, for models with <see cref="WeightPrecision.BFloat16"/>: rounding
    /// float32 to it (to nearest, ties to even, as PyTorch's <c>tensor.to(torch.bfloat16)</c>) and widening it back in
    /// the generated kernels, one value or a vector at a time. Widening is exact (a shift), so every width gives the
    /// same floats, and the kernels' sums the same bits.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class BFloat16
    {
        /// <summary>
        /// <paramref name="value"/> rounded to the nearest bfloat16, ties to the even one: a value beyond the largest
        /// bfloat16 (by at least half its last place) becomes infinity, infinities stay infinite, and a NaN stays a NaN
        /// of the same sign (quiet, with the upper bits of its payload).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ushort Round(float value)
        {
            uint bits = unchecked((uint)BitConverter.SingleToInt32Bits(value));
            if ((bits & 0x7FFF_FFFFu) > 0x7F80_0000u)
            {
                // NaN: keep the sign and the payload's upper bits, and set the quiet bit so that it stays a NaN.
                return (ushort)((bits >> 16) | 0x0040u);
            }

            // Adding 0x7FFF, plus 1 when the kept part is odd, carries into the upper half exactly when the dropped
            // half is above one half of the last place, or equal to it with an odd kept part.
            return (ushort)((bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16);
        }

        /// <summary>Rounds every value of <paramref name="source"/> into <paramref name="destination"/> (see <see cref="Round(float)"/>).</summary>
        /// <exception cref="ArgumentException">The spans' lengths differ.</exception>
        public static void Round(ReadOnlySpan<float> source, Span<ushort> destination)
        {
            if (source.Length != destination.Length)
            {
                throw new ArgumentException(
                    $"The destination holds {destination.Length} bfloat16 values, but the source has {source.Length} floats; they must be as long.",
                    nameof(destination));
            }

            for (int i = 0; i < source.Length; i++)
            {
                destination[i] = Round(source[i]);
            }
        }

        /// <summary>The float32 that <paramref name="value"/> is the upper half of (exact).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float ToSingle(ushort value) => BitConverter.Int32BitsToSingle(value << 16);

        /// <summary><paramref name="value"/> rounded to bfloat16 and widened back: the float32 a bfloat16 model computes with.</summary>
        public static float RoundToSingle(float value) => ToSingle(Round(value));

#if NET8_0_OR_GREATER
        /// <summary>The 4 bfloat16 values at <paramref name="offset"/> elements after <paramref name="source"/>, widened.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Load128(ref ushort source, nuint offset)
        {
            ulong four = Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<ushort, byte>(ref Unsafe.Add(ref source, offset)));
            Vector128<uint> wide = Vector128.WidenLower(Vector128.CreateScalarUnsafe(four).AsUInt16());
            return Vector128.ShiftLeft(wide, 16).AsSingle();
        }

        /// <summary>The 8 bfloat16 values at <paramref name="offset"/> elements after <paramref name="source"/>, widened.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Load256(ref ushort source, nuint offset)
        {
            Vector256<uint> wide = Vector256.WidenLower(Vector128.LoadUnsafe(ref source, offset).ToVector256Unsafe());
            return Vector256.ShiftLeft(wide, 16).AsSingle();
        }

        /// <summary>The 16 bfloat16 values at <paramref name="offset"/> elements after <paramref name="source"/>, widened.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Load512(ref ushort source, nuint offset)
        {
            Vector512<uint> wide = Vector512.WidenLower(Vector256.LoadUnsafe(ref source, offset).ToVector512Unsafe());
            return Vector512.ShiftLeft(wide, 16).AsSingle();
        }
#endif
    }
}
