using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using LstmGen.Serialization;
using LstmGen.Tests.Reference;
using Xunit;
using static LstmGen.Tests.Serialization.ModelAssert;

namespace LstmGen.Tests.Serialization
{
    /// <summary>
    /// Loading reads the header and only the tensors it needs: a file over 2 GB whose extra tensor is
    /// skipped loads without reading it (a sparse file here, so it costs no disk), a refusal reads no
    /// data, and messages stay short whatever the header holds.
    /// </summary>
    public sealed class LargeFileTests
    {
        private const long Huge = (5L << 29) + 3; // 2.5 GiB and 3 bytes: over int.MaxValue and Array.MaxLength

        /// <summary>
        /// Writes a file with an unused U8 tensor of <paramref name="unusedBytes"/> bytes first (sparse: never
        /// written), then <paramref name="source"/>'s weights; returns its size.
        /// </summary>
        private static long WriteWithUnusedTensor(string path, ILstmModel source, long unusedBytes)
        {
            var weights = new MemoryStream();
            WeightFile.Save(source, weights);
            SafeTensorsFile saved = SafeTensorsFile.Read(new MemoryStream(weights.ToArray()));
            var json = new StringBuilder("{\"unused.embedding\":{\"dtype\":\"U8\",\"shape\":[").Append(unusedBytes).Append("],\"data_offsets\":[0,").Append(unusedBytes).Append("]}");
            foreach (SafeTensorsEntry entry in saved.Entries)
            {
                json.Append(",\"").Append(entry.Name).Append("\":{\"dtype\":\"F32\",\"shape\":[").Append(string.Join(",", entry.Shape))
                    .Append("],\"data_offsets\":[").Append(unusedBytes + entry.Begin).Append(',').Append(unusedBytes + entry.End).Append("]}");
            }

            json.Append('}');
            byte[] header = SafeTensorsBytes.Build(json.ToString(), Array.Empty<byte>());
            using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
            file.Write(header);
            file.SetLength(header.Length + unusedBytes);
            file.Seek(0, SeekOrigin.End);
            foreach (SafeTensorsEntry entry in saved.Entries)
            {
                file.Write(saved.GetData(entry).Span);
            }

            return file.Length;
        }

        [Fact]
        public void LoadsTheSmallTensorsOfAFileOver2GBWithoutReadingTheTensorItSkips()
        {
            using var directory = new TemporaryDirectory();
            string path = directory.File("big.safetensors");
            var source = new StackedModel(seed: 1);
            long size = WriteWithUnusedTensor(path, source, Huge);
            Assert.True(size > int.MaxValue);

            var target = new StackedModel(seed: 2);
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            WeightFile.Load(target, path, new WeightLoadOptions { IgnoreUnexpected = true });
            allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
            SameWeights(source, target);
            Assert.True(allocated < 4_000_000, $"Loading {StackedModel.ParameterCount * 4} bytes of weights from a {size}-byte file allocated {allocated} bytes.");
        }

        [Fact]
        public void RefusesAFileOver2GBWithoutReadingItsData()
        {
            using var directory = new TemporaryDirectory();
            string path = directory.File("big.safetensors");
            WriteWithUnusedTensor(path, new StackedModel(seed: 1), Huge);
            var target = new StackedModel(seed: 2);
            int[] before = Bits(target.Parameters);
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            Refuses(() => WeightFile.Load(target, path), "'unused.embedding'", "IgnoreUnexpected");
            allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
            Unchanged(before, target);
            Assert.True(allocated < 1_000_000, $"Refusing the file allocated {allocated} bytes.");
        }

        [Fact]
        public void AStreamThatCannotSeekIsReadPastWhatIsSkippedWithoutKeepingIt()
        {
            const long Unused = 48L << 20;
            using var directory = new TemporaryDirectory();
            string path = directory.File("medium.safetensors");
            var source = new StackedModel(seed: 1);
            WriteWithUnusedTensor(path, source, Unused);
            var target = new StackedModel(seed: 2);
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read);
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            WeightFile.Load(target, new TrickleStream(file, chunk: int.MaxValue), new WeightLoadOptions { IgnoreUnexpected = true });
            allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
            SameWeights(source, target);
            Assert.True(allocated < 4_000_000, $"Loading from a stream that cannot seek allocated {allocated} bytes for a file of {file.Length}.");
        }

        [Fact]
        public void MessagesStayShortForAHeaderOfManyTensorsOrALongName()
        {
            const int Count = 100_000;
            var json = new StringBuilder("{");
            for (int i = 0; i < Count; i++)
            {
                json.Append(i == 0 ? string.Empty : ",").Append("\"empty.tensor_").Append(i).Append("\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}");
            }

            json.Append('}');
            byte[] many = SafeTensorsBytes.Build(json.ToString(), Array.Empty<byte>());
            var model = new TinyModel(seed: 1);
            WeightFileException exception = Refuses(() => WeightFile.Load(model, new MemoryStream(many)), "has no tensor for the model's", "'empty.tensor_", $"and {Count - 10} more");
            Assert.True(exception.Message.Length < 5_000, $"The message has {exception.Message.Length} characters.");

            exception = Refuses(() => WeightFile.Load(model, new MemoryStream(many), new WeightLoadOptions { IgnoreUnexpected = true }), "has no tensor");
            Assert.True(exception.Message.Length < 5_000, $"The message has {exception.Message.Length} characters.");

            string longName = new string('x', 1_000_000);
            byte[] named = SafeTensorsBytes.Build("{\"" + longName + "\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"" + longName + "\":{}}", new byte[4]);
            exception = Refuses(() => WeightFile.Load(model, new MemoryStream(named)), "twice", "(1000000 characters)");
            Assert.True(exception.Message.Length < 5_000, $"The message has {exception.Message.Length} characters.");

            byte[] dtype = SafeTensorsBytes.Build("{\"a\":{\"dtype\":\"" + longName + "\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]);
            exception = Refuses(() => WeightFile.Load(model, new MemoryStream(dtype)), "is not a safetensors dtype");
            Assert.True(exception.Message.Length < 5_000, $"The message has {exception.Message.Length} characters.");
        }
    }
}
