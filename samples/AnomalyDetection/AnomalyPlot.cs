using System;
using System.Collections.Generic;
using System.Linq;
using ScottPlot;

namespace AnomalyDetection
{
    /// <summary>
    /// The plot of the test mote: humidity (left axis) and temperature (right axis) over time, the labelled anomalies
    /// shaded, and one row of ticks per detector above the lines, a tick at each reading it flagged.
    /// </summary>
    internal static class AnomalyPlot
    {
        private const int Width = 1100;
        private const int Height = 560;

        /// <summary>The colours of the detectors' rows of ticks, in the order of the detectors.</summary>
        private static readonly Color[] s_flagColors = { Colors.Red, Colors.DimGray, Colors.MediumPurple };

        /// <summary>Writes the plot as <c>{path}.png</c> and <c>{path}.svg</c>.</summary>
        /// <param name="mote">The test mote.</param>
        /// <param name="detections">The detectors whose flags are drawn, one row each, the first at the top.</param>
        /// <param name="path">The files' path without the extension.</param>
        public static void Save(MoteSeries mote, IReadOnlyList<Detection> detections, string path)
        {
            double[] minutes = new double[mote.Count];
            for (int t = 0; t < minutes.Length; t++)
            {
                minutes[t] = t * SampleData.SecondsPerReading / 60.0;
            }

            using var plot = new Plot();

            // The labelled anomalies, shaded behind the lines.
            bool first = true;
            foreach ((int start, int end) in Runs(mote.Anomalous))
            {
                var span = plot.Add.HorizontalSpan(minutes[start], minutes[end - 1]);
                span.FillColor = Colors.Gold.WithAlpha(0.4);
                span.LineColor = Colors.Transparent;
                span.LegendText = first ? "labelled anomalous" : string.Empty;
                first = false;
            }

            double[] humidityValues = mote.Humidity.ToArray();
            var humidity = plot.Add.ScatterLine(minutes, humidityValues, Colors.SteelBlue);
            humidity.LegendText = "humidity (%, left axis)";
            humidity.LineWidth = 1.5f;
            var temperature = plot.Add.ScatterLine(minutes, mote.Temperature.ToArray(), Colors.DarkOrange);
            temperature.LegendText = "temperature (°C, right axis)";
            temperature.LineWidth = 1.5f;
            temperature.Axes.YAxis = plot.Axes.Right;

            // One row of ticks per detector above the highest humidity, a tick where the detector flagged a reading.
            double top = humidityValues.Max();
            double row = top * 0.06;
            for (int d = 0; d < detections.Count; d++)
            {
                Detection detection = detections[d];
                double y = top + (row * (detections.Count - d));
                var flagged = new List<double>();
                for (int t = 0; t < mote.Count; t++)
                {
                    if (detection.TestScores[t] >= detection.Threshold)
                    {
                        flagged.Add(minutes[t]);
                    }
                }

                double[] ys = new double[flagged.Count];
                Array.Fill(ys, y);
                var ticks = plot.Add.ScatterPoints(flagged.ToArray(), ys, s_flagColors[d % s_flagColors.Length]);
                ticks.MarkerShape = MarkerShape.VerticalBar;
                ticks.MarkerSize = 12;
                ticks.LegendText = FormattableString.Invariant($"flagged by {detection.Name} (F1 {detection.Test.F1:F3})");
            }

            plot.Title($"{mote.Name}, the test mote: readings flagged by each detector (thresholds chosen on mote {SampleData.ValidationMote})");
            plot.XLabel("time since the first reading (minutes)");
            plot.Axes.Left.Label.Text = "relative humidity (%)";
            plot.Axes.Right.Label.Text = "temperature (°C)";
            plot.Axes.SetLimitsY(humidityValues.Min() - 5, top + (row * (detections.Count + 1)), plot.Axes.Left);
            plot.ShowLegend(Alignment.MiddleRight);
            plot.SavePng(path + ".png", Width, Height);
            plot.SaveSvg(path + ".svg", Width, Height);
        }

        /// <summary>The runs of consecutive true values: (first index, index after the last).</summary>
        private static List<(int Start, int End)> Runs(ReadOnlySpan<bool> values)
        {
            var runs = new List<(int, int)>();
            int start = -1;
            for (int t = 0; t <= values.Length; t++)
            {
                bool on = t < values.Length && values[t];
                if (on && start < 0)
                {
                    start = t;
                }
                else if (!on && start >= 0)
                {
                    runs.Add((start, t));
                    start = -1;
                }
            }

            return runs;
        }
    }
}
