// PyTorch and LstmGen, both ways: weights trained with DistributedDataParallel load into a generated model, which
// reproduces PyTorch's outputs, is fine-tuned in C# and saved in a file that PyTorch loads back (evaluate.py).
using System.Globalization;
using PyTorchInterop;
using Spectre.Console;
using Spectre.Console.Cli;

// Numbers print the same, with a decimal point, whatever the machine's culture.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

// A file or a pipe has no width: do not wrap long lines at 80 columns.
if (System.Console.IsOutputRedirected)
{
    AnsiConsole.Profile.Width = 200;
}

var app = new CommandApp<InteropCommand>();
app.Configure(config => config.SetApplicationName("PyTorchInterop"));
return app.Run(args);
