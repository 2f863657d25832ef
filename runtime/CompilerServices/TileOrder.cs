using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace LstmGen.CompilerServices
{
    /// <summary>
    /// Which way the step kernels of a large generated model run over their tiles, on this thread: from the first to
    /// the last at one step, from the last to the first at the next.
    /// </summary>
    /// <remarks>
    /// Where a model's weights outgrow the L2 cache, a step that always reads them in one order finds none of them
    /// there: the cache keeps what was read last, and the next step starts with what was read first. In the
    /// opposite order the next step starts with the weights read last, which the cache still holds (at hidden 256
    /// 1.2-1.3x faster, measured on the AMD EPYC of benchmarks/RESULTS.md, whose 1 MiB L2 holds most of a layer).
    /// Each tile sums its own gate columns, so the order changes no result: every order gives the same bits.
    /// A kernel counts its own calls: one that serves several layers of a step (one kernel for every layer, or
    /// for the layers above the first) turns at each step, not at each call.
    /// </remarks>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class TileOrder
    {
        [ThreadStatic]
        private static uint t_firstLayerCalls;

        [ThreadStatic]
        private static uint t_upperLayerCalls;

        /// <summary>Whether this call of the first layer's kernel, called <paramref name="callsPerStep"/> times a step, runs its tiles backwards.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool FirstLayerDescending(uint callsPerStep) => ((t_firstLayerCalls++ / callsPerStep) & 1) != 0;

        /// <summary>Whether this call of the upper layers' kernel, called <paramref name="callsPerStep"/> times a step, runs its tiles backwards.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool UpperLayerDescending(uint callsPerStep) => ((t_upperLayerCalls++ / callsPerStep) & 1) != 0;
    }
}
