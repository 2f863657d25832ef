using System;

namespace TextGeneration
{
    /// <summary>
    /// What a model has to beat: character n-gram models counted on the training text, with add-one smoothing (every
    /// symbol has a count of at least 1, so no probability is 0), scored on the characters the model predicts.
    /// </summary>
    public static class Baselines
    {
        /// <summary>
        /// The perplexity on <paramref name="windows"/>' targets of the unigram model (each character with its frequency
        /// in <paramref name="training"/>, whatever came before): exp of the mean of -ln p(character).
        /// </summary>
        /// <param name="training">The training text's symbols.</param>
        /// <param name="windows">The windows whose targets are scored.</param>
        public static double UnigramPerplexity(ReadOnlySpan<byte> training, CharacterWindows windows)
        {
            ArgumentNullException.ThrowIfNull(windows);
            double[] counts = new double[Vocabulary.Size];
            counts.AsSpan().Fill(1);
            foreach (byte symbol in training)
            {
                counts[symbol]++;
            }

            double total = training.Length + Vocabulary.Size;
            ReadOnlySpan<byte> text = windows.Symbols.Span;
            double sum = 0;
            for (int t = 1; t < text.Length; t++)
            {
                sum -= Math.Log(counts[text[t]] / total);
            }

            return Math.Exp(sum / windows.Predicted);
        }

        /// <summary>
        /// The perplexity on <paramref name="windows"/>' targets of the bigram model (each character with its frequency after
        /// the character before it in <paramref name="training"/>): the model the LSTM becomes if it remembers one character.
        /// </summary>
        /// <param name="training">The training text's symbols.</param>
        /// <param name="windows">The windows whose targets are scored.</param>
        public static double BigramPerplexity(ReadOnlySpan<byte> training, CharacterWindows windows)
        {
            ArgumentNullException.ThrowIfNull(windows);
            const int V = Vocabulary.Size;
            double[] counts = new double[V * V];
            counts.AsSpan().Fill(1);
            double[] totals = new double[V];
            totals.AsSpan().Fill(V);
            for (int t = 1; t < training.Length; t++)
            {
                counts[(training[t - 1] * V) + training[t]]++;
                totals[training[t - 1]]++;
            }

            ReadOnlySpan<byte> text = windows.Symbols.Span;
            double sum = 0;
            for (int t = 1; t < text.Length; t++)
            {
                sum -= Math.Log(counts[(text[t - 1] * V) + text[t]] / totals[text[t - 1]]);
            }

            return Math.Exp(sum / windows.Predicted);
        }
    }
}
