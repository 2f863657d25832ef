using System;
using System.Globalization;
using System.Linq;
using LstmGen.Training;
using Spectre.Console;

namespace TextGeneration
{
    /// <summary>The perplexities of the n-gram baselines on the validation text.</summary>
    /// <param name="Unigram">The unigram model's: character frequencies alone.</param>
    /// <param name="Bigram">The bigram model's: frequencies after the previous character.</param>
    public readonly record struct BaselinePerplexities(double Unigram, double Bigram);

    /// <summary>What the sample prints. Colours degrade to plain text when redirected or with NO_COLOR.</summary>
    internal static class Report
    {
        /// <summary>The width of the panel of generated text.</summary>
        private const int TextWidth = 100;

        /// <summary>Prints the text, its split, the vocabulary and the baselines.</summary>
        public static void DescribeData(Corpus corpus, CharacterWindows training, CharacterWindows validation, BaselinePerplexities baselines)
        {
            AnsiConsole.MarkupLineInterpolated($"[bold]Moby-Dick[/] by Herman Melville: {corpus.Symbols.Length} characters from chapter 1 on (see Data/SOURCE.md).");
            string punctuation = string.Concat(Vocabulary.Alphabet.Where(symbol => !char.IsAsciiLetterLower(symbol) && symbol is not (' ' or '\n' or Vocabulary.Other)));
            AnsiConsole.WriteLine(FormattableString.Invariant(
                $"Vocabulary: {Vocabulary.Size} symbols: a to z (letters folded to lower case), space, newline, {punctuation} and '{Vocabulary.Other}' for any other character."));
            var table = new Table().Border(TableBorder.Simple).AddColumns("part", "characters", "windows");
            table.AddRow("training (from chapter 1)", Invariant(training.Predicted), FormattableString.Invariant($"{training.Count} x {training.Length}"));
            table.AddRow("validation (the novel's end)", Invariant(validation.Predicted), FormattableString.Invariant($"{validation.Count} x {validation.Length}"));
            table.Columns[1].RightAligned();
            table.Columns[2].RightAligned();
            AnsiConsole.Write(table);
            AnsiConsole.WriteLine(FormattableString.Invariant(
                $"Baselines on the validation text (counted on the training text): unigram perplexity {baselines.Unigram:F2}, bigram perplexity {baselines.Bigram:F2}."));
        }

        /// <summary>Prints the losses and the validation perplexity of every epoch, the best one highlighted.</summary>
        public static void Epochs(TrainingResult result, BaselinePerplexities baselines)
        {
            var table = new Table().Border(TableBorder.Simple).AddColumns("epoch", "training loss", "validation loss", "validation perplexity", "bits per character");
            foreach (TableColumn column in table.Columns)
            {
                column.RightAligned();
            }

            for (int epoch = 1; epoch <= result.EpochsRun; epoch++)
            {
                double loss = result.ValidationLosses[epoch - 1];
                string style = epoch == result.BestEpoch ? "green" : "default";
                table.AddRow(
                    new Text(Invariant(epoch)),
                    new Text(FormattableString.Invariant($"{result.TrainingLosses[epoch - 1]:F4}")),
                    new Text(FormattableString.Invariant($"{loss:F4}")),
                    new Markup(FormattableString.Invariant($"[{style}]{Math.Exp(loss):F2}[/]")),
                    new Text(FormattableString.Invariant($"{loss / Math.Log(2):F3}")));
            }

            AnsiConsole.Write(table);
            double best = Math.Exp(result.BestValidationLoss ?? double.NaN);
            string verdict = best < baselines.Bigram ? "[green]below[/] both baselines" : best < baselines.Unigram ? "below the unigram baseline only" : "[red]not below[/] the unigram baseline";
            AnsiConsole.MarkupLine(FormattableString.Invariant(
                $"Validation perplexity: best {best:F2} at epoch {result.BestEpoch}, {verdict} (unigram {baselines.Unigram:F2}, bigram {baselines.Bigram:F2}); the model keeps that epoch's weights."));
        }

        /// <summary>Prints whether the reloaded model writes the same text and gives the same probabilities as the trained one.</summary>
        public static void Reloaded(bool sameText, bool sameProbabilities, int characters)
        {
            AnsiConsole.MarkupLine(FormattableString.Invariant($"The reloaded model generates exactly the same text as the trained one: [{Colour(sameText)}]{sameText}[/]."));
            AnsiConsole.MarkupLine(FormattableString.Invariant(
                $"The reloaded model gives exactly the same probabilities for the {characters} validation characters: [{Colour(sameProbabilities)}]{sameProbabilities}[/]."));

            static string Colour(bool ok) => ok ? "green" : "red";
        }

        /// <summary>Prints the generated text after its prime.</summary>
        public static void Generated(string model, string prime, string text, TextGenerationSettings settings)
        {
            AnsiConsole.WriteLine(FormattableString.Invariant(
                $"Generated by the {model} ({settings.Length} characters, temperature {settings.Temperature}, seed {settings.Seed}, prime \"{prime}\"):"));
            // At most 100 columns wide, so that the text reads as a paragraph on a wide terminal or in a file.
            var panel = new Panel(new Markup($"[bold]{Markup.Escape(prime)}[/]{Markup.Escape(text)}")) { Width = Math.Min(TextWidth, AnsiConsole.Profile.Width) };
            AnsiConsole.Write(panel.Border(BoxBorder.Rounded));
        }

        private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Moves a Spectre.Console progress task by the trainer's reports (one unit per epoch, a fraction per batch), and records them.</summary>
    /// <param name="task">The task to move; its maximum is the number of epochs.</param>
    /// <param name="curves">Also receives every report.</param>
    internal sealed class TrainingProgressTask(ProgressTask task, IProgress<TrainingProgress> curves) : IProgress<TrainingProgress>
    {
        /// <inheritdoc/>
        public void Report(TrainingProgress value)
        {
            curves.Report(value);
            task.Value = value.Epoch - 1 + ((double)value.Batch / value.Batches);
            string validation = value.ValidationLoss is float loss ? FormattableString.Invariant($"  validation perplexity {Math.Exp(loss):F2}") : string.Empty;
            task.Description = FormattableString.Invariant($"epoch {value.Epoch}/{value.Epochs}  loss {value.Loss:F3}{validation}  {value.SequencesPerSecond * SampleSettings.WindowLength / 1000:F0}k chars/s");
        }
    }
}
