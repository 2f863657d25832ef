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

        /// <summary>
        /// Rounds <paramref name="rows"/> (whole rows of <paramref name="rowLength"/> floats) into pairs of rows, one 32-bit
        /// word per column of a pair: row 2p in its lower half, row 2p + 1 in its upper half (0 past an odd last row). One
        /// load of such words gives two rows' weights, each widened by one operation (<see cref="Low(uint)"/>, <see cref="High(uint)"/>).
        /// </summary>
        /// <exception cref="ArgumentException">The lengths do not fit: whole rows in, their pairs out.</exception>
        public static void RoundRowPairs(ReadOnlySpan<float> rows, int rowLength, Span<uint> pairs)
        {
            int rowCount = rowLength > 0 ? rows.Length / rowLength : 0;
            if (rowLength <= 0 || rowCount * rowLength != rows.Length || pairs.Length != ((rowCount + 1) / 2) * rowLength)
            {
                throw new ArgumentException(
                    $"{rows.Length} floats in rows of {rowLength} need {(rowLength > 0 ? ((rows.Length / rowLength) + 1) / 2 * rowLength : 0)} words of row pairs, but the destination holds {pairs.Length}.",
                    nameof(pairs));
            }

            for (int pair = 0; pair < (rowCount + 1) / 2; pair++)
            {
                ReadOnlySpan<float> lower = rows.Slice(2 * pair * rowLength, rowLength);
                ReadOnlySpan<float> upper = 2 * pair + 1 < rowCount ? rows.Slice((2 * pair + 1) * rowLength, rowLength) : default;
                Span<uint> words = pairs.Slice(pair * rowLength, rowLength);
                int column = 0;
#if NET8_0_OR_GREATER
                if (Vector256.IsHardwareAccelerated && !upper.IsEmpty)
                {
                    // Eight columns at a time, each rounded as Round rounds it (integer operations: the same bits).
                    ReadOnlySpan<uint> lowerBits = System.Runtime.InteropServices.MemoryMarshal.Cast<float, uint>(lower);
                    ReadOnlySpan<uint> upperBits = System.Runtime.InteropServices.MemoryMarshal.Cast<float, uint>(upper);
                    for (; column + Vector256<uint>.Count <= rowLength; column += Vector256<uint>.Count)
                    {
                        Vector256<uint> low = RoundedUpperHalves(Vector256.Create(lowerBits.Slice(column, Vector256<uint>.Count)));
                        Vector256<uint> high = RoundedUpperHalves(Vector256.Create(upperBits.Slice(column, Vector256<uint>.Count)));
                        (Vector256.ShiftRightLogical(low, 16) | high).CopyTo(words.Slice(column));
                    }
                }
#endif
                for (; column < rowLength; column++)
                {
                    uint high = upper.IsEmpty ? 0u : Round(upper[column]);
                    words[column] = Round(lower[column]) | (high << 16);
                }
            }
        }

#if NET8_0_OR_GREATER
        /// <summary>Each float's bits rounded as <see cref="Round(float)"/> rounds them, in the upper half (the lower half 0).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<uint> RoundedUpperHalves(Vector256<uint> bits)
        {
            Vector256<uint> isNaN = Vector256.GreaterThan(bits & Vector256.Create(0x7FFF_FFFFu), Vector256.Create(0x7F80_0000u));
            Vector256<uint> nearestEven = bits + Vector256.Create(0x7FFFu) + (Vector256.ShiftRightLogical(bits, 16) & Vector256<uint>.One);
            Vector256<uint> quietNaN = bits | Vector256.Create(0x0040_0000u);
            return Vector256.ConditionalSelect(isNaN, quietNaN, nearestEven) & Vector256.Create(0xFFFF_0000u);
        }
#endif

        /// <summary>
        /// The 32-bit words of an LSTM's bfloat16 copy (<see cref="RoundLstm(ReadOnlySpan{float}, Span{uint}, int, int, int, int, int)"/>):
        /// per layer, W_ih and W_hh in row pairs and the two biases as one pair, then the head's weight and bias as bfloat16
        /// values, two per word.
        /// </summary>
        public static int LstmLength(int inputSize, int hiddenSize, int layers, int headLength) =>
            LstmLength(inputSize, hiddenSize, projectionSize: 0, layers, headLength);

        /// <summary>
        /// The 32-bit words of the bfloat16 copy of an LSTM with projections of <paramref name="projectionSize"/> values (0 for
        /// none; <see cref="RoundLstm(ReadOnlySpan{float}, Span{uint}, int, int, int, int, int, int)"/>): per layer, W_ih and
        /// W_hh in row pairs, the two biases as one pair and W_hr as bfloat16 values, two per word; then the head's weight and
        /// bias, two per word.
        /// </summary>
        public static int LstmLength(int inputSize, int hiddenSize, int projectionSize, int layers, int headLength)
        {
            int gateRow = 4 * hiddenSize;
            int recurrentPairs = ((projectionSize > 0 ? projectionSize : hiddenSize) + 1) / 2;
            int projection = ((projectionSize * hiddenSize) + 1) / 2;
            int first = ((((inputSize + 1) / 2) + recurrentPairs + 1) * gateRow) + projection;
            int upper = ((recurrentPairs + recurrentPairs + 1) * gateRow) + projection;
            return first + ((layers - 1) * upper) + ((headLength + 1) / 2);
        }

        /// <summary>
        /// Rounds an LSTM's parameters (a generated model's packed layout: per layer W_ih [inputs][4H], W_hh [H][4H] each block
        /// by block (GateBlocks.PackedOffset, blocks of up to <paramref name="maxBlockWidth"/> units), b_ih,
        /// b_hh [4H]; then the head's <paramref name="headLength"/> values) into the bfloat16 copy its steps read: each
        /// layer's W_ih and W_hh in row pairs (<see cref="RoundRowPairs"/>), b_ih and b_hh as one pair, then the head's
        /// values two per word, as its kernels widen them (<see cref="ToSingle"/>).
        /// </summary>
        /// <exception cref="ArgumentException">A length does not fit the sizes.</exception>
        public static void RoundLstm(ReadOnlySpan<float> parameters, Span<uint> copy, int inputSize, int hiddenSize, int layers, int headLength, int maxBlockWidth) =>
            RoundLstm(parameters, copy, inputSize, hiddenSize, projectionSize: 0, layers, headLength, maxBlockWidth);

        /// <summary>
        /// Rounds the parameters of an LSTM with projections of <paramref name="projectionSize"/> values (0 for none: W_hh
        /// then has <paramref name="hiddenSize"/> rows) into the bfloat16 copy its steps read: per layer W_ih [inputs][4H]
        /// and W_hh [P][4H] (the layers above the first read P inputs) in row pairs, block by block, b_ih and b_hh as one
        /// pair, then W_hr [P, H] as PyTorch keeps it, two values per word (a last odd value's partner 0), as the
        /// projection's kernels widen them (<see cref="ToSingle"/>); then the head's values two per word.
        /// </summary>
        /// <exception cref="ArgumentException">A length does not fit the sizes.</exception>
        public static void RoundLstm(ReadOnlySpan<float> parameters, Span<uint> copy, int inputSize, int hiddenSize, int projectionSize, int layers, int headLength, int maxBlockWidth)
        {
            int gateRow = 4 * hiddenSize;
            int recurrent = projectionSize > 0 ? projectionSize : hiddenSize;
            int projection = projectionSize * hiddenSize;
            int parameterCount = ((inputSize + recurrent + 2) * gateRow) + projection + ((layers - 1) * (((2 * recurrent + 2) * gateRow) + projection)) + headLength;
            int length = LstmLength(inputSize, hiddenSize, projectionSize, layers, headLength);
            if (parameters.Length != parameterCount || copy.Length != length)
            {
                string projected = projectionSize > 0 ? $", projections of {projectionSize}" : string.Empty;
                throw new ArgumentException(
                    $"An LSTM of input {inputSize}, hidden {hiddenSize}{projected}, {layers} layers and a head of {headLength} values has {parameterCount} parameters and a bfloat16 copy of {length} words, but the spans hold {parameters.Length} and {copy.Length}.",
                    nameof(copy));
            }

            int source = 0;
            int target = 0;
            for (int layer = 0; layer < layers; layer++)
            {
                // W_ih, W_hh (each kept block by block, as GateBlocks.PackedOffset: each block's rows in pairs), then b_ih
                // and b_hh as one pair, then W_hr side by side.
                RoundBlockRows(parameters, copy, layer == 0 ? inputSize : recurrent, hiddenSize, maxBlockWidth, ref source, ref target);
                RoundBlockRows(parameters, copy, recurrent, hiddenSize, maxBlockWidth, ref source, ref target);
                RoundRows(parameters, copy, 2, gateRow, ref source, ref target);
                RoundSideBySide(parameters.Slice(source, projection), copy.Slice(target, (projection + 1) / 2));
                source += projection;
                target += (projection + 1) / 2;
            }

            RoundSideBySide(parameters.Slice(source, headLength), copy.Slice(target));
        }

        /// <summary>Rounds <paramref name="values"/> into bfloat16 values two per word of <paramref name="words"/>, a last odd value's partner 0.</summary>
        private static void RoundSideBySide(ReadOnlySpan<float> values, Span<uint> words)
        {
            Span<ushort> halves = System.Runtime.InteropServices.MemoryMarshal.Cast<uint, ushort>(words);
            Round(values, halves.Slice(0, values.Length));
            if (values.Length % 2 == 1)
            {
                halves[values.Length] = 0;
            }
        }

        /// <summary>
        /// A weight of <paramref name="rows"/> packed rows, kept block by block (GateBlocks.PackedOffset): each block's rows
        /// of 4 w columns rounded into pairs of them, the blocks in order, so that the pairs too are block by block.
        /// </summary>
        private static void RoundBlockRows(ReadOnlySpan<float> parameters, Span<uint> copy, int rows, int hiddenSize, int maxBlockWidth, ref int source, ref int target)
        {
            // The blocks one after another, without a list: the copy is rounded again inside steps, which allocate nothing.
            int vectorWidth = maxBlockWidth;
            for (int start = 0; start < hiddenSize;)
            {
                int width = GateBlocks.NextBlockWidth(hiddenSize - start, ref vectorWidth);
                RoundRows(parameters, copy, rows, 4 * width, ref source, ref target);
                start += width;
            }
        }

        private static void RoundRows(ReadOnlySpan<float> parameters, Span<uint> copy, int rows, int rowLength, ref int source, ref int target)
        {
            int words = ((rows + 1) / 2) * rowLength;
            RoundRowPairs(parameters.Slice(source, rows * rowLength), rowLength, copy.Slice(target, words));
            source += rows * rowLength;
            target += words;
        }

        /// <summary>The lower row of a word of a row pair (<see cref="RoundRowPairs"/>), widened.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Low(uint pair) => BitConverter.Int32BitsToSingle(unchecked((int)(pair << 16)));

        /// <summary>The upper row of a word of a row pair (<see cref="RoundRowPairs"/>), widened.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float High(uint pair) => BitConverter.Int32BitsToSingle(unchecked((int)(pair & 0xFFFF_0000u)));

        /// <summary>The float32 that <paramref name="value"/> is the upper half of (exact).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float ToSingle(ushort value) => BitConverter.Int32BitsToSingle(value << 16);

        /// <summary><paramref name="value"/> rounded to bfloat16 and widened back: the float32 a bfloat16 model computes with.</summary>
        public static float RoundToSingle(float value) => ToSingle(Round(value));

#if NET8_0_OR_GREATER
        /// <summary>The lower rows of words of row pairs, widened: a shift.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Low(Vector128<uint> pairs) => Vector128.ShiftLeft(pairs, 16).AsSingle();

        /// <summary>The upper rows of words of row pairs, widened: a mask.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> High(Vector128<uint> pairs) => (pairs & Vector128.Create(0xFFFF_0000u)).AsSingle();

        /// <summary>The lower rows of words of row pairs, widened: a shift.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Low(Vector256<uint> pairs) => Vector256.ShiftLeft(pairs, 16).AsSingle();

        /// <summary>The upper rows of words of row pairs, widened: a mask.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> High(Vector256<uint> pairs) => (pairs & Vector256.Create(0xFFFF_0000u)).AsSingle();

        /// <summary>The lower rows of words of row pairs, widened: a shift.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Low(Vector512<uint> pairs) => Vector512.ShiftLeft(pairs, 16).AsSingle();

        /// <summary>The upper rows of words of row pairs, widened: a mask.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> High(Vector512<uint> pairs) => (pairs & Vector512.Create(0xFFFF_0000u)).AsSingle();

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
