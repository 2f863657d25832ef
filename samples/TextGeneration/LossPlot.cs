using System;
using System.Linq;
using LstmGen.Training;
using ScottPlot;

namespace TextGeneration
{
    /// <summary>The plot of training: each mini-batch's loss, the validation loss of each epoch, and the baselines, in nats per character.</summary>
    internal static class LossPlot
    {
        private const int Width = 1000;
        private const int Height = 500;

        /// <summary>Writes the plot as a PNG.</summary>
        /// <param name="curves">The recorded losses.</param>
        /// <param name="result">The trainer's result.</param>
        /// <param name="baselines">The baselines' perplexities.</param>
        /// <param name="path">The PNG file.</param>
        public static void Save(LossCurves curves, TrainingResult result, BaselinePerplexities baselines, string path)
        {
            using var plot = new Plot();
            double lastStep = Math.Max(1, result.Steps);
            AddBaseline(plot, FormattableString.Invariant($"unigram baseline (perplexity {baselines.Unigram:F2})"), Math.Log(baselines.Unigram), lastStep, Colors.Gray, LinePattern.Dotted);
            AddBaseline(plot, FormattableString.Invariant($"bigram baseline (perplexity {baselines.Bigram:F2})"), Math.Log(baselines.Bigram), lastStep, Colors.Green, LinePattern.Dashed);

            var training = plot.Add.ScatterLine(curves.BatchSteps.ToArray(), curves.BatchLosses.ToArray(), Colors.SteelBlue);
            training.LegendText = "training (each mini-batch)";
            training.LineWidth = 1;

            var validation = plot.Add.Scatter(curves.EpochSteps.ToArray(), curves.ValidationLosses.ToArray(), Colors.OrangeRed);
            double best = Math.Exp(result.BestValidationLoss ?? double.NaN);
            validation.LegendText = FormattableString.Invariant($"validation (each epoch; best perplexity {best:F2})");
            validation.LineWidth = 2;
            validation.MarkerSize = 8;

            plot.Title("Moby-Dick, character LSTM: cross-entropy while training");
            plot.XLabel("optimizer step");
            plot.YLabel("cross-entropy (nats per character)");
            plot.Axes.SetLimitsX(0, lastStep);
            plot.ShowLegend(Alignment.UpperRight);
            plot.SavePng(path, Width, Height);
        }

        private static void AddBaseline(Plot plot, string name, double loss, double lastStep, Color color, LinePattern pattern)
        {
            var line = plot.Add.ScatterLine(new[] { 0, lastStep }, new[] { loss, loss }, color);
            line.LegendText = name;
            line.LineWidth = 2;
            line.LinePattern = pattern;
        }
    }
}
