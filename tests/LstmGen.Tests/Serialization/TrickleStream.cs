using System;
using System.IO;

namespace LstmGen.Tests.Serialization
{
    /// <summary>A read-only stream that cannot seek and hands out at most a few bytes per read.</summary>
    internal sealed class TrickleStream : Stream
    {
        private readonly Stream _inner;
        private readonly int _chunk;

        public TrickleStream(byte[] bytes, int chunk = 7)
            : this(new MemoryStream(bytes, writable: false), chunk)
        {
        }

        /// <summary>Reads <paramref name="inner"/> forwards only, as a network stream would.</summary>
        public TrickleStream(Stream inner, int chunk)
        {
            _inner = inner;
            _chunk = chunk;
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, _chunk));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
