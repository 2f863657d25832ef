using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using LstmGen.Tests.Reference;
using LstmGen.Tests.Support;
using Xunit;

namespace LstmGen.Tests
{
    /// <summary>
    /// Runs every reference case on each code path of the generated models. The runtime picks the
    /// widest accelerated path, so the narrower ones run in child processes whose JIT is told to
    /// ignore AVX-512, AVX2 or all SIMD. Each path must match PyTorch, and all must give the same bits, for
    /// the outputs and states of Forward, the loss and gradients of AccumulateGradients, and many agents
    /// stepped together.
    /// </summary>
    public sealed class PathTests
    {
        /// <summary>
        /// Name, environment, and the acceleration the runner must report. The Vector512 path can only
        /// run where the processor has AVX-512 (this project's machines do); elsewhere it is left out.
        /// </summary>
        public static TheoryData<string, string, string> Paths
        {
            get
            {
                var paths = new TheoryData<string, string, string>();
                if (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
                {
                    paths.Add("Vector512", string.Empty, "512=True 256=True 128=True");
                }

                paths.Add("Vector256", "DOTNET_EnableAVX512=0", "512=False 256=True 128=True");
                paths.Add("Vector128 (FMA)", "DOTNET_PreferredVectorBitWidth=128", "512=False 256=False 128=True");
                paths.Add("Vector128 (SSE4, no FMA)", "DOTNET_EnableAVX2=0", "512=False 256=False 128=True");
                paths.Add("Scalar", "DOTNET_EnableHWIntrinsic=0", "512=False 256=False 128=False");
                return paths;
            }
        }

        [Theory]
        [MemberData(nameof(Paths))]
        public void EveryPathMatchesPyTorchWithTheSameBits(string path, string environment, string acceleration)
        {
            IReadOnlyList<string> lines = RunRunner(environment);
            Assert.Equal($"accelerated {acceleration}", lines[0]);

            var results = lines.Skip(1).Where(line => line.StartsWith("case ", StringComparison.Ordinal)).Select(Parse).ToDictionary(result => result.Name);
            string[] caseNames = ReferenceCase.LstmCaseNames.Concat(ReferenceCase.GruCaseNames).Concat(ReferenceCase.ProjectionCaseNames).ToArray();
            Assert.Equal(caseNames.OrderBy(n => n), results.Keys.OrderBy(n => n));
            foreach (string name in caseNames)
            {
                var (_, error, digest, gradients, agents) = results[name];
                Assert.True(error <= 1e-5, $"{path}, {name}: largest difference from PyTorch {error:E3}");
                Assert.True(digest == InProcessDigest(name), $"{path}, {name}: the outputs' bits differ from the in-process ({PathName()}) result.");
                Assert.True(gradients == ReferenceModels.GradientDigest(ReferenceCase.Load(name)), $"{path}, {name}: the gradients' bits differ from the in-process ({PathName()}) result.");
                Assert.True(agents == ReferenceModels.AgentDigest(ReferenceCase.Load(name)), $"{path}, {name}: the bits of many agents stepped together differ from the in-process ({PathName()}) result.");
            }

            // "bidirectional NAME error=E forward=HEX gradients=HEX": the bidirectional models, Forward and AccumulateGradients.
            var bidirectional = lines.Where(line => line.StartsWith("bidirectional ", StringComparison.Ordinal)).Select(line => line.Split(' ')).ToDictionary(parts => parts[1]);
            Assert.Equal(BidirectionalCases.Names.OrderBy(n => n), bidirectional.Keys.OrderBy(n => n));
            foreach (string name in BidirectionalCases.Names)
            {
                string[] parts = bidirectional[name];
                var expected = BidirectionalCases.PathResult(name);
                double error = double.Parse(parts[2]["error=".Length..], CultureInfo.InvariantCulture);
                Assert.True(error <= 1e-5, $"{path}, bidirectional {name}: largest difference from PyTorch {error:E3}");
                Assert.True(parts[3] == $"forward={expected.Forward}", $"{path}, bidirectional {name}: Forward's bits differ from the in-process ({PathName()}) result.");
                Assert.True(parts[4] == $"gradients={expected.Gradients}", $"{path}, bidirectional {name}: the gradients' bits differ from the in-process ({PathName()}) result.");
            }

            // "forward NAME same=BOOL digest=HEX": Forward's projection of a narrow state against Step.
            var forwards = lines.Where(line => line.StartsWith("forward ", StringComparison.Ordinal)).Select(line => line.Split(' ')).ToDictionary(parts => parts[1]);
            Assert.Equal(ProjectedModels.ByName.Keys.OrderBy(n => n), forwards.Keys.OrderBy(n => n));
            foreach (string name in ProjectedModels.ByName.Keys)
            {
                string[] parts = forwards[name];
                Assert.True(parts[2] == "same=True", $"{path}, {name}: Forward's bits differ from Step's.");
                Assert.True(parts[3] == $"digest={ProjectedModels.Compare(name).Digest}", $"{path}, {name}: Forward's bits differ from the in-process ({PathName()}) result.");
            }

            // "dropout NAME error=E digest=HEX": training with dropout's masks, against PyTorch and the in-process bits.
            var dropouts = lines.Where(line => line.StartsWith("dropout ", StringComparison.Ordinal)).Select(line => line.Split(' ')).ToDictionary(parts => parts[1]);
            Assert.Equal(DropoutCases.ByName.Keys.OrderBy(n => n), dropouts.Keys.OrderBy(n => n));
            foreach (string name in DropoutCases.ByName.Keys)
            {
                string[] parts = dropouts[name];
                double error = double.Parse(parts[2]["error=".Length..], CultureInfo.InvariantCulture);
                Assert.True(error <= 1e-5, $"{path}, {name}: largest difference from PyTorch {error:E3}");
                Assert.True(parts[3] == $"digest={DropoutCases.Run(name).Digest}", $"{path}, {name}: the loss's and gradients' bits differ from the in-process ({PathName()}) result.");
            }

            // "agents NAME same=BOOL digest=HEX": group steps that sum in passes over the rows against single steps.
            var groups = lines.Where(line => line.StartsWith("agents ", StringComparison.Ordinal)).Select(line => line.Split(' ')).ToDictionary(parts => parts[1]);
            Assert.Equal(WideAgentModels.ByName.Keys.OrderBy(n => n), groups.Keys.OrderBy(n => n));
            foreach (string name in WideAgentModels.ByName.Keys)
            {
                string[] parts = groups[name];
                Assert.True(parts[2] == "same=True", $"{path}, {name}: the group step's bits differ from single steps'.");
                Assert.True(parts[3] == $"digest={WideAgentModels.Compare(name).Digest}", $"{path}, {name}: the group step's bits differ from the in-process ({PathName()}) result.");
            }

            // "bfloat16 NAME error=E forward=HEX steps=BOOL agents=HEX agentsSame=BOOL": the bfloat16 models.
            var narrow = lines.Where(line => line.StartsWith("bfloat16 ", StringComparison.Ordinal)).Select(line => line.Split(' ')).ToDictionary(parts => parts[1]);
            Assert.Equal(BFloat16Case.Names.OrderBy(n => n), narrow.Keys.OrderBy(n => n));
            foreach (string name in BFloat16Case.Names)
            {
                string[] parts = narrow[name];
                var expected = BFloat16Case.Load(name).PathResult();
                double error = double.Parse(parts[2]["error=".Length..], CultureInfo.InvariantCulture);
                Assert.True(error <= 1e-6, $"{path}, bfloat16 {name}: largest difference from PyTorch {error:E3}");
                Assert.True(parts[3] == $"forward={expected.Forward}", $"{path}, bfloat16 {name}: Forward's bits differ from the in-process ({PathName()}) result.");
                Assert.True(parts[4] == "steps=True", $"{path}, bfloat16 {name}: Step's bits differ from Forward's.");
                Assert.True(parts[5] == $"agents={expected.Agents}", $"{path}, bfloat16 {name}: the group step's bits differ from the in-process ({PathName()}) result.");
                Assert.True(parts[6] == "agentsSame=True", $"{path}, bfloat16 {name}: the group step's bits differ from single steps'.");
            }
        }

        private static string InProcessDigest(string name)
        {
            var result = ReferenceModels.Run(ReferenceCase.Load(name));
            return ReferenceComparison.Digest(result.Outputs, result.Hidden, result.Cell);
        }

        private static string PathName() =>
            System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "Vector512"
            : System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? "Vector256"
            : System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated ? "Vector128" : "scalar";

        private static (string Name, double Error, string Digest, string Gradients, string Agents) Parse(string line)
        {
            // "case NAME error=E digest=HEX gradients=HEX agents=HEX"
            string[] parts = line.Split(' ');
            Assert.Equal("case", parts[0]);
            return (parts[1], double.Parse(parts[2]["error=".Length..], CultureInfo.InvariantCulture), parts[3]["digest=".Length..], parts[4]["gradients=".Length..], parts[5]["agents=".Length..]);
        }

        private static IReadOnlyList<string> RunRunner(string environment)
        {
            var (exitCode, output, errors) = RunPathRunner($"\"{ReferenceCase.Directory}\" \"{BFloat16Case.Directory}\"", environment);
            Assert.True(exitCode == 0, $"The path runner failed ({exitCode}): {errors}");
            return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }

        /// <summary>
        /// Runs LstmGen.PathRunner with <paramref name="arguments"/> in a child process (a crash there is an exit
        /// code, not the end of the test run), with <paramref name="environment"/> (NAME=value, or empty) set.
        /// </summary>
        internal static (int ExitCode, string Output, string Errors) RunPathRunner(string arguments, string environment)
        {
            string runner = Path.Combine(AppContext.BaseDirectory, "LstmGen.PathRunner.dll");
            var start = new ProcessStartInfo(ChildProcess.DotnetHost(), $"\"{runner}\" {arguments}")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };

            // Start from this process's environment, without any JIT setting it may carry.
            foreach (string key in start.Environment.Keys.Where(key => key.StartsWith("DOTNET_Enable", StringComparison.OrdinalIgnoreCase) || key.StartsWith("DOTNET_PreferredVectorBitWidth", StringComparison.OrdinalIgnoreCase)).ToList())
            {
                start.Environment.Remove(key);
            }

            if (environment.Length > 0)
            {
                string[] setting = environment.Split('=');
                start.Environment[setting[0]] = setting[1];
            }

            using Process process = Process.Start(start)!;
            string output = process.StandardOutput.ReadToEnd();
            string errors = process.StandardError.ReadToEnd();
            Assert.True(process.WaitForExit(120_000), "The path runner did not finish in two minutes.");
            return (process.ExitCode, output, errors);
        }
    }
}
