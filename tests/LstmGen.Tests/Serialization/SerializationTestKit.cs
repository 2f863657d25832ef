using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using LstmGen.Serialization;
using LstmGen.Tests.Support;
using Xunit;

namespace LstmGen.Tests.Serialization
{
    /// <summary>Builds safetensors bytes by hand, for files no correct writer would produce.</summary>
    internal static class SafeTensorsBytes
    {
        /// <summary>The 8-byte length, the header as given (padded with spaces to 8 when asked), then the data.</summary>
        public static byte[] Build(string header, byte[] data, bool pad = true)
        {
            byte[] json = Encoding.UTF8.GetBytes(header);
            return Build(json, data, pad);
        }

        public static byte[] Build(byte[] json, byte[] data, bool pad = true)
        {
            int length = pad ? (json.Length + 7) / 8 * 8 : json.Length;
            byte[] file = new byte[8 + length + data.Length];
            BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)length);
            json.CopyTo(file, 8);
            file.AsSpan(8 + json.Length, length - json.Length).Fill((byte)' ');
            data.CopyTo(file, 8 + length);
            return file;
        }

        public static byte[] F32(params float[] values)
        {
            byte[] bytes = new byte[values.Length * 4];
            for (int i = 0; i < values.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
            }

            return bytes;
        }

        public static byte[] Zeros(int count) => new byte[count];

        /// <summary>Rewrites a file through the reader and writer, changing its tensors on the way.</summary>
        public static byte[] Rewrite(byte[] file, Func<IEnumerable<SafeTensorsTensor>, IEnumerable<SafeTensorsTensor>> change)
        {
            SafeTensorsFile read = SafeTensorsFile.Read(new MemoryStream(file));
            IEnumerable<SafeTensorsTensor> tensors = read.Entries.Select(e => new SafeTensorsTensor(e.Name, e.DType, e.Shape, read.GetData(e)));
            var output = new MemoryStream();
            SafeTensorsFile.Write(output, change(tensors).ToList(), read.HasMetadata ? read.Metadata : null);
            return output.ToArray();
        }
    }

    /// <summary>A writable stream that fails once a number of bytes has been written.</summary>
    internal sealed class FailingStream : MemoryStream
    {
        private readonly long _limit;

        public FailingStream(long limit) => _limit = limit;

        public override void Write(byte[] buffer, int offset, int count)
        {
            Check(count);
            base.Write(buffer, offset, count);
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Check(buffer.Length);
            base.Write(buffer);
        }

        private void Check(int count)
        {
            if (Length + count > _limit)
            {
                throw new IOException("The disk is full (simulated).");
            }
        }
    }

    /// <summary>A model that delegates to another but fails when one tensor is read or written.</summary>
    internal sealed class FaultyModel : DelegatingModel
    {
        public FaultyModel(ILstmModel inner, string? failGet = null, string? failSet = null)
            : base(inner)
        {
            FailGet = failGet;
            FailSet = failSet;
        }

        public string? FailGet { get; set; }

        public string? FailSet { get; set; }

        public override void SetTensor(string name, ReadOnlySpan<float> values)
        {
            Inner.SetTensor(name, values);
            if (name == FailSet)
            {
                throw new InvalidOperationException($"SetTensor('{name}') failed (simulated).");
            }
        }

        public override void GetTensor(string name, Span<float> destination)
        {
            if (name == FailGet)
            {
                throw new InvalidOperationException($"GetTensor('{name}') failed (simulated).");
            }

            Inner.GetTensor(name, destination);
        }
    }

    /// <summary>A directory of its own under the temporary directory, deleted afterwards.</summary>
    internal sealed class TemporaryDirectory : IDisposable
    {
        public TemporaryDirectory()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "lstmgen-tests-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }

        public string File(string name) => System.IO.Path.Combine(Path, name);

        public string[] Entries() => Directory.GetFileSystemEntries(Path).Select(System.IO.Path.GetFileName).ToArray()!;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }

    internal static class ModelAssert
    {
        /// <summary>Every tensor, as bits: equal NaNs and signed zeros count, nothing else.</summary>
        public static Dictionary<string, int[]> TensorBits(ILstmModel model) => model.Tensors.ToDictionary(
            tensor => tensor.Name,
            tensor =>
            {
                float[] values = new float[tensor.Length];
                model.GetTensor(tensor.Name, values);
                return Bits(values);
            });

        public static int[] Bits(ReadOnlySpan<float> values)
        {
            int[] bits = new int[values.Length];
            for (int i = 0; i < values.Length; i++)
            {
                bits[i] = BitConverter.SingleToInt32Bits(values[i]);
            }

            return bits;
        }

        public static void SameWeights(ILstmModel expected, ILstmModel actual)
        {
            Dictionary<string, int[]> expectedBits = TensorBits(expected);
            Dictionary<string, int[]> actualBits = TensorBits(actual);
            Assert.Equal(expectedBits.Keys, actualBits.Keys);
            foreach (string name in expectedBits.Keys)
            {
                Assert.True(expectedBits[name].SequenceEqual(actualBits[name]), $"Tensor '{name}' differs.");
            }

            Assert.Equal(Bits(expected.Parameters), Bits(actual.Parameters));
        }

        public static void Unchanged(int[] parametersBefore, ILstmModel model) =>
            Assert.True(parametersBefore.SequenceEqual(Bits(model.Parameters)), "The model changed.");

        /// <summary>Asserts the exception's message contains every part, and returns it.</summary>
        public static WeightFileException Refuses(Action action, params string[] parts)
        {
            WeightFileException exception = Assert.Throws<WeightFileException>(action);
            foreach (string part in parts)
            {
                Assert.Contains(part, exception.Message, StringComparison.Ordinal);
            }

            return exception;
        }
    }
}
