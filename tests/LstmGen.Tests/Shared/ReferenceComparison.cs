using System;
using System.Security.Cryptography;

namespace LstmGen.Tests.Reference
{
    internal static class ReferenceComparison
    {
        public static double MaxAbsoluteError(ReadOnlySpan<float> actual, double[] expected)
        {
            if (actual.Length != expected.Length)
            {
                throw new ArgumentException($"Lengths differ: {actual.Length} computed, {expected.Length} expected.");
            }

            double max = 0;
            for (int i = 0; i < actual.Length; i++)
            {
                double error = Math.Abs(actual[i] - expected[i]);
                max = double.IsNaN(error) ? double.PositiveInfinity : Math.Max(max, error);
            }

            return max;
        }

        /// <summary>A SHA-256 of the exact bits of the given arrays, in order.</summary>
        public static string Digest(params float[][] arrays)
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            foreach (float[] array in arrays)
            {
                hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(array.AsSpan()));
            }

            return Convert.ToHexString(hash.GetHashAndReset());
        }
    }
}
