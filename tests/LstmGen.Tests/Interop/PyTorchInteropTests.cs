using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using LstmGen.Serialization;
using LstmGen.Tests.Support;
using PyTorchInterop;
using Xunit;
using Xunit.Abstractions;

namespace LstmGen.Tests.Interop
{
    /// <summary>
    /// samples/PyTorchInterop: the C# half from the committed fixtures (what train_ddp.py wrote with DDP), and, where
    /// torch is importable, the whole round trip through PyTorch: train_ddp.py under torchrun, the C# half on its files,
    /// evaluate.py on the C# file.
    /// </summary>
    public sealed class PyTorchInteropTests(ITestOutputHelper output) : IDisposable
    {
        /// <summary>The largest |C# - PyTorch| output difference that passes (the sample's default tolerance).</summary>
        private const float Tolerance = 1e-5f;

        private static readonly string s_sample = Path.Combine(TestProject.Repository, "samples", "PyTorchInterop");

        private readonly string _work = Directory.CreateTempSubdirectory("lstmgen-interop-").FullName;

        public void Dispose() => Directory.Delete(_work, recursive: true);

        [Fact]
        public void CSharpHalfReproducesPyTorchFineTunesAndSavesPyTorchsNames()
        {
            RoundTripResult r = RoundTrip.Run(Path.Combine(s_sample, "Fixtures"), _work, new FineTuning(Epochs: 3, Sequences: 256, Seed: 1));
            output.WriteLine($"max |C# - PyTorch| {r.MaxDifferenceToPyTorch:G3}; held-out loss {r.LossBefore:F5} -> {r.LossAfter:F5}");

            // The committed fixtures: DDP's names, 256 held-out sequences of 48 steps.
            Assert.All(r.LoadedTensors, name => Assert.StartsWith("module.", name, StringComparison.Ordinal));
            Assert.Equal(SignalModel.Tensors.Count, r.LoadedTensors.Count);
            Assert.True(r.HeldOut.Count > 0 && r.HeldOut.Length > 0);

            // The loaded model computes PyTorch's outputs, and so PyTorch's loss.
            Assert.True(r.MaxDifferenceToPyTorch <= Tolerance, $"max |C# - PyTorch| = {r.MaxDifferenceToPyTorch:G9}");
            Assert.InRange(r.LossBefore, r.TorchLoss - 1e-6, r.TorchLoss + 1e-6);

            // Fine-tuning on the device's waves lowers the held-out loss (PyTorch trained on slower ones).
            Assert.True(r.LossAfter < r.LossBefore * 0.5, $"held-out loss {r.LossBefore} -> {r.LossAfter}");

            // The saved file has the bare module's names (what load_state_dict(strict=True) needs), and loads back to the
            // same outputs the program wrote.
            SafeTensorsFile saved = SafeTensorsFile.Read(r.WeightsPath);
            Assert.Equal(SignalModel.Tensors.Select(t => t.Name).Order(StringComparer.Ordinal), saved.Entries.Select(e => e.Name).Order(StringComparer.Ordinal));
            var reloaded = new SignalModel();
            WeightFile.Load(reloaded, r.WeightsPath);
            SafeTensorsFile outputs = SafeTensorsFile.Read(r.OutputsPath);
            Assert.True(outputs.TryGetEntry("outputs", out SafeTensorsEntry? entry));
            Assert.Equal(new long[] { r.HeldOut.Count, r.HeldOut.Length, 1 }, entry.Shape);
            float[] written = new float[entry.ElementCount];
            outputs.ReadSingles(entry, written);
            Assert.Equal(0f, RoundTrip.MaxAbsDifference(RoundTrip.Outputs(reloaded, r.HeldOut), written));
        }

        [Fact]
        public void HeldOutSetWithAMissingTensorIsRefusedNamingIt()
        {
            string path = Path.Combine(_work, RoundTrip.HeldOutFile);
            using (FileStream stream = File.Create(path))
            {
                long[] shape = { 1, 2, 1 };
                SafeTensorsFile.Write(stream, new[] { SafeTensorsTensor.FromSingles("inputs", shape, new float[2]), SafeTensorsTensor.FromSingles("targets", shape, new float[2]) });
            }

            WeightFileException error = Assert.Throws<WeightFileException>(() => HeldOutSet.Load(path));
            Assert.Contains("'outputs'", error.Message, StringComparison.Ordinal);
        }

        [TorchFact]
        public void PythonHalfRoundTripsThroughTorchrunAndEvaluate()
        {
            string python = TorchFactAttribute.Python!;
            string pytorch = Path.Combine(_work, "pytorch");
            string csharp = Path.Combine(_work, "csharp");
            var environment = new Dictionary<string, string?> { ["PYTHONDONTWRITEBYTECODE"] = "1", ["OMP_NUM_THREADS"] = "1" };

            // 1. DDP on two processes (gloo), tiny: 2 epochs of 128 sequences, 16 held-out.
            (int trainExit, string trainOut, string trainError) = ChildProcess.Run(
                python,
                new[]
                {
                    "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2", "--redirects", "2", "--tee", "2",
                    Path.Combine(s_sample, "train_ddp.py"), "--out", pytorch, "--epochs", "2", "--sequences", "128", "--heldout", "16",
                },
                _work,
                environment,
                TimeSpan.FromSeconds(120));
            output.WriteLine(trainOut);
            Assert.True(trainExit == 0, $"train_ddp.py exited with {trainExit}:\n{ChildProcess.Tail(trainOut)}\n{ChildProcess.Tail(trainError)}");
            Assert.Contains("largest difference between the replicas' weights: 0", trainOut, StringComparison.Ordinal);

            // 2. The C# half on what it wrote.
            RoundTripResult r = RoundTrip.Run(pytorch, csharp, new FineTuning(Epochs: 2, Sequences: 128, Seed: 1));
            output.WriteLine($"C#: max |C# - PyTorch| {r.MaxDifferenceToPyTorch:G3}; held-out loss {r.LossBefore:F5} -> {r.LossAfter:F5}");
            Assert.Equal(16, r.HeldOut.Count);
            Assert.True(r.MaxDifferenceToPyTorch <= Tolerance, $"max |C# - PyTorch| = {r.MaxDifferenceToPyTorch:G9}");

            // 3. PyTorch loads the C# file strictly and agrees with C#'s outputs.
            (int evaluateExit, string evaluateOut, string evaluateError) = ChildProcess.Run(
                python,
                new[] { Path.Combine(s_sample, "evaluate.py"), "--fixtures", pytorch, "--csharp", csharp },
                _work,
                environment,
                TimeSpan.FromSeconds(60));
            output.WriteLine(evaluateOut);
            Assert.True(evaluateExit == 0, $"evaluate.py exited with {evaluateExit}:\n{evaluateOut}\n{evaluateError}");
            Assert.Contains("load_state_dict(strict=True)", evaluateOut, StringComparison.Ordinal);
            double difference = Number(evaluateOut, @"max \|PyTorch outputs - C# outputs\| of the fine-tuned model: (\S+) ");
            Assert.True(difference <= Tolerance, $"evaluate.py: max |PyTorch - C#| = {difference}");
            double before = Number(evaluateOut, @"before fine-tuning \(DDP-trained weights\): +(\S+)");
            double after = Number(evaluateOut, @"after fine-tuning in C# \(C#-saved weights\): +(\S+)");
            // PyTorch's losses of the two files are C#'s (printed to 5 decimals), and the C# file's is the lower.
            Assert.InRange(before, r.LossBefore - 1e-5, r.LossBefore + 1e-5);
            Assert.InRange(after, r.LossAfter - 1e-5, r.LossAfter + 1e-5);
            Assert.True(after < before, $"evaluate.py: held-out loss {before} -> {after}");
        }

        private static double Number(string text, string pattern)
        {
            Match match = Regex.Match(text, pattern);
            Assert.True(match.Success, $"no match for {pattern} in:\n{text}");
            return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        }
    }
}
