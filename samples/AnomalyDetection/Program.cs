// LstmGen for anomaly detection: an LSTM learns how normal sensor readings evolve, and a reading it fails to
// predict is flagged. Measured against labelled anomalies, next to naive detectors scored the same way.
// The terminal output is Spectre.Console's (plain text when redirected or NO_COLOR is set), the plot ScottPlot's.
using System;
using System.Globalization;
using AnomalyDetection;
using Spectre.Console;
using Spectre.Console.Cli;

// Numbers print the same, with a decimal point, whatever the machine's culture.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

// A file or a pipe has no width: do not wrap long lines (paths) at 80 columns.
if (Console.IsOutputRedirected)
{
    AnsiConsole.Profile.Width = 200;
}

var app = new CommandApp<AnomalyDetectionCommand>();
app.Configure(config => config.SetApplicationName("AnomalyDetection"));
return app.Run(args);
