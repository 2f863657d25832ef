using System;
using System.ComponentModel;
using System.Diagnostics;
using System.IO;
using System.Threading;
using LstmGen;
using LstmGen.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace QuickStart
{
    /// <summary>The sample's options; the defaults reproduce the results in the README.</summary>
    public sealed class QuickStartSettings : CommandSettings
    {
        /// <summary>Passes over the training windows.</summary>
        [CommandOption("--epochs <N>")]
        [Description("Passes over the training windows (fewer if validation stops improving).")]
        [DefaultValue(SampleData.Epochs)]
        public int Epochs { get; init; } = SampleData.Epochs;

        /// <summary>The seed of the initial weights and of the shuffling.</summary>
        [CommandOption("--seed <SEED>")]
        [Description("Seed of the initial weights and of the shuffling: one seed, one result, on every machine.")]
        [DefaultValue(SampleData.Seed)]
        public int Seed { get; init; } = SampleData.Seed;

        /// <summary>Where the weights and the plot are written.</summary>
        [CommandOption("-o|--output <DIR>")]
        [Description("Folder for the weights and the plot (default: next to the executable).")]
        public string? Output { get; init; }

        /// <inheritdoc/>
        public override ValidationResult Validate() =>
            Epochs < 1 ? ValidationResult.Error("--epochs must be at least 1.") : ValidationResult.Success();
    }

    /// <summary>Loads the data, trains, saves and reloads the model, measures it against the naive forecasts and plots.</summary>
    public sealed class QuickStartCommand : Command<QuickStartSettings>
    {
        /// <inheritdoc/>
        public override int Execute(CommandContext context, QuickStartSettings settings, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(settings);
            var clock = Stopwatch.StartNew();
            string output = settings.Output ?? AppContext.BaseDirectory;
            Directory.CreateDirectory(output);

            // 1. The data: 61 years of monthly temperatures, split by time, z-scored with the training years.
            TimeSeries series = TimeSeries.LoadCsv(Path.Combine(AppContext.BaseDirectory, SampleData.Folder, SampleData.FileName));
            SeriesSplit split = series.Split(SampleData.ValidationMonths, SampleData.TestMonths);
            ZScoreScaler scaler = ZScoreScaler.Fit(series.ValuesIn(split.Train));
            Report.DescribeData(series, split, scaler);

            // 2. Training: every 24-month window of the training years, a forecast at every step.
            var model = new SeaTemperatureForecaster(seed: settings.Seed);
            TrainingResult result = Train(model, series, split, scaler, settings, cancellationToken);
            Report.Epochs(result);

            // 3. Save the model, and load it back as a game or service would: into a model of its own. A game whose
            //    threads step a live model swaps the new one in with Volatile.Write(ref live, reloaded), so that every
            //    step sees all old or all new weights (README: "Thread safety and failure modes"; samples/GameAgents).
            string weights = Path.Combine(output, SampleData.WeightsFileName);
            model.Save(weights);
            var reloaded = new SeaTemperatureForecaster();
            reloaded.Load(weights);
            AnsiConsole.MarkupLineInterpolated($"Saved {SeaTemperatureForecaster.ParameterCount} parameters to [blue]{weights}[/] ({new FileInfo(weights).Length} bytes) and loaded them back.");

            // 4. Forecast every month, one month ahead, stepping through the whole series in order.
            double[] forecast = Forecast(reloaded, series, scaler);
            bool same = Forecast(model, series, scaler).AsSpan().SequenceEqual(forecast);
            AnsiConsole.MarkupLineInterpolated($"The reloaded model forecasts exactly as the trained one: [{(same ? "green" : "red")}]{same}[/].");
            var forecasts = new Forecasts(series, split.Test, forecast, Baselines.LastValue(series), Baselines.SeasonalNaive(series));
            Report.Errors(forecasts);
            string plot = Path.Combine(output, SampleData.PlotFileName);
            ForecastPlot.Save(forecasts, plot);
            AnsiConsole.MarkupLineInterpolated($"Plot: [blue]{plot}[/] (and .svg)");
            AnsiConsole.WriteLine(FormattableString.Invariant($"Done in {clock.Elapsed.TotalSeconds:F1} s (best epoch {result.BestEpoch}, {result.Steps} optimizer steps)."));
            return same ? 0 : 1;
        }

        // Trains on the training windows with Adam, a cosine schedule and clipping; the validation windows
        // pick the best epoch. Training is deterministic: the same numbers on 1 or 2 cores, on every machine.
        private static TrainingResult Train(SeaTemperatureForecaster model, TimeSeries series, SeriesSplit split, ZScoreScaler scaler, QuickStartSettings settings, CancellationToken cancellationToken)
        {
            TrainingSequence[] training = ForecastWindows.Create(series, split.Train, scaler, SampleData.WindowMonths, SampleData.WindowStride).ToSequences();
            TrainingSequence[] validation = ForecastWindows.Create(series, split.Validation, scaler, SampleData.WindowMonths, SampleData.WindowStride).ToSequences();
            int batches = (training.Length + SampleData.BatchSize - 1) / SampleData.BatchSize;
            AnsiConsole.MarkupLineInterpolated($"Training [bold]{nameof(SeaTemperatureForecaster)}[/] (hidden {SeaTemperatureForecaster.HiddenSize}) on {training.Length} windows of {SampleData.WindowMonths} months, {validation.Length} for validation:");
            var options = new TrainerOptions
            {
                Epochs = settings.Epochs,
                BatchSize = SampleData.BatchSize,
                Seed = settings.Seed,
                ClipNorm = 1f,
                Schedule = new LinearWarmup(new CosineAnnealing(SampleData.LearningRate, (long)settings.Epochs * batches), warmupSteps: batches),
                EarlyStoppingPatience = 8,
            };
            var trainer = new Trainer<SeaTemperatureForecaster>(model, new Adam(SampleData.LearningRate), options);

            // A live progress bar on a terminal; nothing when the output is redirected (the table of epochs follows).
            if (!AnsiConsole.Profile.Capabilities.Interactive)
            {
                return trainer.Fit(training, validation, progress: null, cancellationToken);
            }

            return AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(context => trainer.Fit(training, validation, new TrainingProgressTask(context.AddTask("training", maxValue: settings.Epochs)), cancellationToken));
        }

        // The forecast of every month from the months before it, in original units (NaN for the first month).
        private static double[] Forecast(SeaTemperatureForecaster model, TimeSeries series, ZScoreScaler scaler)
        {
            float[] features = ForecastFeatures.Encode(series, scaler);
            float[] outputs = new float[series.Count * SeaTemperatureForecaster.OutputSize];
            model.ResetState();
            model.Forward(features, outputs);

            // Output t forecasts month t + 1.
            double[] forecast = new double[series.Count];
            forecast[0] = double.NaN;
            for (int t = 1; t < series.Count; t++)
            {
                forecast[t] = scaler.Denormalize(outputs[t - 1]);
            }

            return forecast;
        }
    }

    /// <summary>
    /// The forecaster: 3 features per month in (the z-scored temperature and the month's position in
    /// the year), one LSTM layer of 32 units, and a dense head that outputs next month's z-score.
    /// </summary>
    [Lstm(InputSize = ForecastFeatures.InputSize, HiddenSize = 32, OutputSize = ForecastFeatures.OutputSize)]
    public partial class SeaTemperatureForecaster
    {
    }
}
