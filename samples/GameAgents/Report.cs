using System;
using System.Diagnostics;
using Spectre.Console;

namespace GameAgents
{
    /// <summary>Prints what a run measured. Colours degrade to plain text when redirected or with NO_COLOR.</summary>
    internal static class Report
    {
        /// <summary>Rows of the error table: the run cut into this many stretches of frames.</summary>
        private const int Stretches = 10;

        /// <summary>Prints the frame times, the error over time, the garbage collections and the state hash.</summary>
        public static void Print(GameAgentsSettings settings, FrameRecord record, FrameLoopResult result, OnlineLearner learner, ulong hash)
        {
            PrintFrameTimes(settings.Agents, record, result, learner);
            PrintErrors(record);

            int collections = result.Gen0 + result.Gen1 + result.Gen2;
            string colour = collections == 0 ? "green" : "red";
            AnsiConsole.MarkupLine(FormattableString.Invariant(
                $"GC collections during the frame loop: [{colour}]{collections}[/] (gen0 {result.Gen0}, gen1 {result.Gen1}, gen2 {result.Gen2}); allocated by the frame loop: {result.AllocatedBytes} bytes, by the trainer after its first round: {learner.AllocatedAfterFirstRound} bytes."));
            AnsiConsole.MarkupLine(FormattableString.Invariant($"State hash (agents, their states, the live weights): [bold]{hash:x16}[/]"));
        }

        private static void PrintFrameTimes(int agents, FrameRecord record, FrameLoopResult result, OnlineLearner learner)
        {
            long[] sorted = (long[])record.Ticks.Clone();
            Array.Sort(sorted);
            double p50 = Milliseconds(sorted[sorted.Length / 2]);
            double p99 = Milliseconds(sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * 0.99))]);
            double max = Milliseconds(sorted[^1]);
            double agentsPerSecond = (double)agents * record.Frames / result.Elapsed.TotalSeconds;
            AnsiConsole.WriteLine(FormattableString.Invariant(
                $"Frame loop: {record.Frames} frames in {result.Elapsed.TotalSeconds:F2} s; frame time p50 {p50:F3} ms, p99 {p99:F3} ms, max {max:F3} ms; {agentsPerSecond / 1e6:F2} million agent steps per second."));
            AnsiConsole.WriteLine(FormattableString.Invariant(
                $"Online learning: {learner.Rounds} rounds of {OnlineLearner.StepsPerRound} Adam steps ({OnlineLearner.BatchSize} windows of {OnlineLearner.Window} frames each), {learner.Swaps} weight swaps; a round took {learner.MeanRoundTime.TotalMilliseconds:F1} ms on average; frames that waited for the trainer: {learner.Waits} ({learner.WaitTime.TotalMilliseconds:F1} ms in all)."));
            ReadOnlySpan<float> losses = learner.RoundLosses;
            if (losses.Length > 0)
            {
                AnsiConsole.WriteLine(FormattableString.Invariant($"Training loss (mean squared error of the next position, last step of a round): {losses[0]:F5} in the first round, {losses[^1]:F5} in the last that went live."));
            }
        }

        private static void PrintErrors(FrameRecord record)
        {
            AnsiConsole.WriteLine("Prediction error: mean distance between the predicted and the actual next position of the target (raw observation = predicting that the target stays where it was seen):");
            var table = new Table().Border(TableBorder.Simple).AddColumns("frames", "weights", "model", "raw observation", "agent to target");
            foreach (TableColumn column in table.Columns)
            {
                column.RightAligned();
            }

            int length = Math.Max(1, (record.Frames - 1) / Stretches);
            double first = double.NaN;
            double last = double.NaN;
            double lastObservation = double.NaN;
            for (int start = 1; start + length <= record.Frames; start += length)
            {
                double model = Mean(record.ModelError, start, length);
                double observation = Mean(record.ObservationError, start, length);
                double distance = Mean(record.Distance, start, length);
                string style = model < observation ? "green" : "default";
                table.AddRow(
                    new Text(FormattableString.Invariant($"{start}-{start + length - 1}")),
                    new Text(FormattableString.Invariant($"v{record.Version[start]}-v{record.Version[start + length - 1]}")),
                    new Markup(FormattableString.Invariant($"[{style}]{model:F4}[/]")),
                    new Text(FormattableString.Invariant($"{observation:F4}")),
                    new Text(FormattableString.Invariant($"{distance:F4}")));
                first = double.IsNaN(first) ? model : first;
                last = model;
                lastObservation = observation;
            }

            AnsiConsole.Write(table);
            string verdict = last < first ? "[green]fell[/]" : "[red]did not fall[/]";
            AnsiConsole.MarkupLine(FormattableString.Invariant(
                $"Prediction error {verdict}: from {first:F4} to {last:F4} (raw observation {lastObservation:F4})."));
        }

        private static double Mean(double[] values, int start, int length)
        {
            double sum = 0;
            for (int i = start; i < start + length; i++)
            {
                sum += values[i];
            }

            return sum / length;
        }

        private static double Milliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
    }
}
