using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace LstmGen.Benchmarks.Plots
{
    /// <summary>
    /// The survey tables of benchmarks/RESULTS.md, read back: each table under a "### " heading, as rows of cells
    /// keyed by the header's column names. The plots are drawn from what RESULTS.md records, so they show the
    /// committed figures and need no benchmark run.
    /// </summary>
    public sealed class ResultsTables
    {
        private readonly string[] _lines;

        private ResultsTables(string[] lines) => _lines = lines;

        /// <summary>Reads <paramref name="path"/> (RESULTS.md).</summary>
        public static ResultsTables Load(string path) => new(File.ReadAllLines(path));

        /// <summary>
        /// The first table after the heading that starts with <paramref name="headingStart"/>: one dictionary per row,
        /// from the header's column names to the cells' text.
        /// </summary>
        /// <exception cref="InvalidDataException">No such heading, or no table under it.</exception>
        public IReadOnlyList<IReadOnlyDictionary<string, string>> Table(string headingStart)
        {
            int heading = Array.FindIndex(_lines, line => line.StartsWith(headingStart, StringComparison.Ordinal));
            if (heading < 0)
            {
                throw new InvalidDataException($"RESULTS.md has no heading starting with '{headingStart}'.");
            }

            int header = Array.FindIndex(_lines, heading + 1, line => line.StartsWith('|'));
            if (header < 0 || _lines.Skip(heading + 1).Take(header - heading - 1).Any(line => line.StartsWith('#')))
            {
                throw new InvalidDataException($"RESULTS.md has no table under '{headingStart}'.");
            }

            string[] columns = Cells(_lines[header]);
            var rows = new List<IReadOnlyDictionary<string, string>>();
            for (int i = header + 2; i < _lines.Length && _lines[i].StartsWith('|'); i++)
            {
                string[] cells = Cells(_lines[i]);
                var row = new Dictionary<string, string>(StringComparer.Ordinal);
                for (int c = 0; c < Math.Min(columns.Length, cells.Length); c++)
                {
                    row[columns[c]] = cells[c];
                }

                rows.Add(row);
            }

            return rows;
        }

        /// <summary>
        /// A time cell ("162.7 ns", "3.81 µs (23.41×)", "1.06 ms", "2486.8 ns") in nanoseconds; what follows the
        /// unit (a ratio in brackets) is ignored.
        /// </summary>
        /// <exception cref="InvalidDataException">The cell is not a time.</exception>
        public static double Nanoseconds(string cell)
        {
            string[] parts = cell.Replace("*", string.Empty, StringComparison.Ordinal).Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 2 || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            {
                throw new InvalidDataException($"'{cell}' is not a time.");
            }

            return parts[1] switch
            {
                "ns" => value,
                "µs" or "us" => value * 1e3,
                "ms" => value * 1e6,
                "s" => value * 1e9,
                _ => throw new InvalidDataException($"'{cell}' has an unknown unit '{parts[1]}'."),
            };
        }

        /// <summary>A percentage cell ("53.7%") as a number (53.7).</summary>
        /// <exception cref="InvalidDataException">The cell is not a percentage.</exception>
        public static double Percent(string cell) =>
            double.TryParse(cell.Trim().TrimEnd('%'), NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
                ? value
                : throw new InvalidDataException($"'{cell}' is not a percentage.");

        /// <summary>The input size, hidden size and layers of a shape name (i8h64x2: 8, 64, 2).</summary>
        /// <exception cref="InvalidDataException">The name is not a shape.</exception>
        public static (int Input, int Hidden, int Layers) Shape(string name)
        {
            int h = name.IndexOf('h', StringComparison.Ordinal);
            int x = name.IndexOf('x', StringComparison.Ordinal);
            if (!name.StartsWith('i') || h < 0
                || !int.TryParse(name.AsSpan(1, h - 1), NumberStyles.None, CultureInfo.InvariantCulture, out int input)
                || !int.TryParse(x < 0 ? name.AsSpan(h + 1) : name.AsSpan(h + 1, x - h - 1), NumberStyles.None, CultureInfo.InvariantCulture, out int hidden))
            {
                throw new InvalidDataException($"'{name}' is not a shape name (i{{input}}h{{hidden}}[x{{layers}}]).");
            }

            int layers = x < 0 ? 1 : int.Parse(name.AsSpan(x + 1), NumberStyles.None, CultureInfo.InvariantCulture);
            return (input, hidden, layers);
        }

        private static string[] Cells(string line) =>
            line.Trim().Trim('|').Split('|').Select(cell => cell.Trim()).ToArray();
    }
}
