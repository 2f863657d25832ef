using System;
using System.ComponentModel;
using System.Runtime.InteropServices;

namespace LstmGen.CompilerServices
{
    /// <summary>
    /// Copies the parameters that the generator compiled into a model (<c>[Lstm(Weights = ...)]</c>) into its
    /// storage. The generator packs them at compile time into the model's own layout and writes their
    /// little-endian bytes as base64 (RFC 4648, in lines) in a string literal: on the full tier a UTF-8 literal
    /// (<c>@"..."u8</c>), which C# keeps as data in the assembly (reading it allocates nothing); on the portable
    /// tier (C# 9) a string constant, which the runtime makes once per process. A literal compiles in a fraction of
    /// a second where a <c>new byte[] { ... }</c> of a megabyte takes the compiler most of a minute.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class CompiledWeights
    {
        /// <summary>Decodes <paramref name="base64"/> (UTF-8; line breaks and spaces skipped) into <paramref name="parameters"/>, which it must fill exactly.</summary>
        /// <exception cref="ArgumentException">The text is not base64 of exactly the parameters' bytes.</exception>
        public static void CopyFromBase64(ReadOnlySpan<byte> base64, Span<float> parameters)
        {
            var decoder = new Decoder(MemoryMarshal.AsBytes(parameters));
            foreach (byte c in base64)
            {
                decoder.Add(c);
            }

            decoder.Finish(parameters);
        }

        /// <summary>Decodes <paramref name="base64"/> (line breaks and spaces skipped) into <paramref name="parameters"/>, which it must fill exactly.</summary>
        /// <exception cref="ArgumentException">The text is not base64 of exactly the parameters' bytes.</exception>
        public static void CopyFromBase64(string base64, Span<float> parameters)
        {
            ArgumentNullException.ThrowIfNull(base64);
            var decoder = new Decoder(MemoryMarshal.AsBytes(parameters));
            foreach (char c in base64)
            {
                decoder.Add(c);
            }

            decoder.Finish(parameters);
        }

        /// <summary>Base64 to bytes, written straight into the parameters' bytes; then, on a big-endian machine, each float's bytes reversed.</summary>
        private ref struct Decoder
        {
            private readonly Span<byte> _destination;
            private int _written;
            private int _bits;
            private int _bitCount;
            private int _padding;

            public Decoder(Span<byte> destination)
            {
                _destination = destination;
                _written = 0;
                _bits = 0;
                _bitCount = 0;
                _padding = 0;
            }

            public void Add(int c)
            {
                if (c is ' ' or '\n' or '\r' or '\t')
                {
                    return;
                }

                if (c == '=')
                {
                    _padding++;
                    return;
                }

                int sextet = c switch
                {
                    >= 'A' and <= 'Z' => c - 'A',
                    >= 'a' and <= 'z' => c - 'a' + 26,
                    >= '0' and <= '9' => c - '0' + 52,
                    '+' => 62,
                    '/' => 63,
                    _ => -1,
                };
                if (sextet < 0 || _padding > 0)
                {
                    throw new ArgumentException($"The compiled weights are not base64: character U+{c:X4} after {_written} bytes.", "base64");
                }

                _bits = (_bits << 6) | sextet;
                _bitCount += 6;
                if (_bitCount >= 8)
                {
                    _bitCount -= 8;
                    if (_written == _destination.Length)
                    {
                        throw TooLong();
                    }

                    _destination[_written++] = (byte)(_bits >> _bitCount);
                    _bits &= (1 << _bitCount) - 1;
                }
            }

            public void Finish(Span<float> parameters)
            {
                if (_written != _destination.Length)
                {
                    throw new ArgumentException(
                        $"The compiled weights hold {_written} bytes, but the model's {parameters.Length} parameters take {_destination.Length}.",
                        "base64");
                }

                if (!BitConverter.IsLittleEndian)
                {
                    for (int i = 0; i < _destination.Length; i += sizeof(float))
                    {
                        _destination.Slice(i, sizeof(float)).Reverse();
                    }
                }
            }

            private readonly ArgumentException TooLong() =>
                new($"The compiled weights hold more than the model's {_destination.Length / sizeof(float)} parameters ({_destination.Length} bytes).", "base64");
        }
    }
}
