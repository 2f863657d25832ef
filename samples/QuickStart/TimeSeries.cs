using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;

namespace QuickStart
{
    /// <summary>
    /// A monthly time series: one finite value per calendar month, oldest first, without gaps,
    /// so that "12 values earlier" is always "the same month a year earlier".
    /// </summary>
    public sealed class TimeSeries
    {
        /// <summary>Months in a year: the period of the seasonal cycle.</summary>
        public const int MonthsPerYear = 12;

        private const string CsvHeader = "date,value";
        private const string MonthFormat = "yyyy-MM";

        private readonly DateOnly[] _months;
        private readonly double[] _values;

        /// <summary>Creates a series from its months and values.</summary>
        /// <param name="months">The first day of each month, consecutive and oldest first.</param>
        /// <param name="values">One finite value per month.</param>
        /// <exception cref="ArgumentException">
        /// The spans differ in length or are empty, a month is not the first day of a month or does
        /// not follow the previous one, or a value is not finite.
        /// </exception>
        public TimeSeries(ReadOnlySpan<DateOnly> months, ReadOnlySpan<double> values)
        {
            if (months.Length != values.Length)
            {
                throw new ArgumentException($"There are {months.Length} months but {values.Length} values.", nameof(values));
            }

            if (FindInvalidMonth(months, values) is (int index, string problem))
            {
                throw new ArgumentException($"Month {index}: {problem}", nameof(months));
            }

            _months = months.ToArray();
            _values = values.ToArray();
        }

        /// <summary>The number of months.</summary>
        public int Count => _values.Length;

        /// <summary>The first day of each month, oldest first.</summary>
        public ReadOnlySpan<DateOnly> Months => _months;

        /// <summary>The value of each month, in the series' original units.</summary>
        public ReadOnlySpan<double> Values => _values;

        /// <summary>The values of the months in <paramref name="range"/>.</summary>
        /// <exception cref="ArgumentOutOfRangeException">The range does not lie inside the series.</exception>
        public ReadOnlySpan<double> ValuesIn(SeriesRange range) => _values.AsSpan(range.Start, range.Length);

        /// <summary>
        /// Reads a series from a CSV file with the header <c>date,value</c> and one line per month,
        /// for example <c>1950-01,23.110</c>: the month as <c>YYYY-MM</c> and the value with a
        /// decimal point, whatever the current culture.
        /// </summary>
        /// <param name="path">The CSV file.</param>
        /// <exception cref="InvalidDataException">
        /// The header is missing, a line cannot be read, or the months are not consecutive.
        /// </exception>
        public static TimeSeries LoadCsv(string path)
        {
            string[] lines = File.ReadAllLines(path);
            if (lines.Length == 0 || lines[0] != CsvHeader)
            {
                throw new InvalidDataException($"{path}: the first line must be '{CsvHeader}'.");
            }

            var months = new List<DateOnly>(lines.Length - 1);
            var values = new List<double>(lines.Length - 1);
            for (int lineIndex = 1; lineIndex < lines.Length; lineIndex++)
            {
                string line = lines[lineIndex];
                int comma = line.IndexOf(',', StringComparison.Ordinal);
                if (comma < 0
                    || !DateOnly.TryParseExact(line.AsSpan(0, comma), MonthFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out DateOnly month)
                    || !double.TryParse(line.AsSpan(comma + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
                {
                    throw new InvalidDataException($"{path}, line {lineIndex + 1}: expected 'YYYY-MM,value' but found '{line}'.");
                }

                months.Add(month);
                values.Add(value);
            }

            if (FindInvalidMonth(CollectionsMarshal.AsSpan(months), CollectionsMarshal.AsSpan(values)) is (int index, string problem))
            {
                // The header is line 1 and month 0 is line 2.
                throw new InvalidDataException($"{path}, line {index + 2}: {problem}");
            }

            return new TimeSeries(CollectionsMarshal.AsSpan(months), CollectionsMarshal.AsSpan(values));
        }

        /// <summary>
        /// Splits the series chronologically: the training months first, then the validation
        /// months, then the test months, which are the most recent.
        /// </summary>
        /// <param name="validationLength">The number of validation months.</param>
        /// <param name="testLength">The number of test months.</param>
        /// <exception cref="ArgumentOutOfRangeException">
        /// A length is not positive, or they leave fewer than two training months.
        /// </exception>
        public SeriesSplit Split(int validationLength, int testLength)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(validationLength);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(testLength);
            int trainLength = Count - validationLength - testLength;
            if (trainLength < 2)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(testLength),
                    $"{validationLength} validation and {testLength} test months leave {trainLength} of the {Count} months for training.");
            }

            return new SeriesSplit(
                new SeriesRange(0, trainLength),
                new SeriesRange(trainLength, validationLength),
                new SeriesRange(trainLength + validationLength, testLength));
        }

        /// <summary>The first month that breaks the rules of a series, and why; null if there is none.</summary>
        private static (int Index, string Problem)? FindInvalidMonth(ReadOnlySpan<DateOnly> months, ReadOnlySpan<double> values)
        {
            if (months.IsEmpty)
            {
                return (0, "a series needs at least one month.");
            }

            for (int i = 0; i < months.Length; i++)
            {
                if (months[i].Day != 1)
                {
                    return (i, $"{months[i]:yyyy-MM-dd} is not the first day of a month.");
                }

                if (i > 0 && months[i] != months[i - 1].AddMonths(1))
                {
                    return (i, $"{months[i].ToString(MonthFormat, CultureInfo.InvariantCulture)} does not follow "
                        + $"{months[i - 1].ToString(MonthFormat, CultureInfo.InvariantCulture)}: months must be consecutive.");
                }

                if (!double.IsFinite(values[i]))
                {
                    return (i, $"the value {values[i].ToString(CultureInfo.InvariantCulture)} is not a finite number.");
                }
            }

            return null;
        }
    }

    /// <summary>Consecutive months of a <see cref="TimeSeries"/>, by index.</summary>
    /// <param name="Start">The index of the first month.</param>
    /// <param name="Length">The number of months.</param>
    public readonly record struct SeriesRange(int Start, int Length)
    {
        /// <summary>The index just past the last month.</summary>
        public int End => Start + Length;
    }

    /// <summary>A chronological split of a series into training, validation and test months.</summary>
    /// <param name="Train">The oldest months, the only ones a model and its normalisation learn from.</param>
    /// <param name="Validation">The months after training, for choosing the epoch or the hyperparameters.</param>
    /// <param name="Test">The most recent months, for the final error only.</param>
    public readonly record struct SeriesSplit(SeriesRange Train, SeriesRange Validation, SeriesRange Test);

    /// <summary>
    /// Standardises values to a z-score, <c>(value - mean) / standard deviation</c>, and back.
    /// Fit it on the training months only, so that nothing of the validation and test months
    /// leaks into what the model sees.
    /// </summary>
    public sealed class ZScoreScaler
    {
        /// <summary>Creates a scaler from known statistics, for example those a saved model was trained with.</summary>
        /// <param name="mean">The mean subtracted from every value.</param>
        /// <param name="standardDeviation">The standard deviation every value is divided by.</param>
        /// <exception cref="ArgumentOutOfRangeException">The mean is not finite, or the standard deviation is not finite and positive.</exception>
        public ZScoreScaler(double mean, double standardDeviation)
        {
            if (!double.IsFinite(mean))
            {
                throw new ArgumentOutOfRangeException(nameof(mean), mean, "The mean must be finite.");
            }

            if (!double.IsFinite(standardDeviation) || standardDeviation <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(standardDeviation), standardDeviation, "The standard deviation must be finite and positive.");
            }

            Mean = mean;
            StandardDeviation = standardDeviation;
        }

        /// <summary>The mean of the values the scaler was fitted on.</summary>
        public double Mean { get; }

        /// <summary>The (population) standard deviation of the values the scaler was fitted on.</summary>
        public double StandardDeviation { get; }

        /// <summary>Fits a scaler to <paramref name="values"/>: their mean and population standard deviation.</summary>
        /// <exception cref="ArgumentException">There are fewer than two values, or they are all equal.</exception>
        public static ZScoreScaler Fit(ReadOnlySpan<double> values)
        {
            if (values.Length < 2)
            {
                throw new ArgumentException("A scaler needs at least two values.", nameof(values));
            }

            double sum = 0;
            foreach (double value in values)
            {
                sum += value;
            }

            double mean = sum / values.Length;
            double squares = 0;
            foreach (double value in values)
            {
                squares += (value - mean) * (value - mean);
            }

            double standardDeviation = Math.Sqrt(squares / values.Length);
            if (standardDeviation == 0)
            {
                throw new ArgumentException("The values are all equal: they have no spread to scale by.", nameof(values));
            }

            return new ZScoreScaler(mean, standardDeviation);
        }

        /// <summary>The z-score of a value in original units.</summary>
        public float Normalize(double value) => (float)((value - Mean) / StandardDeviation);

        /// <summary>The value in original units of a z-score.</summary>
        public double Denormalize(float zScore) => (zScore * StandardDeviation) + Mean;
    }
}
