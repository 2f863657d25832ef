using System;
using System.Threading;

namespace LstmGen
{
    /// <summary>
    /// How the generated group step, <c>Step(Span&lt;State&gt; states, inputs, outputs)</c>, steps its agents: in groups of
    /// 32, 16 or 8, one agent per lane of two of the widest vectors, every weight broadcast once to a group; or one at a time.
    /// Lanes pay where a model's weights do not fit in a core's L1 data cache (on an AMD EPYC of family 26, 2026-12-07:
    /// 2.4-2.9x the agents per second of single steps at hidden 64 to 256); where they fit, one step at a time already
    /// runs near the core's port budget and moving the states into and out of the lanes makes groups slower (0.87x at
    /// input 8, hidden 32 there; 0.88-0.95x on AMD Zen 1 and Zen 4). Both give the same numbers, bit for bit, so this
    /// setting only moves the speed.
    /// </summary>
    public static class AgentGroups
    {
        /// <summary>The default of <see cref="MinimumParameterBytes"/>: 32 KiB, the smallest L1 data cache of current x86-64 and ARM64 cores.</summary>
        public const int DefaultMinimumParameterBytes = 32 * 1024;

        private static int s_minimumParameterBytes = DefaultMinimumParameterBytes;

        /// <summary>
        /// The smallest model, in bytes of parameters (<c>ParameterCount * 4</c>), whose group step puts its agents in
        /// vector lanes; a smaller model's group step steps them one at a time. 0 puts every model's agents in lanes,
        /// <see cref="int.MaxValue"/> none. Read at every group step, so a change applies to the next one; the portable
        /// tier (netstandard2.1, C# 9) always steps one at a time.
        /// </summary>
        /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
        public static int MinimumParameterBytes
        {
            get => Volatile.Read(ref s_minimumParameterBytes);
            set
            {
                if (value < 0)
                {
                    throw new ArgumentOutOfRangeException(nameof(value), value, "MinimumParameterBytes is a size in bytes: 0 or more.");
                }

                Volatile.Write(ref s_minimumParameterBytes, value);
            }
        }
    }
}
