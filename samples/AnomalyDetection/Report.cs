using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using LstmGen.Training;
using Spectre.Console;

namespace AnomalyDetection
{
    /// <summary>What the sample prints: the data, the epochs, the detectors. Colours degrade to plain text when redirected or with NO_COLOR.</summary>
    internal static class Report
    {
        /// <summary>Prints the motes, their part in the experiment and the normalisation.</summary>
        public static void DescribeData(IReadOnlyList<MoteSeries> motes, ChannelScaler scaler)
        {
            AnsiConsole.MarkupLineInterpolated($"[bold]{SampleData.Title}[/]: {motes.Sum(mote => mote.Count)} readings, one every {SampleData.SecondsPerReading} s (see Data/SOURCE.md)");
            var table = new Table().Border(TableBorder.Simple).AddColumns("mote", "readings", "labelled anomalous", "humidity (%)", "temperature (°C)", "part");
            foreach (MoteSeries mote in motes)
            {
                string part = SampleData.TrainingMotes.Contains(mote.Id) ? "train"
                    : mote.Id == SampleData.ValidationMote ? "validation (threshold)"
                    : mote.Id == SampleData.TestMote ? "test" : "unused";
                table.AddRow(
                    mote.Name,
                    Invariant(mote.Count),
                    Invariant(mote.AnomalyCount),
                    FormattableString.Invariant($"{Min(mote.Humidity):F1} to {Max(mote.Humidity):F1}"),
                    FormattableString.Invariant($"{Min(mote.Temperature):F1} to {Max(mote.Temperature):F1}"),
                    part);
            }

            table.Columns[1].RightAligned();
            table.Columns[2].RightAligned();
            AnsiConsole.Write(table);
            AnsiConsole.WriteLine(FormattableString.Invariant(
                $"z-scores from the training motes: humidity mean {scaler.HumidityMean:F2} %, standard deviation {scaler.HumidityDeviation:F2} %; temperature mean {scaler.TemperatureMean:F2} °C, standard deviation {scaler.TemperatureDeviation:F2} °C"));

            static double Min(ReadOnlySpan<double> values) => values.ToArray().Min();
            static double Max(ReadOnlySpan<double> values) => values.ToArray().Max();
        }

        /// <summary>Prints the training loss of every epoch, and that of predicting no change on the same windows.</summary>
        public static void Epochs(TrainingResult result, double noChangeLoss)
        {
            var table = new Table().Border(TableBorder.Simple).AddColumns("epoch", "training loss");
            table.Columns[0].RightAligned();
            table.Columns[1].RightAligned();
            for (int epoch = 1; epoch <= result.EpochsRun; epoch++)
            {
                table.AddRow(Invariant(epoch), FormattableString.Invariant($"{result.TrainingLosses[epoch - 1]:F5}"));
            }

            AnsiConsole.Write(table);
            AnsiConsole.WriteLine(FormattableString.Invariant(
                $"Predicting no change (the last value) has a loss of {noChangeLoss:F5} on the same windows; the LSTM's is {result.TrainingLosses[^1] / noChangeLoss:P0} of that."));
        }

        /// <summary>Prints each detector's threshold and its precision, recall and F1 on the validation and the test mote.</summary>
        public static void Quality(IReadOnlyList<Detection> detectors, MoteSeries validation, MoteSeries test, int window)
        {
            AnsiConsole.WriteLine(FormattableString.Invariant(
                $"Score of a reading: the prediction error of both channels over the last {window} readings ({window * SampleData.SecondsPerReading} s), in units of the detector's own error in the mote's first hour."));
            AnsiConsole.WriteLine(FormattableString.Invariant(
                $"Threshold: the highest F1 on {validation.Name}, {validation.AnomalyCount} anomalous readings; measured on {test.Name}, {test.AnomalyCount} anomalous readings, never seen before:"));
            var table = new Table().Border(TableBorder.Simple).AddColumns("detector", "threshold", "validation F1", "test precision", "test recall", "test F1", "flagged", "missed");
            foreach (TableColumn column in table.Columns.Skip(1))
            {
                column.RightAligned();
            }

            for (int d = 0; d < detectors.Count; d++)
            {
                Detection detection = detectors[d];
                DetectionQuality quality = detection.Test;

                // The first detector is the LSTM, in bold.
                table.AddRow(
                    new Markup(d == 0 ? $"[bold]{Markup.Escape(detection.Name)}[/]" : Markup.Escape(detection.Name)),
                    new Text(FormattableString.Invariant($"{detection.Threshold:F2}")),
                    new Text(FormattableString.Invariant($"{detection.Validation.F1:F3}")),
                    new Text(FormattableString.Invariant($"{quality.Precision:F3}")),
                    new Text(FormattableString.Invariant($"{quality.Recall:F3}")),
                    new Text(FormattableString.Invariant($"{quality.F1:F3}")),
                    new Text(Invariant(quality.TruePositives + quality.FalsePositives)),
                    new Text(Invariant(quality.FalseNegatives)));
            }

            AnsiConsole.Write(table);
            Detection model = detectors[0];
            Detection best = detectors.Skip(1).MaxBy(detection => detection.Test.F1)!;
            string verdict = model.Test.F1 > best.Test.F1 ? "[green]above[/]" : "[red]not above[/]";
            AnsiConsole.MarkupLine(FormattableString.Invariant($"The LSTM's test F1 ({model.Test.F1:F3}) is {verdict} the best naive detector's ({Markup.Escape(best.Name)}, {best.Test.F1:F3})."));
        }

        private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Moves a Spectre.Console progress task by the trainer's reports: one unit per epoch, a fraction per batch.</summary>
    /// <param name="task">The task to move; its maximum is the number of epochs.</param>
    internal sealed class TrainingProgressTask(ProgressTask task) : IProgress<TrainingProgress>
    {
        /// <inheritdoc/>
        public void Report(TrainingProgress value)
        {
            task.Value = value.Epoch - 1 + ((double)value.Batch / value.Batches);
            task.Description = FormattableString.Invariant($"epoch {value.Epoch}/{value.Epochs}  loss {value.Loss:F5}");
        }
    }
}
