using System;
using LstmGen;
using LstmGen.Training;

namespace PyTorchInterop
{
    /// <summary>
    /// The sample's task, as signal_task.py defines it: a sensor reads a sine wave through noise, and at every step
    /// the model predicts the wave's next clean value. Each sequence has its own period, amplitude (0.5 to 1.5) and
    /// phase; the noise is Gaussian with a standard deviation of <see cref="Noise"/>.
    /// </summary>
    public static class SignalTask
    {
        /// <summary>The noise's standard deviation.</summary>
        public const double Noise = 0.1;

        /// <summary>The periods, in steps, of the device's waves (the fine-tuning data and the held-out set); PyTorch trained on 16 to 48.</summary>
        public static (double Low, double High) DevicePeriods => (6, 16);

        /// <summary>
        /// <paramref name="count"/> sequences of <paramref name="length"/> steps of the device's waves, from this
        /// runtime's <see cref="DeterministicRandom"/> (not PyTorch's generator: the same kind of data, not the same numbers).
        /// </summary>
        public static TrainingSequence[] Generate(int count, int length, int seed)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
            var random = new DeterministicRandom(seed);
            (double low, double high) = DevicePeriods;
            var sequences = new TrainingSequence[count];
            for (int s = 0; s < count; s++)
            {
                double period = low + ((high - low) * random.NextSingle());
                double amplitude = 0.5 + random.NextSingle();
                double phase = 2 * Math.PI * random.NextSingle();
                float[] inputs = new float[length];
                float[] targets = new float[length];
                for (int t = 0; t < length; t++)
                {
                    inputs[t] = (float)(Wave(t) + (Noise * Gaussian(random)));
                    targets[t] = (float)Wave(t + 1);
                }

                sequences[s] = new TrainingSequence(inputs, targets);

                double Wave(int t) => amplitude * Math.Sin((2 * Math.PI * t / period) + phase);
            }

            return sequences;
        }

        /// <summary>A standard normal number (Box-Muller).</summary>
        private static double Gaussian(DeterministicRandom random)
        {
            double u = 1.0 - random.NextSingle(); // in (0, 1]: the logarithm is finite
            double v = random.NextSingle();
            return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
        }
    }
}
