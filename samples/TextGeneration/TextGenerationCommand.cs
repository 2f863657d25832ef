using System;
using System.ComponentModel;
using System.Diagnostics;
using System.IO;
using System.Threading;
using LstmGen;
using LstmGen.Serialization;
using LstmGen.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace TextGeneration
{
    /// <summary>The sample's options; the defaults reproduce the output in the README.</summary>
    public sealed class TextGenerationSettings : CommandSettings
    {
        /// <summary>Passes over the training windows.</summary>
        [CommandOption("--epochs <N>")]
        [Description("Passes over the training text.")]
        [DefaultValue(SampleSettings.Epochs)]
        public int Epochs { get; init; } = SampleSettings.Epochs;

        /// <summary>The model's hidden size.</summary>
        [CommandOption("--hidden <UNITS>")]
        [Description("Hidden units of the LSTM: 128 (CharModel128) or 256 (CharModel256: 3.4 times the parameters, slower to train).")]
        [DefaultValue(128)]
        public int Hidden { get; init; } = 128;

        /// <summary>Characters of the novel to train on.</summary>
        [CommandOption("--train-chars <N>")]
        [Description("Characters to train on, from the first chapter on (at most the whole novel minus the validation text: 1,161,160).")]
        [DefaultValue(SampleSettings.TrainingCharacters)]
        public int TrainingCharacters { get; init; } = SampleSettings.TrainingCharacters;

        /// <summary>Adam's peak learning rate.</summary>
        [CommandOption("--learning-rate <RATE>")]
        [Description("Adam's peak learning rate, after a short warm-up; a cosine schedule takes it down to a tenth by the last step.")]
        [DefaultValue(SampleSettings.LearningRate)]
        public float LearningRate { get; init; } = SampleSettings.LearningRate;

        /// <summary>The seed of the initial weights, the shuffling and the sampling.</summary>
        [CommandOption("--seed <SEED>")]
        [Description("Seed of the initial weights, of the shuffling and of the sampling: one seed, one result.")]
        [DefaultValue(SampleSettings.Seed)]
        public int Seed { get; init; } = SampleSettings.Seed;

        /// <summary>The sampling temperature.</summary>
        [CommandOption("-t|--temperature <T>")]
        [Description("Sampling temperature: 1 samples the model as it is, lower is more conservative, 0 always takes the likeliest character.")]
        [DefaultValue(SampleSettings.Temperature)]
        public float Temperature { get; init; } = SampleSettings.Temperature;

        /// <summary>Characters to generate.</summary>
        [CommandOption("-n|--length <N>")]
        [Description("Characters to generate.")]
        [DefaultValue(SampleSettings.Length)]
        public int Length { get; init; } = SampleSettings.Length;

        /// <summary>The text the generated text continues.</summary>
        [CommandOption("-p|--prime <TEXT>")]
        [Description("Text to start from; the model reads it, then continues it (lower case; characters outside the vocabulary become '#').")]
        [DefaultValue(SampleSettings.Prime)]
        public string Prime { get; init; } = SampleSettings.Prime;

        /// <summary>Weights to generate with, instead of training.</summary>
        [CommandOption("-l|--load <FILE>")]
        [Description("Skip training: load weights saved by an earlier run (with the same --hidden) and generate with them.")]
        public string? Load { get; init; }

        /// <summary>Where the weights and the plot are written.</summary>
        [CommandOption("-o|--output <DIR>")]
        [Description("Folder for the weights and the plot (default: next to the executable).")]
        public string? Output { get; init; }

        /// <inheritdoc/>
        public override ValidationResult Validate()
        {
            if (Epochs < 1)
            {
                return ValidationResult.Error("--epochs must be at least 1.");
            }

            if (Hidden is not (128 or 256))
            {
                return ValidationResult.Error("--hidden must be 128 or 256 (the hidden size is fixed at compile time: one model class each).");
            }

            if (TrainingCharacters < SampleSettings.WindowLength + 1)
            {
                return ValidationResult.Error($"--train-chars must be at least {SampleSettings.WindowLength + 1} (one window).");
            }

            if (!(LearningRate > 0f) || float.IsInfinity(LearningRate))
            {
                return ValidationResult.Error("--learning-rate must be a positive number.");
            }

            if (!(Temperature >= 0f) || float.IsInfinity(Temperature))
            {
                return ValidationResult.Error("--temperature must be a number, 0 or more.");
            }

            if (Length < 0)
            {
                return ValidationResult.Error("--length must be 0 or more.");
            }

            return string.IsNullOrEmpty(Prime) ? ValidationResult.Error("--prime must have at least one character.") : ValidationResult.Success();
        }
    }

    /// <summary>Loads the novel, trains, compares with the baselines, saves and reloads the model, and writes text.</summary>
    public sealed class TextGenerationCommand : Command<TextGenerationSettings>
    {
        /// <inheritdoc/>
        public override int Execute(CommandContext context, TextGenerationSettings settings, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(settings);
            return settings.Hidden == 256
                ? Run(seed => new CharModel256(seed), settings, cancellationToken)
                : Run(seed => new CharModel128(seed), settings, cancellationToken);
        }

        // The whole sample, for either model class: everything it needs is on ILstmModel and WeightFile.
        private static int Run<TModel>(Func<int, TModel> create, TextGenerationSettings settings, CancellationToken cancellationToken)
            where TModel : class, ILstmModel, new()
        {
            var clock = Stopwatch.StartNew();
            string output = settings.Output ?? AppContext.BaseDirectory;
            Directory.CreateDirectory(output);

            // 1. The data: the novel as symbols, the start for training, the end for validation.
            Corpus corpus = Corpus.Load(Path.Combine(AppContext.BaseDirectory, Corpus.Folder, Corpus.FileName));
            int trainingCharacters = Math.Min(settings.TrainingCharacters, corpus.Symbols.Length - SampleSettings.ValidationCharacters);
            (Memory<byte> trainingText, Memory<byte> validationText) = corpus.Split(trainingCharacters, SampleSettings.ValidationCharacters);
            var training = new CharacterWindows(trainingText, SampleSettings.WindowLength);
            var validation = new CharacterWindows(validationText, SampleSettings.WindowLength);
            var baselines = new BaselinePerplexities(
                Baselines.UnigramPerplexity(trainingText.Span, validation),
                Baselines.BigramPerplexity(trainingText.Span, validation));
            Report.DescribeData(corpus, training, validation, baselines);
            string prime = Vocabulary.Normalize(settings.Prime);
            if (settings.Load is string load)
            {
                return GenerateFromFile<TModel>(load, validation, prime, settings);
            }

            // 2. The untrained model's text, for contrast, then training.
            TModel model = create(settings.Seed);
            string untrained = TextSampler.Generate(model, prime, SampleSettings.UntrainedLength, settings.Temperature, settings.Seed);
            AnsiConsole.MarkupLineInterpolated($"Before training, at temperature {settings.Temperature}: [grey]{prime}{untrained}[/]");
            var curves = new LossCurves(training.Count, SampleSettings.BatchSize);
            TrainingResult result = Train(model, training, validation, curves, settings, cancellationToken);
            Report.Epochs(result, baselines);

            // 3. Save the model, and load it back into a model of its own, as a program that only generates would.
            string weights = Path.Combine(output, SampleSettings.WeightsFileName);
            WeightFile.Save(model, weights);
            TModel reloaded = new();
            WeightFile.Load(reloaded, weights);
            AnsiConsole.MarkupLineInterpolated($"Saved {model.ParameterCount} parameters to [blue]{weights}[/] ({new FileInfo(weights).Length} bytes) and loaded them back.");

            // 4. Text from both, and the probabilities of every validation character from both: equal to the bit.
            string text = TextSampler.Generate(model, prime, settings.Length, settings.Temperature, settings.Seed);
            string reloadedText = TextSampler.Generate(reloaded, prime, settings.Length, settings.Temperature, settings.Seed);
            float[] probabilities = Probabilities(reloaded, validation);
            bool sameProbabilities = Probabilities(model, validation).AsSpan().SequenceEqual(probabilities);
            bool sameText = string.Equals(text, reloadedText, StringComparison.Ordinal);
            Report.Reloaded(sameText, sameProbabilities, validation.Predicted);
            AnsiConsole.WriteLine(FormattableString.Invariant(
                $"Read in one pass, its state carried from window to window, the validation text has perplexity {validation.Perplexity(probabilities):F2} (each window from the zero state: {Math.Exp(result.BestValidationLoss ?? float.NaN):F2})."));
            Report.Generated("reloaded model", prime, reloadedText, settings);

            string plot = Path.Combine(output, SampleSettings.PlotFileName);
            LossPlot.Save(curves, result, baselines, plot);
            AnsiConsole.MarkupLineInterpolated($"Plot: [blue]{plot}[/]");
            AnsiConsole.WriteLine(FormattableString.Invariant($"Done in {clock.Elapsed.TotalSeconds:F1} s ({result.Steps} optimizer steps, training {result.Elapsed.TotalSeconds:F1} s)."));
            return sameText && sameProbabilities ? 0 : 1;
        }

        // --load: a model from a file, its validation perplexity (as the trainer computes it), and its text.
        private static int GenerateFromFile<TModel>(string path, CharacterWindows validation, string prime, TextGenerationSettings settings)
            where TModel : class, ILstmModel, new()
        {
            TModel model = new();
            try
            {
                WeightFile.Load(model, path);
            }
            catch (Exception exception) when (exception is WeightFileException or IOException or UnauthorizedAccessException)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]Cannot load {path} into {typeof(TModel).Name}[/]: {exception.Message}");
                return 1;
            }

            float loss = new Trainer<TModel>(model, new Adam()).Evaluate(validation.Sequences);
            AnsiConsole.MarkupLineInterpolated($"Loaded {model.ParameterCount} parameters of {typeof(TModel).Name} from [blue]{path}[/]: validation perplexity {Math.Exp(loss):F2}.");
            Report.Generated("loaded model", prime, TextSampler.Generate(model, prime, settings.Length, settings.Temperature, settings.Seed), settings);
            return 0;
        }

        // Adam with a warm-up and a cosine schedule, clipping, 32 windows a step; the validation text picks the best epoch.
        private static TrainingResult Train<TModel>(
            TModel model, CharacterWindows training, CharacterWindows validation, LossCurves curves, TextGenerationSettings settings, CancellationToken cancellationToken)
            where TModel : class, ILstmModel, new()
        {
            int batches = (training.Count + SampleSettings.BatchSize - 1) / SampleSettings.BatchSize;
            long steps = (long)settings.Epochs * batches;
            var options = new TrainerOptions
            {
                Epochs = settings.Epochs,
                BatchSize = SampleSettings.BatchSize,
                Seed = settings.Seed,
                ClipNorm = SampleSettings.ClipNorm,
                Schedule = new LinearWarmup(new CosineAnnealing(settings.LearningRate, steps, settings.LearningRate / 10), warmupSteps: Math.Min(SampleSettings.WarmupSteps, steps / 4)),
            };
            var trainer = new Trainer<TModel>(model, new Adam(settings.LearningRate), options);
            AnsiConsole.MarkupLineInterpolated(
                $"Training [bold]{typeof(TModel).Name}[/] ({model.ParameterCount} parameters) for {settings.Epochs} epochs of {batches} steps, {SampleSettings.BatchSize} windows a step:");

            // A live progress bar on a terminal; nothing when the output is redirected (the table of epochs follows).
            if (!AnsiConsole.Profile.Capabilities.Interactive)
            {
                return trainer.Fit(training.Sequences, validation.Sequences, curves, cancellationToken);
            }

            return AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(context =>
                {
                    var progress = new TrainingProgressTask(context.AddTask("training", maxValue: settings.Epochs), curves);
                    return trainer.Fit(training.Sequences, validation.Sequences, progress, cancellationToken);
                });
        }

        // The model's probabilities of every character of the validation text, read in one pass from the zero state.
        private static float[] Probabilities(ILstmModel model, CharacterWindows text)
        {
            float[] probabilities = new float[text.Predicted * Vocabulary.Size];
            model.ResetState();
            model.Forward(text.Inputs.Span, probabilities);
            return probabilities;
        }
    }

    /// <summary>The character model with 128 hidden units: 41 one-hot inputs, one LSTM layer, a softmax over the 41 characters.</summary>
    [Lstm(InputSize = Vocabulary.Size, HiddenSize = 128, OutputSize = Vocabulary.Size, OutputActivation = Activation.Softmax, Loss = LossFunction.CrossEntropy)]
    public partial class CharModel128
    {
    }

    /// <summary>The same with 256 hidden units (<c>--hidden 256</c>): 316,713 parameters, 3.4 times as many, for longer runs.</summary>
    [Lstm(InputSize = Vocabulary.Size, HiddenSize = 256, OutputSize = Vocabulary.Size, OutputActivation = Activation.Softmax, Loss = LossFunction.CrossEntropy)]
    public partial class CharModel256
    {
    }
}
