using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using LstmGen.Generator.Model;

namespace LstmGen.Generator.Weights
{
    /// <summary>
    /// A small, strict reader of the safetensors header, for the generator (which cannot use the runtime's):
    /// an 8-byte little-endian length N, N bytes of UTF-8 JSON (a map of tensor name to
    /// <c>{"dtype", "shape", "data_offsets"}</c>, plus an optional <c>__metadata__</c> map of strings), then
    /// the data. It refuses what the runtime's reader refuses: a header longer than the file or than 100 MB,
    /// JSON that is not an object of such entries, duplicate names, an unknown dtype, a shape whose element
    /// count overflows, and data ranges that do not cover the data section exactly, or that do not fit their
    /// shape and dtype. Never throws: a bad file gives <see cref="WeightFileContents.Error"/>.
    /// </summary>
    internal static class SafeTensorsHeader
    {
        private const long MaxHeaderLength = 100_000_000;
        private const string MetadataKey = "__metadata__";

        /// <summary>The format's dtypes and their sizes in bits (as the runtime's SafeTensorsDTypes).</summary>
        private static readonly Dictionary<string, int> s_bitSizes = new(StringComparer.Ordinal)
        {
            ["BOOL"] = 8, ["F4"] = 4, ["F6_E2M3"] = 6, ["F6_E3M2"] = 6, ["U8"] = 8, ["I8"] = 8, ["F8_E5M2"] = 8, ["F8_E4M3"] = 8,
            ["F8_E8M0"] = 8, ["F8_E4M3FNUZ"] = 8, ["F8_E5M2FNUZ"] = 8, ["I16"] = 16, ["U16"] = 16, ["F16"] = 16, ["BF16"] = 16,
            ["I32"] = 32, ["U32"] = 32, ["F32"] = 32, ["C64"] = 64, ["F64"] = 64, ["I64"] = 64, ["U64"] = 64,
        };

        public static WeightFileContents Parse(string path, byte[] bytes)
        {
            try
            {
                return ParseCore(path, bytes);
            }
            catch (FormatException exception)
            {
                return WeightFileContents.Failed(path, exception.Message);
            }
            catch (OverflowException)
            {
                return WeightFileContents.Failed(path, "a shape or a data offset in its header overflows 64 bits");
            }
        }

        private static WeightFileContents ParseCore(string path, byte[] bytes)
        {
            long fileLength = bytes.LongLength;
            if (fileLength < 8)
            {
                throw new FormatException($"it has {fileLength} bytes, fewer than the 8 of a safetensors header's length");
            }

            ulong headerLength = 0;
            for (int i = 7; i >= 0; i--)
            {
                headerLength = (headerLength << 8) | bytes[i];
            }

            if (headerLength > MaxHeaderLength || (long)headerLength > fileLength - 8)
            {
                throw new FormatException($"its header length field says {headerLength} bytes, but the file has {fileLength} bytes (and a header may have at most {MaxHeaderLength})");
            }

            string json;
            try
            {
                json = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 8, (int)headerLength);
            }
            catch (ArgumentException)
            {
                throw new FormatException("its header is not valid UTF-8");
            }

            var reader = new JsonReader(json);
            var entries = new List<WeightEntry>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            reader.Expect('{');
            if (!reader.TryConsume('}'))
            {
                do
                {
                    string name = reader.ReadString();
                    if (!names.Add(name))
                    {
                        throw new FormatException($"its header names '{name}' twice");
                    }

                    reader.Expect(':');
                    if (name == MetadataKey)
                    {
                        ReadMetadata(reader);
                    }
                    else
                    {
                        entries.Add(ReadEntry(reader, name));
                    }
                }
                while (reader.TryConsume(','));

                reader.Expect('}');
            }

            reader.ExpectEnd();
            long dataStart = 8 + (long)headerLength;
            CheckCoverage(entries, fileLength - dataStart, fileLength);
            return new WeightFileContents(path, entries.ToEquatableArray(), dataStart, new ByteBlob(bytes), null);
        }

        private static void ReadMetadata(JsonReader reader)
        {
            reader.Expect('{');
            if (reader.TryConsume('}'))
            {
                return;
            }

            do
            {
                reader.ReadString();
                reader.Expect(':');
                reader.ReadString();
            }
            while (reader.TryConsume(','));

            reader.Expect('}');
        }

        private static WeightEntry ReadEntry(JsonReader reader, string name)
        {
            string? dtype = null;
            List<long>? shape = null;
            List<long>? offsets = null;
            reader.Expect('{');
            do
            {
                string key = reader.ReadString();
                reader.Expect(':');
                switch (key)
                {
                    case "dtype" when dtype is null:
                        dtype = reader.ReadString();
                        break;
                    case "shape" when shape is null:
                        shape = reader.ReadIntegers();
                        break;
                    case "data_offsets" when offsets is null:
                        offsets = reader.ReadIntegers();
                        break;
                    default:
                        throw new FormatException($"tensor '{name}' has an unknown or repeated key '{key}' in the header");
                }
            }
            while (reader.TryConsume(','));

            reader.Expect('}');
            if (dtype is null || shape is null || offsets is null)
            {
                throw new FormatException($"tensor '{name}' lacks {(dtype is null ? "its dtype" : shape is null ? "its shape" : "its data_offsets")} in the header");
            }

            if (!s_bitSizes.ContainsKey(dtype))
            {
                throw new FormatException($"tensor '{name}' has the unknown dtype '{dtype}'");
            }

            if (offsets.Count != 2 || offsets[0] > offsets[1])
            {
                throw new FormatException($"tensor '{name}' has data_offsets [{string.Join(", ", offsets)}], not two offsets [begin, end] with begin <= end");
            }

            return new WeightEntry(name, dtype, shape.ToEquatableArray(), offsets[0], offsets[1]);
        }

        /// <summary>Every tensor is as long as its shape and dtype make it, and together they tile the data exactly.</summary>
        private static void CheckCoverage(List<WeightEntry> entries, long dataLength, long fileLength)
        {
            foreach (WeightEntry entry in entries)
            {
                long bits = checked(entry.Shape.Aggregate(1L, (count, dimension) => checked(count * dimension)) * s_bitSizes[entry.DType]);
                if (bits % 8 != 0 || bits / 8 != entry.End - entry.Begin)
                {
                    throw new FormatException($"tensor '{entry.Name}' ({entry.DType}, shape {entry.ShapeText}) has data offsets [{entry.Begin}, {entry.End}], {entry.End - entry.Begin} bytes, but its shape and dtype take {bits / 8.0:0.###}");
                }
            }

            long position = 0;
            foreach (WeightEntry entry in entries.OrderBy(entry => entry.Begin).ThenBy(entry => entry.End))
            {
                if (entry.Begin != position)
                {
                    string what = entry.Begin < position ? "overlaps the tensor before it" : "leaves a gap before it";
                    throw new FormatException($"tensor '{entry.Name}' at data offsets [{entry.Begin}, {entry.End}] {what} (the data before it ends at {position})");
                }

                position = entry.End;
            }

            if (position != dataLength)
            {
                throw new FormatException(position > dataLength
                    ? $"it is truncated: its tensors' data ends at offset {position}, but the file ({fileLength} bytes) has {dataLength} bytes of data"
                    : $"it has {dataLength - position} bytes after its last tensor's data (offset {position}; file size {fileLength} bytes)");
            }
        }

        /// <summary>Just enough JSON: objects, strings (with escapes), arrays of non-negative integers.</summary>
        private sealed class JsonReader
        {
            private readonly string _text;
            private int _position;

            public JsonReader(string text) => _text = text;

            public void Expect(char c)
            {
                if (!TryConsume(c))
                {
                    throw Error($"'{c}'");
                }
            }

            public bool TryConsume(char c)
            {
                SkipWhitespace();
                if (_position < _text.Length && _text[_position] == c)
                {
                    _position++;
                    return true;
                }

                return false;
            }

            public void ExpectEnd()
            {
                SkipWhitespace();
                if (_position != _text.Length)
                {
                    throw Error("the end of the header");
                }
            }

            public string ReadString()
            {
                Expect('"');
                var value = new StringBuilder();
                while (true)
                {
                    if (_position >= _text.Length)
                    {
                        throw Error("the end of a string");
                    }

                    char c = _text[_position++];
                    if (c == '"')
                    {
                        return value.ToString();
                    }

                    if (c < ' ')
                    {
                        throw Error("a character, not a control character,");
                    }

                    if (c != '\\')
                    {
                        value.Append(c);
                        continue;
                    }

                    if (_position >= _text.Length)
                    {
                        throw Error("an escape");
                    }

                    char escape = _text[_position++];
                    switch (escape)
                    {
                        case '"': value.Append('"'); break;
                        case '\\': value.Append('\\'); break;
                        case '/': value.Append('/'); break;
                        case 'b': value.Append('\b'); break;
                        case 'f': value.Append('\f'); break;
                        case 'n': value.Append('\n'); break;
                        case 'r': value.Append('\r'); break;
                        case 't': value.Append('\t'); break;
                        case 'u':
                            if (_position + 4 > _text.Length || !ushort.TryParse(_text.Substring(_position, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ushort code))
                            {
                                throw Error("four hexadecimal digits");
                            }

                            value.Append((char)code);
                            _position += 4;
                            break;
                        default:
                            throw Error("an escape");
                    }
                }
            }

            public List<long> ReadIntegers()
            {
                var values = new List<long>();
                Expect('[');
                if (TryConsume(']'))
                {
                    return values;
                }

                do
                {
                    SkipWhitespace();
                    int start = _position;
                    while (_position < _text.Length && _text[_position] is >= '0' and <= '9')
                    {
                        _position++;
                    }

                    string digits = _text.Substring(start, _position - start);
                    if (digits.Length == 0 || (digits.Length > 1 && digits[0] == '0'))
                    {
                        throw Error("a non-negative integer");
                    }

                    values.Add(long.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture));
                }
                while (TryConsume(','));

                Expect(']');
                return values;
            }

            private void SkipWhitespace()
            {
                while (_position < _text.Length && _text[_position] is ' ' or '\t' or '\n' or '\r')
                {
                    _position++;
                }
            }

            private FormatException Error(string expected) =>
                new($"its header is not the JSON of a safetensors file: {expected} expected at character {_position.ToString(CultureInfo.InvariantCulture)}");
        }
    }
}
