using System;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Text;

namespace TextGeneration
{
    /// <summary>
    /// The novel as the model sees it: the text from "CHAPTER 1. Loomings." to the end (the table of contents,
    /// the etymology and the extracts before it are lists and quotations, not Melville's prose), as symbol indices.
    /// </summary>
    public sealed class Corpus
    {
        /// <summary>The folder, next to the executable, that holds the text.</summary>
        public const string Folder = "Data";

        /// <summary>The text, UTF-8 and gzipped: see Data/SOURCE.md for where it comes from.</summary>
        public const string FileName = "moby-dick.txt.gz";

        /// <summary>The first line of the novel's first chapter (it also appears, without the text after it, in the table of contents).</summary>
        private const string FirstChapter = "CHAPTER 1. Loomings.\n\nCall me Ishmael.";

        private Corpus(string text, byte[] symbols)
        {
            Text = text;
            Symbols = symbols;
        }

        /// <summary>The text, from the first chapter on, as in the file.</summary>
        public string Text { get; }

        /// <summary>The symbol index of every character of <see cref="Text"/>.</summary>
        public byte[] Symbols { get; }

        /// <summary>Reads the gzipped text from <paramref name="path"/>.</summary>
        /// <param name="path">The .txt.gz file.</param>
        /// <exception cref="InvalidDataException">The file is not gzip, or the first chapter is not in it.</exception>
        public static Corpus Load(string path)
        {
            string whole;
            using (var file = File.OpenRead(path))
            using (var gzip = new GZipStream(file, CompressionMode.Decompress))
            using (var reader = new StreamReader(gzip, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true)))
            {
                whole = reader.ReadToEnd();
            }

            int start = whole.IndexOf(FirstChapter, StringComparison.Ordinal);
            if (start < 0)
            {
                throw new InvalidDataException($"{path} does not hold Moby-Dick: \"{FirstChapter.Replace("\n", "\\n", StringComparison.Ordinal)}\" is not in it.");
            }

            string text = whole[start..];
            return new Corpus(text, Vocabulary.Encode(text));
        }

        /// <summary>
        /// Cuts the text in two: the training text from the start, <paramref name="trainingCharacters"/> long, and the
        /// validation text, the last <paramref name="validationCharacters"/> of the novel (30,000: from late in the
        /// chase's second day to the end of the epilogue), which training never sees.
        /// </summary>
        /// <param name="trainingCharacters">Characters to train on.</param>
        /// <param name="validationCharacters">Characters to validate on.</param>
        /// <exception cref="ArgumentOutOfRangeException">A length is not positive, or the two overlap.</exception>
        public (Memory<byte> Training, Memory<byte> Validation) Split(int trainingCharacters, int validationCharacters)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(trainingCharacters);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(validationCharacters);
            if ((long)trainingCharacters + validationCharacters > Symbols.Length)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(trainingCharacters),
                    trainingCharacters,
                    string.Create(CultureInfo.InvariantCulture, $"{trainingCharacters} training and {validationCharacters} validation characters do not fit in the {Symbols.Length} of the novel."));
            }

            return (Symbols.AsMemory(0, trainingCharacters), Symbols.AsMemory(Symbols.Length - validationCharacters));
        }
    }
}
