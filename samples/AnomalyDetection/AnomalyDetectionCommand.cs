using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using LstmGen;
using LstmGen.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace AnomalyDetection
{
    /// <summary>The sample's options; the defaults reproduce the results in the README.</summary>
    public sealed class AnomalyDetectionSettings : CommandSettings
    {
        /// <summary>Passes over the training sequences.</summary>
        [CommandOption("--epochs <N>")]
        [Description("Passes over the training sequences.")]
        [DefaultValue(SampleData.Epochs)]
        public int Epochs { get; init; } = SampleData.Epochs;

        /// <summary>The seed of the initial weights and of the shuffling.</summary>
        [CommandOption("--seed <SEED>")]
        [Description("Seed of the initial weights and of the shuffling: one seed, one result, on every machine.")]
        [DefaultValue(SampleData.Seed)]
        public int Seed { get; init; } = SampleData.Seed;

        /// <summary>Readings per score.</summary>
        [CommandOption("--score-window <N>")]
        [Description("Readings (5 s apart) whose prediction errors make one score, the scored one and those before it.")]
        [DefaultValue(SampleData.ScoreWindow)]
        public int ScoreWindow { get; init; } = SampleData.ScoreWindow;

        /// <summary>Where the plot is written.</summary>
        [CommandOption("-o|--output <DIR>")]
        [Description("Folder for the plot (default: next to the executable).")]
        public string? Output { get; init; }

        /// <inheritdoc/>
        public override ValidationResult Validate()
        {
            if (Epochs < 1)
            {
                return ValidationResult.Error("--epochs must be at least 1.");
            }

            return ScoreWindow < 1 ? ValidationResult.Error("--score-window must be at least 1.") : ValidationResult.Success();
        }
    }

    /// <summary>Loads the motes, trains the predictor on normal ones, scores every reading, picks a threshold, measures and plots.</summary>
    public sealed class AnomalyDetectionCommand : Command<AnomalyDetectionSettings>
    {
        /// <inheritdoc/>
        public override int Execute(CommandContext context, AnomalyDetectionSettings settings, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(settings);
            var clock = Stopwatch.StartNew();
            string output = settings.Output ?? AppContext.BaseDirectory;
            Directory.CreateDirectory(output);

            // 1. The data: four motes; two without anomalies to learn from, one to choose the threshold, one to test.
            IReadOnlyList<MoteSeries> motes = SensorNetwork.LoadCsv(Path.Combine(AppContext.BaseDirectory, SampleData.Folder, SampleData.FileName));
            MoteSeries[] training = SampleData.TrainingMotes.Select(id => Find(motes, id)).ToArray();
            MoteSeries validation = Find(motes, SampleData.ValidationMote);
            MoteSeries test = Find(motes, SampleData.TestMote);
            ChannelScaler scaler = ChannelScaler.Fit(training);
            PredictorFeatures features = PredictorFeatures.Fit(training, scaler);
            Report.DescribeData(motes, scaler);

            // 2. Training: the LSTM learns to predict the next reading of the normal motes.
            var model = new SensorPredictor(seed: settings.Seed);
            TrainingSequence[] windows = PredictionWindows.Create(training, scaler, features, SampleData.WindowReadings, SampleData.WindowStride);
            TrainingResult result = Train(model, windows, settings, cancellationToken);
            Report.Epochs(result, NoChangeLoss(windows));

            // 3. Scores: each detector's standardised prediction error, by the same rule; the threshold that maximises
            //    F1 on the validation mote; precision, recall and F1 with that threshold on the test mote.
            var detectors = new List<Detection>();
            foreach ((string name, Func<MoteSeries, float[]> predict) in new (string, Func<MoteSeries, float[]>)[]
            {
                ("LSTM", mote => PredictWithModel(model, scaler, features, mote)),
                ("last value", mote => PredictLastValue(scaler, mote)),
                ("z-score", mote => new float[mote.Count * ChannelScaler.Channels]),
            })
            {
                detectors.Add(Detection.Run(name, predict, validation, test, scaler, SampleData.CalibrationReadings, settings.ScoreWindow));
            }

            Report.Quality(detectors, validation, test, settings.ScoreWindow);
            string plot = Path.Combine(output, SampleData.PlotName);
            AnomalyPlot.Save(test, detectors, plot);
            AnsiConsole.MarkupLineInterpolated($"Plot: [blue]{plot}.png[/] (and .svg)");
            AnsiConsole.WriteLine(FormattableString.Invariant($"Done in {clock.Elapsed.TotalSeconds:F1} s ({result.Steps} optimizer steps)."));
            return 0;
        }

        private static MoteSeries Find(IReadOnlyList<MoteSeries> motes, int id) =>
            motes.FirstOrDefault(mote => mote.Id == id) ?? throw new InvalidDataException($"The data set has no mote {id}.");

        // Trains on windows of the training motes with Adam, a cosine schedule and clipping. Deterministic: the same
        // numbers on 1 or 2 cores, on every machine.
        private static TrainingResult Train(SensorPredictor model, TrainingSequence[] windows, AnomalyDetectionSettings settings, CancellationToken cancellationToken)
        {
            int batches = (windows.Length + SampleData.BatchSize - 1) / SampleData.BatchSize;
            AnsiConsole.MarkupLineInterpolated($"Training [bold]{nameof(SensorPredictor)}[/] (hidden {SensorPredictor.HiddenSize}, {SensorPredictor.ParameterCount} parameters) to predict the next reading, on {windows.Length} windows of {SampleData.WindowReadings} readings of motes {string.Join(" and ", SampleData.TrainingMotes)}:");
            var options = new TrainerOptions
            {
                Epochs = settings.Epochs,
                BatchSize = SampleData.BatchSize,
                Seed = settings.Seed,
                ClipNorm = 1f,
                Schedule = new LinearWarmup(new CosineAnnealing(SampleData.LearningRate, (long)settings.Epochs * batches), warmupSteps: batches),
            };
            var trainer = new Trainer<SensorPredictor>(model, new Adam(SampleData.LearningRate), options);
            if (!AnsiConsole.Profile.Capabilities.Interactive)
            {
                return trainer.Fit(windows, validation: null, progress: null, cancellationToken);
            }

            return AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(context => trainer.Fit(windows, validation: null, new TrainingProgressTask(context.AddTask("training", maxValue: settings.Epochs)), cancellationToken));
        }

        // The mean squared error of predicting no change (the last value) on the windows: their mean squared target.
        private static double NoChangeLoss(TrainingSequence[] windows)
        {
            double sum = 0;
            long count = 0;
            foreach (TrainingSequence window in windows)
            {
                foreach (float target in window.Targets.Span)
                {
                    sum += (double)target * target;
                }

                count += window.Targets.Length;
            }

            return sum / count;
        }

        // The model's prediction of every reading from the readings before it, stepping through the whole mote from
        // a zero state: [Count, 2] z-scores, NaN for the first reading.
        private static float[] PredictWithModel(SensorPredictor model, ChannelScaler scaler, PredictorFeatures features, MoteSeries mote)
        {
            float[] z = scaler.Encode(mote);
            float[] outputs = new float[mote.Count * PredictorFeatures.OutputSize];
            model.ResetState();
            model.Forward(features.Encode(z), outputs);
            return features.Decode(z, outputs);
        }

        // The naive prediction: the next reading equals this one.
        private static float[] PredictLastValue(ChannelScaler scaler, MoteSeries mote) => Shift(scaler.Encode(mote));

        // Output t predicts reading t + 1.
        private static float[] Shift(float[] values)
        {
            const int channels = ChannelScaler.Channels;
            float[] predicted = new float[values.Length];
            predicted.AsSpan(0, channels).Fill(float.NaN);
            values.AsSpan(0, values.Length - channels).CopyTo(predicted.AsSpan(channels));
            return predicted;
        }
    }

    /// <summary>
    /// The predictor: the z-scores of a reading (humidity, temperature) in, one LSTM layer of 32 units, and a dense
    /// head that outputs the z-scores of the next reading.
    /// </summary>
    [Lstm(InputSize = PredictorFeatures.InputSize, HiddenSize = 32, OutputSize = PredictorFeatures.OutputSize)]
    public partial class SensorPredictor
    {
    }
}
