using System;
using System.Diagnostics.CodeAnalysis;

namespace LstmGen.Serialization
{
    /// <summary>
    /// The element types of the safetensors format, in the format's own order (its writer lays
    /// tensors out by this order, descending). <see cref="SafeTensorsDTypes.GetName"/> gives the
    /// name a header uses, for example <c>F8_E4M3</c> for <see cref="F8E4M3"/>.
    /// </summary>
    public enum SafeTensorsDType
    {
        /// <summary><c>BOOL</c>: one byte per element.</summary>
        Bool,

        /// <summary><c>F4</c>: 4-bit float (MXFP4).</summary>
        F4,

        /// <summary><c>F6_E2M3</c>: 6-bit float (MXFP6).</summary>
        F6E2M3,

        /// <summary><c>F6_E3M2</c>: 6-bit float (MXFP6).</summary>
        F6E3M2,

        /// <summary><c>U8</c>: unsigned byte.</summary>
        U8,

        /// <summary><c>I8</c>: signed byte.</summary>
        I8,

        /// <summary><c>F8_E5M2</c>: 8-bit float.</summary>
        F8E5M2,

        /// <summary><c>F8_E4M3</c>: 8-bit float.</summary>
        F8E4M3,

        /// <summary><c>F8_E8M0</c>: 8-bit scale (MX formats).</summary>
        F8E8M0,

        /// <summary><c>F8_E4M3FNUZ</c>: 8-bit float without negative zero.</summary>
        F8E4M3Fnuz,

        /// <summary><c>F8_E5M2FNUZ</c>: 8-bit float without negative zero.</summary>
        F8E5M2Fnuz,

        /// <summary><c>I16</c>: 16-bit signed integer.</summary>
        I16,

        /// <summary><c>U16</c>: 16-bit unsigned integer.</summary>
        U16,

        /// <summary><c>F16</c>: IEEE half precision.</summary>
        F16,

        /// <summary><c>BF16</c>: bfloat16, the upper half of a float.</summary>
        BF16,

        /// <summary><c>I32</c>: 32-bit signed integer.</summary>
        I32,

        /// <summary><c>U32</c>: 32-bit unsigned integer.</summary>
        U32,

        /// <summary><c>F32</c>: IEEE single precision.</summary>
        F32,

        /// <summary><c>C64</c>: complex number of two single-precision parts.</summary>
        C64,

        /// <summary><c>F64</c>: IEEE double precision.</summary>
        F64,

        /// <summary><c>I64</c>: 64-bit signed integer.</summary>
        I64,

        /// <summary><c>U64</c>: 64-bit unsigned integer.</summary>
        U64,
    }

    /// <summary>Names and sizes of <see cref="SafeTensorsDType"/> values.</summary>
    public static class SafeTensorsDTypes
    {
        private static readonly string[] s_names =
        {
            "BOOL", "F4", "F6_E2M3", "F6_E3M2", "U8", "I8", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F8_E4M3FNUZ", "F8_E5M2FNUZ",
            "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "C64", "F64", "I64", "U64",
        };

        private static readonly int[] s_bitSizes =
        {
            8, 4, 6, 6, 8, 8, 8, 8, 8, 8, 8,
            16, 16, 16, 16, 32, 32, 32, 64, 64, 64, 64,
        };

        /// <summary>The names a header may use, in the format's order.</summary>
        public static string KnownNames => string.Join(", ", s_names);

        /// <summary>The name a safetensors header uses for <paramref name="dtype"/>, for example <c>BF16</c>.</summary>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="dtype"/> is not a defined value.</exception>
        public static string GetName(this SafeTensorsDType dtype) => s_names[Index(dtype)];

        /// <summary>The bits one element takes (4 and 6 for the sub-byte floats).</summary>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="dtype"/> is not a defined value.</exception>
        public static int GetBitSize(this SafeTensorsDType dtype) => s_bitSizes[Index(dtype)];

        /// <summary>Parses the name a header uses (case-sensitive, as the format is).</summary>
        public static bool TryParse(string? name, out SafeTensorsDType dtype)
        {
            int index = name is null ? -1 : Array.IndexOf(s_names, name);
            dtype = (SafeTensorsDType)Math.Max(index, 0);
            return index >= 0;
        }

        /// <summary>
        /// The bytes <paramref name="elementCount"/> elements take, or <see langword="false"/> when that
        /// overflows or is not a whole number of bytes (sub-byte types).
        /// </summary>
        public static bool TryGetByteLength(this SafeTensorsDType dtype, long elementCount, out long byteLength)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(elementCount);
            byteLength = 0;
            int bits = dtype.GetBitSize();
            if (elementCount > long.MaxValue / bits)
            {
                return false;
            }

            long totalBits = elementCount * bits;
            if (totalBits % 8 != 0)
            {
                return false;
            }

            byteLength = totalBits / 8;
            return true;
        }

        private static int Index(SafeTensorsDType dtype)
        {
            int index = (int)dtype;
            if ((uint)index >= (uint)s_names.Length)
            {
                ThrowUndefined(dtype);
            }

            return index;
        }

        [DoesNotReturn]
        private static void ThrowUndefined(SafeTensorsDType dtype) =>
            throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Not a safetensors dtype.");
    }
}
