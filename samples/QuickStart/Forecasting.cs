using System;
using LstmGen.Training;

namespace QuickStart
{
    /// <summary>
    /// What a one-month-ahead forecaster sees of each month: <see cref="InputSize"/> features,
    /// the month's z-scored value followed by the sine and cosine of its position in the year.
    /// The position lets the model know the season from the first step of a sequence, instead
    /// of having to infer it from the values; its output is the z-score of the next month.
    /// </summary>
    public static class ForecastFeatures
    {
        /// <summary>Features per month: z-scored value, sin(2π·m/12), cos(2π·m/12) with m = 0 for January.</summary>
        public const int InputSize = 3;

        /// <summary>Values the forecaster outputs per month: the z-score of the next month's value.</summary>
        public const int OutputSize = 1;

        /// <summary>Writes the features of one month.</summary>
        /// <param name="month">The month (any day of it).</param>
        /// <param name="value">The month's value in original units.</param>
        /// <param name="scaler">The scaler fitted on the training months.</param>
        /// <param name="destination">Receives <see cref="InputSize"/> features.</param>
        /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="InputSize"/>.</exception>
        public static void Write(DateOnly month, double value, ZScoreScaler scaler, Span<float> destination)
        {
            ArgumentNullException.ThrowIfNull(scaler);
            if (destination.Length < InputSize)
            {
                throw new ArgumentException($"The destination holds {destination.Length} values; a month has {InputSize} features.", nameof(destination));
            }

            double angle = 2 * Math.PI * (month.Month - 1) / TimeSeries.MonthsPerYear;
            destination[0] = scaler.Normalize(value);
            destination[1] = (float)Math.Sin(angle);
            destination[2] = (float)Math.Cos(angle);
        }

        /// <summary>The features of every month of a series: [Count, <see cref="InputSize"/>], row-major.</summary>
        /// <param name="series">The series.</param>
        /// <param name="scaler">The scaler fitted on the training months.</param>
        public static float[] Encode(TimeSeries series, ZScoreScaler scaler)
        {
            ArgumentNullException.ThrowIfNull(series);
            float[] features = new float[series.Count * InputSize];
            for (int t = 0; t < series.Count; t++)
            {
                Write(series.Months[t], series.Values[t], scaler, features.AsSpan(t * InputSize, InputSize));
            }

            return features;
        }
    }

    /// <summary>
    /// Training sequences cut from one part of a series. Window <c>w</c> covers <see cref="Length"/>
    /// consecutive months: its inputs are their features, [Length, <see cref="ForecastFeatures.InputSize"/>],
    /// and its targets the z-scored value of the month after each, [Length, <see cref="ForecastFeatures.OutputSize"/>]:
    /// the inputs' values shifted by one, so a model is trained to forecast at every step.
    /// </summary>
    /// <remarks>
    /// Windows start every <see cref="Stride"/> months, and the target of a window's last step is
    /// still inside the part it was cut from, so windows of the training months never see a
    /// validation value. A model starts each window from a zero state, so its first few
    /// forecasts have less history behind them than the later ones.
    /// </remarks>
    public sealed class ForecastWindows
    {
        private readonly float[] _inputs;
        private readonly float[] _targets;

        private ForecastWindows(int count, int length, int stride, float[] inputs, float[] targets)
        {
            Count = count;
            Length = length;
            Stride = stride;
            _inputs = inputs;
            _targets = targets;
        }

        /// <summary>The number of windows.</summary>
        public int Count { get; }

        /// <summary>The months (time steps) in each window.</summary>
        public int Length { get; }

        /// <summary>The months between the starts of two consecutive windows.</summary>
        public int Stride { get; }

        /// <summary>
        /// Cuts windows from the months in <paramref name="range"/>, starting at its first month
        /// and then every <paramref name="stride"/> months, as many as fit.
        /// </summary>
        /// <param name="series">The series.</param>
        /// <param name="range">The part of the series to cut from, usually the training months.</param>
        /// <param name="scaler">The scaler fitted on the training months.</param>
        /// <param name="length">The months in each window.</param>
        /// <param name="stride">The months between the starts of two windows; 1 for every possible window.</param>
        /// <exception cref="ArgumentOutOfRangeException">
        /// The range is not inside the series, <paramref name="length"/> or <paramref name="stride"/>
        /// is not positive, or the range is too short for one window and its last target.
        /// </exception>
        public static ForecastWindows Create(TimeSeries series, SeriesRange range, ZScoreScaler scaler, int length, int stride)
        {
            ArgumentNullException.ThrowIfNull(series);
            ArgumentNullException.ThrowIfNull(scaler);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
            if (range.Start < 0 || range.Length < 0 || range.End > series.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(range), range, $"The range is not inside the series of {series.Count} months.");
            }

            // A window of `length` months needs one more month for the target of its last step.
            if (range.Length < length + 1)
            {
                throw new ArgumentOutOfRangeException(nameof(length), length, $"A window of {length} months and its last target do not fit in {range.Length} months.");
            }

            int count = ((range.Length - length - 1) / stride) + 1;
            int stepInputs = ForecastFeatures.InputSize;
            int stepTargets = ForecastFeatures.OutputSize;
            float[] inputs = new float[count * length * stepInputs];
            float[] targets = new float[count * length * stepTargets];
            for (int window = 0; window < count; window++)
            {
                int first = range.Start + (window * stride);
                for (int step = 0; step < length; step++)
                {
                    int month = first + step;
                    int row = (window * length) + step;
                    ForecastFeatures.Write(series.Months[month], series.Values[month], scaler, inputs.AsSpan(row * stepInputs, stepInputs));
                    targets[row * stepTargets] = scaler.Normalize(series.Values[month + 1]);
                }
            }

            return new ForecastWindows(count, length, stride, inputs, targets);
        }

        /// <summary>The inputs of a window: [<see cref="Length"/>, <see cref="ForecastFeatures.InputSize"/>], row-major.</summary>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="window"/> is not below <see cref="Count"/>.</exception>
        public ReadOnlySpan<float> InputsOf(int window) => Slice(_inputs, window, ForecastFeatures.InputSize);

        /// <summary>The targets of a window: [<see cref="Length"/>, <see cref="ForecastFeatures.OutputSize"/>], row-major.</summary>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="window"/> is not below <see cref="Count"/>.</exception>
        public ReadOnlySpan<float> TargetsOf(int window) => Slice(_targets, window, ForecastFeatures.OutputSize);

        /// <summary>Every window as a training sequence: its inputs and its targets at every step.</summary>
        public TrainingSequence[] ToSequences()
        {
            var sequences = new TrainingSequence[Count];
            int inputLength = Length * ForecastFeatures.InputSize;
            int targetLength = Length * ForecastFeatures.OutputSize;
            for (int window = 0; window < Count; window++)
            {
                sequences[window] = new TrainingSequence(
                    _inputs.AsMemory(window * inputLength, inputLength),
                    _targets.AsMemory(window * targetLength, targetLength));
            }

            return sequences;
        }

        private ReadOnlySpan<float> Slice(float[] values, int window, int valuesPerStep)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(window);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(window, Count);
            int windowSize = Length * valuesPerStep;
            return values.AsSpan(window * windowSize, windowSize);
        }
    }

    /// <summary>
    /// The forecasts a model has to beat, one month ahead. Each is aligned with the series:
    /// element <c>t</c> forecasts month <c>t</c> from the months before it, and is
    /// <see cref="double.NaN"/> where there is not enough history.
    /// </summary>
    public static class Baselines
    {
        /// <summary>Naive: next month will be like this month. <see cref="double.NaN"/> for the first month.</summary>
        public static double[] LastValue(TimeSeries series) => Lagged(series, 1);

        /// <summary>
        /// Seasonal naive: each month will be like the same month a year earlier.
        /// <see cref="double.NaN"/> for the first <see cref="TimeSeries.MonthsPerYear"/> months.
        /// </summary>
        public static double[] SeasonalNaive(TimeSeries series) => Lagged(series, TimeSeries.MonthsPerYear);

        private static double[] Lagged(TimeSeries series, int lag)
        {
            ArgumentNullException.ThrowIfNull(series);
            double[] forecast = new double[series.Count];
            for (int t = 0; t < forecast.Length; t++)
            {
                forecast[t] = t < lag ? double.NaN : series.Values[t - lag];
            }

            return forecast;
        }
    }

    /// <summary>How far forecasts are from the actual values, in the series' original units.</summary>
    /// <param name="Rmse">Root mean squared error: weighs large misses more.</param>
    /// <param name="Mae">Mean absolute error: the typical miss.</param>
    public readonly record struct ForecastError(double Rmse, double Mae)
    {
        /// <summary>Measures a forecast over the months in <paramref name="range"/>.</summary>
        /// <param name="series">The actual values.</param>
        /// <param name="forecast">A forecast aligned with the series (element <c>t</c> for month <c>t</c>), in original units.</param>
        /// <param name="range">The months to measure, usually the test months.</param>
        /// <exception cref="ArgumentException">
        /// The forecast's length is not the series', the range is empty or not inside the series,
        /// or the forecast of a month in the range is not a finite number.
        /// </exception>
        public static ForecastError Measure(TimeSeries series, ReadOnlySpan<double> forecast, SeriesRange range)
        {
            ArgumentNullException.ThrowIfNull(series);
            if (forecast.Length != series.Count)
            {
                throw new ArgumentException($"The forecast has {forecast.Length} months; the series has {series.Count}.", nameof(forecast));
            }

            if (range.Start < 0 || range.Length <= 0 || range.End > series.Count)
            {
                throw new ArgumentException($"The range {range} is empty or not inside the series of {series.Count} months.", nameof(range));
            }

            double squares = 0;
            double absolutes = 0;
            for (int t = range.Start; t < range.End; t++)
            {
                if (!double.IsFinite(forecast[t]))
                {
                    throw new ArgumentException($"The forecast of month {t} is {forecast[t]}; every month of the range needs one.", nameof(forecast));
                }

                double error = forecast[t] - series.Values[t];
                squares += error * error;
                absolutes += Math.Abs(error);
            }

            return new ForecastError(Math.Sqrt(squares / range.Length), absolutes / range.Length);
        }
    }
}
