using System;
using System.Collections.Generic;

namespace LstmGen.Serialization
{
    /// <summary>
    /// One tensor of a safetensors header: its name, dtype, row-major shape and the byte range of its
    /// data, relative to the first byte after the header.
    /// </summary>
    public sealed class SafeTensorsEntry
    {
        private readonly long[] _shape;

        internal SafeTensorsEntry(string name, SafeTensorsDType dtype, long[] shape, long elementCount, long begin, long end)
        {
            Name = name;
            DType = dtype;
            _shape = shape;
            ElementCount = elementCount;
            Begin = begin;
            End = end;
        }

        /// <summary>The tensor's name, for example <c>lstm.weight_ih_l0</c>.</summary>
        public string Name { get; }

        /// <summary>The element type.</summary>
        public SafeTensorsDType DType { get; }

        /// <summary>The shape, row-major; empty for a scalar.</summary>
        public IReadOnlyList<long> Shape => _shape;

        /// <summary>The number of elements: the product of <see cref="Shape"/> (1 for a scalar).</summary>
        public long ElementCount { get; }

        /// <summary>Where the tensor's bytes begin, relative to the first byte after the header.</summary>
        public long Begin { get; }

        /// <summary>Where the tensor's bytes end (exclusive), relative to the first byte after the header.</summary>
        public long End { get; }

        /// <summary>The tensor's size in bytes.</summary>
        public long ByteLength => End - Begin;

        /// <summary>The shape as PyTorch prints it, for example <c>[16, 3]</c>.</summary>
        public string ShapeText => FormatShape(_shape);

        /// <inheritdoc/>
        public override string ToString() => $"'{Name}' {DType.GetName()} {ShapeText} at data offsets [{Begin}, {End}]";

        internal static string FormatShape(IEnumerable<long> shape) => "[" + string.Join(", ", shape) + "]";

        internal static string FormatShape(IEnumerable<int> shape) => "[" + string.Join(", ", shape) + "]";

        internal bool HasShape(IReadOnlyList<int> shape)
        {
            if (shape.Count != _shape.Length)
            {
                return false;
            }

            for (int i = 0; i < _shape.Length; i++)
            {
                if (_shape[i] != shape[i])
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>The element count of a shape, or <see langword="false"/> when it overflows.</summary>
        internal static bool TryCountElements(ReadOnlySpan<long> shape, out long count)
        {
            count = 1;
            foreach (long dimension in shape)
            {
                if (dimension < 0 || (dimension != 0 && count > long.MaxValue / dimension))
                {
                    count = 0;
                    return false;
                }

                count *= dimension;
            }

            return true;
        }
    }
}
