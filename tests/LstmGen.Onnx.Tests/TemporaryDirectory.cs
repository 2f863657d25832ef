using System;
using System.IO;

namespace LstmGen.Onnx.Tests
{
    /// <summary>A directory of its own under the temporary directory, deleted afterwards.</summary>
    internal sealed class TemporaryDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("lstmgen-onnx-").FullName;

        public string File(string name) => System.IO.Path.Combine(Path, name);

        public string[] Files() => Array.ConvertAll(Directory.GetFiles(Path), file => System.IO.Path.GetFileName(file));

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
