using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Threading.Tasks;

namespace LstmGen.Tests.Support
{
    /// <summary>Starts programs for the tests: the dotnet host, and a run that captures both streams.</summary>
    internal static class ChildProcess
    {
        /// <summary>The dotnet host that runs these tests (the SDK names it in DOTNET_HOST_PATH), else this process's own.</summary>
        public static string DotnetHost()
        {
            string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            if (!string.IsNullOrEmpty(host) && File.Exists(host))
            {
                return host;
            }

            string? current = Environment.ProcessPath;
            return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
        }

        /// <summary>Runs <paramref name="fileName"/> to its end (or kills it after <paramref name="timeout"/>) and returns its exit code and output.</summary>
        public static (int ExitCode, string Output, string Error) Run(
            string fileName, IEnumerable<string> arguments, string? workingDirectory, IReadOnlyDictionary<string, string?>? environment, TimeSpan timeout)
        {
            var start = new ProcessStartInfo(fileName)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
            };
            foreach (string argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            if (environment is not null)
            {
                foreach (KeyValuePair<string, string?> pair in environment)
                {
                    start.Environment[pair.Key] = pair.Value;
                }
            }

            using Process process = Process.Start(start)!;
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            Task<string> error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                throw new TimeoutException($"{fileName} {string.Join(' ', start.ArgumentList)} did not finish within {timeout}:\n{Tail(output.Result)}\n{Tail(error.Result)}");
            }

            return (process.ExitCode, output.Result, error.Result);
        }

        /// <summary>The last lines of a long output, for a failure message.</summary>
        public static string Tail(string text, int lines = 60)
        {
            string[] all = text.Split('\n');
            return all.Length <= lines ? text : new StringBuilder("...\n").AppendJoin('\n', all[^lines..]).ToString();
        }
    }
}
