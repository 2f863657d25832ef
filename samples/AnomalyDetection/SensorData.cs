using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace AnomalyDetection
{
    /// <summary>
    /// The readings of one mote (sensor node), in the order it took them, one every 5 seconds: relative
    /// humidity (%) and temperature (°C), each with the data set's label (true: part of an introduced event).
    /// </summary>
    public sealed class MoteSeries
    {
        private readonly double[] _humidity;
        private readonly double[] _temperature;
        private readonly bool[] _anomalous;

        /// <summary>Creates the series of one mote.</summary>
        /// <param name="id">The mote's number in the data set.</param>
        /// <param name="indoor">Whether the mote was indoors.</param>
        /// <param name="humidity">Relative humidity (%), one per reading.</param>
        /// <param name="temperature">Temperature (°C), one per reading.</param>
        /// <param name="anomalous">The label of each reading.</param>
        /// <exception cref="ArgumentException">The spans differ in length, are empty, or hold a value that is not finite.</exception>
        public MoteSeries(int id, bool indoor, ReadOnlySpan<double> humidity, ReadOnlySpan<double> temperature, ReadOnlySpan<bool> anomalous)
        {
            if (humidity.IsEmpty || humidity.Length != temperature.Length || humidity.Length != anomalous.Length)
            {
                throw new ArgumentException($"Mote {id}: {humidity.Length} humidity values, {temperature.Length} temperatures and {anomalous.Length} labels; they must be as many, and at least one.", nameof(humidity));
            }

            for (int t = 0; t < humidity.Length; t++)
            {
                if (!double.IsFinite(humidity[t]) || !double.IsFinite(temperature[t]))
                {
                    throw new ArgumentException($"Mote {id}, reading {t + 1}: the humidity {humidity[t]} or the temperature {temperature[t]} is not a finite number.", nameof(humidity));
                }
            }

            Id = id;
            Indoor = indoor;
            _humidity = humidity.ToArray();
            _temperature = temperature.ToArray();
            _anomalous = anomalous.ToArray();
        }

        /// <summary>The mote's number in the data set (1 to 4).</summary>
        public int Id { get; }

        /// <summary>Whether the mote was indoors (motes 1 and 2) or outdoors (3 and 4).</summary>
        public bool Indoor { get; }

        /// <summary>The number of readings.</summary>
        public int Count => _humidity.Length;

        /// <summary>Relative humidity (%) of each reading.</summary>
        public ReadOnlySpan<double> Humidity => _humidity;

        /// <summary>Temperature (°C) of each reading.</summary>
        public ReadOnlySpan<double> Temperature => _temperature;

        /// <summary>The data set's label of each reading: true where an event was introduced.</summary>
        public ReadOnlySpan<bool> Anomalous => _anomalous;

        /// <summary>The number of readings labelled anomalous.</summary>
        public int AnomalyCount => _anomalous.Count(label => label);

        /// <summary>"mote 1 (indoor)", for tables and titles.</summary>
        public string Name => string.Create(CultureInfo.InvariantCulture, $"mote {Id} ({(Indoor ? "indoor" : "outdoor")})");
    }

    /// <summary>Reads the data set's CSV: <c>reading,mote_id,indoor,humidity,temperature,label</c>, one row per reading.</summary>
    public static class SensorNetwork
    {
        private const string Header = "reading,mote_id,indoor,humidity,temperature,label";

        /// <summary>Loads every mote's series, ordered by mote.</summary>
        /// <param name="path">The CSV file.</param>
        /// <exception cref="FormatException">The header or a row is not as above (the message gives the line and why).</exception>
        public static IReadOnlyList<MoteSeries> LoadCsv(string path)
        {
            string[] lines = File.ReadAllLines(path);
            if (lines.Length == 0 || lines[0].Trim() != Header)
            {
                throw new FormatException($"{path}: the first line must be \"{Header}\".");
            }

            var rows = new List<(int Mote, bool Indoor, double Humidity, double Temperature, bool Label)>(lines.Length);
            var lastReading = new Dictionary<int, int>();
            for (int i = 1; i < lines.Length; i++)
            {
                if (lines[i].Length == 0)
                {
                    continue;
                }

                string[] fields = lines[i].Split(',');
                if (fields.Length != 6
                    || !int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out int reading)
                    || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out int mote)
                    || fields[2] is not ("0" or "1")
                    || !double.TryParse(fields[3], NumberStyles.Float, CultureInfo.InvariantCulture, out double humidity)
                    || !double.TryParse(fields[4], NumberStyles.Float, CultureInfo.InvariantCulture, out double temperature)
                    || fields[5] is not ("0" or "1"))
                {
                    throw new FormatException($"{path}, line {i + 1}: \"{lines[i]}\" is not \"reading,mote_id,indoor (0 or 1),humidity,temperature,label (0 or 1)\".");
                }

                // A mote's readings must come in order, without gaps, so that the next row is the next reading.
                int expected = lastReading.TryGetValue(mote, out int last) ? last + 1 : 1;
                if (reading != expected)
                {
                    throw new FormatException($"{path}, line {i + 1}: mote {mote}'s reading {reading} follows reading {expected - 1}; readings must be consecutive.");
                }

                lastReading[mote] = reading;
                rows.Add((mote, fields[2] == "1", humidity, temperature, fields[5] == "1"));
            }

            return rows.GroupBy(row => row.Mote).OrderBy(group => group.Key).Select(group =>
            {
                var mote = group.ToArray();
                return new MoteSeries(
                    group.Key,
                    mote[0].Indoor,
                    mote.Select(row => row.Humidity).ToArray(),
                    mote.Select(row => row.Temperature).ToArray(),
                    mote.Select(row => row.Label).ToArray());
            }).ToArray();
        }
    }
}
