using System;
using System.Globalization;

namespace TextGeneration
{
    /// <summary>
    /// The model's characters: <see cref="Size"/> symbols, each one input (one-hot) and one output
    /// (a softmax probability). Letters are folded to lower case, and every character outside
    /// <see cref="Alphabet"/> (digits, <c>*</c>, <c>$</c>, <c>&amp;</c>, brackets: 0.05% of the
    /// novel's chapters) becomes the one symbol <see cref="Other"/>. A small vocabulary keeps the model small
    /// (its input and output sizes are the vocabulary's) and lets a short run learn words, not cases.
    /// </summary>
    public static class Vocabulary
    {
        /// <summary>The symbols, in index order; the last is <see cref="Other"/>.</summary>
        public const string Alphabet = "\n !\"'(),-.:;?abcdefghijklmnopqrstuvwxyz\u2014#";

        /// <summary>The number of symbols: the model's input and output size (checked against <see cref="Alphabet"/> at start-up).</summary>
        public const int Size = 41;

        /// <summary>The symbol of every character outside the alphabet (the novel itself has no <c>#</c>).</summary>
        public const char Other = '#';

        // The symbol of each UTF-16 code unit below 0x2015 (the em dash); anything above is Other.
        private static readonly sbyte[] Indices = CreateIndices();

        /// <summary>The symbol index of a character, after folding it to lower case.</summary>
        /// <param name="character">Any character.</param>
        public static int IndexOf(char character)
        {
            char folded = char.ToLowerInvariant(character);
            return folded < Indices.Length && Indices[folded] >= 0 ? Indices[folded] : Size - 1;
        }

        /// <summary>The character a symbol index stands for.</summary>
        /// <param name="index">A symbol index, 0 to <see cref="Size"/> - 1.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not a symbol.</exception>
        public static char CharacterOf(int index)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Size);
            return Alphabet[index];
        }

        /// <summary>The symbol indices of a text, one per character.</summary>
        /// <param name="text">The text.</param>
        public static byte[] Encode(ReadOnlySpan<char> text)
        {
            byte[] symbols = new byte[text.Length];
            for (int i = 0; i < text.Length; i++)
            {
                symbols[i] = (byte)IndexOf(text[i]);
            }

            return symbols;
        }

        /// <summary>The text a model sees for <paramref name="text"/>: lower case, with <see cref="Other"/> for the rest.</summary>
        /// <param name="text">The text.</param>
        public static string Normalize(ReadOnlySpan<char> text)
        {
            char[] characters = new char[text.Length];
            for (int i = 0; i < text.Length; i++)
            {
                characters[i] = Alphabet[IndexOf(text[i])];
            }

            return new string(characters);
        }

        /// <summary>Writes the one-hot vectors of <paramref name="symbols"/>: [symbols.Length, <see cref="Size"/>], row-major.</summary>
        /// <param name="symbols">Symbol indices.</param>
        /// <param name="destination">Receives symbols.Length * <see cref="Size"/> values (cleared first).</param>
        /// <exception cref="ArgumentException"><paramref name="destination"/> has the wrong length.</exception>
        public static void OneHot(ReadOnlySpan<byte> symbols, Span<float> destination)
        {
            if (destination.Length != symbols.Length * Size)
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"{symbols.Length} symbols need {symbols.Length * Size} values; the destination holds {destination.Length}."),
                    nameof(destination));
            }

            destination.Clear();
            for (int i = 0; i < symbols.Length; i++)
            {
                destination[(i * Size) + symbols[i]] = 1f;
            }
        }

        private static sbyte[] CreateIndices()
        {
            if (Alphabet.Length != Size || Alphabet[^1] != Other)
            {
                throw new InvalidOperationException(
                    string.Create(CultureInfo.InvariantCulture, $"The alphabet has {Alphabet.Length} symbols and Size says {Size}; the last symbol must be '{Other}'."));
            }

            sbyte[] indices = new sbyte['\u2014' + 1];
            indices.AsSpan().Fill(-1);
            for (int i = 0; i < Alphabet.Length; i++)
            {
                indices[Alphabet[i]] = (sbyte)i;
            }

            return indices;
        }
    }
}
