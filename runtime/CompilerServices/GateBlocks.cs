// This file is compiled into both the runtime and the generator (linked), so that the
// packed weight layout the generator plans and the layout the runtime packs are one rule.
using System.Collections.Generic;

namespace LstmGen.CompilerServices
{
    /// <summary>
    /// Splits the hidden units of a recurrent layer into the blocks of the packed gate layout.
    /// </summary>
    /// <remarks>
    /// A packed gate row holds the G * HiddenSize gate columns of one input (or recurrent
    /// input) for every unit, for the G gates of the cell (an LSTM's 4, a GRU's 3). Units are grouped in
    /// blocks: as many blocks of the widest width as fit, then at most one block of each halved width
    /// down to 4, then one last block of fewer than 4 units. Inside a block of width w starting at unit s,
    /// gate g (an LSTM's 0 = i, 1 = f, 2 = g, 3 = o) of unit u sits at column G * s + g * w + (u - s): the
    /// gates of a block are adjacent vectors, so one pass over a row updates all gates of those units.
    /// <para>
    /// A weight of <c>rows</c> packed rows is kept block by block (<see cref="PackedOffset"/>): each block's
    /// G * w columns of every row, row after row, then the next block's. A step reads each block's weights
    /// strictly in order, every cache line whole, so that weights beyond the L1 cache stream at the rate of the
    /// cache they come from (at hidden 128 the step reads them 1.4x faster than from whole packed rows, whose
    /// tiles each took a part of every row; measured on the AMD EPYC of benchmarks/RESULTS.md). A bias (one row)
    /// is one packed row either way.
    /// </para>
    /// </remarks>
    internal static class GateBlocks
    {
        /// <summary>The narrowest block that is processed with vectors.</summary>
        public const int MinimumVectorWidth = 4;

        /// <summary>The blocks of <paramref name="hiddenSize"/> units, in order.</summary>
        public static List<(int Start, int Width)> Split(int hiddenSize, int maxBlockWidth)
        {
            var blocks = new List<(int Start, int Width)>();
            int width = maxBlockWidth;
            for (int start = 0; start < hiddenSize; start += blocks[blocks.Count - 1].Width)
            {
                blocks.Add((start, NextBlockWidth(hiddenSize - start, ref width)));
            }

            return blocks;
        }

        /// <summary>
        /// The runs of consecutive blocks of one width in <paramref name="blocks"/> (as <see cref="Split"/> gives them): each
        /// run's first unit, its blocks' width and how many blocks it has.
        /// </summary>
        public static List<(int Start, int Width, int Count)> Runs(IReadOnlyList<(int Start, int Width)> blocks)
        {
            var runs = new List<(int Start, int Width, int Count)>();
            foreach ((int start, int width) in blocks)
            {
                if (runs.Count > 0 && runs[runs.Count - 1].Width == width)
                {
                    runs[runs.Count - 1] = (runs[runs.Count - 1].Start, width, runs[runs.Count - 1].Count + 1);
                }
                else
                {
                    runs.Add((start, width, 1));
                }
            }

            return runs;
        }

        /// <summary>The column of gate <paramref name="gate"/> of unit <paramref name="unit"/> in a packed row of <paramref name="gateCount"/> gates.</summary>
        public static int PackedColumn(int hiddenSize, int maxBlockWidth, int gate, int unit, int gateCount = 4)
        {
            int width = maxBlockWidth;
            int start = 0;
            while (true)
            {
                int blockWidth = NextBlockWidth(hiddenSize - start, ref width);
                if (unit < start + blockWidth)
                {
                    return (gateCount * start) + (gate * blockWidth) + (unit - start);
                }

                start += blockWidth;
            }
        }

        /// <summary>
        /// Where the element of packed row <paramref name="row"/> (an input) and packed column
        /// <paramref name="packedColumn"/> sits in a weight of <paramref name="rows"/> packed rows of a cell of
        /// <paramref name="gateCount"/> gates G: a block of width w starting at column b = G * s holds rows * G * w
        /// floats from rows * b on, its row k from rows * b + k * G * w.
        /// </summary>
        public static int PackedOffset(int hiddenSize, int maxBlockWidth, int rows, int row, int packedColumn, int gateCount = 4)
        {
            int width = maxBlockWidth;
            int start = 0;
            while (true)
            {
                int blockWidth = NextBlockWidth(hiddenSize - start, ref width);
                int blockColumn = gateCount * start;
                if (packedColumn < blockColumn + (gateCount * blockWidth))
                {
                    return (rows * blockColumn) + (row * gateCount * blockWidth) + (packedColumn - blockColumn);
                }

                start += blockWidth;
            }
        }

        /// <summary>
        /// The width of the next block when <paramref name="remaining"/> units are left:
        /// the widest vector width that fits, or all the remaining units once fewer than 4 are left. Start
        /// <paramref name="vectorWidth"/> at the widest block's width; the blocks follow without a list (see <see cref="Split"/>).
        /// </summary>
        public static int NextBlockWidth(int remaining, ref int vectorWidth)
        {
            while (vectorWidth >= MinimumVectorWidth && remaining < vectorWidth)
            {
                vectorWidth /= 2;
            }

            return vectorWidth >= MinimumVectorWidth ? vectorWidth : remaining;
        }
    }
}
