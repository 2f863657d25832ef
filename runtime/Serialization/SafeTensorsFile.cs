using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
#if NET8_0_OR_GREATER
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
#else
using LstmGen.Serialization.Json;
#endif
using LstmGen.CompilerServices;

namespace LstmGen.Serialization
{
    /// <summary>
    /// A file in Hugging Face's safetensors format, read whole into memory: an 8-byte little-endian
    /// header length N, N bytes of UTF-8 JSON that name, type, shape and place each tensor (plus an
    /// optional <c>__metadata__</c> map of strings), then the tensors' little-endian, row-major bytes.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Reading trusts nothing in the file: the header length is capped (100 MB by default, as in the
    /// reference implementation) and checked against the file's size before anything is allocated;
    /// the header must be a JSON object that begins with <c>{</c>, without duplicate keys; every
    /// entry needs a known dtype, a shape of non-negative integers and two data offsets; and the
    /// tensors' byte ranges must cover the data section exactly, without overlaps or gaps, each as
    /// long as its shape and dtype make it. Entries may come in any order. Any violation throws a
    /// <see cref="WeightFileException"/> whose message names the tensor, its offsets and the sizes.
    /// </para>
    /// <para>
    /// <see cref="WeightFile"/> does not use <see cref="Read(Stream, long)"/>: it reads the header, then only
    /// the tensors it loads, seeking past the others (or reading past them, from a stream that cannot seek),
    /// so that neither a tensor it skips nor a file it refuses is ever held in memory.
    /// </para>
    /// <para>
    /// Streams are read from their current position to their end; they need not be seekable. From a
    /// stream that cannot seek, memory grows with the bytes that actually arrive, so a header that
    /// lies about sizes cannot make the reader allocate more than twice the stream's real length.
    /// </para>
    /// </remarks>
    public sealed class SafeTensorsFile
    {
        /// <summary>The largest header <see cref="Read(Stream, long)"/> accepts unless told otherwise: 100 MB, as the reference implementation.</summary>
        public const long DefaultMaxHeaderLength = 100_000_000;

        /// <summary>The header key of the metadata map.</summary>
        public const string MetadataKey = "__metadata__";

        /// <summary>The bytes of the header length field.</summary>
        private const int LengthFieldSize = sizeof(ulong);

        /// <summary>The writer pads the header with spaces to a multiple of this, so that the data starts aligned.</summary>
        private const int HeaderAlignment = 8;

        /// <summary>The first allocation when reading bytes whose count the file's size has not confirmed.</summary>
        private const int UnverifiedChunk = 64 * 1024;

        private readonly byte[]? _data;
        private readonly long _dataLength;
        private readonly SafeTensorsEntry[] _entries;
        private readonly Dictionary<string, SafeTensorsEntry> _byName;
        private readonly Dictionary<string, string> _metadata;

        private SafeTensorsFile(long headerLength, SafeTensorsEntry[] entries, Dictionary<string, string> metadata, bool hasMetadata, byte[]? data, long dataLength)
        {
            HeaderLength = headerLength;
            _entries = entries;
            _byName = new Dictionary<string, SafeTensorsEntry>(entries.Length, StringComparer.Ordinal);
            foreach (SafeTensorsEntry entry in entries)
            {
                _byName.Add(entry.Name, entry);
            }

            _metadata = metadata;
            HasMetadata = hasMetadata;
            _data = data;
            _dataLength = dataLength;
        }

        private SafeTensorsFile(SafeTensorsFile header, byte[] data)
            : this(header.HeaderLength, header._entries, header._metadata, header.HasMetadata, data, data.LongLength)
        {
        }

        /// <summary>The header's length in bytes (the value of the length field), padding included.</summary>
        public long HeaderLength { get; }

        /// <summary>The length of the data section: the end of the last tensor.</summary>
        public long DataLength => _dataLength;

        /// <summary>The file's size: the length field, the header and the data.</summary>
        public long FileLength => LengthFieldSize + HeaderLength + DataLength;

        /// <summary>The tensors, in the order of their data.</summary>
        public IReadOnlyList<SafeTensorsEntry> Entries => _entries;

        /// <summary>The <c>__metadata__</c> map (empty when the header has none).</summary>
        public IReadOnlyDictionary<string, string> Metadata => _metadata;

        /// <summary>Whether the header has a <c>__metadata__</c> entry.</summary>
        public bool HasMetadata { get; }

        /// <summary>Finds a tensor by name.</summary>
        public bool TryGetEntry(string name, [MaybeNullWhen(false)] out SafeTensorsEntry entry)
        {
            ArgumentNullException.ThrowIfNull(name);
            return _byName.TryGetValue(name, out entry);
        }

        /// <summary>The raw little-endian bytes of one of this file's tensors.</summary>
        /// <exception cref="ArgumentException">The entry is not one of this file's.</exception>
        public ReadOnlyMemory<byte> GetData(SafeTensorsEntry entry)
        {
            CheckOwnEntry(entry);
            return new ReadOnlyMemory<byte>(Data(), (int)entry.Begin, (int)entry.ByteLength);
        }

        /// <summary>Whether <see cref="ReadSingles"/> converts <paramref name="dtype"/>: F32, F16, BF16 and F64.</summary>
        public static bool ConvertsToSingle(SafeTensorsDType dtype) =>
            dtype is SafeTensorsDType.F32 or SafeTensorsDType.F16 or SafeTensorsDType.BF16 or SafeTensorsDType.F64;

        /// <summary>
        /// Converts one of this file's floating-point tensors to <see cref="float"/>: F32 as is, F16 and
        /// F64 rounded to nearest, BF16 exactly (it is the upper half of a float). NaN and infinities are
        /// kept as they are (<see cref="WeightFile"/> refuses them unless <see cref="WeightLoadOptions.AllowNonFinite"/>).
        /// </summary>
        /// <exception cref="ArgumentException">The entry is not one of this file's, or <paramref name="destination"/> does not have its element count.</exception>
        /// <exception cref="WeightFileException">The dtype is not one of the four, or an F64 value is finite but beyond float's range.</exception>
        public void ReadSingles(SafeTensorsEntry entry, Span<float> destination)
        {
            CheckOwnEntry(entry);
            if (destination.Length != entry.ElementCount)
            {
                throw new ArgumentException(
                    $"Tensor '{MessageText.Name(entry.Name)}' has shape {entry.ShapeText} ({entry.ElementCount} elements), but the destination has {destination.Length}.",
                    nameof(destination));
            }

            Convert(entry, new ReadOnlySpan<byte>(Data(), (int)entry.Begin, (int)entry.ByteLength), destination, 0, allowNonFinite: true);
        }

        /// <summary>
        /// Converts the bytes of elements [<paramref name="firstElement"/>, + destination length) of
        /// <paramref name="entry"/> to floats; <paramref name="allowNonFinite"/> says whether NaN and
        /// infinities are kept or refused. A finite F64 beyond float's range is always refused.
        /// </summary>
        internal static void Convert(SafeTensorsEntry entry, ReadOnlySpan<byte> bytes, Span<float> destination, long firstElement, bool allowNonFinite)
        {
            switch (entry.DType)
            {
                case SafeTensorsDType.F32:
                    for (int i = 0; i < destination.Length; i++)
                    {
                        destination[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(i * 4, 4));
                    }

                    break;
                case SafeTensorsDType.F16:
                    for (int i = 0; i < destination.Length; i++)
                    {
                        destination[i] = SoftFloat.HalfToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes.Slice(i * 2, 2)));
                    }

                    break;
                case SafeTensorsDType.BF16:
                    for (int i = 0; i < destination.Length; i++)
                    {
                        int upper = BinaryPrimitives.ReadUInt16LittleEndian(bytes.Slice(i * 2, 2));
                        destination[i] = BitConverter.Int32BitsToSingle(upper << 16);
                    }

                    break;
                case SafeTensorsDType.F64:
                    for (int i = 0; i < destination.Length; i++)
                    {
                        double value = BinaryPrimitives.ReadDoubleLittleEndian(bytes.Slice(i * 8, 8));
                        float single = (float)value;
                        if (float.IsInfinity(single) && double.IsFinite(value))
                        {
                            throw new WeightFileException(
                                $"Tensor '{MessageText.Name(entry.Name)}' (F64, shape {entry.ShapeText}, data offsets [{entry.Begin}, {entry.End}]) holds {value.ToString("R", CultureInfo.InvariantCulture)} at element {firstElement + i}, beyond the range of float.",
                                entry.Name);
                        }

                        destination[i] = single;
                    }

                    break;
                default:
                    throw new WeightFileException(
                        $"Tensor '{MessageText.Name(entry.Name)}' has dtype {entry.DType.GetName()} (shape {entry.ShapeText}, data offsets [{entry.Begin}, {entry.End}]); only F32, F16, BF16 and F64 convert to float.",
                        entry.Name);
            }

            if (!allowNonFinite)
            {
                for (int i = 0; i < destination.Length; i++)
                {
                    if (!float.IsFinite(destination[i]))
                    {
                        string value = float.IsNaN(destination[i]) ? "NaN" : destination[i] > 0 ? "+infinity" : "-infinity";
                        throw new WeightFileException(
                            $"Tensor '{MessageText.Name(entry.Name)}' ({entry.DType.GetName()}, shape {entry.ShapeText}, data offsets [{entry.Begin}, {entry.End}]) holds {value} at element {firstElement + i} (row-major). Weights and optimizer buffers that are NaN or infinite are refused; set WeightLoadOptions.AllowNonFinite to load them.",
                            entry.Name);
                    }
                }
            }
        }

        /// <summary>Reads a safetensors file.</summary>
        /// <param name="path">The file.</param>
        /// <param name="maxHeaderLength">The largest header accepted, in bytes.</param>
        /// <exception cref="WeightFileException">The file is not a valid safetensors file; the message starts with the path.</exception>
        /// <exception cref="IOException">The file cannot be read.</exception>
        public static SafeTensorsFile Read(string path, long maxHeaderLength = DefaultMaxHeaderLength)
        {
            ArgumentException.ThrowIfNullOrEmpty(path);
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 4096, FileOptions.SequentialScan);
            try
            {
                return Read(stream, maxHeaderLength);
            }
            catch (WeightFileException exception)
            {
                throw new WeightFileException($"{path}: {exception.Message}", exception.TensorName, exception);
            }
        }

        /// <summary>Reads a safetensors file from a stream's current position to its end; the stream is left open.</summary>
        /// <param name="stream">The stream; it need not be seekable.</param>
        /// <param name="maxHeaderLength">The largest header accepted, in bytes.</param>
        /// <exception cref="WeightFileException">The bytes are not a valid safetensors file.</exception>
        /// <exception cref="IOException">The stream cannot be read.</exception>
        public static SafeTensorsFile Read(Stream stream, long maxHeaderLength = DefaultMaxHeaderLength)
        {
            SafeTensorsFile header = ReadHeader(stream, maxHeaderLength);
            long dataLength = header.DataLength;
            long headerLength = header.HeaderLength;
            long expectedSize = header.FileLength;
            if (dataLength > Array.MaxLength)
            {
                throw new WeightFileException(
                    $"The tensors' data is {dataLength} bytes, more than this reader holds in memory ({Array.MaxLength} bytes).");
            }

            bool verified = stream.CanSeek;
            byte[] data = ReadBytes(stream, dataLength, verified, out long dataRead);
            if (dataRead < dataLength)
            {
                throw Truncated(header._entries, dataRead, dataLength, expectedSize, LengthFieldSize + headerLength + dataRead);
            }

            if (!verified)
            {
                CheckEnd(stream, dataLength, expectedSize);
            }

            return new SafeTensorsFile(header, data);
        }

        /// <summary>
        /// Reads and checks the length field and the header, and, when the stream can seek, that the
        /// stream holds exactly the data the header describes; leaves the stream at the data's start.
        /// The file returned has no data: its tensors are read from the stream.
        /// </summary>
        internal static SafeTensorsFile ReadHeader(Stream stream, long maxHeaderLength)
        {
            ArgumentNullException.ThrowIfNull(stream);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxHeaderLength);
            if (!stream.CanRead)
            {
                throw new ArgumentException("The stream cannot be read.", nameof(stream));
            }

            // The bytes from here to the end, when the stream knows them: every length is checked against it before allocating.
            long? fileSize = stream.CanSeek ? Math.Max(0, stream.Length - stream.Position) : null;

            Span<byte> lengthField = stackalloc byte[LengthFieldSize];
            int lengthBytes = stream.ReadAtLeast(lengthField, LengthFieldSize, throwOnEndOfStream: false);
            if (lengthBytes < LengthFieldSize)
            {
                throw new WeightFileException(
                    $"The file is truncated: it has {lengthBytes} bytes, but a safetensors file starts with an 8-byte header length.");
            }

            ulong declaredLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthField);
            if (declaredLength > (ulong)maxHeaderLength)
            {
                throw new WeightFileException(
                    $"The header length field says {declaredLength} bytes, more than the limit of {maxHeaderLength} bytes{FileSizeClause(fileSize)}: {OtherFormat(lengthField) ?? "the file is damaged or not a safetensors file."}");
            }

            long headerLength = (long)declaredLength;
            if (fileSize is long size && headerLength > size - LengthFieldSize)
            {
                throw new WeightFileException(
                    $"The file is truncated: the header length field says {headerLength} bytes, but only {size - LengthFieldSize} bytes follow it (file size {size} bytes).");
            }

            byte[] header = ReadBytes(stream, headerLength, verified: fileSize.HasValue, out long headerRead);
            if (headerRead < headerLength)
            {
                throw new WeightFileException(
                    $"The file is truncated: the header length field says {headerLength} bytes, but only {headerRead} bytes follow it (file size {LengthFieldSize + headerRead} bytes).");
            }

            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            List<SafeTensorsEntry> parsed = ParseHeader(header, metadata, out bool hasMetadata);
            SafeTensorsEntry[] entries = Validate(parsed, headerLength, out long dataLength);
            long expectedSize = LengthFieldSize + headerLength + dataLength;

            if (fileSize is long knownSize)
            {
                long present = knownSize - LengthFieldSize - headerLength;
                if (present < dataLength)
                {
                    throw Truncated(entries, present, dataLength, expectedSize, knownSize);
                }

                if (present > dataLength)
                {
                    throw new WeightFileException(
                        $"The file has {present - dataLength} bytes after the end of the last tensor (data offset {dataLength}): it is {knownSize} bytes, but its header describes {expectedSize}. The tensors must cover the data section exactly.");
                }
            }

            return new SafeTensorsFile(headerLength, entries, metadata, hasMetadata, null, dataLength);
        }

        /// <summary>Checks that a stream that cannot seek ends where the data does.</summary>
        internal static void CheckEnd(Stream stream, long dataLength, long expectedSize)
        {
            Span<byte> probe = stackalloc byte[1];
            if (stream.Read(probe) != 0)
            {
                throw new WeightFileException(
                    $"The file has more bytes after the end of the last tensor (data offset {dataLength}, {expectedSize} bytes as its header describes). The tensors must cover the data section exactly.");
            }
        }

        /// <summary>
        /// Writes a safetensors file: the header (compact JSON, the metadata first, padded with spaces
        /// to a multiple of 8 bytes), then each tensor's bytes in the order given. The stream is left open.
        /// </summary>
        /// <param name="stream">Where to write.</param>
        /// <param name="tensors">The tensors, in the order their data is written; names must be unique.</param>
        /// <param name="metadata">The <c>__metadata__</c> map, written in the order given; <see langword="null"/> for none.</param>
        /// <exception cref="ArgumentException">Two tensors, or two metadata entries, have the same name.</exception>
        public static void Write(Stream stream, IEnumerable<SafeTensorsTensor> tensors, IEnumerable<KeyValuePair<string, string>>? metadata = null)
        {
            ArgumentNullException.ThrowIfNull(stream);
            ArgumentNullException.ThrowIfNull(tensors);
            SafeTensorsTensor[] list = tensors.ToArray();
            var entries = new SafeTensorsEntry[list.Length];
            long offset = 0;
            for (int i = 0; i < list.Length; i++)
            {
                SafeTensorsTensor tensor = list[i] ?? throw new ArgumentException("A tensor is null.", nameof(tensors));
                long end = checked(offset + tensor.Data.Length);
                entries[i] = new SafeTensorsEntry(tensor.Name, tensor.DType, tensor.Shape.ToArray(), tensor.ElementCount, offset, end);
                offset = end;
            }

            WriteHeader(stream, entries, metadata);
            foreach (SafeTensorsTensor tensor in list)
            {
                stream.Write(tensor.Data.Span);
            }
        }

        /// <summary>
        /// Writes the length field and the header of entries whose offsets are contiguous from 0;
        /// the caller then writes their data in that order.
        /// </summary>
        internal static void WriteHeader(Stream stream, IReadOnlyList<SafeTensorsEntry> entries, IEnumerable<KeyValuePair<string, string>>? metadata)
        {
            byte[] header = FormatHeader(entries, metadata);
            Span<byte> lengthField = stackalloc byte[LengthFieldSize];
            BinaryPrimitives.WriteUInt64LittleEndian(lengthField, (ulong)header.Length);
            stream.Write(lengthField);
            stream.Write(header);
        }

        internal static SafeTensorsEntry CreateEntry(string name, SafeTensorsDType dtype, IReadOnlyList<int> shape, long begin)
        {
            long[] longShape = shape.Select(dimension => (long)dimension).ToArray();
            SafeTensorsEntry.TryCountElements(longShape, out long elementCount);
            dtype.TryGetByteLength(elementCount, out long byteLength);
            return new SafeTensorsEntry(name, dtype, longShape, elementCount, begin, checked(begin + byteLength));
        }

        private static byte[] FormatHeader(IReadOnlyList<SafeTensorsEntry> entries, IEnumerable<KeyValuePair<string, string>>? metadata)
        {
            var buffer = new ArrayBufferWriter<byte>();
            var options = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };
            using (var writer = new Utf8JsonWriter(buffer, options))
            {
                writer.WriteStartObject();
                if (metadata is not null)
                {
                    var keys = new HashSet<string>(StringComparer.Ordinal);
                    writer.WriteStartObject(MetadataKey);
                    foreach (KeyValuePair<string, string> pair in metadata)
                    {
                        ArgumentNullException.ThrowIfNull(pair.Key, nameof(metadata));
                        ArgumentNullException.ThrowIfNull(pair.Value, nameof(metadata));
                        if (!keys.Add(pair.Key))
                        {
                            throw new ArgumentException($"The metadata has the key '{pair.Key}' twice.", nameof(metadata));
                        }

                        writer.WriteString(pair.Key, pair.Value);
                    }

                    writer.WriteEndObject();
                }

                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (SafeTensorsEntry entry in entries)
                {
                    if (!names.Add(entry.Name))
                    {
                        throw new ArgumentException($"Two tensors are named '{MessageText.Name(entry.Name)}'.", nameof(entries));
                    }

                    writer.WriteStartObject(entry.Name);
                    writer.WriteString("dtype", entry.DType.GetName());
                    writer.WriteStartArray("shape");
                    foreach (long dimension in entry.Shape)
                    {
                        writer.WriteNumberValue(dimension);
                    }

                    writer.WriteEndArray();
                    writer.WriteStartArray("data_offsets");
                    writer.WriteNumberValue(entry.Begin);
                    writer.WriteNumberValue(entry.End);
                    writer.WriteEndArray();
                    writer.WriteEndObject();
                }

                writer.WriteEndObject();
            }

            int padded = (buffer.WrittenCount + HeaderAlignment - 1) / HeaderAlignment * HeaderAlignment;
            byte[] header = new byte[padded];
            buffer.WrittenSpan.CopyTo(header);
            header.AsSpan(buffer.WrittenCount).Fill((byte)' ');
            return header;
        }

        // ---- Reading ----

        /// <summary>
        /// Reads up to <paramref name="count"/> bytes. When the file's size has confirmed the count the
        /// buffer is allocated at once; otherwise it grows as bytes arrive.
        /// </summary>
        private static byte[] ReadBytes(Stream stream, long count, bool verified, out long read)
        {
            int length = (int)count; // callers cap count at Array.MaxLength
            byte[] buffer = new byte[verified ? length : Math.Min(length, UnverifiedChunk)];
            int filled = 0;
            while (filled < length)
            {
                if (filled == buffer.Length)
                {
                    Array.Resize(ref buffer, (int)Math.Min(length, 2L * buffer.Length));
                }

                int got = stream.Read(buffer, filled, buffer.Length - filled);
                if (got == 0)
                {
                    break;
                }

                filled += got;
            }

            read = filled;
            return buffer;
        }

        /// <summary>
        /// What a file that is not safetensors is, from its first bytes, for the formats a weight file is most often
        /// confused with (torch.save's, Keras' HDF5, a JSON model), or <see langword="null"/>.
        /// </summary>
        private static string? OtherFormat(ReadOnlySpan<byte> start)
        {
            const string SaveAsSafeTensors = "LstmGen reads safetensors only: in PyTorch, save with safetensors.torch.save_file(model.state_dict(), path).";
            // Their signatures: a zip's local file header, a pickle's PROTO opcode and version, HDF5's superblock.
            ReadOnlySpan<byte> zip = new byte[] { (byte)'P', (byte)'K', 3, 4 };
            ReadOnlySpan<byte> hdf5 = new byte[] { 0x89, (byte)'H', (byte)'D', (byte)'F', (byte)'\r', (byte)'\n', 0x1A, (byte)'\n' };
            if (start.StartsWith(zip))
            {
                return "the file is a zip archive, as torch.save writes a .pt or .pth file (since PyTorch 1.6), not a safetensors file. " + SaveAsSafeTensors;
            }

            if (start[0] == 0x80 && start[1] >= 2 && start[1] <= 5)
            {
                return "the file is a Python pickle, as torch.save writes a .pt or .pth file in its legacy format, not a safetensors file. " + SaveAsSafeTensors;
            }

            if (start.StartsWith(hdf5))
            {
                return "the file is HDF5, as Keras writes .h5 and .weights.h5 files, not a safetensors file: save its datasets by their keys into a safetensors file (h5py and safetensors.numpy.save_file) and load that with KerasWeights.Load.";
            }

            return start[0] == (byte)'{'
                ? "the file starts with '{', as a JSON file does, not a safetensors file (an RTNeural model loads with RTNeuralModel.Load)."
                : null;
        }

        private static string FileSizeClause(long? fileSize) => fileSize is long size ? $" (file size {size} bytes)" : string.Empty;

        internal static WeightFileException Truncated(IReadOnlyList<SafeTensorsEntry> entries, long present, long dataLength, long expectedSize, long actualSize)
        {
            SafeTensorsEntry cut = entries.First(entry => entry.End > present);
            string where = cut.Begin >= present
                ? $"before tensor '{MessageText.Name(cut.Name)}' (data offsets [{cut.Begin}, {cut.End}])"
                : $"inside tensor '{MessageText.Name(cut.Name)}' (data offsets [{cut.Begin}, {cut.End}])";
            return new WeightFileException(
                $"The file is truncated: its data section ends after {present} of the {dataLength} bytes the header describes, {where}. The file has {actualSize} bytes; it should have {expectedSize}.",
                cut.Name);
        }

        private static List<SafeTensorsEntry> ParseHeader(byte[] header, Dictionary<string, string> metadata, out bool hasMetadata)
        {
            if (header.Length == 0 || header[0] != (byte)'{')
            {
                string start = header.Length == 0 ? "it is empty" : $"it begins with byte 0x{header[0]:X2}";
                throw new WeightFileException($"The header is not a JSON object: a safetensors header must begin with '{{', but {start}.");
            }

            if (!Utf8.IsValid(header))
            {
                throw new WeightFileException($"The header ({header.Length} bytes) is not valid UTF-8.");
            }

            var entries = new List<SafeTensorsEntry>();
            hasMetadata = false;
            try
            {
                var reader = new Utf8JsonReader(header, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    throw new WeightFileException($"The header is not a JSON object: it is a {Describe(ref reader)}.");
                }

                var keys = new HashSet<string>(StringComparer.Ordinal);
                while (Next(ref reader) == JsonTokenType.PropertyName)
                {
                    string key = reader.GetString()!;
                    if (!keys.Add(key))
                    {
                        throw new WeightFileException($"The header has the key '{MessageText.Name(key)}' twice.", key == MetadataKey ? null : key);
                    }

                    Next(ref reader);
                    if (key == MetadataKey)
                    {
                        hasMetadata = ReadMetadata(ref reader, metadata);
                    }
                    else
                    {
                        entries.Add(ReadEntry(ref reader, key));
                    }
                }

                // Only whitespace (the padding) may follow the object; the reader throws on anything else.
                if (reader.Read())
                {
                    throw new WeightFileException("The header has content after its JSON object.");
                }
            }
            catch (JsonException exception)
            {
                throw new WeightFileException($"The header ({header.Length} bytes) is not valid JSON: {exception.Message}", exception);
            }

            return entries;
        }

        private static JsonTokenType Next(ref Utf8JsonReader reader)
        {
            if (!reader.Read())
            {
                throw new JsonException("The JSON ends early.");
            }

            return reader.TokenType;
        }

        private static bool ReadMetadata(ref Utf8JsonReader reader, Dictionary<string, string> metadata)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                return false;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new WeightFileException($"The header's '{MetadataKey}' must be an object of strings, but it is a {Describe(ref reader)}.");
            }

            while (Next(ref reader) == JsonTokenType.PropertyName)
            {
                string key = reader.GetString()!;
                if (Next(ref reader) != JsonTokenType.String)
                {
                    throw new WeightFileException($"The header's '{MetadataKey}' must map strings to strings, but '{MessageText.Name(key)}' is a {Describe(ref reader)}.");
                }

                if (!metadata.TryAdd(key, reader.GetString()!))
                {
                    throw new WeightFileException($"The header's '{MetadataKey}' has the key '{MessageText.Name(key)}' twice.");
                }
            }

            return true;
        }

        private static SafeTensorsEntry ReadEntry(ref Utf8JsonReader reader, string name)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw Malformed(name, $"its entry must be an object with \"dtype\", \"shape\" and \"data_offsets\", but it is a {Describe(ref reader)}");
            }

            SafeTensorsDType? dtype = null;
            long[]? shape = null;
            long[]? offsets = null;
            while (Next(ref reader) == JsonTokenType.PropertyName)
            {
                string field = reader.GetString()!;
                Next(ref reader);
                switch (field)
                {
                    case "dtype":
                        if (dtype.HasValue)
                        {
                            throw Malformed(name, "its entry has \"dtype\" twice");
                        }

                        if (reader.TokenType != JsonTokenType.String)
                        {
                            throw Malformed(name, $"\"dtype\" must be a string, but it is a {Describe(ref reader)}");
                        }

                        string dtypeName = reader.GetString()!;
                        if (!SafeTensorsDTypes.TryParse(dtypeName, out SafeTensorsDType parsedDType))
                        {
                            throw Malformed(name, $"dtype '{MessageText.Name(dtypeName)}' is not a safetensors dtype (those are {SafeTensorsDTypes.KnownNames})");
                        }

                        dtype = parsedDType;
                        break;
                    case "shape":
                        if (shape is not null)
                        {
                            throw Malformed(name, "its entry has \"shape\" twice");
                        }

                        shape = ReadIntegers(ref reader, name, "shape");
                        break;
                    case "data_offsets":
                        if (offsets is not null)
                        {
                            throw Malformed(name, "its entry has \"data_offsets\" twice");
                        }

                        offsets = ReadIntegers(ref reader, name, "data_offsets");
                        if (offsets.Length != 2)
                        {
                            throw Malformed(name, $"\"data_offsets\" must be [begin, end], but it has {offsets.Length} numbers");
                        }

                        break;
                    default:
                        // Unknown fields are ignored, as the reference implementation does.
                        reader.Skip();
                        break;
                }
            }

            if (!dtype.HasValue || shape is null || offsets is null)
            {
                string missing = string.Join(", ", new[] { dtype.HasValue ? null : "\"dtype\"", shape is null ? "\"shape\"" : null, offsets is null ? "\"data_offsets\"" : null }.Where(s => s is not null));
                throw Malformed(name, $"its entry has no {missing}");
            }

            if (!SafeTensorsEntry.TryCountElements(shape, out long elementCount))
            {
                throw Malformed(name, $"its shape {SafeTensorsEntry.FormatShape(shape)} has more elements than a 64-bit count holds");
            }

            return new SafeTensorsEntry(name, dtype.Value, shape, elementCount, offsets[0], offsets[1]);
        }

        private static long[] ReadIntegers(ref Utf8JsonReader reader, string name, string field)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw Malformed(name, $"\"{field}\" must be an array of non-negative integers, but it is a {Describe(ref reader)}");
            }

            var values = new List<long>();
            while (Next(ref reader) != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out long value) || value < 0 || !IsPlainInteger(reader.ValueSpan))
                {
                    throw Malformed(name, $"\"{field}\" must be an array of non-negative integers, but it holds {Describe(ref reader)}");
                }

                values.Add(value);
            }

            return values.ToArray();
        }

        /// <summary>Digits only: no sign, fraction or exponent (1.0 and 1e3 are not sizes).</summary>
        private static bool IsPlainInteger(ReadOnlySpan<byte> token)
        {
            foreach (byte b in token)
            {
                if (b is < (byte)'0' or > (byte)'9')
                {
                    return false;
                }
            }

            return true;
        }

        private static string Describe(ref Utf8JsonReader reader) => reader.TokenType switch
        {
            JsonTokenType.StartObject => "JSON object",
            JsonTokenType.StartArray => "JSON array",
            JsonTokenType.String => $"string \"{MessageText.Name(reader.GetString()!)}\"",
            JsonTokenType.Number => $"number {MessageText.Name(Encoding.UTF8.GetString(reader.ValueSpan))}",
            JsonTokenType.True => "JSON true",
            JsonTokenType.False => "JSON false",
            JsonTokenType.Null => "JSON null",
            _ => reader.TokenType.ToString(),
        };

        private static string ElementSizeText(SafeTensorsDType dtype)
        {
            int bits = dtype.GetBitSize();
            return bits % 8 == 0 ? $"{bits / 8} bytes" : $"{bits} bits";
        }

        private static WeightFileException Malformed(string name, string problem) =>
            new WeightFileException($"The header's entry for tensor '{MessageText.Name(name)}' is malformed: {problem}.", name);

        /// <summary>
        /// Sorts the entries by data offset and checks that they cover [0, data length) exactly, each
        /// as long as its shape and dtype make it; returns them in data order.
        /// </summary>
        private static SafeTensorsEntry[] Validate(List<SafeTensorsEntry> parsed, long headerLength, out long dataLength)
        {
            SafeTensorsEntry[] entries = parsed.OrderBy(entry => entry.Begin).ThenBy(entry => entry.End).ToArray();
            long position = 0;
            SafeTensorsEntry? previous = null;
            foreach (SafeTensorsEntry entry in entries)
            {
                string offsets = $"data offsets [{entry.Begin}, {entry.End}]";
                if (entry.End < entry.Begin)
                {
                    throw new WeightFileException($"Tensor '{MessageText.Name(entry.Name)}' has {offsets}: its end is before its begin.", entry.Name);
                }

                if (entry.Begin < position)
                {
                    throw new WeightFileException(
                        $"Tensor '{MessageText.Name(entry.Name)}' ({offsets}) overlaps tensor '{MessageText.Name(previous!.Name)}' (data offsets [{previous.Begin}, {previous.End}]).",
                        entry.Name);
                }

                if (entry.Begin > position)
                {
                    string before = previous is null
                        ? "before the first tensor"
                        : $"between tensor '{MessageText.Name(previous.Name)}' (data offsets [{previous.Begin}, {previous.End}]) and";
                    string after = previous is null ? $", '{MessageText.Name(entry.Name)}' ({offsets})" : $" tensor '{MessageText.Name(entry.Name)}' ({offsets})";
                    throw new WeightFileException(
                        $"The {entry.Begin - position} bytes at data offsets [{position}, {entry.Begin}) belong to no tensor: a gap {before}{after}. The tensors must cover the data section without gaps.",
                        entry.Name);
                }

                if (!entry.DType.TryGetByteLength(entry.ElementCount, out long byteLength))
                {
                    throw new WeightFileException(
                        $"Tensor '{MessageText.Name(entry.Name)}' ({entry.DType.GetName()}, shape {entry.ShapeText}, {offsets}): {entry.ElementCount} elements of {entry.DType.GetBitSize()} bits are too many, or not a whole number of bytes.",
                        entry.Name);
                }

                if (byteLength != entry.ByteLength)
                {
                    throw new WeightFileException(
                        $"Tensor '{MessageText.Name(entry.Name)}' has dtype {entry.DType.GetName()} and shape {entry.ShapeText}, which take {byteLength} bytes ({entry.ElementCount} elements of {ElementSizeText(entry.DType)}), but its {offsets} hold {entry.ByteLength}.",
                        entry.Name);
                }

                if (entry.End > long.MaxValue - LengthFieldSize - headerLength)
                {
                    throw new WeightFileException($"Tensor '{MessageText.Name(entry.Name)}' has {offsets}, beyond the end of any file.", entry.Name);
                }

                position = entry.End;
                previous = entry;
            }

            dataLength = position;
            return entries;
        }

        /// <summary>The data section, which a file from <see cref="ReadHeader"/> does not hold.</summary>
        private byte[] Data() =>
            _data ?? throw new InvalidOperationException("This file was read without its data.");

        private void CheckOwnEntry(SafeTensorsEntry entry)
        {
            ArgumentNullException.ThrowIfNull(entry);
            if (!_byName.TryGetValue(entry.Name, out SafeTensorsEntry? own) || !ReferenceEquals(own, entry))
            {
                throw new ArgumentException($"Tensor '{MessageText.Name(entry.Name)}' is not an entry of this file.", nameof(entry));
            }
        }
    }
}
