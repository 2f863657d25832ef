using System;
using System.IO;

namespace LstmGen.Serialization
{
    /// <summary>
    /// Reads a safetensors file's header, then only the tensors asked for, straight from the stream:
    /// a seekable stream seeks to each tensor, one that cannot seek reads past what is skipped. Memory
    /// is the header, the floats asked for and one buffer of <see cref="ChunkBytes"/>, whatever the
    /// file's size.
    /// </summary>
    internal sealed class SafeTensorsStreamReader
    {
        /// <summary>The bytes read (and converted) at a time: a multiple of every element size.</summary>
        private const int ChunkBytes = 64 * 1024;

        private readonly Stream _stream;
        private readonly bool _canSeek;
        private readonly long _dataStart;
        private readonly byte[] _buffer;

        // The data offset of the stream's position, for a stream that cannot seek.
        private long _position;

        /// <summary>Reads and checks the header (see <see cref="SafeTensorsFile.Read(Stream, long)"/> for the checks).</summary>
        public SafeTensorsStreamReader(Stream stream, long maxHeaderLength = SafeTensorsFile.DefaultMaxHeaderLength)
        {
            File = SafeTensorsFile.ReadHeader(stream, maxHeaderLength);
            _stream = stream;
            _canSeek = stream.CanSeek;
            _dataStart = _canSeek ? stream.Position : 0;
            _buffer = new byte[(int)Math.Min(ChunkBytes, Math.Max(File.DataLength, 1))];
        }

        /// <summary>The header: the entries and the metadata, without the data.</summary>
        public SafeTensorsFile File { get; }

        /// <summary>
        /// Converts one tensor to floats (see <see cref="SafeTensorsFile.Convert"/>). From a stream that
        /// cannot seek, tensors must be read in data order.
        /// </summary>
        public void ReadSingles(SafeTensorsEntry entry, Span<float> destination, bool allowNonFinite)
        {
            if (!SafeTensorsFile.ConvertsToSingle(entry.DType))
            {
                // Convert names the dtype.
                SafeTensorsFile.Convert(entry, ReadOnlySpan<byte>.Empty, Span<float>.Empty, 0, allowNonFinite);
            }

            MoveTo(entry.Begin);
            int elementSize = entry.DType.GetBitSize() / 8;
            long element = 0;
            long remaining = entry.ByteLength;
            while (remaining > 0)
            {
                int chunk = (int)Math.Min(remaining, _buffer.Length);
                ReadExactly(_buffer.AsSpan(0, chunk), entry.End - remaining);
                int elements = chunk / elementSize;
                SafeTensorsFile.Convert(entry, _buffer.AsSpan(0, chunk), destination.Slice((int)element, elements), element, allowNonFinite);
                element += elements;
                remaining -= chunk;
            }

            _position = entry.End;
        }

        /// <summary>
        /// Finishes a stream that cannot seek: reads past the rest of the data and checks that the stream
        /// ends there (a seekable stream's size was checked with the header).
        /// </summary>
        public void Finish()
        {
            if (!_canSeek)
            {
                MoveTo(File.DataLength);
                SafeTensorsFile.CheckEnd(_stream, File.DataLength, File.FileLength);
            }
        }

        private void MoveTo(long offset)
        {
            if (_canSeek)
            {
                _stream.Seek(_dataStart + offset, SeekOrigin.Begin);
                return;
            }

            if (offset < _position)
            {
                throw new InvalidOperationException($"Tensors of a stream that cannot seek are read in data order, but offset {offset} is behind {_position}.");
            }

            while (_position < offset)
            {
                int chunk = (int)Math.Min(offset - _position, _buffer.Length);
                ReadExactly(_buffer.AsSpan(0, chunk), _position);
                _position += chunk;
            }
        }

        /// <summary>Fills <paramref name="bytes"/>, which start at data offset <paramref name="offset"/>, or throws: the file is truncated.</summary>
        private void ReadExactly(Span<byte> bytes, long offset)
        {
            int filled = 0;
            while (filled < bytes.Length)
            {
                int got = _stream.Read(bytes.Slice(filled));
                if (got == 0)
                {
                    long present = offset + filled;
                    throw SafeTensorsFile.Truncated(File.Entries, present, File.DataLength, File.FileLength, File.FileLength - File.DataLength + present);
                }

                filled += got;
            }
        }
    }
}
