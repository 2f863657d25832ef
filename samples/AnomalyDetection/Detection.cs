using System;
using System.Collections.Generic;
using LstmGen.Training;

namespace AnomalyDetection
{
    /// <summary>
    /// Standardises the two channels (humidity, temperature) to z-scores with the statistics of the training motes,
    /// so that the model sees values near 0 with a spread near 1, and back.
    /// </summary>
    /// <param name="HumidityMean">Mean humidity of the training readings (%).</param>
    /// <param name="HumidityDeviation">Its (population) standard deviation.</param>
    /// <param name="TemperatureMean">Mean temperature of the training readings (°C).</param>
    /// <param name="TemperatureDeviation">Its (population) standard deviation.</param>
    public sealed record ChannelScaler(double HumidityMean, double HumidityDeviation, double TemperatureMean, double TemperatureDeviation)
    {
        /// <summary>Channels per reading: humidity, temperature.</summary>
        public const int Channels = 2;

        /// <summary>Fits the scaler to every reading of <paramref name="motes"/>.</summary>
        /// <exception cref="ArgumentException">There are fewer than two readings, or a channel does not vary.</exception>
        public static ChannelScaler Fit(IReadOnlyList<MoteSeries> motes)
        {
            ArgumentNullException.ThrowIfNull(motes);
            var humidity = new List<double>();
            var temperature = new List<double>();
            foreach (MoteSeries mote in motes)
            {
                humidity.AddRange(mote.Humidity.ToArray());
                temperature.AddRange(mote.Temperature.ToArray());
            }

            (double humidityMean, double humidityDeviation) = MeanAndDeviation(humidity);
            (double temperatureMean, double temperatureDeviation) = MeanAndDeviation(temperature);
            return new ChannelScaler(humidityMean, humidityDeviation, temperatureMean, temperatureDeviation);
        }

        /// <summary>The z-scores of every reading of a mote: [Count, <see cref="Channels"/>], row-major.</summary>
        public float[] Encode(MoteSeries mote)
        {
            ArgumentNullException.ThrowIfNull(mote);
            float[] values = new float[mote.Count * Channels];
            for (int t = 0; t < mote.Count; t++)
            {
                values[t * Channels] = (float)((mote.Humidity[t] - HumidityMean) / HumidityDeviation);
                values[(t * Channels) + 1] = (float)((mote.Temperature[t] - TemperatureMean) / TemperatureDeviation);
            }

            return values;
        }

        private static (double Mean, double Deviation) MeanAndDeviation(List<double> values)
        {
            if (values.Count < 2)
            {
                throw new ArgumentException("A scaler needs at least two readings.", nameof(values));
            }

            double mean = 0;
            foreach (double value in values)
            {
                mean += value;
            }

            mean /= values.Count;
            double squares = 0;
            foreach (double value in values)
            {
                squares += (value - mean) * (value - mean);
            }

            double deviation = Math.Sqrt(squares / values.Count);
            return deviation > 0 ? (mean, deviation) : throw new ArgumentException("A channel has the same value in every reading: it has no spread to scale by.", nameof(values));
        }
    }

    /// <summary>
    /// What the predictor sees of each reading and what it outputs. In, <see cref="InputSize"/> features: the reading's
    /// z-scores (where the sensor is) and its change since the previous reading (where it is going), the change divided
    /// by the typical change of the training motes. Out, <see cref="OutputSize"/> values: the change to the next reading,
    /// in the same units. Predicting the change, not the level, makes "no change" (the naive prediction) the easy
    /// default, so the model spends its capacity on what the naive prediction misses.
    /// </summary>
    /// <param name="HumidityChange">The root mean square change of the humidity z-score between two readings of the training motes.</param>
    /// <param name="TemperatureChange">The same for the temperature.</param>
    public sealed record PredictorFeatures(double HumidityChange, double TemperatureChange)
    {
        /// <summary>Features per reading: humidity and temperature z-scores, then their scaled changes.</summary>
        public const int InputSize = 4;

        /// <summary>Outputs per reading: the scaled changes of humidity and temperature to the next reading.</summary>
        public const int OutputSize = 2;

        /// <summary>Fits the change scales to the training motes' consecutive readings.</summary>
        public static PredictorFeatures Fit(IReadOnlyList<MoteSeries> motes, ChannelScaler scaler)
        {
            ArgumentNullException.ThrowIfNull(motes);
            ArgumentNullException.ThrowIfNull(scaler);
            double humidity = 0;
            double temperature = 0;
            long count = 0;
            foreach (MoteSeries mote in motes)
            {
                float[] z = scaler.Encode(mote);
                for (int t = 1; t < mote.Count; t++)
                {
                    double h = z[2 * t] - z[2 * (t - 1)];
                    double c = z[(2 * t) + 1] - z[(2 * t) - 1];
                    humidity += h * h;
                    temperature += c * c;
                    count++;
                }
            }

            return new PredictorFeatures(Math.Sqrt(humidity / count), Math.Sqrt(temperature / count));
        }

        /// <summary>The features of every reading of a mote: [Count, <see cref="InputSize"/>] (the first reading's change is 0).</summary>
        /// <param name="z">The mote's z-scores, [Count, 2].</param>
        public float[] Encode(ReadOnlySpan<float> z)
        {
            int count = z.Length / 2;
            float[] features = new float[count * InputSize];
            for (int t = 0; t < count; t++)
            {
                Span<float> row = features.AsSpan(t * InputSize, InputSize);
                row[0] = z[2 * t];
                row[1] = z[(2 * t) + 1];
                if (t > 0)
                {
                    row[2] = (float)((z[2 * t] - z[2 * (t - 1)]) / HumidityChange);
                    row[3] = (float)((z[(2 * t) + 1] - z[(2 * t) - 1]) / TemperatureChange);
                }
            }

            return features;
        }

        /// <summary>The targets of every reading: the scaled change to the next reading, [Count, <see cref="OutputSize"/>] (0 for the last).</summary>
        /// <param name="z">The mote's z-scores, [Count, 2].</param>
        public float[] Targets(ReadOnlySpan<float> z)
        {
            int count = z.Length / 2;
            float[] targets = new float[count * OutputSize];
            for (int t = 0; t + 1 < count; t++)
            {
                targets[2 * t] = (float)((z[2 * (t + 1)] - z[2 * t]) / HumidityChange);
                targets[(2 * t) + 1] = (float)((z[(2 * t) + 3] - z[(2 * t) + 1]) / TemperatureChange);
            }

            return targets;
        }

        /// <summary>
        /// The predicted z-scores of every reading from the model's outputs: reading t + 1 is reading t plus the change
        /// output at t. [Count, 2], NaN for the first reading.
        /// </summary>
        /// <param name="z">The mote's z-scores, [Count, 2].</param>
        /// <param name="outputs">The model's outputs at every reading, [Count, <see cref="OutputSize"/>].</param>
        public float[] Decode(ReadOnlySpan<float> z, ReadOnlySpan<float> outputs)
        {
            float[] predicted = new float[z.Length];
            predicted[0] = float.NaN;
            predicted[1] = float.NaN;
            for (int t = 1; 2 * t < z.Length; t++)
            {
                predicted[2 * t] = (float)(z[2 * (t - 1)] + (outputs[2 * (t - 1)] * HumidityChange));
                predicted[(2 * t) + 1] = (float)(z[(2 * t) - 1] + (outputs[(2 * t) - 1] * TemperatureChange));
            }

            return predicted;
        }
    }

    /// <summary>
    /// Training sequences cut from whole motes: window <c>w</c> covers <c>length</c> consecutive readings, its inputs
    /// their features [length, <see cref="PredictorFeatures.InputSize"/>] and its targets the change to the reading after
    /// each [length, <see cref="PredictorFeatures.OutputSize"/>], so the model learns to predict the next reading at every step.
    /// </summary>
    public static class PredictionWindows
    {
        /// <summary>Every window of <paramref name="length"/> readings, one starting every <paramref name="stride"/> readings of each mote.</summary>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> or <paramref name="stride"/> is not positive.</exception>
        public static TrainingSequence[] Create(IReadOnlyList<MoteSeries> motes, ChannelScaler scaler, PredictorFeatures features, int length, int stride)
        {
            ArgumentNullException.ThrowIfNull(motes);
            ArgumentNullException.ThrowIfNull(scaler);
            ArgumentNullException.ThrowIfNull(features);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
            const int inputs = PredictorFeatures.InputSize;
            const int outputs = PredictorFeatures.OutputSize;
            var windows = new List<TrainingSequence>();
            foreach (MoteSeries mote in motes)
            {
                float[] z = scaler.Encode(mote);
                float[] input = features.Encode(z);
                float[] target = features.Targets(z);

                // A window of `length` readings needs one more for the target of its last step.
                for (int first = 0; first + length < mote.Count; first += stride)
                {
                    windows.Add(new TrainingSequence(
                        input.AsMemory(first * inputs, length * inputs),
                        target.AsMemory(first * outputs, length * outputs)));
                }
            }

            return windows.ToArray();
        }
    }

    /// <summary>
    /// How surprising each reading of a mote is to a predictor: the prediction error of both channels, each divided by
    /// the predictor's root mean squared error on the same mote's first readings (its calibration period, assumed normal,
    /// so 1 is a typical normal error of that predictor on that mote), squared, averaged over the two channels and the
    /// last <c>window</c> readings, and square-rooted. The same rule for every predictor.
    /// </summary>
    /// <remarks>
    /// Dividing by the mote's own error makes a threshold chosen on one mote mean the same on another: indoors, the
    /// readings are calmer than outdoors, and a detector's errors are smaller, on normal readings and anomalous ones.
    /// </remarks>
    public static class AnomalyScores
    {
        /// <summary>The root mean squared error of each channel over the readings 1 to <paramref name="readings"/> - 1 of a mote.</summary>
        /// <param name="actual">The mote's z-scores, [Count, 2].</param>
        /// <param name="predicted">The predicted z-scores, [Count, 2] (row 0 ignored).</param>
        /// <param name="readings">The readings of the calibration period, from the first.</param>
        /// <exception cref="ArgumentOutOfRangeException">The mote has fewer readings, or there are fewer than 2.</exception>
        public static (double Humidity, double Temperature) ErrorScale(ReadOnlySpan<float> actual, ReadOnlySpan<float> predicted, int readings)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(readings, 2);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(readings, Math.Min(actual.Length, predicted.Length) / 2);
            double humidity = 0;
            double temperature = 0;
            for (int t = 1; t < readings; t++)
            {
                double h = actual[2 * t] - predicted[2 * t];
                double c = actual[(2 * t) + 1] - predicted[(2 * t) + 1];
                humidity += h * h;
                temperature += c * c;
            }

            return (Math.Sqrt(humidity / (readings - 1)), Math.Sqrt(temperature / (readings - 1)));
        }

        /// <summary>The score of every reading of a mote (0 for the first, which has nothing to be predicted from).</summary>
        /// <param name="actual">The mote's z-scores, [Count, 2].</param>
        /// <param name="predicted">The predicted z-scores, [Count, 2] (row 0 ignored).</param>
        /// <param name="scale">The predictor's error scale on the training motes.</param>
        /// <param name="window">The readings averaged, ending with the scored one.</param>
        public static double[] Compute(ReadOnlySpan<float> actual, ReadOnlySpan<float> predicted, (double Humidity, double Temperature) scale, int window)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(window);
            if (actual.Length != predicted.Length || actual.Length % 2 != 0)
            {
                throw new ArgumentException($"{actual.Length} actual and {predicted.Length} predicted values: they must be as many, two per reading.", nameof(predicted));
            }

            int count = actual.Length / 2;
            double[] squared = new double[count];
            for (int t = 1; t < count; t++)
            {
                double h = (actual[2 * t] - predicted[2 * t]) / scale.Humidity;
                double c = (actual[(2 * t) + 1] - predicted[(2 * t) + 1]) / scale.Temperature;
                squared[t] = ((h * h) + (c * c)) / 2;
            }

            // The mean of the window, kept as a running sum.
            double[] scores = new double[count];
            double sum = 0;
            for (int t = 0; t < count; t++)
            {
                sum += squared[t];
                if (t >= window)
                {
                    sum -= squared[t - window];
                }

                scores[t] = Math.Sqrt(Math.Max(sum, 0) / Math.Min(t + 1, window));
            }

            return scores;
        }
    }

    /// <summary>How flagged readings match the labels.</summary>
    /// <param name="TruePositives">Flagged and labelled anomalous.</param>
    /// <param name="FalsePositives">Flagged but labelled normal.</param>
    /// <param name="FalseNegatives">Labelled anomalous but not flagged.</param>
    public readonly record struct DetectionQuality(int TruePositives, int FalsePositives, int FalseNegatives)
    {
        /// <summary>The share of flagged readings that are anomalous (1 when nothing is flagged).</summary>
        public double Precision => TruePositives + FalsePositives == 0 ? 1 : TruePositives / (double)(TruePositives + FalsePositives);

        /// <summary>The share of anomalous readings that are flagged.</summary>
        public double Recall => TruePositives + FalseNegatives == 0 ? 1 : TruePositives / (double)(TruePositives + FalseNegatives);

        /// <summary>The harmonic mean of precision and recall (0 when nothing is found).</summary>
        public double F1 => TruePositives == 0 ? 0 : 2 * TruePositives / (double)((2 * TruePositives) + FalsePositives + FalseNegatives);

        /// <summary>Flags every reading whose score is at least <paramref name="threshold"/> and counts against the labels.</summary>
        public static DetectionQuality Measure(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels, double threshold)
        {
            if (scores.Length != labels.Length)
            {
                throw new ArgumentException($"{scores.Length} scores and {labels.Length} labels: they must be as many.", nameof(labels));
            }

            int truePositives = 0;
            int falsePositives = 0;
            int falseNegatives = 0;
            for (int t = 0; t < scores.Length; t++)
            {
                bool flagged = scores[t] >= threshold;
                truePositives += flagged && labels[t] ? 1 : 0;
                falsePositives += flagged && !labels[t] ? 1 : 0;
                falseNegatives += !flagged && labels[t] ? 1 : 0;
            }

            return new DetectionQuality(truePositives, falsePositives, falseNegatives);
        }

        /// <summary>
        /// The threshold with the highest F1 on these scores and labels: every score is tried as a threshold, and of equal
        /// F1s the highest threshold wins (the fewest flags).
        /// </summary>
        /// <exception cref="ArgumentException">No reading is labelled anomalous (every threshold would score 0).</exception>
        public static double ChooseThreshold(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels)
        {
            if (scores.Length != labels.Length)
            {
                throw new ArgumentException($"{scores.Length} scores and {labels.Length} labels: they must be as many.", nameof(labels));
            }

            // Sweep from the highest score down: lowering the threshold to each score flags that reading too.
            int[] order = new int[scores.Length];
            for (int i = 0; i < order.Length; i++)
            {
                order[i] = i;
            }

            double[] keys = scores.ToArray();
            Array.Sort(keys, order);
            int anomalies = 0;
            foreach (bool label in labels)
            {
                anomalies += label ? 1 : 0;
            }

            if (anomalies == 0)
            {
                throw new ArgumentException("No reading is labelled anomalous: a threshold cannot be chosen by F1.", nameof(labels));
            }

            int truePositives = 0;
            int flagged = 0;
            double bestF1 = -1;
            double best = double.PositiveInfinity;
            for (int i = order.Length - 1; i >= 0; i--)
            {
                flagged++;
                truePositives += labels[order[i]] ? 1 : 0;

                // Readings with equal scores are flagged together.
                if (i > 0 && keys[i - 1] == keys[i])
                {
                    continue;
                }

                double f1 = 2.0 * truePositives / (flagged + anomalies);
                if (f1 > bestF1)
                {
                    bestF1 = f1;
                    best = keys[i];
                }
            }

            return best;
        }
    }

    /// <summary>One detector, run the way every detector is: its error scale from the training motes, its scores on the
    /// validation and test motes, the threshold chosen on the validation mote, and how it does on both.</summary>
    /// <param name="Name">The detector's name, for tables and legends.</param>
    /// <param name="ValidationScores">The score of every reading of the validation mote.</param>
    /// <param name="TestScores">The score of every reading of the test mote.</param>
    /// <param name="Threshold">The threshold with the highest F1 on the validation mote.</param>
    /// <param name="Validation">Its detections on the validation mote, with that threshold.</param>
    /// <param name="Test">Its detections on the test mote, with that threshold.</param>
    public sealed record Detection(
        string Name,
        double[] ValidationScores,
        double[] TestScores,
        double Threshold,
        DetectionQuality Validation,
        DetectionQuality Test)
    {
        /// <summary>Scores, chooses the threshold and measures one predictor.</summary>
        /// <param name="name">The detector's name.</param>
        /// <param name="predict">The predictor: the z-scores of each reading of a mote predicted from the readings before it.</param>
        /// <param name="training">The motes that set the error scale.</param>
        /// <param name="validation">The mote that chooses the threshold.</param>
        /// <param name="test">The mote that measures.</param>
        /// <param name="scaler">The scaler fitted on the training motes.</param>
        /// <param name="window">Readings per score.</param>
        public static Detection Run(string name, Func<MoteSeries, float[]> predict, MoteSeries validation, MoteSeries test, ChannelScaler scaler, int calibration, int window)
        {
            ArgumentNullException.ThrowIfNull(predict);
            ArgumentNullException.ThrowIfNull(validation);
            ArgumentNullException.ThrowIfNull(test);
            ArgumentNullException.ThrowIfNull(scaler);
            double[] validationScores = Score(validation);
            double[] testScores = Score(test);
            double threshold = DetectionQuality.ChooseThreshold(validationScores, validation.Anomalous);
            return new Detection(
                name,
                validationScores,
                testScores,
                threshold,
                DetectionQuality.Measure(validationScores, validation.Anomalous, threshold),
                DetectionQuality.Measure(testScores, test.Anomalous, threshold));

            double[] Score(MoteSeries mote)
            {
                float[] actual = scaler.Encode(mote);
                float[] predicted = predict(mote);
                var scale = AnomalyScores.ErrorScale(actual, predicted, calibration);
                return AnomalyScores.Compute(actual, predicted, scale, window);
            }
        }
    }
}
