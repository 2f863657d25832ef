using System;

namespace LstmGen
{
    /// <summary>
    /// A small, fast pseudo-random generator (xoshiro128**, seeded through SplitMix64) whose
    /// sequence depends only on its seed: the same on every machine, operating system and .NET
    /// version, unlike <see cref="Random"/>, whose algorithm is not specified.
    /// </summary>
    public sealed class DeterministicRandom
    {
        private uint _s0;
        private uint _s1;
        private uint _s2;
        private uint _s3;

        /// <summary>Creates a generator whose sequence is fixed by <paramref name="seed"/>.</summary>
        public DeterministicRandom(long seed)
        {
            ulong state = unchecked((ulong)seed);
            ulong first = SplitMix64(ref state);
            ulong second = SplitMix64(ref state);
            _s0 = (uint)first;
            _s1 = (uint)(first >> 32);
            _s2 = (uint)second;
            _s3 = (uint)(second >> 32);
            if ((_s0 | _s1 | _s2 | _s3) == 0)
            {
                _s0 = 1; // xoshiro's one forbidden state; SplitMix64 practically never yields it.
            }
        }

        /// <summary>The next 32 random bits.</summary>
        public uint NextUInt32()
        {
            uint result = RotateLeft(_s1 * 5, 7) * 9;
            uint t = _s1 << 9;
            _s2 ^= _s0;
            _s3 ^= _s1;
            _s1 ^= _s2;
            _s0 ^= _s3;
            _s2 ^= t;
            _s3 = RotateLeft(_s3, 11);
            return result;
        }

        /// <summary>A float uniform in [0, 1), on the 2^-24 grid.</summary>
        public float NextSingle() => (NextUInt32() >> 8) * (1f / (1 << 24));

        /// <summary>A float uniform in [<paramref name="low"/>, <paramref name="high"/>).</summary>
        public float NextSingle(float low, float high) => low + ((high - low) * NextSingle());

        /// <summary>An integer uniform in [0, <paramref name="maxExclusive"/>), without modulo bias.</summary>
        public int NextInt32(int maxExclusive)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
            // Lemire's multiply-and-reject method.
            ulong product = (ulong)NextUInt32() * (uint)maxExclusive;
            uint low = (uint)product;
            if (low < (uint)maxExclusive)
            {
                uint threshold = (uint)(-maxExclusive) % (uint)maxExclusive;
                while (low < threshold)
                {
                    product = (ulong)NextUInt32() * (uint)maxExclusive;
                    low = (uint)product;
                }
            }

            return (int)(product >> 32);
        }

        /// <summary>Shuffles <paramref name="values"/> in place (Fisher-Yates).</summary>
        public void Shuffle<T>(Span<T> values)
        {
            for (int i = values.Length - 1; i > 0; i--)
            {
                int j = NextInt32(i + 1);
                (values[i], values[j]) = (values[j], values[i]);
            }
        }

        private static uint RotateLeft(uint value, int count) => (value << count) | (value >> (32 - count));

        private static ulong SplitMix64(ref ulong state)
        {
            ulong z = state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
