// LstmGen for text: a character-level language model of Moby-Dick (a softmax head over the characters,
// trained with cross-entropy), its validation perplexity against n-gram baselines, temperature sampling,
// and a saved model that, loaded back, writes exactly the same text.
// The terminal output is Spectre.Console's (plain text when redirected or NO_COLOR is set), the plot ScottPlot's.
using System;
using System.Globalization;
using Spectre.Console.Cli;
using TextGeneration;

// Numbers print the same, with a decimal point, whatever the machine's culture.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

// A file or a pipe has no width: do not wrap long lines (paths, generated text) at 80 columns.
if (Console.IsOutputRedirected)
{
    Spectre.Console.AnsiConsole.Profile.Width = 200;
}

var app = new CommandApp<TextGenerationCommand>();
app.Configure(config => config.SetApplicationName("TextGeneration"));
return app.Run(args);
