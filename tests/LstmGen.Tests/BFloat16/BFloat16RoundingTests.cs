using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.Intrinsics;
using System.Text.Json;
using Xunit;
using BF16 = LstmGen.CompilerServices.BFloat16;

namespace LstmGen.Tests.BFloat16
{
    /// <summary>Rounding float32 to bfloat16 (to nearest, ties to even) and widening it back.</summary>
    public sealed class BFloat16RoundingTests
    {
        /// <summary>Patterns whose result follows from the definition: keep the upper half, add one when the dropped half is above 0x8000, or equal to it with an odd kept half.</summary>
        [Theory]
        [InlineData(0x3F800000u, 0x3F80)] // 1: exact
        [InlineData(0x3F808000u, 0x3F80)] // a tie, the kept half even: down
        [InlineData(0x3F818000u, 0x3F82)] // a tie, the kept half odd: up to even
        [InlineData(0x3F808001u, 0x3F81)] // just above the tie: up
        [InlineData(0x3F807FFFu, 0x3F80)] // just below the tie: down
        [InlineData(0xBF818000u, 0xBF82)] // a negative tie: away from zero to the even one
        [InlineData(0x80000000u, 0x8000)] // -0 stays -0
        [InlineData(0x00000001u, 0x0000)] // the smallest subnormal rounds to +0
        [InlineData(0x00018000u, 0x0002)] // a subnormal tie, to even
        [InlineData(0x7F7F7FFFu, 0x7F7F)] // just below the largest bfloat16's tie: the largest bfloat16
        [InlineData(0x7F7F8000u, 0x7F80)] // the tie above the largest bfloat16 (odd): infinity
        [InlineData(0x7F7FFFFFu, 0x7F80)] // float.MaxValue: infinity
        [InlineData(0x7F800000u, 0x7F80)] // +infinity
        [InlineData(0xFF800000u, 0xFF80)] // -infinity
        public void RoundsToNearestEven(uint float32, int bfloat16)
        {
            Assert.Equal((ushort)bfloat16, BF16.Round(BitConverter.UInt32BitsToSingle(float32)));
        }

        [Theory]
        [InlineData(0x7FC00000u)] // the quiet NaN
        [InlineData(0x7F800001u)] // a NaN whose payload lies in the lower half only: truncation would give infinity
        [InlineData(0xFF80FFFFu)] // a negative NaN, the same
        [InlineData(0x7FFFFFFFu)] // a NaN whose rounding would carry out of the exponent
        public void NaNStaysNaNWithItsSign(uint float32)
        {
            float value = BitConverter.UInt32BitsToSingle(float32);
            ushort rounded = BF16.Round(value);
            Assert.True(float.IsNaN(BF16.ToSingle(rounded)), $"0x{float32:X8} rounded to 0x{rounded:X4}, not a NaN");
            Assert.Equal(float32 >> 31, (uint)rounded >> 15);
        }

        /// <summary>PyTorch's own rounding (Fixtures/BFloat16/rounding.json, from make_bf16_cases.py) of special and 5,000 hashed patterns.</summary>
        [Fact]
        public void RoundsAsPyTorchDoes()
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "BFloat16", "rounding.json")));
            uint[] float32 = document.RootElement.GetProperty("float32").EnumerateArray().Select(e => e.GetUInt32()).ToArray();
            int[] bfloat16 = document.RootElement.GetProperty("bfloat16").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            Assert.True(float32.Length > 5000);
            Assert.Equal(float32.Length, bfloat16.Length);
            for (int i = 0; i < float32.Length; i++)
            {
                ushort rounded = BF16.Round(BitConverter.UInt32BitsToSingle(float32[i]));
                Assert.True(rounded == bfloat16[i], $"0x{float32[i]:X8}: 0x{rounded:X4}, PyTorch 0x{bfloat16[i]:X4}");
            }
        }

        /// <summary>
        /// Against a second, independent rounding: the two bfloat16 neighbours of the value, compared in double
        /// (the one above the largest finite bfloat16 taken as 2^128), the nearer one or on a tie the even one.
        /// </summary>
        [Fact]
        public void MatchesNearestNeighbourInDouble()
        {
            var random = new Random(7);
            for (int i = 0; i < 200_000; i++)
            {
                uint bits = (uint)random.NextInt64(0, 1L << 32);
                if (i % 4 == 0)
                {
                    bits = (bits & 0xFFFF0000u) | 0x8000u; // a tie
                }

                float value = BitConverter.UInt32BitsToSingle(bits);
                if (float.IsNaN(value) || float.IsInfinity(value))
                {
                    continue;
                }

                uint below = bits & 0xFFFF0000u;
                uint above = below + 0x10000u;
                double lower = BitConverter.UInt32BitsToSingle(below);
                double upper = (above & 0x7F800000u) == 0x7F800000u ? Math.CopySign(Math.Pow(2, 128), value) : BitConverter.UInt32BitsToSingle(above);
                double toLower = Math.Abs(value - lower);
                double toUpper = Math.Abs(upper - value);
                uint expected = toLower < toUpper ? below : toUpper < toLower ? above : ((below >> 16) & 1) == 0 ? below : above;
                Assert.True(BF16.Round(value) == (ushort)(expected >> 16), $"0x{bits:X8}: 0x{BF16.Round(value):X4}, expected 0x{expected >> 16:X4}");
            }
        }

        [Fact]
        public void SpansRoundEveryValueAndRefuseAnotherLength()
        {
            float[] values = Enumerable.Range(0, 37).Select(i => BitConverter.UInt32BitsToSingle(0x3F808000u + ((uint)i << 16))).ToArray();
            ushort[] rounded = new ushort[values.Length];
            BF16.Round(values, rounded);
            Assert.Equal(values.Select(BF16.Round), rounded);
            var error = Assert.Throws<ArgumentException>(() => BF16.Round(values, new ushort[3]));
            Assert.Contains("3 bfloat16 values", error.Message, StringComparison.Ordinal);
            Assert.Contains("37 floats", error.Message, StringComparison.Ordinal);
        }

        /// <summary>Widening is exact, and each vector load widens the values a scalar load does, at any offset.</summary>
        [Fact]
        public void VectorLoadsWidenAsScalarLoadsDo()
        {
            var random = new Random(3);
            ushort[] data = Enumerable.Range(0, 64).Select(_ => (ushort)random.Next(0, 65536)).ToArray();
            foreach (ushort value in data)
            {
                Assert.Equal((uint)value << 16, BitConverter.SingleToUInt32Bits(BF16.ToSingle(value)));
            }

            for (int offset = 0; offset < 16; offset++)
            {
                uint[] Expected(int count) => data.Skip(offset).Take(count).Select(v => (uint)v << 16).ToArray();
                Assert.Equal(Expected(4), Bits(BF16.Load128(ref data[0], (nuint)offset)));
                Assert.Equal(Expected(8), Bits(BF16.Load256(ref data[0], (nuint)offset)));
                Assert.Equal(Expected(16), Bits(BF16.Load512(ref data[0], (nuint)offset)));
            }
        }

        /// <summary>Row pairs: row 2p in the lower half of each word, row 2p + 1 in the upper, an odd last row's partner 0.</summary>
        [Fact]
        public void RowPairsHoldTwoRowsPerWord()
        {
            float[] rows = BFloat16CaseValues(3 * 5);
            uint[] pairs = new uint[2 * 5];
            BF16.RoundRowPairs(rows, 5, pairs);
            for (int column = 0; column < 5; column++)
            {
                Assert.Equal(BF16.Round(rows[column]), pairs[column] & 0xFFFF);
                Assert.Equal(BF16.Round(rows[5 + column]), pairs[column] >> 16);
                Assert.Equal(BF16.Round(rows[10 + column]), pairs[5 + column] & 0xFFFF);
                Assert.Equal(0u, pairs[5 + column] >> 16);
                Assert.Equal(BF16.RoundToSingle(rows[column]), BF16.Low(pairs[column]));
                Assert.Equal(BF16.RoundToSingle(rows[5 + column]), BF16.High(pairs[column]));
            }

            var error = Assert.Throws<ArgumentException>(() => BF16.RoundRowPairs(rows, 5, new uint[15]));
            Assert.Contains("need 10 words", error.Message, StringComparison.Ordinal);
            Assert.Throws<ArgumentException>(() => BF16.RoundRowPairs(rows, 4, new uint[8]));
        }

        /// <summary>
        /// Row pairs of long rows (rounded eight columns at a time where 256-bit vectors are accelerated, then the rest
        /// one at a time) hold what <see cref="BF16.Round(float)"/> gives every value: ties, NaNs, infinities, overflow.
        /// </summary>
        [Fact]
        public void LongRowPairsRoundEveryValueAsOneAtATime()
        {
            const int rowLength = 67;
            var random = new Random(11);
            uint[] special = { 0x3F808000u, 0x3F818000u, 0x7F7F8000u, 0x7F800001u, 0xFF80FFFFu, 0x7FFFFFFFu, 0x7F800000u, 0x80000000u, 0x00018000u };
            float[] rows = Enumerable.Range(0, 5 * rowLength).Select(i => BitConverter.UInt32BitsToSingle(
                i < special.Length * 3 ? special[i % special.Length] : i % 3 == 0 ? ((uint)random.NextInt64(0, 1L << 32) & 0xFFFF0000u) | 0x8000u : (uint)random.NextInt64(0, 1L << 32))).ToArray();
            uint[] pairs = new uint[3 * rowLength];
            BF16.RoundRowPairs(rows, rowLength, pairs);
            for (int row = 0; row < 5; row++)
            {
                for (int column = 0; column < rowLength; column++)
                {
                    uint word = pairs[(row / 2 * rowLength) + column];
                    uint half = row % 2 == 0 ? word & 0xFFFF : word >> 16;
                    Assert.True(half == BF16.Round(rows[(row * rowLength) + column]), $"row {row}, column {column}: 0x{half:X4}, one at a time 0x{BF16.Round(rows[(row * rowLength) + column]):X4}");
                }
            }
        }

        /// <summary>The vector halves of row pairs widen as the scalar ones do.</summary>
        [Fact]
        public void VectorRowPairsWidenAsScalarOnesDo()
        {
            var random = new Random(5);
            uint[] words = Enumerable.Range(0, 16).Select(_ => (uint)random.NextInt64(0, 1L << 32)).ToArray();
            Vector512<uint> pairs = Vector512.Create(words);
            uint[] Expected(Func<uint, float> half, int count) => words.Take(count).Select(w => BitConverter.SingleToUInt32Bits(half(w))).ToArray();
            Assert.Equal(Expected(BF16.Low, 16), Bits(BF16.Low(pairs)));
            Assert.Equal(Expected(BF16.High, 16), Bits(BF16.High(pairs)));
            Assert.Equal(Expected(BF16.Low, 8), Bits(BF16.Low(pairs.GetLower())));
            Assert.Equal(Expected(BF16.High, 8), Bits(BF16.High(pairs.GetLower())));
            Assert.Equal(Expected(BF16.Low, 4), Bits(BF16.Low(pairs.GetLower().GetLower())));
            Assert.Equal(Expected(BF16.High, 4), Bits(BF16.High(pairs.GetLower().GetLower())));
        }

        /// <summary>
        /// An LSTM's copy: per layer W_ih and W_hh in row pairs, block by block as the parameters keep them (a block's
        /// pairs of rows together), b_ih and b_hh as one pair, then the head two values per word; a span of another
        /// length is refused. Hidden 2 is one block; hidden 40 three (16, 16 and 8 units). With projections (P &gt; 0) W_hh
        /// and the upper layer's W_ih have P rows, and each layer's W_hr [P, H] follows its biases two values per word
        /// (3 x 5 values: a last odd one's partner 0).
        /// </summary>
        [Theory]
        [InlineData(3, 2, 0)]
        [InlineData(5, 40, 0)]
        [InlineData(3, 5, 3)]
        [InlineData(5, 40, 17)]
        public void AnLstmsCopyIsItsLayersInRowPairsThenTheHead(int input, int hidden, int projection)
        {
            const int layers = 2, head = 5, maxBlockWidth = 16;
            int gateRow = 4 * hidden;
            int recurrent = projection > 0 ? projection : hidden;
            int projectionLength = projection * hidden;
            int parameterCount = ((input + recurrent + 2) * gateRow) + projectionLength + ((2 * recurrent + 2) * gateRow) + projectionLength + head;
            float[] parameters = BFloat16CaseValues(parameterCount);
            int length = projection > 0 ? BF16.LstmLength(input, hidden, projection, layers, head) : BF16.LstmLength(input, hidden, layers, head);
            int projectionWords = (projectionLength + 1) / 2;
            Assert.Equal(((((input + 1) / 2) + ((recurrent + 1) / 2) + 1) * gateRow) + projectionWords + ((((recurrent + 1) / 2) + ((recurrent + 1) / 2) + 1) * gateRow) + projectionWords + 3, length);
            uint[] copy = new uint[length];
            if (projection > 0)
            {
                BF16.RoundLstm(parameters, copy, input, hidden, projection, layers, head, maxBlockWidth);
            }
            else
            {
                BF16.RoundLstm(parameters, copy, input, hidden, layers, head, maxBlockWidth);
            }

            // Each weight's element (k, c) is half of a word of its block's pair k / 2: the lower half for even k.
            int source = 0;
            int target = 0;
            void Weight(int rows)
            {
                foreach ((int start, int width) in LstmGen.CompilerServices.GateBlocks.Split(hidden, maxBlockWidth))
                {
                    for (int k = 0; k < rows; k++)
                    {
                        for (int c = 4 * start; c < 4 * (start + width); c++)
                        {
                            uint word = copy[target + (((rows + 1) / 2) * 4 * start) + ((k / 2) * 4 * width) + (c - (4 * start))];
                            ushort half = (ushort)(k % 2 == 0 ? word & 0xFFFF : word >> 16);
                            float value = parameters[source + LstmGen.CompilerServices.GateBlocks.PackedOffset(hidden, maxBlockWidth, rows, k, c)];
                            Assert.Equal(BF16.Round(value), half);
                        }
                    }

                    if (rows % 2 == 1)
                    {
                        // The upper half of an odd last row's pair is zero.
                        Assert.Equal(0u, copy[target + (((rows + 1) / 2) * 4 * start) + ((rows / 2) * 4 * width)] >> 16);
                    }
                }

                source += rows * gateRow;
                target += ((rows + 1) / 2) * gateRow;
            }

            void Biases()
            {
                for (int c = 0; c < gateRow; c++)
                {
                    Assert.Equal(BF16.Round(parameters[source + c]) | ((uint)BF16.Round(parameters[source + gateRow + c]) << 16), copy[target + c]);
                }

                source += 2 * gateRow;
                target += gateRow;
            }

            // count values (W_hr, or the head), two per word, a last odd value's partner 0.
            void SideBySide(int count)
            {
                ushort[] values = parameters.Skip(source).Take(count).Select(BF16.Round).Append((ushort)0).ToArray();
                for (int i = 0; i + 1 < values.Length; i += 2)
                {
                    Assert.Equal(values[i] | ((uint)values[i + 1] << 16), copy[target + (i / 2)]);
                }

                source += count;
                target += (count + 1) / 2;
            }

            Weight(input);
            Weight(recurrent);
            Biases();
            SideBySide(projectionLength);
            Weight(recurrent);
            Weight(recurrent);
            Biases();
            SideBySide(projectionLength);
            SideBySide(head);
            Assert.Equal(length, target);

            var error = Assert.Throws<ArgumentException>(() =>
            {
                if (projection > 0)
                {
                    BF16.RoundLstm(parameters, new uint[length + 1], input, hidden, projection, layers, head, maxBlockWidth);
                }
                else
                {
                    BF16.RoundLstm(parameters, new uint[length + 1], input, hidden, layers, head, maxBlockWidth);
                }
            });
            Assert.Contains($"{parameterCount} parameters", error.Message, StringComparison.Ordinal);
        }

        private static float[] BFloat16CaseValues(int count) => LstmGen.Tests.Reference.BFloat16Case.Recipe(77, count, -1, ties: true);

        private static uint[] Bits(Vector128<float> vector) => Enumerable.Range(0, 4).Select(i => BitConverter.SingleToUInt32Bits(vector.GetElement(i))).ToArray();

        private static uint[] Bits(Vector256<float> vector) => Enumerable.Range(0, 8).Select(i => BitConverter.SingleToUInt32Bits(vector.GetElement(i))).ToArray();

        private static uint[] Bits(Vector512<float> vector) => Enumerable.Range(0, 16).Select(i => BitConverter.SingleToUInt32Bits(vector.GetElement(i))).ToArray();
    }
}
