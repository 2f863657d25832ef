using System;
using System.Text;
using LstmGen;

namespace TextGeneration
{
    /// <summary>Writes text with a trained model, one character at a time, each drawn from the model's softmax at a temperature.</summary>
    public static class TextSampler
    {
        /// <summary>
        /// Feeds <paramref name="prime"/> to the model from the zero state, then draws <paramref name="length"/> characters,
        /// each from the model's probabilities after the one before: p_i^(1/T), normalised. T = 1 samples the model as it
        /// is, a lower T favours its likelier characters (more regular, more repetitive text), T = 0 always takes the likeliest.
        /// </summary>
        /// <param name="model">The model; its own state is reset and then used.</param>
        /// <param name="prime">The text to start from (at least one character); normalised as the model sees text.</param>
        /// <param name="length">Characters to draw.</param>
        /// <param name="temperature">The temperature T, at least 0.</param>
        /// <param name="seed">The seed of the draws: the same model, prime, temperature and seed give the same text.</param>
        /// <returns>The drawn characters (without the prime).</returns>
        /// <exception cref="ArgumentException"><paramref name="prime"/> is empty.</exception>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> or <paramref name="temperature"/> is negative.</exception>
        public static string Generate(ILstmModel model, string prime, int length, float temperature, int seed)
        {
            ArgumentNullException.ThrowIfNull(model);
            ArgumentException.ThrowIfNullOrEmpty(prime);
            ArgumentOutOfRangeException.ThrowIfNegative(length);
            if (!(temperature >= 0f))
            {
                throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The temperature must be 0 or more.");
            }

            Span<float> input = stackalloc float[Vocabulary.Size];
            Span<float> probabilities = stackalloc float[Vocabulary.Size];
            Span<double> weights = stackalloc double[Vocabulary.Size];
            var random = new DeterministicRandom(seed);
            var text = new StringBuilder(length);
            model.ResetState();
            foreach (char character in prime)
            {
                Feed(model, Vocabulary.IndexOf(character), input, probabilities);
            }

            for (int i = 0; i < length; i++)
            {
                int next = Draw(probabilities, temperature, random, weights);
                text.Append(Vocabulary.CharacterOf(next));
                Feed(model, next, input, probabilities);
            }

            return text.ToString();
        }

        /// <summary>One step of the model with one character in; its probabilities of the next character out.</summary>
        private static void Feed(ILstmModel model, int symbol, Span<float> input, Span<float> probabilities)
        {
            input.Clear();
            input[symbol] = 1f;
            model.Step(input, probabilities);
        }

        /// <summary>Draws a symbol from p^(1/T), computed as exp((ln p - ln max p) / T) in double so that nothing overflows.</summary>
        private static int Draw(ReadOnlySpan<float> probabilities, float temperature, DeterministicRandom random, Span<double> weights)
        {
            int likeliest = 0;
            for (int j = 1; j < probabilities.Length; j++)
            {
                likeliest = probabilities[j] > probabilities[likeliest] ? j : likeliest;
            }

            if (temperature == 0f)
            {
                return likeliest;
            }

            double top = Math.Log(probabilities[likeliest]);
            double sum = 0;
            for (int j = 0; j < probabilities.Length; j++)
            {
                weights[j] = probabilities[j] > 0f ? Math.Exp((Math.Log(probabilities[j]) - top) / temperature) : 0;
                sum += weights[j];
            }

            // A uniform number in [0, sum) from 32 random bits; the first symbol whose cumulative weight passes it.
            double threshold = random.NextUInt32() * (1.0 / 4294967296.0) * sum;
            double cumulative = 0;
            for (int j = 0; j < weights.Length; j++)
            {
                cumulative += weights[j];
                if (threshold < cumulative)
                {
                    return j;
                }
            }

            return likeliest;
        }
    }
}
