// LstmGen's quick start: a one-month-ahead forecaster of a real sea surface temperature series,
// trained in plain C#, saved, loaded back and compared with the naive forecasts it has to beat.
using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using LstmGen;
using LstmGen.Training;
using QuickStart;

// Numbers print the same, with a decimal point, whatever the machine's culture.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var clock = Stopwatch.StartNew();

// 1. The data: 61 years of monthly temperatures, split by time, z-scored with the training years.
TimeSeries series = LoadSeries();
SeriesSplit split = series.Split(SampleData.ValidationMonths, SampleData.TestMonths);
ZScoreScaler scaler = ZScoreScaler.Fit(series.ValuesIn(split.Train));
DescribeData(series, split, scaler);

// 2. Training: every 24-month window of the training years, a forecast at every step.
var model = new SeaTemperatureForecaster(seed: SampleData.Seed);
TrainingResult result = Train(model, series, split, scaler);

// 3. Save the model, and load it back as a game or service would: into a model of its own. A game whose
//    threads step a live model swaps the new one in with Volatile.Write(ref live, reloaded), so that every
//    step sees all old or all new weights (README: "Thread safety and failure modes").
string weights = Path.Combine(AppContext.BaseDirectory, SampleData.WeightsFileName);
model.Save(weights);
var reloaded = new SeaTemperatureForecaster();
reloaded.Load(weights);
Console.WriteLine($"Saved {SeaTemperatureForecaster.ParameterCount} parameters to {weights} ({new FileInfo(weights).Length} bytes) and loaded them back.");

// 4. Forecast every month, one month ahead, stepping through the whole series in order.
double[] forecast = Forecast(reloaded, series, scaler);
Console.WriteLine($"The reloaded model forecasts exactly as the trained one: {SameForecasts(model, reloaded, series, scaler)}.");
double[] lastValue = Baselines.LastValue(series);
double[] seasonalNaive = Baselines.SeasonalNaive(series);
PrintErrors(series, split.Test, forecast, lastValue, seasonalNaive);
WritePlot(series, split.Test, forecast, lastValue, seasonalNaive);
Console.WriteLine($"Done in {clock.Elapsed.TotalSeconds:F1} s (best epoch {result.BestEpoch}, {result.Steps} optimizer steps).");

// Loads the monthly sea surface temperatures that ship next to the executable.
static TimeSeries LoadSeries() =>
    TimeSeries.LoadCsv(Path.Combine(AppContext.BaseDirectory, SampleData.Folder, SampleData.FileName));

// Prints the series, its split and the normalisation.
static void DescribeData(TimeSeries series, SeriesSplit split, ZScoreScaler scaler)
{
    Console.WriteLine($"{SampleData.Title}: {series.Count} months (see Data/SOURCE.md)");
    PrintRange("train", series, split.Train);
    PrintRange("validation", series, split.Validation);
    PrintRange("test", series, split.Test);
    Console.WriteLine($"  z-score from the training months: mean {scaler.Mean:F2} {SampleData.Unit}, standard deviation {scaler.StandardDeviation:F2} {SampleData.Unit}");

    static void PrintRange(string name, TimeSeries series, SeriesRange range) =>
        Console.WriteLine($"  {name,-10}  {series.Months[range.Start]:yyyy-MM} to {series.Months[range.End - 1]:yyyy-MM}  {range.Length,4} months");
}

// Trains on the training windows with Adam, a cosine schedule and clipping; the validation windows
// pick the best epoch. Training is deterministic: the same numbers on 1 or 2 cores, on every machine.
static TrainingResult Train(SeaTemperatureForecaster model, TimeSeries series, SeriesSplit split, ZScoreScaler scaler)
{
    TrainingSequence[] training = ForecastWindows.Create(series, split.Train, scaler, SampleData.WindowMonths, SampleData.WindowStride).ToSequences();
    TrainingSequence[] validation = ForecastWindows.Create(series, split.Validation, scaler, SampleData.WindowMonths, SampleData.WindowStride).ToSequences();
    int batches = (training.Length + SampleData.BatchSize - 1) / SampleData.BatchSize;
    Console.WriteLine($"Training {nameof(SeaTemperatureForecaster)} (hidden {SeaTemperatureForecaster.HiddenSize}) on {training.Length} windows of {SampleData.WindowMonths} months, {validation.Length} for validation:");
    var options = new TrainerOptions
    {
        Epochs = SampleData.Epochs,
        BatchSize = SampleData.BatchSize,
        Seed = SampleData.Seed,
        ClipNorm = 1f,
        Schedule = new LinearWarmup(new CosineAnnealing(SampleData.LearningRate, (long)SampleData.Epochs * batches), warmupSteps: batches),
        EarlyStoppingPatience = 8,
    };
    var trainer = new Trainer<SeaTemperatureForecaster>(model, new Adam(SampleData.LearningRate), options);
    return trainer.Fit(training, validation, new ProgressBar());
}

// The forecast of every month from the months before it, in original units (NaN for the first month).
static double[] Forecast(SeaTemperatureForecaster model, TimeSeries series, ZScoreScaler scaler)
{
    float[] features = ForecastFeatures.Encode(series, scaler);
    float[] outputs = new float[series.Count * SeaTemperatureForecaster.OutputSize];
    model.ResetState();
    model.Forward(features, outputs);

    // Output t forecasts month t + 1.
    double[] forecast = new double[series.Count];
    forecast[0] = double.NaN;
    for (int t = 1; t < series.Count; t++)
    {
        forecast[t] = scaler.Denormalize(outputs[t - 1]);
    }

    return forecast;
}

// Whether two models give the same outputs, bit for bit, over the whole series.
static bool SameForecasts(SeaTemperatureForecaster a, SeaTemperatureForecaster b, TimeSeries series, ZScoreScaler scaler) =>
    Forecast(a, series, scaler).AsSpan().SequenceEqual(Forecast(b, series, scaler));

// Prints the errors over the test months: the model's and the naive forecasts'.
static void PrintErrors(TimeSeries series, SeriesRange test, double[] forecast, double[] lastValue, double[] seasonalNaive)
{
    ForecastError model = ForecastError.Measure(series, forecast, test);
    ForecastError naive = ForecastError.Measure(series, lastValue, test);
    ForecastError seasonal = ForecastError.Measure(series, seasonalNaive, test);
    Console.WriteLine($"One month ahead over the test months ({series.Months[test.Start]:yyyy} to {series.Months[test.End - 1]:yyyy}, never seen in training):");
    PrintError("LSTM", model);
    PrintError("last value", naive);
    PrintError("seasonal naive", seasonal);
    double best = Math.Min(naive.Rmse, seasonal.Rmse);
    Console.WriteLine($"  The LSTM's RMSE is {100 * (1 - (model.Rmse / best)):F0}% below the better naive forecast's.");

    static void PrintError(string name, ForecastError error) =>
        Console.WriteLine($"  {name,-14}  RMSE {error.Rmse:F3} {SampleData.Unit}  MAE {error.Mae:F3} {SampleData.Unit}");
}

// Plots the test months with the forecasts as a PNG next to the executable.
static void WritePlot(TimeSeries series, SeriesRange test, double[] forecast, double[] lastValue, double[] seasonalNaive)
{
    double[] years = new double[test.Length];
    for (int i = 0; i < years.Length; i++)
    {
        DateOnly month = series.Months[test.Start + i];
        years[i] = month.Year + ((month.Month - 1) / (double)TimeSeries.MonthsPerYear);
    }

    var chart = new LineChart("Forecasts one month ahead, test months", xLabel: "year", yLabel: SampleData.Unit);
    chart.AddSeries("last value", Rgb.Gray, years, lastValue.AsSpan(test.Start, test.Length));
    chart.AddSeries("seasonal naive", Rgb.Green, years, seasonalNaive.AsSpan(test.Start, test.Length));
    chart.AddSeries("actual", Rgb.Blue, years, series.ValuesIn(test));
    chart.AddSeries("LSTM", Rgb.Orange, years, forecast.AsSpan(test.Start, test.Length));
    string path = Path.Combine(AppContext.BaseDirectory, SampleData.PlotFileName);
    chart.SavePng(path);
    Console.WriteLine($"Plot: {path}");
}

namespace QuickStart
{
    /// <summary>
    /// The forecaster: 3 features per month in (the z-scored temperature and the month's position in
    /// the year), one LSTM layer of 32 units, and a dense head that outputs next month's z-score.
    /// </summary>
    [Lstm(InputSize = ForecastFeatures.InputSize, HiddenSize = 32, OutputSize = ForecastFeatures.OutputSize)]
    public partial class SeaTemperatureForecaster
    {
    }

    /// <summary>The sample's data set, how it is split and cut into training sequences, and how the model trains.</summary>
    internal static class SampleData
    {
        /// <summary>The folder, next to the executable, that holds the data set.</summary>
        public const string Folder = "Data";

        /// <summary>The data set: see Data/SOURCE.md for where it comes from.</summary>
        public const string FileName = "nino12-sst-monthly.csv";

        /// <summary>What the series measures, for titles.</summary>
        public const string Title = "Nino 1+2 sea surface temperature";

        /// <summary>The unit of the series' values.</summary>
        public const string Unit = "°C";

        /// <summary>Validation months: 1991 to 2000.</summary>
        public const int ValidationMonths = 10 * TimeSeries.MonthsPerYear;

        /// <summary>Test months: 2001 to 2010, the most recent.</summary>
        public const int TestMonths = 10 * TimeSeries.MonthsPerYear;

        /// <summary>Months in a training sequence: two seasonal cycles.</summary>
        public const int WindowMonths = 2 * TimeSeries.MonthsPerYear;

        /// <summary>Months between the starts of two training sequences.</summary>
        public const int WindowStride = 1;

        /// <summary>The seed of the initial weights and of the shuffling: one seed, one result, on every machine.</summary>
        public const int Seed = 7;

        /// <summary>Passes over the training windows (fewer if validation stops improving).</summary>
        public const int Epochs = 40;

        /// <summary>Windows per optimizer step.</summary>
        public const int BatchSize = 16;

        /// <summary>Adam's peak learning rate, after one epoch of warm-up.</summary>
        public const float LearningRate = 1e-2f;

        /// <summary>The trained weights, written next to the executable.</summary>
        public const string WeightsFileName = "nino12-forecaster.safetensors";

        /// <summary>The plot written next to the executable.</summary>
        public const string PlotFileName = "nino12-forecast.png";
    }
}
