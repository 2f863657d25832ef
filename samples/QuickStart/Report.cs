using System;
using LstmGen.Training;
using Spectre.Console;

namespace QuickStart
{
    /// <summary>The forecasts of the test months: the model's and the naive ones, each aligned with the series.</summary>
    /// <param name="Series">The actual values.</param>
    /// <param name="Test">The test months.</param>
    /// <param name="Model">The LSTM's forecast, one month ahead.</param>
    /// <param name="LastValue">The naive forecast: next month like this month.</param>
    /// <param name="SeasonalNaive">The seasonal naive forecast: like the same month a year earlier.</param>
    internal sealed record Forecasts(TimeSeries Series, SeriesRange Test, double[] Model, double[] LastValue, double[] SeasonalNaive);

    /// <summary>What the sample prints: the data, the epochs, the errors. Colours degrade to plain text when redirected or with NO_COLOR.</summary>
    internal static class Report
    {
        /// <summary>Prints the series, its split and the normalisation.</summary>
        public static void DescribeData(TimeSeries series, SeriesSplit split, ZScoreScaler scaler)
        {
            AnsiConsole.MarkupLineInterpolated($"[bold]{SampleData.Title}[/]: {series.Count} months (see Data/SOURCE.md)");
            var table = new Table().Border(TableBorder.Simple).AddColumns("part", "months", "count");
            AddRange(table, "train", series, split.Train);
            AddRange(table, "validation", series, split.Validation);
            AddRange(table, "test", series, split.Test);
            table.Columns[2].RightAligned();
            AnsiConsole.Write(table);
            AnsiConsole.WriteLine(FormattableString.Invariant($"z-score from the training months: mean {scaler.Mean:F2} {SampleData.Unit}, standard deviation {scaler.StandardDeviation:F2} {SampleData.Unit}"));

            static void AddRange(Table table, string name, TimeSeries series, SeriesRange range) =>
                table.AddRow(name, FormattableString.Invariant($"{series.Months[range.Start]:yyyy-MM} to {series.Months[range.End - 1]:yyyy-MM}"), Invariant(range.Length));
        }

        /// <summary>Prints the training and validation loss of every epoch, the best one highlighted.</summary>
        public static void Epochs(TrainingResult result)
        {
            var table = new Table().Border(TableBorder.Simple).AddColumns("epoch", "training loss", "validation loss");
            foreach (TableColumn column in table.Columns)
            {
                column.RightAligned();
            }

            for (int epoch = 1; epoch <= result.EpochsRun; epoch++)
            {
                string style = epoch == result.BestEpoch ? "green" : "default";
                table.AddRow(
                    new Text(Invariant(epoch)),
                    new Text(FormattableString.Invariant($"{result.TrainingLosses[epoch - 1]:F4}")),
                    new Markup(FormattableString.Invariant($"[{style}]{result.ValidationLosses[epoch - 1]:F4}[/]")));
            }

            AnsiConsole.Write(table);
            string stop = result.StoppedEarly ? $", stopped early after {result.EpochsRun}" : string.Empty;
            AnsiConsole.MarkupLineInterpolated($"Best validation loss at epoch [green]{result.BestEpoch}[/]{stop}; the model keeps that epoch's weights.");
        }

        /// <summary>Prints the errors over the test months: the model's and the naive forecasts'.</summary>
        public static void Errors(Forecasts forecasts)
        {
            TimeSeries series = forecasts.Series;
            SeriesRange test = forecasts.Test;
            ForecastError model = ForecastError.Measure(series, forecasts.Model, test);
            ForecastError naive = ForecastError.Measure(series, forecasts.LastValue, test);
            ForecastError seasonal = ForecastError.Measure(series, forecasts.SeasonalNaive, test);
            AnsiConsole.WriteLine(FormattableString.Invariant($"One month ahead over the test months ({series.Months[test.Start]:yyyy} to {series.Months[test.End - 1]:yyyy}, never seen in training):"));
            var table = new Table().Border(TableBorder.Simple).AddColumns("forecast", "RMSE", "MAE");
            table.Columns[1].RightAligned();
            table.Columns[2].RightAligned();
            AddError(table, "[bold]LSTM[/]", model);
            AddError(table, "last value", naive);
            AddError(table, "seasonal naive", seasonal);
            AnsiConsole.Write(table);

            double best = Math.Min(naive.Rmse, seasonal.Rmse);
            double percent = 100 * (1 - (model.Rmse / best));
            string verdict = percent > 0 ? $"[green]{percent:F0}% below[/]" : $"[red]{-percent:F0}% above[/]";
            AnsiConsole.MarkupLine(FormattableString.Invariant($"The LSTM's RMSE is {verdict} the better naive forecast's."));

            static void AddError(Table table, string name, ForecastError error) => table.AddRow(
                new Markup(name),
                new Text(FormattableString.Invariant($"{error.Rmse:F3} {SampleData.Unit}")),
                new Text(FormattableString.Invariant($"{error.Mae:F3} {SampleData.Unit}")));
        }

        private static string Invariant(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Moves a Spectre.Console progress task by the trainer's reports: one unit per epoch, a fraction per batch.</summary>
    /// <param name="task">The task to move; its maximum is the number of epochs.</param>
    internal sealed class TrainingProgressTask(ProgressTask task) : IProgress<TrainingProgress>
    {
        /// <inheritdoc/>
        public void Report(TrainingProgress value)
        {
            task.Value = value.Epoch - 1 + ((double)value.Batch / value.Batches);
            string validation = value.ValidationLoss is float loss ? FormattableString.Invariant($"  validation {loss:F4}") : string.Empty;
            task.Description = FormattableString.Invariant($"epoch {value.Epoch}/{value.Epochs}  loss {value.Loss:F4}{validation}");
        }
    }
}
