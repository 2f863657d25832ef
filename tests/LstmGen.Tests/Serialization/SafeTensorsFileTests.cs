using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using LstmGen.Serialization;
using Xunit;
using static LstmGen.Tests.Serialization.ModelAssert;

namespace LstmGen.Tests.Serialization
{
    /// <summary>The safetensors reader and writer, against the format's rules and its reference writer's output.</summary>
    public sealed class SafeTensorsFileTests
    {
        private static readonly float[] s_zeroToFive = { 0f, 1f, 2f, 3f, 4f, 5f };

        private static SafeTensorsFile Read(byte[] bytes) => SafeTensorsFile.Read(new MemoryStream(bytes));

        private static byte[] Write(IEnumerable<SafeTensorsTensor> tensors, IEnumerable<KeyValuePair<string, string>>? metadata = null)
        {
            var stream = new MemoryStream();
            SafeTensorsFile.Write(stream, tensors, metadata);
            return stream.ToArray();
        }

        // ---- The writer produces what the reference writer produces (its own unit tests' expected bytes) ----

        [Fact]
        public void WriterMatchesTheReferenceWriterForOneTensor()
        {
            // 64 bytes of header need no padding.
            byte[] expected = SafeTensorsBytes.Build(
                "{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}",
                SafeTensorsBytes.F32(s_zeroToFive));
            Assert.Equal(64UL, BinaryPrimitives.ReadUInt64LittleEndian(expected));
            byte[] written = Write(new[] { SafeTensorsTensor.FromSingles("attn.0", new long[] { 1, 2, 3 }, s_zeroToFive) });
            Assert.Equal(expected, written);
        }

        [Fact]
        public void WriterPadsTheHeaderWithSpacesToAMultipleOfEight()
        {
            byte[] written = Write(new[] { SafeTensorsTensor.FromSingles("attn0", new long[] { 1, 1, 2, 3 }, s_zeroToFive) });
            string header = "{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}";
            Assert.Equal(65, header.Length);
            Assert.Equal(72UL, BinaryPrimitives.ReadUInt64LittleEndian(written));
            Assert.Equal(header + "       ", Encoding.UTF8.GetString(written, 8, 72));
            Assert.Equal(SafeTensorsBytes.F32(s_zeroToFive), written[80..]);
        }

        [Fact]
        public void WriterMatchesTheReferenceWriterWithoutTensors()
        {
            Assert.Equal(SafeTensorsBytes.Build("{}", Array.Empty<byte>()), Write(Array.Empty<SafeTensorsTensor>()));
            Assert.Equal(16, Write(Array.Empty<SafeTensorsTensor>()).Length);

            byte[] withMetadata = Write(Array.Empty<SafeTensorsTensor>(), new Dictionary<string, string> { ["framework"] = "pt" });
            Assert.Equal(40UL, BinaryPrimitives.ReadUInt64LittleEndian(withMetadata));
            Assert.Equal("{\"__metadata__\":{\"framework\":\"pt\"}}     ", Encoding.UTF8.GetString(withMetadata, 8, 40));
        }

        [Fact]
        public void WriterHandlesSubByteDTypes()
        {
            // Two F4 values take one byte.
            var tensor = new SafeTensorsTensor("attn.0", SafeTensorsDType.F4, new long[] { 1, 2 }, new byte[] { 0 });
            byte[] expected = SafeTensorsBytes.Build("{\"attn.0\":{\"dtype\":\"F4\",\"shape\":[1,2],\"data_offsets\":[0,1]}}", new byte[] { 0 });
            Assert.Equal(expected, Write(new[] { tensor }));
            Assert.Equal(SafeTensorsDType.F4, Read(expected).Entries[0].DType);
        }

        // ---- Reading valid files ----

        [Fact]
        public void ReadsWhatTheReferenceReaderReads()
        {
            SafeTensorsFile file = Read(SafeTensorsBytes.Build(
                "{\"test\":{\"dtype\":\"I32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}", SafeTensorsBytes.Zeros(16), pad: false));
            SafeTensorsEntry entry = Assert.Single(file.Entries);
            Assert.Equal("test", entry.Name);
            Assert.Equal(SafeTensorsDType.I32, entry.DType);
            Assert.Equal(new long[] { 2, 2 }, entry.Shape);
            Assert.Equal(16, file.GetData(entry).Length);
            Assert.False(file.HasMetadata);
            Assert.Empty(file.Metadata);

            // A scalar: shape [], one element.
            SafeTensorsFile scalar = Read(SafeTensorsBytes.Build(
                "{\"test\":{\"dtype\":\"I32\",\"shape\":[],\"data_offsets\":[0,4]}}", SafeTensorsBytes.Zeros(4), pad: false));
            Assert.Equal(1, scalar.Entries[0].ElementCount);
            Assert.Equal("[]", scalar.Entries[0].ShapeText);
        }

        [Fact]
        public void RoundTripsEveryWholeByteDTypeEmptyTensorsAndMetadata()
        {
            var tensors = new List<SafeTensorsTensor>();
            foreach (SafeTensorsDType dtype in Enum.GetValues<SafeTensorsDType>().Where(d => d.GetBitSize() % 8 == 0))
            {
                int size = dtype.GetBitSize() / 8;
                byte[] data = Enumerable.Range(0, 6 * size).Select(i => (byte)(i * 31 + (int)dtype)).ToArray();
                tensors.Add(new SafeTensorsTensor("t." + dtype.GetName(), dtype, new long[] { 2, 3 }, data));
            }

            tensors.Add(new SafeTensorsTensor("empty", SafeTensorsDType.F32, new long[] { 0, 4 }, Array.Empty<byte>()));
            tensors.Add(new SafeTensorsTensor("scalar", SafeTensorsDType.F64, Array.Empty<long>(), new byte[8]));
            var metadata = new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcode \"quoted\" <tag> +1" };

            byte[] bytes = Write(tensors, metadata);
            SafeTensorsFile file = Read(bytes);
            Assert.Equal(tensors.Select(t => t.Name), file.Entries.Select(e => e.Name));
            foreach (SafeTensorsTensor tensor in tensors)
            {
                Assert.True(file.TryGetEntry(tensor.Name, out SafeTensorsEntry? entry));
                Assert.Equal(tensor.DType, entry.DType);
                Assert.Equal(tensor.Shape, entry.Shape);
                Assert.Equal(tensor.Data.ToArray(), file.GetData(entry).ToArray());
            }

            Assert.Equal(metadata.ToArray(), file.Metadata.ToArray());
            Assert.Equal(bytes.Length, file.FileLength);
            Assert.Equal(0, file.HeaderLength % 8);
        }

        [Fact]
        public void AcceptsEntriesInAnyOrderUnknownFieldsAndTrailingSpaces()
        {
            string header = "{\"b\":{\"data_offsets\":[8,12],\"shape\":[1],\"dtype\":\"F32\",\"extra\":{\"x\":[1,2]}},"
                + "\"__metadata__\":{\"k\":\"v\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}   ";
            SafeTensorsFile file = Read(SafeTensorsBytes.Build(header, SafeTensorsBytes.F32(1f, 2f, 3f), pad: false));
            Assert.Equal(new[] { "a", "b" }, file.Entries.Select(e => e.Name));
            float[] b = new float[1];
            file.ReadSingles(file.Entries[1], b);
            Assert.Equal(3f, b[0]);
            Assert.Equal("v", file.Metadata["k"]);
        }

        [Fact]
        public void ReadsFromAStreamThatCannotSeekAndTricklesBytes()
        {
            byte[] bytes = Write(new[] { SafeTensorsTensor.FromSingles("x", new long[] { 6 }, s_zeroToFive) }, new Dictionary<string, string> { ["a"] = "b" });
            SafeTensorsFile file = SafeTensorsFile.Read(new TrickleStream(bytes, chunk: 3));
            float[] values = new float[6];
            file.ReadSingles(file.Entries[0], values);
            Assert.Equal(s_zeroToFive, values);
        }

        [Fact]
        public void ConvertsHalfBFloatAndDoubleToFloat()
        {
            byte[] data =
            {
                0x00, 0x3C, 0x00, 0xC0, 0x00, 0x7C, // F16: 1, -2, +inf
                0x80, 0x3F, 0x49, 0x40, 0x80, 0xFF, // BF16: 1, 3.140625, -inf
            };
            byte[] f64 = new byte[16];
            BinaryPrimitives.WriteDoubleLittleEndian(f64, 0.1);
            BinaryPrimitives.WriteDoubleLittleEndian(f64.AsSpan(8), -1e-50);
            string header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,6]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[6,12]},"
                + "\"d\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[12,28]}}";
            SafeTensorsFile file = Read(SafeTensorsBytes.Build(header, data.Concat(f64).ToArray()));

            float[] three = new float[3];
            file.ReadSingles(file.Entries[0], three);
            Assert.Equal(new[] { 1f, -2f, float.PositiveInfinity }, three);
            file.ReadSingles(file.Entries[1], three);
            Assert.Equal(new[] { 1f, 3.140625f, float.NegativeInfinity }, three);
            float[] two = new float[2];
            file.ReadSingles(file.Entries[2], two);
            Assert.Equal(0.1f, two[0]);
            Assert.Equal(BitConverter.SingleToInt32Bits(-0f), BitConverter.SingleToInt32Bits(two[1]));
        }

        [Fact]
        public void RefusesToConvertIntegersAndDoublesBeyondFloat()
        {
            byte[] data = new byte[16];
            BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(8), 1e300);
            SafeTensorsFile file = Read(SafeTensorsBytes.Build(
                "{\"steps\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]},\"big\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[8,16]}}", data));
            Refuses(() => file.ReadSingles(file.Entries[0], new float[1]), "'steps'", "I64", "[0, 8]");
            Refuses(() => file.ReadSingles(file.Entries[1], new float[1]), "'big'", "F64", "1E+300", "beyond the range of float");
        }

        // ---- Refusals: lengths ----

        [Theory]
        [InlineData(0)]
        [InlineData(7)]
        public void RefusesAFileShorterThanTheLengthField(int length)
        {
            Refuses(() => Read(new byte[length]), "truncated", $"it has {length} bytes", "8-byte header length");
        }

        [Fact]
        public void RefusesAHeaderLengthAboveTheCap()
        {
            byte[] bytes = SafeTensorsBytes.Build("{}", Array.Empty<byte>());
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, ulong.MaxValue);
            Refuses(() => Read(bytes), "18446744073709551615 bytes", "limit of 100000000 bytes", "file size 16 bytes");

            byte[] small = SafeTensorsBytes.Build("{\"__metadata__\":{\"a\":\"b\"}}", Array.Empty<byte>());
            Refuses(() => SafeTensorsFile.Read(new MemoryStream(small), maxHeaderLength: 16), "says 32 bytes", "limit of 16 bytes");
        }

        [Fact]
        public void RefusesAHeaderLengthBeyondTheFile()
        {
            byte[] bytes = SafeTensorsBytes.Build("{}", Array.Empty<byte>());
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, 1000);
            Refuses(() => Read(bytes), "truncated", "says 1000 bytes", "only 8 bytes follow it", "file size 16 bytes");
            Refuses(() => SafeTensorsFile.Read(new TrickleStream(bytes)), "truncated", "says 1000 bytes", "only 8 bytes follow it", "file size 16 bytes");
        }

        [Fact]
        public void HeaderAndDataLengthsThatLieDoNotAllocateFromAStreamThatCannotSeek()
        {
            // The header claims 99 MB; the stream has 16 bytes.
            byte[] bytes = SafeTensorsBytes.Build("{}", Array.Empty<byte>());
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, 99_000_000);
            long before = GC.GetAllocatedBytesForCurrentThread();
            Refuses(() => SafeTensorsFile.Read(new TrickleStream(bytes)), "truncated");
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1_000_000);

            // A valid header whose one tensor claims 1 GiB; the stream ends after the header.
            byte[] lying = SafeTensorsBytes.Build("{\"w\":{\"dtype\":\"F32\",\"shape\":[268435456],\"data_offsets\":[0,1073741824]}}", Array.Empty<byte>());
            before = GC.GetAllocatedBytesForCurrentThread();
            Refuses(() => SafeTensorsFile.Read(new TrickleStream(lying)), "truncated", "'w'", "[0, 1073741824]", "after 0 of the 1073741824 bytes");
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1_000_000);

            // From a seekable stream, the file's size refuses it before any read.
            Refuses(() => Read(lying), "truncated", "'w'", $"The file has {lying.Length} bytes; it should have {lying.Length + 1073741824}");
        }

        [Fact]
        public void RefusesTruncatedDataNamingTheTensorItCuts()
        {
            byte[] bytes = SafeTensorsBytes.Build(
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}",
                SafeTensorsBytes.F32(1, 2, 3, 4));
            byte[] cut = bytes[..^3];
            WeightFileException exception = Refuses(() => Read(cut), "truncated", "after 13 of the 16 bytes", "inside tensor 'b' (data offsets [8, 16])", $"has {cut.Length} bytes; it should have {bytes.Length}");
            Assert.Equal("b", exception.TensorName);
            Refuses(() => SafeTensorsFile.Read(new TrickleStream(cut)), "inside tensor 'b'", $"has {cut.Length} bytes");
            Refuses(() => Read(bytes[..^8]), "after 8 of the 16 bytes", "before tensor 'b'");
        }

        [Fact]
        public void RefusesBytesAfterTheLastTensor()
        {
            byte[] bytes = SafeTensorsBytes.Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", SafeTensorsBytes.F32(1, 2));
            Refuses(() => Read(bytes), "4 bytes after the end of the last tensor", "data offset 4", $"{bytes.Length} bytes", $"describes {bytes.Length - 4}");
            Refuses(() => SafeTensorsFile.Read(new TrickleStream(bytes)), "more bytes after the end of the last tensor", "data offset 4");
        }

        // ---- Refusals: the header's JSON ----

        [Theory]
        [InlineData("", "it is empty")]
        [InlineData("[1, 2]", "begins with byte 0x5B")]
        [InlineData(" {}", "begins with byte 0x20")]
        [InlineData("\"text\"", "begins with byte 0x22")]
        public void RefusesAHeaderThatIsNotAnObject(string header, string detail)
        {
            Refuses(() => Read(SafeTensorsBytes.Build(header, Array.Empty<byte>(), pad: false)), "not a JSON object", "must begin with '{'", detail);
        }

        [Theory]
        [InlineData("{not json}")]
        [InlineData("{\"a\":")]
        [InlineData("{\"a\":{\"dtype\":\"F32\",}}")]
        [InlineData("{} x")]
        [InlineData("{}{}")]
        [InlineData("{/* comment */}")]
        public void RefusesAHeaderThatIsNotJson(string header)
        {
            WeightFileException exception = Refuses(() => Read(SafeTensorsBytes.Build(header, Array.Empty<byte>())), "The header", "is not valid JSON");
            Assert.IsAssignableFrom<System.Text.Json.JsonException>(exception.InnerException);
        }

        [Fact]
        public void RefusesAHeaderThatIsNotUtf8()
        {
            byte[] json = Encoding.UTF8.GetBytes("{\"ab\":{}}");
            json[3] = 0xFF;
            Refuses(() => Read(SafeTensorsBytes.Build(json, Array.Empty<byte>())), "not valid UTF-8");
        }

        [Fact]
        public void RefusesDuplicateKeys()
        {
            string entry = "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";
            Refuses(() => Read(SafeTensorsBytes.Build($"{{\"w\":{entry},\"w\":{entry}}}", SafeTensorsBytes.F32(1))), "the key 'w' twice");
            Refuses(() => Read(SafeTensorsBytes.Build("{\"__metadata__\":{},\"__metadata__\":{}}", Array.Empty<byte>())), "the key '__metadata__' twice");
            Refuses(() => Read(SafeTensorsBytes.Build("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", Array.Empty<byte>())), "'__metadata__' has the key 'k' twice");
            Refuses(
                () => Read(SafeTensorsBytes.Build("{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", SafeTensorsBytes.F32(1))),
                "tensor 'w' is malformed", "\"dtype\" twice");
        }

        [Theory]
        [InlineData("[]", "JSON array")]
        [InlineData("\"pt\"", "string \"pt\"")]
        [InlineData("{\"format\":1}", "'format' is a number 1")]
        [InlineData("{\"format\":{\"nested\":\"x\"}}", "'format' is a JSON object")]
        public void RefusesMetadataThatIsNotAMapOfStrings(string metadata, string detail)
        {
            Refuses(() => Read(SafeTensorsBytes.Build($"{{\"__metadata__\":{metadata}}}", Array.Empty<byte>())), "'__metadata__'", detail);
        }

        [Theory]
        [InlineData("[1]", "must be an object", "JSON array")]
        [InlineData("{\"shape\":[1],\"data_offsets\":[0,4]}", "has no \"dtype\"")]
        [InlineData("{\"dtype\":\"F32\"}", "has no \"shape\", \"data_offsets\"")]
        [InlineData("{\"dtype\":\"Q4\",\"shape\":[1],\"data_offsets\":[0,4]}", "dtype 'Q4' is not a safetensors dtype", "F8_E4M3")]
        [InlineData("{\"dtype\":\"f32\",\"shape\":[1],\"data_offsets\":[0,4]}", "dtype 'f32'")]
        [InlineData("{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}", "\"dtype\" must be a string", "number 32")]
        [InlineData("{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}", "\"shape\" must be an array of non-negative integers", "number -1")]
        [InlineData("{\"dtype\":\"F32\",\"shape\":[1.0],\"data_offsets\":[0,4]}", "\"shape\"", "number 1.0")]
        [InlineData("{\"dtype\":\"F32\",\"shape\":[1e0],\"data_offsets\":[0,4]}", "\"shape\"", "number 1e0")]
        [InlineData("{\"dtype\":\"F32\",\"shape\":[\"1\"],\"data_offsets\":[0,4]}", "\"shape\"", "string \"1\"")]
        [InlineData("{\"dtype\":\"F32\",\"shape\":1,\"data_offsets\":[0,4]}", "\"shape\"", "it is a number 1")]
        [InlineData("{\"dtype\":\"F32\",\"shape\":[99999999999999999999],\"data_offsets\":[0,4]}", "\"shape\"", "99999999999999999999")]
        [InlineData("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}", "\"data_offsets\" must be [begin, end]", "1 numbers")]
        [InlineData("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}", "\"data_offsets\" must be [begin, end]", "3 numbers")]
        [InlineData("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":null}", "\"data_offsets\"", "JSON null")]
        [InlineData("{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,4294967296],\"data_offsets\":[0,4]}", "[4294967296, 4294967296, 4294967296]", "more elements")]
        public void RefusesMalformedEntries(string entry, params string[] details)
        {
            byte[] bytes = SafeTensorsBytes.Build($"{{\"lstm.weight\":{entry}}}", SafeTensorsBytes.F32(1));
            WeightFileException exception = Refuses(() => Read(bytes), details.Prepend("tensor 'lstm.weight' is malformed").ToArray());
            Assert.Equal("lstm.weight", exception.TensorName);
        }

        // ---- Refusals: offsets and sizes ----

        [Fact]
        public void RefusesOverlappingTensors()
        {
            byte[] bytes = SafeTensorsBytes.Build(
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
                SafeTensorsBytes.F32(1, 2, 3));
            Refuses(() => Read(bytes), "'b' (data offsets [4, 12]) overlaps tensor 'a' (data offsets [0, 8])");

            // The same range twice.
            byte[] twice = SafeTensorsBytes.Build(
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                SafeTensorsBytes.F32(1, 2));
            Refuses(() => Read(twice), "overlaps tensor", "data offsets [0, 8]");
        }

        [Fact]
        public void RefusesGapsBetweenAndBeforeTensors()
        {
            byte[] between = SafeTensorsBytes.Build(
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}",
                SafeTensorsBytes.F32(1, 2, 3));
            Refuses(() => Read(between), "The 4 bytes at data offsets [4, 8) belong to no tensor", "'a' (data offsets [0, 4])", "'b' (data offsets [8, 12])");

            byte[] before = SafeTensorsBytes.Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", SafeTensorsBytes.F32(1, 2));
            Refuses(() => Read(before), "The 4 bytes at data offsets [0, 4) belong to no tensor", "before the first tensor", "'a' (data offsets [4, 8])");
        }

        [Fact]
        public void RefusesOffsetsThatEndBeforeTheyBegin()
        {
            byte[] bytes = SafeTensorsBytes.Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,4]}}", SafeTensorsBytes.F32(1, 2));
            Refuses(() => Read(bytes), "'a' has data offsets [8, 4]", "end is before its begin");
        }

        [Theory]
        [InlineData("F32", "[2, 3]", "[0, 20]", "take 24 bytes (6 elements of 4 bytes)", "hold 20")]
        [InlineData("F16", "[2, 3]", "[0, 24]", "take 12 bytes (6 elements of 2 bytes)", "hold 24")]
        [InlineData("F64", "[]", "[0, 4]", "take 8 bytes (1 elements of 8 bytes)", "hold 4")]
        [InlineData("F32", "[0]", "[0, 4]", "take 0 bytes", "hold 4")]
        public void RefusesAByteLengthThatIsNotShapeTimesDTypeSize(string dtype, string shape, string offsets, params string[] details)
        {
            string compactShape = shape.Replace(" ", string.Empty, StringComparison.Ordinal);
            string compactOffsets = offsets.Replace(" ", string.Empty, StringComparison.Ordinal);
            int end = int.Parse(compactOffsets.Split(',')[1].TrimEnd(']'), System.Globalization.CultureInfo.InvariantCulture);
            byte[] bytes = SafeTensorsBytes.Build($"{{\"w\":{{\"dtype\":\"{dtype}\",\"shape\":{compactShape},\"data_offsets\":{compactOffsets}}}}}", new byte[end]);
            Refuses(() => Read(bytes), details.Prepend($"'w' has dtype {dtype} and shape {shape}").Append($"data offsets {offsets}").ToArray());
        }

        [Fact]
        public void RefusesSubByteTensorsThatDoNotFillWholeBytes()
        {
            byte[] bytes = SafeTensorsBytes.Build("{\"w\":{\"dtype\":\"F4\",\"shape\":[3],\"data_offsets\":[0,2]}}", new byte[2]);
            Refuses(() => Read(bytes), "'w' (F4, shape [3], data offsets [0, 2])", "not a whole number of bytes");
        }

        [Fact]
        public void RefusesOffsetsBeyondAnyFile()
        {
            long huge = long.MaxValue - 4;
            byte[] bytes = SafeTensorsBytes.Build($"{{\"w\":{{\"dtype\":\"U8\",\"shape\":[{huge}],\"data_offsets\":[0,{huge}]}}}}", Array.Empty<byte>());
            Refuses(() => Read(bytes), "'w'", $"[0, {huge}]");
            Refuses(() => SafeTensorsFile.Read(new TrickleStream(bytes)), "'w'", $"[0, {huge}]");
        }

        // ---- The writer's own checks ----

        [Fact]
        public void WriterRefusesDuplicatesAndWrongLengths()
        {
            SafeTensorsTensor a = SafeTensorsTensor.FromSingles("a", new long[] { 1 }, new[] { 1f });
            Assert.Throws<ArgumentException>(() => Write(new[] { a, a }));
            Assert.Throws<ArgumentException>(() => Write(new[] { a }, new[] { KeyValuePair.Create("k", "1"), KeyValuePair.Create("k", "2") }));
            Assert.Throws<ArgumentException>(() => SafeTensorsTensor.FromSingles("b", new long[] { 2 }, new[] { 1f }));
            Assert.Throws<ArgumentException>(() => new SafeTensorsTensor("__metadata__", SafeTensorsDType.U8, new long[] { 1 }, new byte[1]));
            Assert.Throws<ArgumentException>(() => new SafeTensorsTensor("c", SafeTensorsDType.U8, new long[] { -1 }, Array.Empty<byte>()));
        }

        [Fact]
        public void DTypeNamesAreTheFormats()
        {
            Assert.Equal("F8_E4M3", SafeTensorsDType.F8E4M3.GetName());
            Assert.Equal("BF16", SafeTensorsDType.BF16.GetName());
            Assert.True(SafeTensorsDTypes.TryParse("F8_E5M2FNUZ", out SafeTensorsDType fnuz));
            Assert.Equal(SafeTensorsDType.F8E5M2Fnuz, fnuz);
            Assert.False(SafeTensorsDTypes.TryParse("F8E4M3", out _));
            foreach (SafeTensorsDType dtype in Enum.GetValues<SafeTensorsDType>())
            {
                Assert.True(SafeTensorsDTypes.TryParse(dtype.GetName(), out SafeTensorsDType parsed));
                Assert.Equal(dtype, parsed);
            }
        }
    }
}
