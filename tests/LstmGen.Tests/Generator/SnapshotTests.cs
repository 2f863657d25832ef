using Xunit;

namespace LstmGen.Tests.Generator
{
    /// <summary>The generated source of representative shapes, compared with the committed snapshots.</summary>
    public sealed class SnapshotTests
    {
        [Theory]
        [InlineData("Tiny", "[Lstm(InputSize = 3, HiddenSize = 4, OutputSize = 2)]")]
        [InlineData("OddSizes", "[Lstm(InputSize = 5, HiddenSize = 13, OutputSize = 3)]")]
        [InlineData("Stacked", "[Lstm(InputSize = 8, HiddenSize = 32, Layers = 2, OutputSize = 4)]")]
        [InlineData("NoHead", "[Lstm(InputSize = 6, HiddenSize = 16)]")]
        [InlineData("SoftmaxHead", "[Lstm(InputSize = 12, HiddenSize = 24, OutputSize = 6, OutputActivation = Activation.Softmax, Loss = LossFunction.CrossEntropy)]")]
        [InlineData("DeepSquare", "[Lstm(InputSize = 64, HiddenSize = 64, Layers = 3, OutputSize = 1, OutputActivation = Activation.Sigmoid)]")]
        [InlineData("NarrowProjected", "[Lstm(InputSize = 6, HiddenSize = 5, OutputSize = 1)]")]
        [InlineData("BFloat16Stacked", "[Lstm(InputSize = 8, HiddenSize = 32, Layers = 2, OutputSize = 4, WeightPrecision = WeightPrecision.BFloat16)]")]
        [InlineData("GruTiny", "[Gru(InputSize = 3, HiddenSize = 5, OutputSize = 2)]")]
        [InlineData("GruStacked", "[Gru(InputSize = 8, HiddenSize = 33, Layers = 2, OutputSize = 4, OutputActivation = Activation.Softmax, Loss = LossFunction.CrossEntropy)]")]
        [InlineData("GruOddSizes", "[Gru(InputSize = 5, HiddenSize = 13)]")]
        [InlineData("StackedDropout", "[Lstm(InputSize = 3, HiddenSize = 4, Layers = 2, OutputSize = 2, Dropout = 0.25)]")]
        [InlineData("Projected", "[Lstm(InputSize = 4, HiddenSize = 7, Layers = 2, OutputSize = 2, ProjectionSize = 3)]")]
        [InlineData("BidirectionalStacked", "[Lstm(InputSize = 3, HiddenSize = 5, Layers = 2, OutputSize = 2, Bidirectional = true)]")]
        [InlineData("BidirectionalGruNoHead", "[Gru(InputSize = 4, HiddenSize = 17, Bidirectional = true)]")]
        [InlineData("BFloat16Projected", "[Lstm(InputSize = 4, HiddenSize = 7, Layers = 2, OutputSize = 2, ProjectionSize = 3, WeightPrecision = WeightPrecision.BFloat16)]")]
        [InlineData("BidirectionalProjected", "[Lstm(InputSize = 5, HiddenSize = 7, Layers = 2, ProjectionSize = 3, OutputSize = 2, Bidirectional = true)]")]
        public void GeneratedSourceMatchesSnapshot(string name, string attribute)
        {
            string source = $$"""
                using LstmGen;

                namespace Snapshots
                {
                    {{attribute}}
                    public partial class {{name}}Model
                    {
                    }
                }
                """;
            Snapshot.Verify(GeneratorHarness.Generate(source), name);
        }

        [Fact]
        public void NestedClassInGlobalNamespaceIsGenerated()
        {
            const string source = """
                using LstmGen;

                public partial class Outer
                {
                    internal partial struct Inner
                    {
                        [Lstm(InputSize = 2, HiddenSize = 5)]
                        private partial class Model
                        {
                        }
                    }
                }
                """;
            string generated = GeneratorHarness.Generate(source);
            Assert.Contains("partial class Outer", generated);
            Assert.Contains("partial struct Inner", generated);
            Assert.DoesNotContain("namespace", generated);
        }
    }
}
