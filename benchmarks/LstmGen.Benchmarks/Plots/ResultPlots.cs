using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace LstmGen.Benchmarks.Plots
{
    /// <summary>
    /// <c>--plots [RESULTS.md] [folder]</c>: draws the survey tables of benchmarks/RESULTS.md with ScottPlot, each as a
    /// PNG and as an SVG (the SVG is what docs/performance.md shows: sharp at any zoom) (the step and the 100-step sequence of every method against the hidden size, and the generated step's share
    /// of the FMA peak). It reads the recorded figures; it measures nothing.
    /// </summary>
    public static class ResultPlots
    {
        private const int Width = 900;
        private const int Height = 560;

        /// <summary>Where and when the plotted figures were measured (the survey tables of RESULTS.md; see its "The machine").</summary>
        private const string Machine = "AMD EPYC (Zen 4), 2 vCPUs, .NET 10, Vector512 path: the survey of 2026-12-03 in benchmarks/RESULTS.md";

        /// <summary>The methods of the Step and Forward tables, with the columns that hold their times.</summary>
        private static readonly (string Legend, string Column)[] s_methods =
        {
            ("LstmGen (generated)", "Generated"),
            ("TensorPrimitives, Axpy", "TP Axpy"),
            ("TensorPrimitives, Dot", "TP Dot"),
            ("Naive scalar LSTM", "Naive"),
        };

        /// <summary>Writes the plots of <paramref name="resultsPath"/> into <paramref name="folder"/> and names them on <paramref name="log"/>.</summary>
        public static int Run(string resultsPath, string folder, TextWriter log)
        {
            ResultsTables results = ResultsTables.Load(resultsPath);
            Directory.CreateDirectory(folder);
            string machine = Machine;

            var step = results.Table("### Step: one step of one sequence");
            var forward = results.Table("### Forward: a sequence of 100 steps");
            var onnx = results.Table("### ONNX Runtime");

            Write(log, Path.Combine(folder, "step-time"), TimesAgainstHidden(step, onnx, "ORT Step", "One step of one sequence (input 8, one layer)", "time per step", machine));
            Write(log, Path.Combine(folder, "forward-time"), TimesAgainstHidden(forward, onnx, "ORT Forward100", "A sequence of 100 steps (input 8, one layer)", "time per sequence", machine));
            Write(log, Path.Combine(folder, "step-peak"), PeakAgainstHidden(step, machine));
            return 0;
        }

        /// <summary>Writes <paramref name="plot"/> as <c>{pathWithoutExtension}.png</c> and <c>.svg</c>, and names both on <paramref name="log"/>.</summary>
        private static void Write(TextWriter log, string pathWithoutExtension, ScottPlot.Plot plot)
        {
            using (plot)
            {
                string png = pathWithoutExtension + ".png";
                string svg = pathWithoutExtension + ".svg";
                plot.SavePng(png, Width, Height);
                plot.SaveSvg(svg, Width, Height);
                log.WriteLine(png);
                log.WriteLine(svg);
            }
        }

        /// <summary>Time of each method against the hidden size, both on log scales, for the one-layer shapes with input 8.</summary>
        private static ScottPlot.Plot TimesAgainstHidden(
            IReadOnlyList<IReadOnlyDictionary<string, string>> table,
            IReadOnlyList<IReadOnlyDictionary<string, string>> onnx,
            string onnxColumn,
            string title,
            string yLabel,
            string machine)
        {
            var plot = new ScottPlot.Plot();
            var rows = table.Where(row => IsInput8OneLayer(row["Shape"])).ToList();
            double[] hidden = rows.Select(row => (double)ResultsTables.Shape(row["Shape"]).Hidden).ToArray();
            foreach (var (legend, column) in s_methods)
            {
                AddLine(plot, hidden, rows.Select(row => ResultsTables.Nanoseconds(row[column])).ToArray(), legend);
            }

            var onnxRows = onnx.Where(row => IsInput8OneLayer(row["Shape"])).ToList();
            AddLine(plot, onnxRows.Select(row => (double)ResultsTables.Shape(row["Shape"]).Hidden).ToArray(), onnxRows.Select(row => ResultsTables.Nanoseconds(row[onnxColumn])).ToArray(), "ONNX Runtime 1.31.1 (1 thread)");

            plot.Title(title);
            plot.XLabel("hidden size (units)");
            plot.YLabel(yLabel + " (log scale)");
            LogTimeAxis(plot);
            HiddenAxis(plot, hidden);
            Footer(plot, machine);
            plot.ShowLegend(ScottPlot.Alignment.UpperLeft);
            return plot;
        }

        /// <summary>The generated Step's % of the FMA peak against the hidden size, one line per input size.</summary>
        private static ScottPlot.Plot PeakAgainstHidden(IReadOnlyList<IReadOnlyDictionary<string, string>> table, string machine)
        {
            var plot = new ScottPlot.Plot();
            var oneLayer = table.Where(row => ResultsTables.Shape(row["Shape"]).Layers == 1).ToList();
            double[] allHidden = Array.Empty<double>();
            foreach (var group in oneLayer.GroupBy(row => ResultsTables.Shape(row["Shape"]).Input).OrderBy(group => group.Key))
            {
                double[] hidden = group.Select(row => (double)ResultsTables.Shape(row["Shape"]).Hidden).ToArray();
                double[] percent = group.Select(row => ResultsTables.Percent(row["% peak"])).ToArray();
                var line = plot.Add.Scatter(hidden.Select(Math.Log2).ToArray(), percent);
                line.LegendText = string.Create(CultureInfo.InvariantCulture, $"input {group.Key}");
                line.LineWidth = 2;
                line.MarkerSize = 7;
                allHidden = allHidden.Union(hidden).ToArray();
            }

            plot.Title("LstmGen Step: share of one core's FMA peak");
            plot.XLabel("hidden size (units)");
            plot.YLabel("% of the measured FMA peak");
            plot.Axes.SetLimitsY(0, 100);
            HiddenAxis(plot, allHidden.OrderBy(h => h).ToArray());
            Footer(plot, machine);
            plot.ShowLegend(ScottPlot.Alignment.UpperLeft);
            return plot;
        }

        private static bool IsInput8OneLayer(string shape)
        {
            var (input, _, layers) = ResultsTables.Shape(shape);
            return input == 8 && layers == 1;
        }

        /// <summary>A line of times in nanoseconds, drawn as log10 (the axis labels say the time).</summary>
        private static void AddLine(ScottPlot.Plot plot, double[] hidden, double[] nanoseconds, string legend)
        {
            var line = plot.Add.Scatter(hidden.Select(Math.Log2).ToArray(), nanoseconds.Select(Math.Log10).ToArray());
            line.LegendText = legend;
            line.LineWidth = 2;
            line.MarkerSize = 7;
        }

        /// <summary>The x axis: log2 of the hidden size, labelled with the sizes themselves.</summary>
        private static void HiddenAxis(ScottPlot.Plot plot, double[] hidden)
        {
            var ticks = new ScottPlot.TickGenerators.NumericManual();
            foreach (double h in hidden)
            {
                ticks.AddMajor(Math.Log2(h), h.ToString(CultureInfo.InvariantCulture));
            }

            plot.Axes.Bottom.TickGenerator = ticks;
        }

        /// <summary>The y axis: log10 of a time in nanoseconds, with a tick at each power of ten, labelled in ns, µs or ms.</summary>
        private static void LogTimeAxis(ScottPlot.Plot plot)
        {
            var ticks = new ScottPlot.TickGenerators.NumericAutomatic
            {
                MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
                IntegerTicksOnly = true,
                LabelFormatter = TimeLabel,
            };
            plot.Axes.Left.TickGenerator = ticks;
        }

        private static string TimeLabel(double log10Nanoseconds)
        {
            double ns = Math.Pow(10, log10Nanoseconds);
            return ns switch
            {
                < 1e3 => string.Create(CultureInfo.InvariantCulture, $"{ns:0} ns"),
                < 1e6 => string.Create(CultureInfo.InvariantCulture, $"{ns / 1e3:0} µs"),
                < 1e9 => string.Create(CultureInfo.InvariantCulture, $"{ns / 1e6:0} ms"),
                _ => string.Create(CultureInfo.InvariantCulture, $"{ns / 1e9:0} s"),
            };
        }

        private static void Footer(ScottPlot.Plot plot, string machine)
        {
            var text = plot.Add.Annotation(machine, ScottPlot.Alignment.LowerRight);
            text.LabelFontSize = 11;
            text.LabelBackgroundColor = ScottPlot.Colors.White;
            text.LabelBorderColor = ScottPlot.Colors.Gray;
            text.LabelShadowColor = ScottPlot.Colors.Transparent;
        }
    }
}
