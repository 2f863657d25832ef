using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace LstmGen.CompilerServices
{
    /// <summary>
    /// Moves one agent's values into and out of a lane of a group's vectors: value k of the agent is
    /// element <c>k * width + lane</c> of the group's layout, where a vector holds one value of every agent.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class AgentLanes
    {
        /// <summary>Writes <paramref name="values"/> into lane <paramref name="lane"/> of <paramref name="group"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Gather(ReadOnlySpan<float> values, ref float group, int lane, int width)
        {
            ref float destination = ref Unsafe.Add(ref group, lane);
            for (int k = 0; k < values.Length; k++)
            {
                Unsafe.Add(ref destination, k * width) = values[k];
            }
        }

        /// <summary>Reads lane <paramref name="lane"/> of <paramref name="group"/> into <paramref name="values"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Scatter(ref float group, int lane, int width, Span<float> values)
        {
            ref float source = ref Unsafe.Add(ref group, lane);
            for (int k = 0; k < values.Length; k++)
            {
                values[k] = Unsafe.Add(ref source, k * width);
            }
        }
    }
}
