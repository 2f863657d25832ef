using System;

namespace LstmGen.Benchmarks.Infrastructure
{
    /// <summary>Repeatable benchmark inputs.</summary>
    public static class Data
    {
        /// <summary><paramref name="count"/> values uniform in [-1, 1), the same for a seed on every run.</summary>
        public static float[] Uniform(int count, int seed)
        {
            var random = new Random(seed);
            float[] values = new float[count];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = (float)((random.NextDouble() * 2) - 1);
            }

            return values;
        }
    }
}
