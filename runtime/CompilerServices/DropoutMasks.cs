using System;
using System.ComponentModel;
using System.Runtime.InteropServices;

namespace LstmGen.CompilerServices
{
    /// <summary>
    /// The masks of dropout between stacked layers in training (PyTorch's <c>dropout</c>): a counter-based generator,
    /// so that unit <c>u</c> of layer <c>k</c>'s output at step <c>t</c> of a sequence is kept or dropped by a hash of
    /// (seed, t, k, u) alone, whichever thread trains the sequence and in whatever order. The hash is SplitMix64's
    /// finaliser: <c>key = Mix(Mix(seed) ^ t)</c>, <c>bits = Mix(key ^ ((k &lt;&lt; 32) | u))</c>; the unit is kept when the
    /// top 24 bits as a fraction of 2^24 are at least p, and a kept value is scaled by 1 / (1 - p) (inverted dropout).
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class DropoutMasks
    {
        /// <summary>SplitMix64's step and finaliser.</summary>
        public static ulong Mix(ulong value)
        {
            unchecked
            {
                ulong z = value + 0x9E3779B97F4A7C15UL;
                z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
                z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
                return z ^ (z >> 31);
            }
        }

        /// <summary>
        /// The seed of one sequence of an epoch: a hash of the trainer's seed, the epoch and the sequence's position in
        /// the epoch's order, so that it does not depend on the worker that trains it.
        /// </summary>
        public static ulong SequenceSeed(int seed, int epoch, int position) =>
            Mix(Mix(((ulong)(uint)seed << 32) | (uint)epoch) ^ (uint)position);

        /// <summary>
        /// Fills <paramref name="factors"/> with layer <paramref name="layer"/>'s mask at <paramref name="step"/> (0 for a
        /// dropped unit, 1 / (1 - p) for a kept one) and writes <paramref name="hidden"/> times it to
        /// <paramref name="dropped"/>, what the layer above reads.
        /// </summary>
        public static void Apply(ulong seed, int step, int layer, float probability, ref float hidden, ref float factors, ref float dropped, int count)
        {
            ReadOnlySpan<float> input = MemoryMarshal.CreateReadOnlySpan(ref hidden, count);
            Span<float> mask = MemoryMarshal.CreateSpan(ref factors, count);
            Span<float> output = MemoryMarshal.CreateSpan(ref dropped, count);
            ulong key = Mix(Mix(seed) ^ (uint)step);
            float scale = 1f / (1f - probability);
            for (int unit = 0; unit < count; unit++)
            {
                ulong bits = Mix(key ^ (((ulong)(uint)layer << 32) | (uint)unit));
                float factor = (bits >> 40) * (1f / 16777216f) >= probability ? scale : 0f;
                mask[unit] = factor;
                output[unit] = input[unit] * factor;
            }
        }

        /// <summary>The backward pass of the mask: each element of <paramref name="gradient"/> times its factor.</summary>
        public static void Backward(ref float gradient, ref float factors, int count)
        {
            Span<float> gradients = MemoryMarshal.CreateSpan(ref gradient, count);
            ReadOnlySpan<float> mask = MemoryMarshal.CreateReadOnlySpan(ref factors, count);
            for (int unit = 0; unit < count; unit++)
            {
                gradients[unit] *= mask[unit];
            }
        }
    }
}
