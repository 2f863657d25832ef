using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Linq;

namespace LstmGen.Serialization
{
    /// <summary>A tensor to write to a safetensors file: a name, a dtype, a row-major shape and its little-endian bytes.</summary>
    public sealed class SafeTensorsTensor
    {
        private readonly long[] _shape;

        /// <summary>Creates a tensor from its raw little-endian bytes.</summary>
        /// <param name="name">The tensor's name; not <c>__metadata__</c>, which the format reserves.</param>
        /// <param name="dtype">The element type.</param>
        /// <param name="shape">The shape, row-major; empty for a scalar.</param>
        /// <param name="data">The elements' bytes, little-endian, row-major: exactly as many as the shape and dtype take.</param>
        /// <exception cref="ArgumentException">A dimension is negative, or <paramref name="data"/> has the wrong length.</exception>
        public SafeTensorsTensor(string name, SafeTensorsDType dtype, IReadOnlyList<long> shape, ReadOnlyMemory<byte> data)
        {
            ArgumentNullException.ThrowIfNull(name);
            ArgumentNullException.ThrowIfNull(shape);
            if (name == SafeTensorsFile.MetadataKey)
            {
                throw new ArgumentException($"'{SafeTensorsFile.MetadataKey}' is reserved for the header's metadata and cannot name a tensor.", nameof(name));
            }

            _shape = shape.ToArray();
            if (!SafeTensorsEntry.TryCountElements(_shape, out long elementCount))
            {
                throw new ArgumentException($"Shape {SafeTensorsEntry.FormatShape(_shape)} of tensor '{name}' has a negative dimension or too many elements.", nameof(shape));
            }

            if (!dtype.TryGetByteLength(elementCount, out long byteLength))
            {
                throw new ArgumentException($"Tensor '{name}': {elementCount} elements of {dtype.GetName()} are not a whole number of bytes.", nameof(shape));
            }

            if (data.Length != byteLength)
            {
                throw new ArgumentException(
                    $"Tensor '{name}' has dtype {dtype.GetName()} and shape {SafeTensorsEntry.FormatShape(_shape)}, which take {byteLength} bytes, but the data has {data.Length}.",
                    nameof(data));
            }

            Name = name;
            DType = dtype;
            ElementCount = elementCount;
            Data = data;
        }

        /// <summary>The tensor's name.</summary>
        public string Name { get; }

        /// <summary>The element type.</summary>
        public SafeTensorsDType DType { get; }

        /// <summary>The shape, row-major; empty for a scalar.</summary>
        public IReadOnlyList<long> Shape => _shape;

        /// <summary>The number of elements.</summary>
        public long ElementCount { get; }

        /// <summary>The elements' bytes, little-endian, row-major.</summary>
        public ReadOnlyMemory<byte> Data { get; }

        /// <summary>Creates an <see cref="SafeTensorsDType.F32"/> tensor from floats.</summary>
        /// <exception cref="ArgumentException"><paramref name="values"/> does not have the shape's element count.</exception>
        public static SafeTensorsTensor FromSingles(string name, IReadOnlyList<long> shape, ReadOnlySpan<float> values)
        {
            byte[] data = new byte[checked(values.Length * sizeof(float))];
            EncodeSingles(values, data);
            return new SafeTensorsTensor(name, SafeTensorsDType.F32, shape, data);
        }

        /// <summary>Writes floats as little-endian F32 bytes; <paramref name="destination"/> holds 4 bytes per value.</summary>
        internal static void EncodeSingles(ReadOnlySpan<float> values, Span<byte> destination)
        {
            for (int i = 0; i < values.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(destination.Slice(i * sizeof(float), sizeof(float)), values[i]);
            }
        }
    }
}
