#if !NET8_0_OR_GREATER
// The part of System.Text.Json that a safetensors header needs, for .NET Standard 2.1 (where System.Text.Json
// is a package, and the runtime takes no dependency): a validating reader of RFC 8259 JSON and a minified
// writer, with System.Text.Json's names so that SafeTensorsFile is one source on every target.
using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace LstmGen.Serialization.Json
{
    internal enum JsonTokenType
    {
        None,
        StartObject,
        EndObject,
        StartArray,
        EndArray,
        PropertyName,
        Comment,
        String,
        Number,
        True,
        False,
        Null,
    }

    internal enum JsonCommentHandling
    {
        Disallow,
    }

    internal struct JsonReaderOptions
    {
        public JsonCommentHandling CommentHandling { get; set; }
    }

    internal sealed class JsonException : Exception
    {
        public JsonException(string message)
            : base(message)
        {
        }
    }

    /// <summary>Strict UTF-8 validation.</summary>
    internal static class Utf8
    {
        private static readonly UTF8Encoding Strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

        public static bool IsValid(ReadOnlySpan<byte> value)
        {
            try
            {
                Strict.GetCharCount(value);
                return true;
            }
            catch (DecoderFallbackException)
            {
                return false;
            }
        }
    }

    /// <summary>A forward-only reader of one JSON value, which throws <see cref="JsonException"/> on anything that is not JSON.</summary>
    internal ref struct Utf8JsonReader
    {
        private readonly ReadOnlySpan<byte> _json;
        private readonly Stack<bool> _containers; // true: an object
        private int _position;
        private bool _valueDone; // a value (or property) has ended inside a container: a comma or the end comes next
        private bool _finished;  // the top-level value has ended
        private bool _hasEscapes;

        public Utf8JsonReader(ReadOnlySpan<byte> json, JsonReaderOptions options)
        {
            _ = options; // comments are always disallowed
            _json = json;
            _containers = new Stack<bool>();
            _position = 0;
            _valueDone = false;
            _finished = false;
            _hasEscapes = false;
            TokenType = JsonTokenType.None;
            ValueSpan = default;
        }

        public JsonTokenType TokenType { get; private set; }

        public ReadOnlySpan<byte> ValueSpan { get; private set; }

        public bool Read()
        {
            SkipWhitespace();
            if (_finished)
            {
                if (_position < _json.Length)
                {
                    throw Error($"'{(char)_json[_position]}' is invalid after a single JSON value");
                }

                return false;
            }

            if (_position >= _json.Length)
            {
                throw Error("the JSON ends early");
            }

            if (TokenType == JsonTokenType.PropertyName)
            {
                Expect((byte)':');
                SkipWhitespace();
                ReadValue();
                return true;
            }

            bool inObject = _containers.Count > 0 && _containers.Peek();
            byte next = _json[_position];
            if (_containers.Count > 0 && (next == (byte)'}' || next == (byte)']') &&
                (_valueDone || TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray))
            {
                if (next != (inObject ? (byte)'}' : (byte)']'))
                {
                    throw Error($"'{(char)next}' does not close the open {(inObject ? "object" : "array")}");
                }

                _position++;
                _containers.Pop();
                TokenType = inObject ? JsonTokenType.EndObject : JsonTokenType.EndArray;
                ValueSpan = default;
                EndValue();
                return true;
            }

            if (_valueDone)
            {
                Expect((byte)',');
                SkipWhitespace();
                if (_position >= _json.Length)
                {
                    throw Error("the JSON ends early");
                }
            }

            if (inObject)
            {
                if (_json[_position] != (byte)'"')
                {
                    throw Error($"'{(char)_json[_position]}' is invalid where a property name should start");
                }

                ReadString();
                TokenType = JsonTokenType.PropertyName;
                _valueDone = false;
                return true;
            }

            ReadValue();
            return true;
        }

        /// <summary>Skips the children of the current object or array, or the value of the current property.</summary>
        public void Skip()
        {
            if (TokenType == JsonTokenType.PropertyName)
            {
                Read();
            }

            if (TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                int depth = _containers.Count;
                while (Read() && _containers.Count >= depth)
                {
                }
            }
        }

        public string GetString()
        {
            if (!_hasEscapes)
            {
                return Encoding.UTF8.GetString(ValueSpan);
            }

            var text = new StringBuilder(ValueSpan.Length);
            ReadOnlySpan<byte> rest = ValueSpan;
            while (!rest.IsEmpty)
            {
                int backslash = rest.IndexOf((byte)'\\');
                if (backslash < 0)
                {
                    text.Append(Encoding.UTF8.GetString(rest));
                    break;
                }

                text.Append(Encoding.UTF8.GetString(rest.Slice(0, backslash)));
                byte escape = rest[backslash + 1];
                int length = 2;
                switch (escape)
                {
                    case (byte)'b': text.Append('\b'); break;
                    case (byte)'f': text.Append('\f'); break;
                    case (byte)'n': text.Append('\n'); break;
                    case (byte)'r': text.Append('\r'); break;
                    case (byte)'t': text.Append('\t'); break;
                    case (byte)'u':
                        text.Append((char)int.Parse(Encoding.ASCII.GetString(rest.Slice(backslash + 2, 4)), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
                        length = 6;
                        break;
                    default: text.Append((char)escape); break; // " \ /
                }

                rest = rest.Slice(backslash + length);
            }

            return text.ToString();
        }

        public bool TryGetInt64(out long value)
        {
            value = 0;
            if (TokenType != JsonTokenType.Number)
            {
                return false;
            }

            foreach (byte b in ValueSpan)
            {
                if (b is (byte)'.' or (byte)'e' or (byte)'E')
                {
                    return false;
                }
            }

            return long.TryParse(Encoding.ASCII.GetString(ValueSpan), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
        }

        private void ReadValue()
        {
            if (_position >= _json.Length)
            {
                throw Error("the JSON ends early");
            }

            byte first = _json[_position];
            switch (first)
            {
                case (byte)'{':
                case (byte)'[':
                    _position++;
                    _containers.Push(first == (byte)'{');
                    TokenType = first == (byte)'{' ? JsonTokenType.StartObject : JsonTokenType.StartArray;
                    ValueSpan = default;
                    _valueDone = false;
                    return;
                case (byte)'"':
                    ReadString();
                    TokenType = JsonTokenType.String;
                    break;
                case (byte)'t':
                    ReadLiteral("true", JsonTokenType.True);
                    break;
                case (byte)'f':
                    ReadLiteral("false", JsonTokenType.False);
                    break;
                case (byte)'n':
                    ReadLiteral("null", JsonTokenType.Null);
                    break;
                default:
                    if (first == (byte)'-' || IsDigit(first))
                    {
                        ReadNumber();
                        break;
                    }

                    throw Error($"'{(char)first}' is an invalid start of a value");
            }

            EndValue();
        }

        private void EndValue()
        {
            _valueDone = _containers.Count > 0;
            _finished = _containers.Count == 0;
        }

        private void ReadString()
        {
            int start = ++_position;
            _hasEscapes = false;
            while (true)
            {
                if (_position >= _json.Length)
                {
                    throw Error("a string is not closed");
                }

                byte b = _json[_position];
                if (b == (byte)'"')
                {
                    break;
                }

                if (b < 0x20)
                {
                    throw Error($"a string holds the control character 0x{b:X2}");
                }

                if (b == (byte)'\\')
                {
                    _hasEscapes = true;
                    byte escape = _position + 1 < _json.Length ? _json[_position + 1] : (byte)0;
                    if (escape == (byte)'u')
                    {
                        for (int i = 2; i < 6; i++)
                        {
                            if (_position + i >= _json.Length || !Uri.IsHexDigit((char)_json[_position + i]))
                            {
                                throw Error("a \\u escape needs four hexadecimal digits");
                            }
                        }

                        _position += 6;
                        continue;
                    }

                    if (escape is not ((byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t'))
                    {
                        throw Error($"'\\{(char)escape}' is not a JSON escape");
                    }

                    _position += 2;
                    continue;
                }

                _position++;
            }

            ValueSpan = _json.Slice(start, _position - start);
            _position++;
        }

        private void ReadNumber()
        {
            int start = _position;
            if (_json[_position] == (byte)'-')
            {
                _position++;
            }

            if (Peek() == (byte)'0')
            {
                _position++;
            }
            else
            {
                Digits();
            }

            if (Peek() == (byte)'.')
            {
                _position++;
                Digits();
            }

            if (Peek() is (byte)'e' or (byte)'E')
            {
                _position++;
                if (Peek() is (byte)'+' or (byte)'-')
                {
                    _position++;
                }

                Digits();
            }

            ExpectDelimiter();
            TokenType = JsonTokenType.Number;
            ValueSpan = _json.Slice(start, _position - start);
        }

        private void Digits()
        {
            if (!IsDigit(Peek()))
            {
                throw Error("a number is malformed");
            }

            while (IsDigit(Peek()))
            {
                _position++;
            }
        }

        private void ReadLiteral(string literal, JsonTokenType type)
        {
            for (int i = 0; i < literal.Length; i++)
            {
                if (_position + i >= _json.Length || _json[_position + i] != literal[i])
                {
                    throw Error($"'{literal}' is misspelt");
                }
            }

            _position += literal.Length;
            ExpectDelimiter();
            TokenType = type;
            ValueSpan = _json.Slice(_position - literal.Length, literal.Length);
        }

        private void ExpectDelimiter()
        {
            byte next = Peek();
            if (!(next is 0 or (byte)',' or (byte)']' or (byte)'}' || IsWhitespace(next)) || (next == 0 && _position < _json.Length))
            {
                throw Error($"'{(char)next}' cannot follow a value");
            }
        }

        private void Expect(byte expected)
        {
            if (_position >= _json.Length || _json[_position] != expected)
            {
                string found = _position >= _json.Length ? "the end" : $"'{(char)_json[_position]}'";
                throw Error($"'{(char)expected}' was expected, not {found}");
            }

            _position++;
        }

        private void SkipWhitespace()
        {
            while (_position < _json.Length && IsWhitespace(_json[_position]))
            {
                _position++;
            }
        }

        private byte Peek() => _position < _json.Length ? _json[_position] : (byte)0;

        private JsonException Error(string message) => new JsonException($"{char.ToUpperInvariant(message[0])}{message.Substring(1)} (byte {_position}).");

        private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

        private static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r';
    }

    internal sealed class JavaScriptEncoder
    {
        private JavaScriptEncoder()
        {
        }

        /// <summary>Escapes only what JSON requires (quotes, backslashes and control characters), as System.Text.Json's encoder of that name.</summary>
        public static JavaScriptEncoder UnsafeRelaxedJsonEscaping { get; } = new JavaScriptEncoder();
    }

    internal struct JsonWriterOptions
    {
        public JavaScriptEncoder? Encoder { get; set; }

        public bool Indented { get; set; }
    }

    /// <summary>A minified JSON writer with System.Text.Json's output for the calls the header makes.</summary>
    internal sealed class Utf8JsonWriter : IDisposable
    {
        private readonly IBufferWriter<byte> _output;
        private readonly StringBuilder _text = new StringBuilder();
        private bool _needsComma;

        public Utf8JsonWriter(IBufferWriter<byte> output, JsonWriterOptions options)
        {
            _ = options;
            _output = output;
        }

        public void WriteStartObject() => Open('{', null);

        public void WriteStartObject(string propertyName) => Open('{', propertyName);

        public void WriteStartArray(string propertyName) => Open('[', propertyName);

        public void WriteEndObject() => Close('}');

        public void WriteEndArray() => Close(']');

        public void WriteString(string propertyName, string value)
        {
            Property(propertyName);
            Quoted(value);
            _needsComma = true;
        }

        public void WriteNumberValue(long value)
        {
            Separator();
            _text.Append(value.ToString(CultureInfo.InvariantCulture));
            _needsComma = true;
        }

        public void Dispose() => _output.Write(Encoding.UTF8.GetBytes(_text.ToString()));

        private void Open(char bracket, string? propertyName)
        {
            if (propertyName is null)
            {
                Separator();
            }
            else
            {
                Property(propertyName);
            }

            _text.Append(bracket);
            _needsComma = false;
        }

        private void Close(char bracket)
        {
            _text.Append(bracket);
            _needsComma = true;
        }

        private void Property(string name)
        {
            Separator();
            Quoted(name);
            _text.Append(':');
        }

        private void Separator()
        {
            if (_needsComma)
            {
                _text.Append(',');
            }
        }

        private void Quoted(string value)
        {
            _text.Append('"');
            foreach (char c in value)
            {
                switch (c)
                {
                    case '"': _text.Append("\\\""); break;
                    case '\\': _text.Append("\\\\"); break;
                    case '\b': _text.Append("\\b"); break;
                    case '\f': _text.Append("\\f"); break;
                    case '\n': _text.Append("\\n"); break;
                    case '\r': _text.Append("\\r"); break;
                    case '\t': _text.Append("\\t"); break;
                    default:
                        if (c < 0x20 || c == 0x7F)
                        {
                            _text.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                        }
                        else
                        {
                            _text.Append(c);
                        }

                        break;
                }
            }

            _text.Append('"');
        }
    }
}
#endif
