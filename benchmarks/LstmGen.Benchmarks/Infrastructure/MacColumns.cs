using System;
using System.Globalization;
using System.Linq;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace LstmGen.Benchmarks.Infrastructure
{
    /// <summary>The fastest multiply-add rate of one core that the FMA loop measured, for the % peak column.</summary>
    public static class PeakReference
    {
        /// <summary>Multiply-adds per second in billions, or null when not measured.</summary>
        public static double? GmacPerSecond { get; set; }
    }

    /// <summary>Billions of multiply-adds per second, from a method's [Macs] and its mean time.</summary>
    public sealed class GmacColumn : IColumn
    {
        /// <inheritdoc/>
        public string Id => nameof(GmacColumn);

        /// <inheritdoc/>
        public string ColumnName => "GMAC/s";

        /// <inheritdoc/>
        public bool AlwaysShow => true;

        /// <inheritdoc/>
        public ColumnCategory Category => ColumnCategory.Custom;

        /// <inheritdoc/>
        public int PriorityInCategory => 0;

        /// <inheritdoc/>
        public bool IsNumeric => true;

        /// <inheritdoc/>
        public UnitType UnitType => UnitType.Dimensionless;

        /// <inheritdoc/>
        public string Legend => "Billions of multiply-adds per second: [Macs] of the case / mean time (4H(in+H) per layer + H*O per step; training = 3 passes)";

        /// <inheritdoc/>
        public bool IsAvailable(Summary summary) => true;

        /// <inheritdoc/>
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

        /// <inheritdoc/>
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        /// <inheritdoc/>
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            double? rate = Rate(summary, benchmarkCase);
            return rate is null ? "-" : rate.Value.ToString("0.00", CultureInfo.InvariantCulture);
        }

        /// <summary>GMAC/s of a case, or null when it has no [Macs] or no result.</summary>
        internal static double? Rate(Summary summary, BenchmarkCase benchmarkCase)
        {
            MacsAttribute? macs = benchmarkCase.Descriptor.WorkloadMethod.GetCustomAttribute<MacsAttribute>();
            double? meanNanoseconds = summary[benchmarkCase]?.ResultStatistics?.Mean;
            if (macs is null || meanNanoseconds is not > 0)
            {
                return null;
            }

            string? shape = benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "Shape")?.Value as string;
            return macs.Count(shape) / meanNanoseconds.Value;
        }
    }

    /// <summary>GMAC/s as a percentage of <see cref="PeakReference.GmacPerSecond"/>.</summary>
    public sealed class PeakPercentColumn : IColumn
    {
        /// <inheritdoc/>
        public string Id => nameof(PeakPercentColumn);

        /// <inheritdoc/>
        public string ColumnName => "%Peak";

        /// <inheritdoc/>
        public bool AlwaysShow => true;

        /// <inheritdoc/>
        public ColumnCategory Category => ColumnCategory.Custom;

        /// <inheritdoc/>
        public int PriorityInCategory => 1;

        /// <inheritdoc/>
        public bool IsNumeric => true;

        /// <inheritdoc/>
        public UnitType UnitType => UnitType.Dimensionless;

        /// <inheritdoc/>
        public string Legend => PeakReference.GmacPerSecond is double peak
            ? string.Create(CultureInfo.InvariantCulture, $"GMAC/s as a percentage of one core's measured FMA peak, {peak:0.0} GMAC/s (the FmaPeak loop at start-up)")
            : "GMAC/s as a percentage of one core's FMA peak (not measured in this run)";

        /// <inheritdoc/>
        public bool IsAvailable(Summary summary) => true;

        /// <inheritdoc/>
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

        /// <inheritdoc/>
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        /// <inheritdoc/>
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            double? rate = GmacColumn.Rate(summary, benchmarkCase);
            if (rate is null || PeakReference.GmacPerSecond is not double peak)
            {
                return "-";
            }

            return (100 * rate.Value / peak).ToString("0.0", CultureInfo.InvariantCulture) + "%";
        }
    }
}
