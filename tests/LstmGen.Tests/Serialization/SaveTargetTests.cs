using System;
using System.Diagnostics;
using System.IO;
using LstmGen.Serialization;
using LstmGen.Tests.Reference;
using LstmGen.Training;
using Xunit;
using static LstmGen.Tests.Serialization.ModelAssert;

namespace LstmGen.Tests.Serialization
{
    /// <summary>
    /// What <see cref="WeightFile.Save(ILstmModel, string)"/> does to the path it is given: links followed,
    /// permissions kept, read-only files and what is not a regular file refused, atomically still.
    /// </summary>
    public sealed class SaveTargetTests
    {
        private static bool IsUnix => !OperatingSystem.IsWindows();

        private static void Run(string command, params string[] arguments)
        {
            using Process process = Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardError = true })!;
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"{command} {string.Join(' ', arguments)}: {process.StandardError.ReadToEnd()}");
        }

        [Fact]
        public void FollowsASymbolicLinkAndKeepsTheLink()
        {
            using var directory = new TemporaryDirectory();
            string real = directory.File("real.safetensors");
            File.WriteAllBytes(real, new byte[] { 1, 2, 3 });
            string link = directory.File("link.safetensors");
            File.CreateSymbolicLink(link, "real.safetensors");
            string chain = directory.File("chain.safetensors");
            File.CreateSymbolicLink(chain, link);

            var model = new TinyModel(seed: 1);
            WeightFile.Save(model, chain);
            Assert.Equal("real.safetensors", new FileInfo(link).LinkTarget);
            Assert.Equal(link, new FileInfo(chain).LinkTarget);
            var loaded = new TinyModel(seed: 2);
            WeightFile.Load(loaded, real);
            SameWeights(model, loaded);
            Assert.Equal(new[] { "chain.safetensors", "link.safetensors", "real.safetensors" }, Sorted(directory.Entries()));

            // A dangling link creates the file it names.
            string dangling = directory.File("dangling.safetensors");
            File.CreateSymbolicLink(dangling, "later.safetensors");
            WeightFile.SaveCheckpoint(model, new Adam().GetState(), dangling);
            Assert.NotNull(new FileInfo(dangling).LinkTarget);
            Assert.True(File.Exists(directory.File("later.safetensors")));
        }

        [Fact]
        public void KeepsTheUnixPermissionsOfTheFileItReplaces()
        {
            if (OperatingSystem.IsWindows())
            {
                return;
            }

            using var directory = new TemporaryDirectory();
            string path = directory.File("private.safetensors");
            File.WriteAllBytes(path, new byte[] { 1 });
            UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
            File.SetUnixFileMode(path, mode);
            WeightFile.Save(new TinyModel(seed: 1), path);
            Assert.Equal(mode, File.GetUnixFileMode(path));

            UnixFileMode executable = mode | UnixFileMode.UserExecute | UnixFileMode.OtherRead;
            File.SetUnixFileMode(path, executable);
            WeightFile.Save(new TinyModel(seed: 2), path);
            Assert.Equal(executable, File.GetUnixFileMode(path));
        }

        [Fact]
        public void RefusesAReadOnlyFileAsWriteAllBytesWouldAndLeavesIt()
        {
            using var directory = new TemporaryDirectory();
            string path = directory.File("frozen.safetensors");
            File.WriteAllBytes(path, new byte[] { 7, 7, 7 });
            File.SetAttributes(path, FileAttributes.ReadOnly);
            try
            {
                Assert.Throws<UnauthorizedAccessException>(() => WeightFile.Save(new TinyModel(seed: 1), path));
                Assert.Throws<UnauthorizedAccessException>(() => WeightFile.SaveCheckpoint(new TinyModel(seed: 1), new Sgd(0.1f).GetState(), path));
                Assert.Equal(new byte[] { 7, 7, 7 }, File.ReadAllBytes(path));
                Assert.Equal(new[] { "frozen.safetensors" }, directory.Entries());
            }
            finally
            {
                File.SetAttributes(path, FileAttributes.Normal);
            }
        }

        [Fact]
        public void RefusesADirectoryANamedPipeAndADeviceWithoutReplacingThem()
        {
            using var directory = new TemporaryDirectory();
            var model = new TinyModel(seed: 1);
            string folder = directory.File("folder.safetensors");
            Directory.CreateDirectory(folder);
            Assert.Throws<IOException>(() => WeightFile.Save(model, folder));
            Assert.True(Directory.Exists(folder));
            if (!IsUnix)
            {
                return;
            }

            string pipe = directory.File("pipe.safetensors");
            Run("mkfifo", pipe);
            IOException exception = Assert.Throws<IOException>(() => WeightFile.Save(model, pipe));
            Assert.Contains("named pipe", exception.Message, StringComparison.Ordinal);
            string link = directory.File("to-pipe.safetensors");
            File.CreateSymbolicLink(link, pipe);
            Assert.Throws<IOException>(() => WeightFile.Save(model, link));

            // A character device of the null kind, made in the test's own directory when allowed (root).
            string device = directory.File("null.safetensors");
            using Process? mknod = Process.Start(new ProcessStartInfo("mknod", new[] { device, "c", "1", "3" }) { RedirectStandardError = true });
            mknod!.WaitForExit();
            if (mknod.ExitCode == 0)
            {
                exception = Assert.Throws<IOException>(() => WeightFile.Save(model, device));
                Assert.Contains("character device", exception.Message, StringComparison.Ordinal);
                Assert.Equal(0, new FileInfo(device).Length);
            }

            // Nothing was replaced: the pipe is still one (a file would have the model's bytes), no temporary file is left.
            Assert.Equal(0, new FileInfo(pipe).Length);
            Assert.Equal(mknod.ExitCode == 0 ? 4 : 3, directory.Entries().Length);
        }

        private static string[] Sorted(string[] names)
        {
            Array.Sort(names, StringComparer.Ordinal);
            return names;
        }
    }
}
