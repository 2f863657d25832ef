using System;
using LstmGen.Generator.Model;

namespace LstmGen.Generator.Weights
{
    /// <summary>
    /// The bytes of a file, compared by value, so that the pipeline can tell that an edited file is the same
    /// as before (an IDE may hand over a new <c>AdditionalText</c> for a file whose bytes did not change).
    /// </summary>
    internal sealed class ByteBlob : IEquatable<ByteBlob>
    {
        private readonly byte[] _bytes;
        private readonly int _hash;

        public ByteBlob(byte[] bytes)
        {
            _bytes = bytes;

            // FNV-1a over every byte, once: equal blobs have equal hashes, and unequal ones rarely do.
            uint hash = 2166136261;
            foreach (byte b in bytes)
            {
                hash = (hash ^ b) * 16777619;
            }

            _hash = unchecked((int)hash);
        }

        public int Length => _bytes.Length;

        public byte this[long index] => _bytes[index];

        public bool Equals(ByteBlob? other) =>
            other is not null && (ReferenceEquals(this, other) || (other._hash == _hash && ((ReadOnlySpan<byte>)_bytes).SequenceEqual(other._bytes)));

        public override bool Equals(object? obj) => Equals(obj as ByteBlob);

        public override int GetHashCode() => _hash;
    }

    /// <summary>One tensor of a safetensors header: its name, dtype name, shape and data byte range.</summary>
    internal sealed record WeightEntry(string Name, string DType, EquatableArray<long> Shape, long Begin, long End)
    {
        public long ElementCount
        {
            get
            {
                long count = 1;
                foreach (long dimension in Shape)
                {
                    count *= dimension;
                }

                return count;
            }
        }

        public string ShapeText => FormatShape(Shape);

        public static string FormatShape(System.Collections.Generic.IEnumerable<long> shape) =>
            "[" + string.Join(", ", System.Linq.Enumerable.Select(shape, d => d.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]";
    }

    /// <summary>
    /// A weight file as the generator read it: its path, and either its tensors (with the offset of the data
    /// section and the file's bytes) or why it cannot be read. Compared by value, bytes included.
    /// </summary>
    internal sealed record WeightFileContents(string Path, EquatableArray<WeightEntry> Entries, long DataStart, ByteBlob? Bytes, string? Error)
    {
        public static WeightFileContents Failed(string path, string error) =>
            new(path, EquatableArray<WeightEntry>.Empty, 0, null, error);
    }
}
