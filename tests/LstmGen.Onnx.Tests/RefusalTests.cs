using System;
using System.IO;
using System.Linq;
using Xunit;

namespace LstmGen.Onnx.Tests
{
    /// <summary>What the exporter refuses, with a message that names it, and the file it leaves alone.</summary>
    public sealed class RefusalTests
    {
        [Fact]
        public void AMissingTensorIsNamed()
        {
            var model = new AlteredModel(new SigmoidHead(seed: 1), tensors: SigmoidHead.Tensors.Where(t => t.Name != "lstm.bias_hh_l1").ToArray());

            ArgumentException error = Assert.Throws<ArgumentException>("model", () => OnnxExport.ToBytes(model));

            Assert.StartsWith("The model has no tensor 'lstm.bias_hh_l1', which an LSTM of 2 layer(s) with a head has. Its tensors: lstm.weight_ih_l0, ", error.Message);
        }

        [Fact]
        public void AModelWithProjectionsIsRefusedNamingTheProjection()
        {
            // ONNX's LSTM operator has no projection (PyTorch's proj_size): no file is written.
            NotSupportedException error = Assert.Throws<NotSupportedException>(() => OnnxExport.ToBytes(new Projected(seed: 1)));
            Assert.Contains("'lstm.weight_hr_l0' [3, 7]", error.Message, StringComparison.Ordinal);
            Assert.Contains("ONNX's LSTM operator does not have", error.Message, StringComparison.Ordinal);

            string path = Path.Combine(Path.GetTempPath(), "lstmgen-projected-" + Guid.NewGuid().ToString("N") + ".onnx");
            Assert.Throws<NotSupportedException>(() => OnnxExport.Export(new Projected(seed: 1), path));
            Assert.False(File.Exists(path));
        }

        [Fact]
        public void ABidirectionalModelWithProjectionsIsRefusedNamingTheProjection()
        {
            // ONNX's LSTM operator with direction "bidirectional" has no projection either: no bytes, no file.
            NotSupportedException error = Assert.Throws<NotSupportedException>(() => OnnxExport.ToBytes(new BidirectionalProjected(seed: 1)));
            Assert.Contains("'lstm.weight_hr_l0' [3, 7]", error.Message, StringComparison.Ordinal);
            Assert.Contains("ONNX's LSTM operator does not have", error.Message, StringComparison.Ordinal);
            Assert.Contains(nameof(BidirectionalProjected), error.Message, StringComparison.Ordinal);

            string path = Path.Combine(Path.GetTempPath(), "lstmgen-biprojected-" + Guid.NewGuid().ToString("N") + ".onnx");
            Assert.Throws<NotSupportedException>(() => OnnxExport.Export(new BidirectionalProjected(seed: 1), path));
            Assert.False(File.Exists(path));
            Assert.Throws<NotSupportedException>(() => OnnxExport.Export(new BidirectionalProjected(seed: 1), new MemoryStream()));
        }

                [Fact]
        public void AMissingGruTensorIsNamedAsAGrus()
        {
            var model = new AlteredModel(new GruStackedNoHead(seed: 1), tensors: GruStackedNoHead.Tensors.Where(t => t.Name != "gru.weight_hh_l2").ToArray());

            ArgumentException error = Assert.Throws<ArgumentException>("model", () => OnnxExport.ToBytes(model));

            Assert.StartsWith("The model has no tensor 'gru.weight_hh_l2', which a GRU of 3 layer(s) has. Its tensors: gru.weight_ih_l0, ", error.Message);
        }

        [Fact]
        public void AGruTensorOfAnotherShapeIsNamedWithBothShapes()
        {
            // An LSTM's [4H, in] where a GRU has [3H, in].
            TensorInfo[] tensors = GruLayer.Tensors
                .Select(t => t.Name == "gru.weight_ih_l0" ? new TensorInfo(t.Name, new[] { 20, 3 }, t.Offset) : t)
                .ToArray();
            var model = new AlteredModel(new GruLayer(seed: 1), tensors);

            ArgumentException error = Assert.Throws<ArgumentException>("model", () => OnnxExport.ToBytes(model));

            Assert.StartsWith("The model's tensor 'gru.weight_ih_l0' is [20, 3], but its sizes (InputSize 3, HiddenSize 5, OutputSize 2) make it [15, 3].", error.Message);
        }

        [Fact]
        public void ATensorOfAnotherShapeIsNamedWithBothShapes()
        {
            TensorInfo[] tensors = SigmoidHead.Tensors
                .Select(t => t.Name == "head.weight" ? new TensorInfo(t.Name, new[] { 13, 3 }, t.Offset) : t)
                .ToArray();
            var model = new AlteredModel(new SigmoidHead(seed: 1), tensors);

            ArgumentException error = Assert.Throws<ArgumentException>("model", () => OnnxExport.ToBytes(model));

            Assert.StartsWith("The model's tensor 'head.weight' is [13, 3], but its sizes (InputSize 6, HiddenSize 13, OutputSize 3) make it [3, 13].", error.Message);
        }

        [Fact]
        public void AnUnknownOutputActivationIsRefused()
        {
            var model = new AlteredModel(new OneLayer(seed: 1), outputActivation: (Activation)42);

            ArgumentException error = Assert.Throws<ArgumentException>("model", () => OnnxExport.ToBytes(model));

            Assert.StartsWith("The model's output activation 42 has no ONNX operator here.", error.Message);
        }

        [Fact]
        public void AModelTooLargeForOneProtobufMessageIsRefused()
        {
            // 16 layers of 2,100 units (only a hand-written model; the attribute allows 1,024): 4 x 2100 x (4 + 2100 + 2)
            // + 15 x 4 x 2100 x (2 x 2100 + 2) = 547,142,400 weights, 2,188,569,600 bytes, over 2 GiB less the margin.
            var tooLarge = new AlteredModel(new Deep(seed: 1), hiddenSize: 2100);

            ArgumentException error = Assert.Throws<ArgumentException>("model", () => OnnxExport.ToBytes(tooLarge));

            Assert.StartsWith("The model's sizes (InputSize 4, HiddenSize 2100, Layers 16, OutputSize 4) make 547142400 weights, 2188569600 bytes: more than one ONNX file holds without external data (2 GiB)", error.Message);

            // 2,000 units: 496,288,000 weights, 1,985,152,000 bytes, would fit; refused for its tensors instead.
            error = Assert.Throws<ArgumentException>("model", () => OnnxExport.ToBytes(new AlteredModel(new Deep(seed: 1), hiddenSize: 2000)));
            Assert.StartsWith("The model's tensor 'lstm.weight_ih_l0' is [16, 4], but its sizes (InputSize 4, HiddenSize 2000, OutputSize 4) make it [8000, 4].", error.Message);
        }

        [Fact]
        public void ARefusedModelLeavesTheFileAsItWas()
        {
            var model = new AlteredModel(new OneLayer(seed: 1), tensors: OneLayer.Tensors.Take(3).ToArray());
            using var directory = new TemporaryDirectory();
            string path = directory.File("model.onnx");
            File.WriteAllText(path, "the previous model");

            Assert.Throws<ArgumentException>("model", () => OnnxExport.Export(model, path));

            Assert.Equal("the previous model", File.ReadAllText(path));
            Assert.Equal(new[] { "model.onnx" }, directory.Files());
        }

        [Fact]
        public void ADirectoryAtThePathIsRefusedBeforeAnythingIsWritten()
        {
            var model = new OneLayer(seed: 1);
            using var directory = new TemporaryDirectory();

            // A directory where the file should be: refused before anything is written.
            string path = directory.File("model.onnx");
            Directory.CreateDirectory(path);

            IOException error = Assert.Throws<IOException>(() => OnnxExport.Export(model, path));

            Assert.Contains("it is a directory", error.Message);
            Assert.Empty(directory.Files());
        }

        [Fact]
        public void NullsAndAReadOnlyStreamAreRefused()
        {
            var model = new OneLayer(seed: 1);

            Assert.Throws<ArgumentNullException>("model", () => OnnxExport.ToBytes(null!));
            Assert.Throws<ArgumentNullException>("model", () => OnnxExport.Export(null!, new MemoryStream()));
            Assert.Throws<ArgumentNullException>("stream", () => OnnxExport.Export(model, (Stream)null!));
            Assert.Throws<ArgumentNullException>("path", () => OnnxExport.Export(model, (string)null!));
            Assert.Throws<ArgumentException>("path", () => OnnxExport.Export(model, string.Empty));
            ArgumentException readOnly = Assert.Throws<ArgumentException>("stream", () => OnnxExport.Export(model, new MemoryStream(new byte[16], writable: false)));
            Assert.StartsWith("The stream cannot be written.", readOnly.Message);
        }
    }

    [Lstm(InputSize = 4, HiddenSize = 4, Layers = 16)]
    public partial class Deep { }
}
