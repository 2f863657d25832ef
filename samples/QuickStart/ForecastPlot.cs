using System;
using System.Globalization;
using ScottPlot;

namespace QuickStart
{
    /// <summary>The plot of the test months: the actual temperatures, the LSTM's forecast and the naive ones.</summary>
    internal static class ForecastPlot
    {
        private const int Width = 1000;
        private const int Height = 500;

        /// <summary>Writes the plot as a PNG, and as an SVG beside it (the same name, ending in .svg).</summary>
        /// <param name="forecasts">The forecasts to plot.</param>
        /// <param name="path">The PNG file.</param>
        public static void Save(Forecasts forecasts, string path)
        {
            SeriesRange test = forecasts.Test;
            double[] years = new double[test.Length];
            for (int i = 0; i < years.Length; i++)
            {
                DateOnly month = forecasts.Series.Months[test.Start + i];
                years[i] = month.Year + ((month.Month - 1) / (double)TimeSeries.MonthsPerYear);
            }

            using var plot = new Plot();
            AddLine(plot, "last value", Colors.Gray, years, forecasts.LastValue.AsSpan(test.Start, test.Length), LinePattern.Dotted);
            AddLine(plot, "seasonal naive", Colors.Green, years, forecasts.SeasonalNaive.AsSpan(test.Start, test.Length), LinePattern.Dashed);
            AddLine(plot, "actual", Colors.Black, years, forecasts.Series.ValuesIn(test), LinePattern.Solid);
            AddLine(plot, "LSTM", Colors.OrangeRed, years, forecasts.Model.AsSpan(test.Start, test.Length), LinePattern.Solid);
            plot.Title($"{SampleData.Title}: forecasts one month ahead, test months");
            plot.XLabel("year");
            plot.YLabel($"temperature ({SampleData.Unit})");

            // One tick a year, labelled as a year (not "2,001").
            var ticks = new ScottPlot.TickGenerators.NumericManual();
            for (int year = (int)years[0]; year <= (int)years[^1] + 1; year++)
            {
                ticks.AddMajor(year, year.ToString(CultureInfo.InvariantCulture));
            }

            plot.Axes.Bottom.TickGenerator = ticks;
            plot.ShowLegend(Edge.Right);
            plot.SavePng(path, Width, Height);
            plot.SaveSvg(System.IO.Path.ChangeExtension(path, ".svg"), Width, Height);
        }

        private static void AddLine(Plot plot, string name, Color color, double[] years, ReadOnlySpan<double> values, LinePattern pattern)
        {
            var line = plot.Add.ScatterLine(years, values.ToArray(), color);
            line.LegendText = name;
            line.LineWidth = 2;
            line.LinePattern = pattern;
        }
    }
}
