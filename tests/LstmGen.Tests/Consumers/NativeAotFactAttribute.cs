using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Xunit;

namespace LstmGen.Tests.Consumers
{
    /// <summary>
    /// A fact that needs a NativeAOT toolchain for linux-x64: the ILCompiler links with clang (or gcc). Where there is
    /// none the test is reported as skipped, with the reason, at discovery: never passed without running.
    /// </summary>
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
    public sealed class NativeAotFactAttribute : FactAttribute
    {
        public NativeAotFactAttribute()
        {
            if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
            {
                Skip = $"The NativeAOT consumer is published for linux-x64; this is {RuntimeInformation.RuntimeIdentifier}.";
            }
            else if (FindOnPath("clang") is null && FindOnPath("gcc") is null)
            {
                Skip = "NativeAOT needs a C toolchain to link: neither clang nor gcc is on PATH (install clang and zlib1g-dev; .ci/run does).";
            }
        }

        private static string? FindOnPath(string program) =>
            (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
                .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .Select(directory => Path.Combine(directory, program))
                .FirstOrDefault(File.Exists);
    }
}
