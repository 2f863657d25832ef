namespace AnomalyDetection
{
    /// <summary>The sample's data set, how it is split, and how the model trains and scores.</summary>
    internal static class SampleData
    {
        /// <summary>The folder, next to the executable, that holds the data set.</summary>
        public const string Folder = "Data";

        /// <summary>The data set: see Data/SOURCE.md for where it comes from.</summary>
        public const string FileName = "single-hop-sensor-network.csv";

        /// <summary>What the data set measures, for titles.</summary>
        public const string Title = "Single-hop sensor network (TelosB motes, Suthaharan et al. 2010)";

        /// <summary>Seconds between two readings of a mote.</summary>
        public const int SecondsPerReading = 5;

        /// <summary>The motes the model and the error scales learn from: one indoor, one outdoor, no labelled anomaly.</summary>
        public static readonly int[] TrainingMotes = { 2, 3 };

        /// <summary>The mote whose labels choose the threshold (outdoor, one event of 32 readings).</summary>
        public const int ValidationMote = 4;

        /// <summary>The mote the detectors are measured on, never seen before (indoor, one event of 117 readings).</summary>
        public const int TestMote = 1;

        /// <summary>Readings in a training sequence: 10 minutes.</summary>
        public const int WindowReadings = 120;

        /// <summary>Readings between the starts of two training sequences.</summary>
        public const int WindowStride = 20;

        /// <summary>Readings at the start of each mote, assumed normal, whose prediction errors set the mote's error scale: 1 hour.</summary>
        public const int CalibrationReadings = 720;

        /// <summary>Readings whose errors make one score: the scored reading and the ones before it, 30 seconds.</summary>
        public const int ScoreWindow = 6;

        /// <summary>The default seed of the initial weights and of the shuffling.</summary>
        public const int Seed = 7;

        /// <summary>The default passes over the training sequences.</summary>
        public const int Epochs = 20;

        /// <summary>Sequences per optimizer step.</summary>
        public const int BatchSize = 16;

        /// <summary>Adam's peak learning rate, after one epoch of warm-up.</summary>
        public const float LearningRate = 1e-2f;

        /// <summary>The plot, without its extension (written as .png and .svg).</summary>
        public const string PlotName = "sensor-anomalies";
    }
}
