using System;
using System.ComponentModel;
using System.IO;
using System.Linq;
using System.Threading;
using LstmGen.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PyTorchInterop
{
    /// <summary>The sample's options.</summary>
    public sealed class InteropSettings : CommandSettings
    {
        /// <summary>Where train_ddp.py's files are.</summary>
        [CommandOption("--fixtures <DIR>")]
        [Description("Folder of pytorch_ddp.safetensors and heldout.safetensors, as train_ddp.py writes them (default: the committed Fixtures, next to the executable).")]
        public string? Fixtures { get; init; }

        /// <summary>Where the fine-tuned weights and outputs go.</summary>
        [CommandOption("-o|--output <DIR>")]
        [Description("Folder for finetuned.safetensors and csharp_outputs.safetensors, which evaluate.py reads (default: next to the executable).")]
        public string? Output { get; init; }

        /// <summary>Fine-tuning epochs.</summary>
        [CommandOption("--epochs <N>")]
        [Description("Passes over the fine-tuning sequences.")]
        [DefaultValue(20)]
        public int Epochs { get; init; } = 20;

        /// <summary>Fine-tuning sequences.</summary>
        [CommandOption("--sequences <N>")]
        [Description("Fine-tuning sequences of the device's waves, generated in C#.")]
        [DefaultValue(1024)]
        public int Sequences { get; init; } = 1024;

        /// <summary>The seed of the data and the shuffling.</summary>
        [CommandOption("--seed <SEED>")]
        [Description("Seed of the fine-tuning data and of the trainer's shuffling.")]
        [DefaultValue(1)]
        public int Seed { get; init; } = 1;

        /// <summary>The largest difference to PyTorch's outputs that passes.</summary>
        [CommandOption("--tolerance <X>")]
        [Description("Largest |C# - PyTorch| output difference that passes; the program exits with 1 above it.")]
        [DefaultValue(1e-5)]
        public double Tolerance { get; init; } = 1e-5;

        /// <inheritdoc/>
        public override ValidationResult Validate()
        {
            if (Epochs < 1)
            {
                return ValidationResult.Error("--epochs must be at least 1.");
            }

            return Sequences < 1 ? ValidationResult.Error("--sequences must be at least 1.") : ValidationResult.Success();
        }
    }

    /// <summary>Runs the C# half of the round trip and prints what it measured.</summary>
    public sealed class InteropCommand : Command<InteropSettings>
    {
        /// <inheritdoc/>
        public override int Execute(CommandContext context, InteropSettings settings, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(settings);
            string fixtures = settings.Fixtures ?? Path.Combine(AppContext.BaseDirectory, "Fixtures");
            string output = settings.Output ?? AppContext.BaseDirectory;
            var fineTuning = new FineTuning(settings.Epochs, settings.Sequences, settings.Seed);
            RoundTripResult r = RoundTrip.Run(fixtures, output, fineTuning);

            AnsiConsole.MarkupLineInterpolated($"[bold]PyTorchInterop[/]: PyTorch's nn.LSTM(1, {SignalModel.HiddenSize}, num_layers={SignalModel.Layers}) + nn.Linear({SignalModel.HiddenSize}, 1), trained with DistributedDataParallel (train_ddp.py), in {nameof(SignalModel)} ({SignalModel.ParameterCount} parameters).");
            AnsiConsole.WriteLine(FormattableString.Invariant($"Loaded {RoundTrip.PyTorchWeights}: {r.LoadedTensors.Count} tensors ({string.Join(", ", r.LoadedTensors.Take(2))}, ...), DDP's names mapped with MapPrefix(\"module.\", \"\")."));
            AnsiConsole.WriteLine(FormattableString.Invariant($"Held-out set: {r.HeldOut.Count} sequences of {r.HeldOut.Length} steps of the device's waves (periods {SignalTask.DevicePeriods.Low}-{SignalTask.DevicePeriods.High} steps; PyTorch trained on 16-48)."));
            bool same = r.MaxDifferenceToPyTorch <= settings.Tolerance;
            AnsiConsole.WriteLine(FormattableString.Invariant($"Max difference to PyTorch's outputs: {r.MaxDifferenceToPyTorch:0.##e+00} (tolerance {settings.Tolerance:0.##e+00}): {(same ? "OK" : "TOO LARGE")}."));
            AnsiConsole.WriteLine(FormattableString.Invariant($"Held-out loss (MSE) of the loaded weights: {r.LossBefore:F5} in C#, {r.TorchLoss:F5} from PyTorch's outputs."));

            AnsiConsole.WriteLine(FormattableString.Invariant($"Fine-tuning in C# (Trainer, Adam {fineTuning.LearningRate:0.###}, batches of 32, clip 1): {fineTuning.Sequences} sequences of {RoundTrip.SequenceLength} steps, {fineTuning.Epochs} epochs, {r.Training.Elapsed.TotalSeconds:F1} s."));
            var table = new Table().Border(TableBorder.Simple).AddColumn(new TableColumn("epoch").RightAligned()).AddColumn(new TableColumn("training loss").RightAligned());
            for (int epoch = 0; epoch < r.Training.EpochsRun; epoch++)
            {
                if (epoch < 3 || epoch == r.Training.EpochsRun - 1 || (epoch + 1) % 5 == 0)
                {
                    table.AddRow((epoch + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), r.Training.TrainingLosses[epoch].ToString("F5", System.Globalization.CultureInfo.InvariantCulture));
                }
            }

            AnsiConsole.Write(table);
            AnsiConsole.WriteLine(FormattableString.Invariant($"Held-out loss (MSE): {r.LossBefore:F5} before fine-tuning, {r.LossAfter:F5} after ({(r.LossAfter < r.LossBefore ? "fell" : "did not fall")})."));
            AnsiConsole.WriteLine($"Saved {RoundTrip.FineTunedWeights} (WeightFile.Save: PyTorch's names, lstm.weight_ih_l0, ..., head.bias) and {RoundTrip.CSharpOutputs} in {output}.");
            AnsiConsole.WriteLine($"Back in PyTorch: python3 evaluate.py --fixtures {fixtures} --csharp {output}");
            return same ? 0 : 1;
        }
    }
}
