using System;
using System.IO;
using System.Linq;
using LstmGen.Tests.Support;
using Xunit;

namespace LstmGen.Tests.Portable
{
    /// <summary>
    /// The netstandard2.1 build of the runtime (what Unity loads) gives the bits of the net10.0 build: LstmGen.PortableRunner,
    /// a program built against the netstandard2.1 LstmGen.dll, runs <see cref="PortableProbe"/>, and every line must equal
    /// this process's (the net10.0 LstmGen.dll, hardware FMA).
    /// </summary>
    public sealed class PortableRuntimeTests
    {
        [Fact]
        public void NetStandardRuntimeGivesTheBitsOfTheNet10Runtime()
        {
            string fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures");
            string runner = RunnerPath();
            Assert.True(File.Exists(runner), $"{runner} is missing: the test project builds LstmGen.PortableRunner.");

            var (exitCode, output, error) = ChildProcess.Run(ChildProcess.DotnetHost(), new[] { runner, fixtures }, null, null, TimeSpan.FromMinutes(3));
            Assert.True(exitCode == 0, $"The portable runner failed ({exitCode}):\n{error}");
            string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

            // The runner must really run on the netstandard2.1 build (this one is net10.0).
            Assert.Equal("runtime .NETStandard,Version=v2.1", lines[0]);
            Assert.Equal(".NETCoreApp,Version=v10.0", typeof(LstmMath).Assembly.GetCustomAttributes(typeof(System.Runtime.Versioning.TargetFrameworkAttribute), false).Cast<System.Runtime.Versioning.TargetFrameworkAttribute>().Single().FrameworkName);

            string[] expected = PortableProbe.Run(fixtures).ToArray();
            Assert.Equal(expected, lines.Skip(1).ToArray());
            Assert.Contains("refs ok", expected);
        }

        /// <summary>The runner's own output folder (tests/LstmGen.PortableRunner/bin/CONFIGURATION/net10.0): it has the netstandard2.1 LstmGen.dll, this folder the net10.0 one.</summary>
        internal static string RunnerPath()
        {
            var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            string framework = output.Name;
            string configuration = output.Parent!.Name;
            string tests = output.Parent.Parent!.Parent!.Parent!.FullName;
            return Path.Combine(tests, "LstmGen.PortableRunner", "bin", configuration, framework, "LstmGen.PortableRunner.dll");
        }
    }
}
