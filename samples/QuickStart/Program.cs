using System;
using System.Globalization;
using System.IO;
using LstmGen;
using QuickStart;

// Numbers print the same, with a decimal point, whatever the machine's culture.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var model = new Demo.Predictor(seed: 1);
float[] output = new float[Demo.Predictor.OutputSize];
model.Step(new float[Demo.Predictor.InputSize], output);
Console.WriteLine(string.Join(", ", output));

TimeSeries series = LoadSeries();
SeriesSplit split = series.Split(SampleData.ValidationMonths, SampleData.TestMonths);
ZScoreScaler scaler = ZScoreScaler.Fit(series.ValuesIn(split.Train));
DescribeData(series, split, scaler);

double[] lastValue = Baselines.LastValue(series);
double[] seasonalNaive = Baselines.SeasonalNaive(series);
PrintBaselineErrors(series, split.Test, lastValue, seasonalNaive);
WriteBaselinePlot(series, split.Test, lastValue, seasonalNaive);

// Loads the monthly sea surface temperatures that ship next to the executable.
static TimeSeries LoadSeries() =>
    TimeSeries.LoadCsv(Path.Combine(AppContext.BaseDirectory, SampleData.Folder, SampleData.FileName));

// Prints the series, its split, the normalisation and the training windows cut from it.
static void DescribeData(TimeSeries series, SeriesSplit split, ZScoreScaler scaler)
{
    ForecastWindows windows = ForecastWindows.Create(series, split.Train, scaler, SampleData.WindowMonths, SampleData.WindowStride);
    Console.WriteLine($"{SampleData.Title}: {series.Count} months");
    PrintRange("train", series, split.Train);
    PrintRange("validation", series, split.Validation);
    PrintRange("test", series, split.Test);
    Console.WriteLine($"  z-score from the training months: mean {scaler.Mean:F2} {SampleData.Unit}, standard deviation {scaler.StandardDeviation:F2} {SampleData.Unit}");
    Console.WriteLine($"  {windows.Count} training windows of {windows.Length} months, {ForecastFeatures.InputSize} features per month");

    static void PrintRange(string name, TimeSeries series, SeriesRange range) =>
        Console.WriteLine($"  {name,-10}  {series.Months[range.Start]:yyyy-MM} to {series.Months[range.End - 1]:yyyy-MM}  {range.Length,4} months");
}

// Prints the errors of the naive forecasts over the test months: what a model has to beat.
static void PrintBaselineErrors(TimeSeries series, SeriesRange test, double[] lastValue, double[] seasonalNaive)
{
    Console.WriteLine("Baselines on the test months, one month ahead:");
    PrintError("last value", ForecastError.Measure(series, lastValue, test));
    PrintError("seasonal naive", ForecastError.Measure(series, seasonalNaive, test));

    static void PrintError(string name, ForecastError error) =>
        Console.WriteLine($"  {name,-14}  RMSE {error.Rmse:F3} {SampleData.Unit}  MAE {error.Mae:F3} {SampleData.Unit}");
}

// Plots the test months with both baselines as a PNG next to the executable.
static void WriteBaselinePlot(TimeSeries series, SeriesRange test, double[] lastValue, double[] seasonalNaive)
{
    double[] years = new double[test.Length];
    for (int i = 0; i < years.Length; i++)
    {
        DateOnly month = series.Months[test.Start + i];
        years[i] = month.Year + ((month.Month - 1) / (double)TimeSeries.MonthsPerYear);
    }

    var chart = new LineChart($"{SampleData.Title}: test months", xLabel: "year", yLabel: SampleData.Unit);
    chart.AddSeries("last value", Rgb.Gray, years, lastValue.AsSpan(test.Start, test.Length));
    chart.AddSeries("seasonal naive", Rgb.Green, years, seasonalNaive.AsSpan(test.Start, test.Length));
    chart.AddSeries("actual", Rgb.Blue, years, series.ValuesIn(test));
    string path = Path.Combine(AppContext.BaseDirectory, SampleData.PlotFileName);
    chart.SavePng(path);
    Console.WriteLine($"Plot: {path}");
}

namespace QuickStart
{
    /// <summary>The sample's data set and how it is split and cut into training sequences.</summary>
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

        /// <summary>The plot written next to the executable.</summary>
        public const string PlotFileName = "nino12-test-baselines.png";
    }
}

namespace Demo
{
    [Lstm(InputSize = 8, HiddenSize = 32, Layers = 2, OutputSize = 4)]
    public partial class Predictor
    {
    }
}
