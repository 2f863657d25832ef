// LstmGen's quick start: a one-month-ahead forecaster of a real sea surface temperature series,
// trained in plain C#, saved, loaded back and compared with the naive forecasts it has to beat.
// The terminal output is Spectre.Console's (plain text when redirected or NO_COLOR is set), the plot ScottPlot's.
using System;
using System.Globalization;
using QuickStart;
using Spectre.Console.Cli;

// Numbers print the same, with a decimal point, whatever the machine's culture.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
// A file or a pipe has no width: do not wrap long lines (paths) at 80 columns.
if (Console.IsOutputRedirected)
{
    Spectre.Console.AnsiConsole.Profile.Width = 200;
}

var app = new CommandApp<QuickStartCommand>();
app.Configure(config => config.SetApplicationName("QuickStart"));
return app.Run(args);
