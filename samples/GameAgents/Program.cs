// LstmGen for games: 1,000 agents share one model, each with its own State, stepped together once a frame,
// while a background thread learns from what the agents saw and swaps better weights in at frame boundaries.
using System;
using System.Globalization;
using GameAgents;
using Spectre.Console;
using Spectre.Console.Cli;

// Numbers print the same, with a decimal point, whatever the machine's culture.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

// A file or a pipe has no width: do not wrap long lines at 80 columns.
if (Console.IsOutputRedirected)
{
    AnsiConsole.Profile.Width = 200;
}

var app = new CommandApp<GameAgentsCommand>();
app.Configure(config => config.SetApplicationName("GameAgents"));
return app.Run(args);
