using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;

namespace QuickStart
{
    /// <summary>A colour of 8-bit red, green and blue.</summary>
    /// <param name="R">Red, 0 to 255.</param>
    /// <param name="G">Green, 0 to 255.</param>
    /// <param name="B">Blue, 0 to 255.</param>
    public readonly record struct Rgb(byte R, byte G, byte B)
    {
        /// <summary>Blue, for the actual values.</summary>
        public static Rgb Blue => new(31, 119, 180);

        /// <summary>Orange, for a model's forecast.</summary>
        public static Rgb Orange => new(255, 127, 14);

        /// <summary>Green, for a second baseline or forecast.</summary>
        public static Rgb Green => new(44, 160, 44);

        /// <summary>Grey, for a baseline.</summary>
        public static Rgb Gray => new(150, 150, 150);
    }

    /// <summary>
    /// A line chart written as a PNG image, without any dependency: a title, a legend, axes with
    /// ticks, grid lines and labels, and a few series drawn as anti-aliased lines.
    /// </summary>
    /// <example>
    /// <code>
    /// var chart = new LineChart("Sea surface temperature", xLabel: "year", yLabel: "°C");
    /// chart.AddSeries("actual", Rgb.Blue, years, temperatures);
    /// chart.SavePng("chart.png");
    /// </code>
    /// </example>
    public sealed class LineChart
    {
        private const int DefaultWidth = 960;
        private const int DefaultHeight = 540;

        private const int Margin = 16;
        private const int TitleScale = 3;
        private const int TextScale = 2;
        private const int TextHeight = BitmapFont.GlyphHeight * TextScale;
        private const int TickLength = 5;
        private const int TickLabelGap = 6;
        private const int RowGap = 12;
        private const int MinimumYTickSpacing = 5 * TextHeight / 2;
        private const int MinimumXLabelGap = 2 * TextHeight;

        /// <summary>The smallest plot, in pixels: two vertical tick intervals always fit, so a step is always found.</summary>
        private const int MinimumPlotSize = 2 * MinimumYTickSpacing;

        /// <summary>Pixels above the plot: margin, title, legend and half the top tick label, which is centred on the frame.</summary>
        private const int SpaceAbovePlot = Margin + (BitmapFont.GlyphHeight * TitleScale) + RowGap + TextHeight + RowGap + (TextHeight / 2);

        /// <summary>Pixels below the plot: ticks, their labels, the axis label and margin.</summary>
        private const int SpaceBelowPlot = TickLength + TickLabelGap + TextHeight + RowGap + TextHeight + Margin;

        /// <summary>The characters of the longest tick label that the narrowest image fits.</summary>
        private const int LongTickLabelLength = 6;

        /// <summary>The width of a tick label of <see cref="LongTickLabelLength"/> characters.</summary>
        private const int LongTickLabel = ((LongTickLabelLength * (BitmapFont.GlyphWidth + BitmapFont.Spacing)) - BitmapFont.Spacing) * TextScale;

        /// <summary>Pixels right of the plot, for half the last horizontal tick label.</summary>
        private const int PlotRightPadding = LongTickLabel / 2;

        private const int MinimumWidth = Margin + LongTickLabel + TickLabelGap + TickLength + MinimumPlotSize + PlotRightPadding + Margin;
        private const int MinimumHeight = SpaceAbovePlot + MinimumPlotSize + SpaceBelowPlot;

        private const double SeriesLineWidth = 2.0;
        private const int LegendSampleThickness = 4;
        private const int LegendSampleLength = 24;
        private const int LegendSampleGap = 6;
        private const int LegendEntryGap = 24;

        private static readonly Rgb Background = new(255, 255, 255);
        private static readonly Rgb TextColor = new(33, 33, 33);
        private static readonly Rgb FrameColor = new(110, 110, 110);
        private static readonly Rgb GridColor = new(228, 228, 228);

        private readonly List<Series> _series = [];

        /// <summary>Creates an empty chart.</summary>
        /// <param name="title">The title, drawn above the chart.</param>
        /// <param name="xLabel">What the horizontal axis shows, drawn below it.</param>
        /// <param name="yLabel">What the vertical axis shows (often just the unit), drawn above it.</param>
        /// <param name="width">The image's width in pixels, at least 228: room for vertical tick labels of six characters and an 80-pixel-wide plot.</param>
        /// <param name="height">The image's height in pixels, at least 239: room for the text and an 80-pixel-high plot.</param>
        /// <exception cref="ArgumentOutOfRangeException">The width or the height is too small.</exception>
        public LineChart(string title, string xLabel, string yLabel, int width = DefaultWidth, int height = DefaultHeight)
        {
            ArgumentNullException.ThrowIfNull(title);
            ArgumentNullException.ThrowIfNull(xLabel);
            ArgumentNullException.ThrowIfNull(yLabel);
            ArgumentOutOfRangeException.ThrowIfLessThan(width, MinimumWidth);
            ArgumentOutOfRangeException.ThrowIfLessThan(height, MinimumHeight);
            Title = title;
            XLabel = xLabel;
            YLabel = yLabel;
            Width = width;
            Height = height;
        }

        /// <summary>The title, drawn above the chart.</summary>
        public string Title { get; }

        /// <summary>What the horizontal axis shows.</summary>
        public string XLabel { get; }

        /// <summary>What the vertical axis shows.</summary>
        public string YLabel { get; }

        /// <summary>The image's width in pixels.</summary>
        public int Width { get; }

        /// <summary>The image's height in pixels.</summary>
        public int Height { get; }

        /// <summary>
        /// Adds a series, drawn over the ones added before it and listed after them in the legend.
        /// A point whose <paramref name="x"/> or <paramref name="y"/> is not finite (for example
        /// <see cref="double.NaN"/>) is left out, and breaks the line.
        /// </summary>
        /// <param name="name">The series' name in the legend.</param>
        /// <param name="color">The line's colour.</param>
        /// <param name="x">The points' horizontal positions, in axis units.</param>
        /// <param name="y">The points' vertical positions, in axis units.</param>
        /// <exception cref="ArgumentException"><paramref name="x"/> and <paramref name="y"/> differ in length.</exception>
        public void AddSeries(string name, Rgb color, ReadOnlySpan<double> x, ReadOnlySpan<double> y)
        {
            ArgumentNullException.ThrowIfNull(name);
            if (x.Length != y.Length)
            {
                throw new ArgumentException($"There are {x.Length} x values but {y.Length} y values.", nameof(y));
            }

            _series.Add(new Series(name, color, x.ToArray(), y.ToArray()));
        }

        /// <summary>Draws the chart and writes it to a PNG file.</summary>
        /// <param name="path">The file to create or overwrite.</param>
        /// <exception cref="InvalidOperationException">No series has a finite point, or the image is too narrow for the labels.</exception>
        public void SavePng(string path) => File.WriteAllBytes(path, ToPng());

        /// <summary>Draws the chart and encodes it as a PNG image (8-bit RGB).</summary>
        /// <exception cref="InvalidOperationException">No series has a finite point, or the image is too narrow for the labels.</exception>
        public byte[] ToPng()
        {
            var canvas = new RgbCanvas(Width, Height, Background);
            Draw(canvas);
            return PngEncoder.Encode(canvas.Width, canvas.Height, canvas.Pixels);
        }

        private void Draw(RgbCanvas canvas)
        {
            (double xMin, double xMax, double yMin, double yMax) = DataBounds();

            // Rows from the top: title, legend, plot, tick labels, axis label.
            int titleTop = Margin;
            int legendTop = titleTop + (BitmapFont.GlyphHeight * TitleScale) + RowGap;
            int plotTop = SpaceAbovePlot;
            int plotBottom = Height - SpaceBelowPlot;

            // The plot's height decides the vertical ticks; the vertical axis is widened to whole steps.
            double yStep = VerticalStep(yMin, yMax, plotBottom - plotTop);
            (yMin, yMax) = Ticks.Widen(yMin, yMax, yStep);
            IReadOnlyList<double> yTicks = Ticks.Within(yMin, yMax, yStep);

            // Their labels decide the plot's left edge, and its width the horizontal ticks; the
            // horizontal axis spans the data exactly.
            int yLabelWidth = 0;
            foreach (double tick in yTicks)
            {
                yLabelWidth = Math.Max(yLabelWidth, BitmapFont.Measure(Ticks.Format(tick, yStep), TextScale));
            }

            var plot = new PixelRect(
                Left: Margin + yLabelWidth + TickLabelGap + TickLength,
                Top: plotTop,
                Right: Width - Margin - PlotRightPadding,
                Bottom: plotBottom);
            if (plot.Right - plot.Left < MinimumPlotSize)
            {
                throw new InvalidOperationException($"The vertical axis' labels leave too little room for the plot in a {Width}-pixel-wide image; make it wider.");
            }

            double xStep = HorizontalStep(xMin, xMax, plot.Right - plot.Left);
            IReadOnlyList<double> xTicks = Ticks.Within(xMin, xMax, xStep);

            double ToPixelX(double x) => plot.Left + 0.5 + ((x - xMin) / (xMax - xMin) * (plot.Right - plot.Left));
            double ToPixelY(double y) => plot.Bottom + 0.5 - ((y - yMin) / (yMax - yMin) * (plot.Bottom - plot.Top));

            // Grid lines, the frame, then ticks and their labels.
            foreach (double tick in xTicks)
            {
                canvas.FillRect((int)ToPixelX(tick), plot.Top, 1, plot.Bottom - plot.Top, GridColor);
            }

            foreach (double tick in yTicks)
            {
                canvas.FillRect(plot.Left, (int)ToPixelY(tick), plot.Right - plot.Left, 1, GridColor);
            }

            canvas.FillRect(plot.Left, plot.Top, plot.Right - plot.Left + 1, 1, FrameColor);
            canvas.FillRect(plot.Left, plot.Bottom, plot.Right - plot.Left + 1, 1, FrameColor);
            canvas.FillRect(plot.Left, plot.Top, 1, plot.Bottom - plot.Top + 1, FrameColor);
            canvas.FillRect(plot.Right, plot.Top, 1, plot.Bottom - plot.Top + 1, FrameColor);
            foreach (double tick in xTicks)
            {
                int x = (int)ToPixelX(tick);
                string label = Ticks.Format(tick, xStep);
                canvas.FillRect(x, plot.Bottom + 1, 1, TickLength, FrameColor);
                canvas.DrawText(label, x - (BitmapFont.Measure(label, TextScale) / 2), plot.Bottom + TickLength + TickLabelGap, TextScale, TextColor);
            }

            foreach (double tick in yTicks)
            {
                int y = (int)ToPixelY(tick);
                string label = Ticks.Format(tick, yStep);
                canvas.FillRect(plot.Left - TickLength, y, TickLength, 1, FrameColor);
                canvas.DrawText(label, plot.Left - TickLength - TickLabelGap - BitmapFont.Measure(label, TextScale), y - (TextHeight / 2), TextScale, TextColor);
            }

            // The series, clipped to the inside of the frame.
            var inside = new PixelRect(plot.Left + 1, plot.Top + 1, plot.Right, plot.Bottom);
            foreach (Series series in _series)
            {
                var line = new LinePath(canvas.Width, canvas.Height);
                for (int i = 0; i < series.X.Length; i++)
                {
                    if (double.IsFinite(series.X[i]) && double.IsFinite(series.Y[i]))
                    {
                        line.AddPoint(ToPixelX(series.X[i]), ToPixelY(series.Y[i]), SeriesLineWidth);
                    }
                    else
                    {
                        line.Break();
                    }
                }

                canvas.Blend(line, series.Color, inside);
            }

            // Text around the plot: the title, the axis labels and the legend.
            canvas.DrawText(Title, (Width - BitmapFont.Measure(Title, TitleScale)) / 2, titleTop, TitleScale, TextColor);
            canvas.DrawText(XLabel, plot.Left + ((plot.Right - plot.Left - BitmapFont.Measure(XLabel, TextScale)) / 2), Height - Margin - TextHeight, TextScale, TextColor);
            canvas.DrawText(YLabel, Margin, legendTop, TextScale, TextColor);
            DrawLegend(canvas, plot.Right, legendTop);
        }

        /// <summary>The smallest step that keeps the vertical ticks, over the widened axis, <see cref="MinimumYTickSpacing"/> pixels apart.</summary>
        private static double VerticalStep(double min, double max, int pixels)
        {
            double step = Ticks.NiceAtLeast((max - min) * MinimumYTickSpacing / pixels);
            while (true)
            {
                (double low, double high) = Ticks.Widen(min, max, step);
                if ((high - low) / step * MinimumYTickSpacing <= pixels)
                {
                    return step;
                }

                step = Ticks.Larger(step);
            }
        }

        /// <summary>The smallest step that leaves <see cref="MinimumXLabelGap"/> pixels between the horizontal ticks' labels.</summary>
        private static double HorizontalStep(double min, double max, int pixels)
        {
            double step = Ticks.NiceAtLeast((max - min) * MinimumXLabelGap / pixels);
            while (true)
            {
                int widestLabel = 0;
                foreach (double tick in Ticks.Within(min, max, step))
                {
                    widestLabel = Math.Max(widestLabel, BitmapFont.Measure(Ticks.Format(tick, step), TextScale));
                }

                if (widestLabel + MinimumXLabelGap <= step / (max - min) * pixels)
                {
                    return step;
                }

                step = Ticks.Larger(step);
            }
        }

        /// <summary>Draws the legend on one row, ending at <paramref name="right"/>.</summary>
        private void DrawLegend(RgbCanvas canvas, int right, int top)
        {
            int width = 0;
            foreach (Series series in _series)
            {
                width += LegendSampleLength + LegendSampleGap + BitmapFont.Measure(series.Name, TextScale) + LegendEntryGap;
            }

            int x = right - (width - LegendEntryGap);
            int sampleTop = top + ((TextHeight - LegendSampleThickness) / 2);
            foreach (Series series in _series)
            {
                canvas.FillRect(x, sampleTop, LegendSampleLength, LegendSampleThickness, series.Color);
                x += LegendSampleLength + LegendSampleGap;
                canvas.DrawText(series.Name, x, top, TextScale, TextColor);
                x += BitmapFont.Measure(series.Name, TextScale) + LegendEntryGap;
            }
        }

        private (double XMin, double XMax, double YMin, double YMax) DataBounds()
        {
            double xMin = double.PositiveInfinity, xMax = double.NegativeInfinity;
            double yMin = double.PositiveInfinity, yMax = double.NegativeInfinity;
            foreach (Series series in _series)
            {
                for (int i = 0; i < series.X.Length; i++)
                {
                    if (double.IsFinite(series.X[i]) && double.IsFinite(series.Y[i]))
                    {
                        xMin = Math.Min(xMin, series.X[i]);
                        xMax = Math.Max(xMax, series.X[i]);
                        yMin = Math.Min(yMin, series.Y[i]);
                        yMax = Math.Max(yMax, series.Y[i]);
                    }
                }
            }

            if (xMin > xMax)
            {
                throw new InvalidOperationException("The chart has no point to draw: add a series with finite values.");
            }

            (xMin, xMax) = Widen(xMin, xMax);
            (yMin, yMax) = Widen(yMin, yMax);
            return (xMin, xMax, yMin, yMax);

            // A single value still needs an axis around it.
            static (double Min, double Max) Widen(double min, double max)
            {
                const double HalfSpan = 0.5;
                return min == max ? (min - HalfSpan, max + HalfSpan) : (min, max);
            }
        }

        private sealed record Series(string Name, Rgb Color, double[] X, double[] Y);
    }

    /// <summary>A rectangle of pixels; <see cref="Right"/> and <see cref="Bottom"/> are the last column and row inside.</summary>
    internal readonly record struct PixelRect(int Left, int Top, int Right, int Bottom);

    /// <summary>Where axis ticks go: at multiples of 1, 2 or 5 times a power of ten.</summary>
    internal static class Ticks
    {
        /// <summary>How far past a multiple of the step a bound may be from rounding errors, in steps.</summary>
        private const double Tolerance = 1e-9;

        /// <summary>The smallest step of 1, 2 or 5 times a power of ten that is at least <paramref name="least"/>.</summary>
        public static double NiceAtLeast(double least)
        {
            double power = Math.Pow(10, Math.Floor(Math.Log10(least)));
            double fraction = least / power;
            double nice = fraction <= 1 + Tolerance ? 1 : fraction <= 2 + Tolerance ? 2 : fraction <= 5 + Tolerance ? 5 : 10;
            return nice * power;
        }

        /// <summary>The next nice step: 1 to 2, 2 to 5, 5 to 10.</summary>
        public static double Larger(double step) => NiceAtLeast(step * 1.5);

        /// <summary>The bounds moved out to multiples of <paramref name="step"/>.</summary>
        public static (double Min, double Max) Widen(double min, double max, double step) =>
            (Math.Floor((min / step) + Tolerance) * step, Math.Ceiling((max / step) - Tolerance) * step);

        /// <summary>The multiples of <paramref name="step"/> from <paramref name="min"/> to <paramref name="max"/>.</summary>
        public static IReadOnlyList<double> Within(double min, double max, double step)
        {
            // Multiplying whole numbers of steps keeps 0.1 + 0.2 style errors from piling up.
            var ticks = new List<double>();
            for (double k = Math.Ceiling((min / step) - Tolerance); k * step <= max + (Tolerance * step); k++)
            {
                ticks.Add(k * step);
            }

            return ticks;
        }

        /// <summary>A tick's label, with as many decimals as the step needs.</summary>
        public static string Format(double tick, double step)
        {
            // A zero that rounding made slightly negative would print as "-0".
            if (Math.Abs(tick) < step * Tolerance)
            {
                tick = 0;
            }

            int decimals = Math.Max(0, (int)Math.Ceiling(-Math.Log10(step) - Tolerance));
            return tick.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        }
    }

    /// <summary>
    /// The coverage of an anti-aliased polyline: for every pixel, how much of it (0 to 1) the line
    /// covers. Coverage is the maximum over the segments, so joints are not drawn twice.
    /// </summary>
    internal sealed class LinePath
    {
        private readonly int _width;
        private readonly int _height;
        private (double X, double Y)? _previous;

        public LinePath(int width, int height)
        {
            _width = width;
            _height = height;
            Coverage = new float[width * height];
        }

        /// <summary>Coverage per pixel, row-major.</summary>
        public float[] Coverage { get; }

        /// <summary>Extends the line to a point (pixel coordinates; a pixel's centre is at +0.5).</summary>
        public void AddPoint(double x, double y, double lineWidth)
        {
            (double fromX, double fromY) = _previous ?? (x, y);
            AddSegment(fromX, fromY, x, y, lineWidth / 2);
            _previous = (x, y);
        }

        /// <summary>Starts a new piece: the next point is not joined to the previous one.</summary>
        public void Break() => _previous = null;

        private void AddSegment(double x0, double y0, double x1, double y1, double halfWidth)
        {
            // Pixels whose centre is within halfWidth of the segment are covered, with a
            // one-pixel ramp at the edge for anti-aliasing.
            double reach = halfWidth + 1;
            int left = Math.Max(0, (int)Math.Floor(Math.Min(x0, x1) - reach));
            int right = Math.Min(_width - 1, (int)Math.Ceiling(Math.Max(x0, x1) + reach));
            int top = Math.Max(0, (int)Math.Floor(Math.Min(y0, y1) - reach));
            int bottom = Math.Min(_height - 1, (int)Math.Ceiling(Math.Max(y0, y1) + reach));
            double dx = x1 - x0, dy = y1 - y0;
            double lengthSquared = (dx * dx) + (dy * dy);
            for (int py = top; py <= bottom; py++)
            {
                for (int px = left; px <= right; px++)
                {
                    double cx = px + 0.5 - x0, cy = py + 0.5 - y0;
                    double along = lengthSquared == 0 ? 0 : Math.Clamp(((cx * dx) + (cy * dy)) / lengthSquared, 0, 1);
                    double ex = cx - (along * dx), ey = cy - (along * dy);
                    float coverage = (float)Math.Clamp(halfWidth + 0.5 - Math.Sqrt((ex * ex) + (ey * ey)), 0, 1);
                    ref float pixel = ref Coverage[(py * _width) + px];
                    pixel = Math.Max(pixel, coverage);
                }
            }
        }
    }

    /// <summary>An 8-bit RGB image to draw on: rectangles, bitmap text and anti-aliased lines.</summary>
    internal sealed class RgbCanvas
    {
        private const int BytesPerPixel = 3;

        public RgbCanvas(int width, int height, Rgb background)
        {
            Width = width;
            Height = height;
            Pixels = new byte[width * height * BytesPerPixel];
            FillRect(0, 0, width, height, background);
        }

        public int Width { get; }

        public int Height { get; }

        /// <summary>The pixels, row-major from the top left, 3 bytes (R, G, B) each.</summary>
        public byte[] Pixels { get; }

        /// <summary>Fills a rectangle; the parts outside the image are left out.</summary>
        public void FillRect(int left, int top, int width, int height, Rgb color)
        {
            int right = Math.Min(Width, left + width);
            int bottom = Math.Min(Height, top + height);
            for (int y = Math.Max(0, top); y < bottom; y++)
            {
                for (int x = Math.Max(0, left); x < right; x++)
                {
                    int offset = ((y * Width) + x) * BytesPerPixel;
                    Pixels[offset] = color.R;
                    Pixels[offset + 1] = color.G;
                    Pixels[offset + 2] = color.B;
                }
            }
        }

        /// <summary>Draws text with its top-left corner at (<paramref name="left"/>, <paramref name="top"/>), each font pixel as a <paramref name="scale"/>-pixel square.</summary>
        public void DrawText(string text, int left, int top, int scale, Rgb color)
        {
            int x = left;
            foreach (char character in text)
            {
                ReadOnlySpan<byte> glyph = BitmapFont.Glyph(character);
                for (int row = 0; row < BitmapFont.GlyphHeight; row++)
                {
                    for (int column = 0; column < BitmapFont.GlyphWidth; column++)
                    {
                        if ((glyph[row] & (1 << (BitmapFont.GlyphWidth - 1 - column))) != 0)
                        {
                            FillRect(x + (column * scale), top + (row * scale), scale, scale, color);
                        }
                    }
                }

                x += (BitmapFont.GlyphWidth + BitmapFont.Spacing) * scale;
            }
        }

        /// <summary>Paints a line in <paramref name="color"/>, blended by its coverage, inside <paramref name="clip"/> only.</summary>
        public void Blend(LinePath line, Rgb color, PixelRect clip)
        {
            for (int y = Math.Max(0, clip.Top); y <= Math.Min(Height - 1, clip.Bottom); y++)
            {
                for (int x = Math.Max(0, clip.Left); x <= Math.Min(Width - 1, clip.Right); x++)
                {
                    float coverage = line.Coverage[(y * Width) + x];
                    if (coverage > 0)
                    {
                        int offset = ((y * Width) + x) * BytesPerPixel;
                        Pixels[offset] = Mix(Pixels[offset], color.R, coverage);
                        Pixels[offset + 1] = Mix(Pixels[offset + 1], color.G, coverage);
                        Pixels[offset + 2] = Mix(Pixels[offset + 2], color.B, coverage);
                    }
                }
            }
        }

        private static byte Mix(byte under, byte over, float amount) => (byte)Math.Round(under + ((over - under) * amount));
    }

    /// <summary>Encodes 8-bit RGB pixels as a PNG image: IHDR, one zlib-compressed IDAT, IEND.</summary>
    internal static class PngEncoder
    {
        private const byte BitDepth = 8;
        private const byte ColorTypeRgb = 2;
        private const byte CompressionDeflate = 0;
        private const byte FilterMethodAdaptive = 0;
        private const byte InterlaceNone = 0;
        private const byte RowFilterNone = 0;
        private const int BytesPerPixel = 3;

        private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

        public static byte[] Encode(int width, int height, ReadOnlySpan<byte> rgb)
        {
            using var png = new MemoryStream();
            png.Write(Signature);

            Span<byte> header = stackalloc byte[13];
            BinaryPrimitives.WriteInt32BigEndian(header, width);
            BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
            header[8] = BitDepth;
            header[9] = ColorTypeRgb;
            header[10] = CompressionDeflate;
            header[11] = FilterMethodAdaptive;
            header[12] = InterlaceNone;
            WriteChunk(png, "IHDR"u8, header);
            WriteChunk(png, "IDAT"u8, Compress(width, height, rgb));
            WriteChunk(png, "IEND"u8, []);
            return png.ToArray();
        }

        /// <summary>The image data: every row after a filter-type byte, zlib-compressed.</summary>
        private static byte[] Compress(int width, int height, ReadOnlySpan<byte> rgb)
        {
            int rowLength = width * BytesPerPixel;
            using var compressed = new MemoryStream();
            using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
            {
                for (int row = 0; row < height; row++)
                {
                    zlib.WriteByte(RowFilterNone);
                    zlib.Write(rgb.Slice(row * rowLength, rowLength));
                }
            }

            return compressed.ToArray();
        }

        /// <summary>Writes a chunk: length, type, data and the CRC-32 of type and data.</summary>
        private static void WriteChunk(Stream png, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
        {
            Span<byte> number = stackalloc byte[4];
            BinaryPrimitives.WriteInt32BigEndian(number, data.Length);
            png.Write(number);
            png.Write(type);
            png.Write(data);
            BinaryPrimitives.WriteUInt32BigEndian(number, Crc32.Append(Crc32.Append(0, type), data));
            png.Write(number);
        }
    }

    /// <summary>The CRC-32 of PNG and zlib (polynomial 0xEDB88320, reflected), table-driven.</summary>
    internal static class Crc32
    {
        private const uint Polynomial = 0xEDB88320;

        private static readonly uint[] Table = CreateTable();

        /// <summary>
        /// The CRC-32 of the bytes that gave <paramref name="crc"/> followed by <paramref name="bytes"/>;
        /// start with 0. Like zlib's <c>crc32(crc, buffer, length)</c>.
        /// </summary>
        public static uint Append(uint crc, ReadOnlySpan<byte> bytes)
        {
            uint register = ~crc;
            foreach (byte value in bytes)
            {
                register = Table[(register ^ value) & 0xFF] ^ (register >> 8);
            }

            return ~register;
        }

        private static uint[] CreateTable()
        {
            uint[] table = new uint[256];
            for (uint n = 0; n < table.Length; n++)
            {
                uint value = n;
                for (int bit = 0; bit < 8; bit++)
                {
                    value = (value & 1) != 0 ? Polynomial ^ (value >> 1) : value >> 1;
                }

                table[n] = value;
            }

            return table;
        }
    }
}
