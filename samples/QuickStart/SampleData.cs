namespace QuickStart
{
    /// <summary>The sample's data set, how it is split and cut into training sequences, and how the model trains.</summary>
    internal static class SampleData
    {
        /// <summary>The folder, next to the executable, that holds the data set.</summary>
        public const string Folder = "Data";

        /// <summary>The data set: see Data/SOURCE.md for where it comes from.</summary>
        public const string FileName = "nino12-sst-monthly.csv";

        /// <summary>What the series measures, for titles.</summary>
        public const string Title = "Nino 1+2 sea surface temperature";

        /// <summary>The unit of the series' values.</summary>
        public const string Unit = "°C";

        /// <summary>Validation months: 1991 to 2000.</summary>
        public const int ValidationMonths = 10 * TimeSeries.MonthsPerYear;

        /// <summary>Test months: 2001 to 2010, the most recent.</summary>
        public const int TestMonths = 10 * TimeSeries.MonthsPerYear;

        /// <summary>Months in a training sequence: two seasonal cycles.</summary>
        public const int WindowMonths = 2 * TimeSeries.MonthsPerYear;

        /// <summary>Months between the starts of two training sequences.</summary>
        public const int WindowStride = 1;

        /// <summary>The default seed of the initial weights and of the shuffling: one seed, one result, on every machine.</summary>
        public const int Seed = 7;

        /// <summary>The default passes over the training windows (fewer if validation stops improving).</summary>
        public const int Epochs = 40;

        /// <summary>Windows per optimizer step.</summary>
        public const int BatchSize = 16;

        /// <summary>Adam's peak learning rate, after one epoch of warm-up.</summary>
        public const float LearningRate = 1e-2f;

        /// <summary>The trained weights.</summary>
        public const string WeightsFileName = "nino12-forecaster.safetensors";

        /// <summary>The plot.</summary>
        public const string PlotFileName = "nino12-forecast.png";
    }
}
