using System;
using System.Globalization;
using LstmGen.Training;

namespace TextGeneration
{
    /// <summary>
    /// Training sequences cut from a text: window <c>w</c> covers characters [w L, w L + L), its inputs their one-hot
    /// vectors, [L, <see cref="Vocabulary.Size"/>], and its targets the one-hot vectors of the character after each,
    /// [L, <see cref="Vocabulary.Size"/>]: the same text shifted by one, so the model learns to predict every next character.
    /// </summary>
    /// <remarks>
    /// The windows do not overlap, and every one is a slice of one array of one-hot vectors, the targets of a window
    /// being its inputs one row later: no copies. Each window starts from the zero state (the trainer's rule), so its
    /// first characters are predicted with little context; the perplexities printed are those of this setting.
    /// </remarks>
    public sealed class CharacterWindows
    {
        private readonly float[] _oneHot;

        /// <summary>Cuts <paramref name="symbols"/> into windows of <paramref name="length"/> characters, as many as fit.</summary>
        /// <param name="symbols">The text's symbol indices.</param>
        /// <param name="length">Characters per window.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is not positive, or the text is shorter than one window and its last target.</exception>
        public CharacterWindows(ReadOnlyMemory<byte> symbols, int length)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
            if (symbols.Length < length + 1)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(length),
                    length,
                    string.Create(CultureInfo.InvariantCulture, $"A window of {length} characters and its last target do not fit in {symbols.Length} characters."));
            }

            Length = length;
            Count = (symbols.Length - 1) / length;

            // The characters the windows use: their inputs, and one more for the last target.
            Symbols = symbols[..((Count * length) + 1)];
            _oneHot = new float[Symbols.Length * Vocabulary.Size];
            Vocabulary.OneHot(Symbols.Span, _oneHot);
            var sequences = new TrainingSequence[Count];
            int row = length * Vocabulary.Size;
            for (int w = 0; w < Count; w++)
            {
                int start = w * row;
                sequences[w] = new TrainingSequence(_oneHot.AsMemory(start, row), _oneHot.AsMemory(start + Vocabulary.Size, row));
            }

            Sequences = sequences;
        }

        /// <summary>The number of windows.</summary>
        public int Count { get; }

        /// <summary>Characters per window.</summary>
        public int Length { get; }

        /// <summary>The characters the windows cover, plus the last target: (Count * Length) + 1 symbols.</summary>
        public ReadOnlyMemory<byte> Symbols { get; }

        /// <summary>The characters predicted (targets): Count * Length.</summary>
        public int Predicted => Count * Length;

        /// <summary>The windows as the trainer takes them.</summary>
        public TrainingSequence[] Sequences { get; }

        /// <summary>
        /// The perplexity of a model's probabilities for every target: exp of the mean of -ln p(the character that
        /// came). <paramref name="probabilities"/> is [<see cref="Predicted"/>, <see cref="Vocabulary.Size"/>], row t
        /// the probabilities after the inputs up to character t, for character t + 1.
        /// </summary>
        /// <param name="probabilities">The probabilities, as <see cref="LstmGen.ILstmModel.Forward"/> gives them for <see cref="Inputs"/>.</param>
        /// <exception cref="ArgumentException"><paramref name="probabilities"/> has the wrong length.</exception>
        public double Perplexity(ReadOnlySpan<float> probabilities)
        {
            if (probabilities.Length != Predicted * Vocabulary.Size)
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"{Predicted} predicted characters need {Predicted * Vocabulary.Size} probabilities; there are {probabilities.Length}."),
                    nameof(probabilities));
            }

            ReadOnlySpan<byte> symbols = Symbols.Span;
            double sum = 0;
            for (int t = 0; t < Predicted; t++)
            {
                sum -= Math.Log(Math.Max(probabilities[(t * Vocabulary.Size) + symbols[t + 1]], float.Epsilon));
            }

            return Math.Exp(sum / Predicted);
        }

        /// <summary>The one-hot vectors of every character of <see cref="Symbols"/> but the last: the inputs of all windows, in order.</summary>
        public ReadOnlyMemory<float> Inputs => _oneHot.AsMemory(0, Predicted * Vocabulary.Size);
    }
}
