using System;
using System.IO;
using LstmGen.Serialization;
using LstmGen.Training;

namespace LstmGen.Fuzz
{
    /// <summary>A small model for the fuzz target to load files into.</summary>
    [Lstm(InputSize = 2, HiddenSize = 3, OutputSize = 1)]
    public partial class FuzzModel
    {
    }

    /// <summary>
    /// What the fuzzer (and the test that replays its corpus) runs on every input: the safetensors reader
    /// and every loader, from a seekable stream and from one that cannot seek. Each either succeeds or
    /// throws <see cref="WeightFileException"/>; any other exception escapes and is a finding.
    /// </summary>
    public static class SafeTensorsTarget
    {
        /// <summary>Runs every reader on <paramref name="data"/>.</summary>
        public static void Run(byte[] data)
        {
            Expect(() =>
            {
                SafeTensorsFile file = SafeTensorsFile.Read(new MemoryStream(data, writable: false));
                foreach (SafeTensorsEntry entry in file.Entries)
                {
                    _ = file.GetData(entry);
                    if (SafeTensorsFile.ConvertsToSingle(entry.DType))
                    {
                        file.ReadSingles(entry, new float[entry.ElementCount]);
                    }
                }
            });

            var model = new FuzzModel();
            Expect(() => WeightFile.Load(model, new MemoryStream(data, writable: false)));
            Expect(() => WeightFile.Load(model, new ForwardOnlyStream(data), new WeightLoadOptions { IgnoreUnexpected = true, AllowNonFinite = true }.MapPrefix("rnn.", "lstm.")));
            Expect(() => WeightFile.LoadCheckpoint(model, new MemoryStream(data, writable: false)));
            Expect(() => WeightFile.LoadCheckpoint(model, new Adam(), new ForwardOnlyStream(data), new WeightLoadOptions { AllowNonFinite = true }));
        }

        private static void Expect(Action read)
        {
            try
            {
                read();
            }
            catch (WeightFileException)
            {
                // A refusal with a message: what the reader must do with a bad file.
            }
        }

        /// <summary>A stream that cannot seek, over bytes.</summary>
        private sealed class ForwardOnlyStream : Stream
        {
            private readonly MemoryStream _inner;

            public ForwardOnlyStream(byte[] data) => _inner = new MemoryStream(data, writable: false);

            public override bool CanRead => true;

            public override bool CanSeek => false;

            public override bool CanWrite => false;

            public override long Length => throw new NotSupportedException();

            public override long Position
            {
                get => throw new NotSupportedException();
                set => throw new NotSupportedException();
            }

            public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 7));

            public override void Flush()
            {
            }

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();

            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        }
    }
}
