using System;
using System.Runtime.CompilerServices;

namespace LstmGen.CompilerServices
{
    /// <summary>
    /// IEEE 754 operations that .NET Standard 2.1 lacks, computed exactly in software: the fused
    /// multiply-add of floats and the half-precision to float conversion. Compiled into every target,
    /// so the tests compare them with <c>MathF.FusedMultiplyAdd</c> and <c>System.Half</c>.
    /// </summary>
    internal static class SoftFloat
    {
        private const long DoubleSignMask = long.MinValue;

        /// <summary>
        /// Returns a * b + addend rounded once to the nearest float (ties to even), as
        /// <c>MathF.FusedMultiplyAdd</c>: the product of two floats is exact in double (48 significant
        /// bits), the sum is rounded to odd in double (53 bits, exact error from TwoSum), and rounding
        /// that to float (24 bits) is correct because round-to-odd keeps at least two more bits than the
        /// target (Boldo and Melquiond, 2008). Infinities and NaN follow from the double operations; a
        /// NaN result is a NaN, its payload not guaranteed to be the hardware's.
        /// </summary>
        public static float FusedMultiplyAdd(float a, float b, float addend)
        {
            double product = (double)a * b;
            double c = addend;
            double sum = product + c;
            if (double.IsNaN(sum) || double.IsInfinity(sum) || double.IsInfinity(product))
            {
                // An infinite or NaN input: the double operations give IEEE's answer (inf - inf and
                // 0 * inf are NaN). Finite floats never overflow here (|a b| < 2^256).
                return (float)sum;
            }

            // TwoSum: the exact error of the addition (no overflow or underflow: both terms are
            // multiples of 2^-298, far inside double's normal range).
            double productPart = sum - c;
            double addendPart = sum - productPart;
            double error = (product - productPart) + (c - addendPart);
            if (error != 0)
            {
                long bits = BitConverter.DoubleToInt64Bits(sum);
                if ((bits & 1) == 0)
                {
                    // Round to odd: the neighbour of sum on the error's side, whose last bit is 1.
                    bool awayFromZero = (error > 0) == (sum > 0);
                    bits += awayFromZero ? 1 : -1;
                    sum = BitConverter.Int64BitsToDouble(bits);
                }
            }

            return (float)sum;
        }

        /// <summary>The float equal to the IEEE half-precision value with bits <paramref name="bits"/>, as <c>(float)System.Half</c>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float HalfToSingle(ushort bits)
        {
            int sign = (bits & 0x8000) << 16;
            int exponent = (bits >> 10) & 0x1F;
            int mantissa = bits & 0x3FF;
            if (exponent == 0x1F)
            {
                // Infinity, or NaN with its payload kept in the top mantissa bits and quieted (as the hardware converts).
                int quiet = mantissa == 0 ? 0 : 0x400000;
                return BitConverter.Int32BitsToSingle(sign | 0x7F800000 | quiet | (mantissa << 13));
            }

            if (exponent == 0)
            {
                // Zero or subnormal: mantissa * 2^-24, exact in float.
                float magnitude = mantissa * 5.9604644775390625e-8f;
                return BitConverter.Int32BitsToSingle(sign | BitConverter.SingleToInt32Bits(magnitude));
            }

            return BitConverter.Int32BitsToSingle(sign | ((exponent + (127 - 15)) << 23) | (mantissa << 13));
        }
    }
}
