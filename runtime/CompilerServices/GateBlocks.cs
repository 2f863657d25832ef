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
        /// The width of the next block when <paramref name="remaining"/> units are left:
        /// the widest vector width that fits, or all the remaining units once fewer than 4 are left.
        /// </summary>
        private static int NextBlockWidth(int remaining, ref int vectorWidth)
        {
            while (vectorWidth >= MinimumVectorWidth && remaining < vectorWidth)
            {
                vectorWidth /= 2;
            }

            return vectorWidth >= MinimumVectorWidth ? vectorWidth : remaining;
        }
    }
}
