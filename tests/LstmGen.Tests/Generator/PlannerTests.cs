using System;
using System.Collections.Generic;
using System.Linq;
using LstmGen.CompilerServices;
using LstmGen.Generator;
using LstmGen.Generator.Model;
using Xunit;

namespace LstmGen.Tests.Generator
{
    /// <summary>The planner's schedules cover every unit and gate column exactly once, on every path.</summary>
    public sealed class PlannerTests
    {
        public static IEnumerable<object[]> HiddenSizes() =>
            Enumerable.Range(1, 80).Concat(new[] { 96, 100, 127, 128, 129, 200, 255, 256, 257, 500, 1000, 1023, 1024 })
                .Select(hidden => new object[] { hidden });

        private static ModelSpec Spec(int input, int hidden, int layers = 1, int head = 0) =>
            new(null, EquatableArray<ContainingType>.Empty, "Model", input, hidden, layers, head, OutputActivation.Linear, LossKind.MeanSquaredError);

        [Theory]
        [MemberData(nameof(HiddenSizes))]
        public void PackedColumnsAreAPermutation(int hidden)
        {
            var columns = new HashSet<int>();
            for (int gate = 0; gate < 4; gate++)
            {
                for (int unit = 0; unit < hidden; unit++)
                {
                    int column = GateBlocks.PackedColumn(hidden, Planner.MaxBlockWidth, gate, unit);
                    Assert.InRange(column, 0, (4 * hidden) - 1);
                    Assert.True(columns.Add(column), $"Column {column} is used twice (gate {gate}, unit {unit}).");
                }
            }
        }

        [Theory]
        [MemberData(nameof(HiddenSizes))]
        public void PackedOffsetsKeepEachBlocksRowsTogetherAndCoverTheWeightOnce(int hidden)
        {
            foreach (int rows in new[] { 1, 3, 16, 37 })
            {
                var offsets = new HashSet<int>();
                foreach ((int start, int width) in GateBlocks.Split(hidden, Planner.MaxBlockWidth))
                {
                    for (int row = 0; row < rows; row++)
                    {
                        for (int column = 4 * start; column < 4 * (start + width); column++)
                        {
                            int offset = GateBlocks.PackedOffset(hidden, Planner.MaxBlockWidth, rows, row, column);

                            // A block's rows follow one another, each its 4 * width columns in order, after the blocks before it.
                            Assert.Equal((rows * 4 * start) + (row * 4 * width) + (column - (4 * start)), offset);
                            Assert.True(offsets.Add(offset), $"Offset {offset} is used twice (row {row}, column {column}).");
                        }
                    }
                }

                Assert.Equal(rows * 4 * hidden, offsets.Count);
                Assert.Equal(rows * 4 * hidden, offsets.Max() + 1);
                if (rows == 1)
                {
                    // A bias, one packed row, is laid out as before.
                    Assert.Equal(Enumerable.Range(0, 4 * hidden), offsets.OrderBy(o => o));
                }
            }
        }

        /// <summary>
        /// A group step sums a block's rows in passes of 64 where a layer has more than 160 rows of W_ih and W_hh (float32
        /// weights only), and the generated kernels do so: the layers of i70h100 (170 and 200 rows) and the upper layer of i8h128 (256), not its first (136).
        /// </summary>
        [Theory]
        [InlineData(70, 100, 64, 64)]
        [InlineData(8, 256, 64, 64)]
        [InlineData(8, 128, 0, 64)]
        [InlineData(8, 152, 0, 64)]
        [InlineData(161, 8, 64, 0)]
        public void GroupStepsSumInPassesWhereALayerHasMoreRowsThanL1Holds(int input, int hidden, int firstRows, int upperRows)
        {
            KernelPlan plan = Planner.Plan(Spec(input, hidden, layers: 2));
            Assert.Equal(firstRows, plan.FirstLayer.AgentRowsPerPass(hidden, bfloat16: false));
            Assert.Equal(upperRows, plan.UpperLayer.AgentRowsPerPass(hidden, bfloat16: false));
            Assert.Equal(0, plan.FirstLayer.AgentRowsPerPass(hidden, bfloat16: true));

            string source = GeneratorHarness.Generate($"namespace N {{ [LstmGen.Lstm(InputSize = {input}, HiddenSize = {hidden}, Layers = 2)] public partial class M {{ }} }}");
            Assert.Equal(firstRows > 0 || upperRows > 0, source.Contains("firstRow += 64", System.StringComparison.Ordinal));
        }

        [Theory]
        [InlineData(8, 8, true, true)] // half-width vectors: the projection fills the idle half
        [InlineData(32, 8, true, true)]
        [InlineData(13, 13, true, true)]
        [InlineData(1, 1, true, true)]
        [InlineData(16, 16, false, false)] // 16 to 31 units: a whole step keeps the units busy
        [InlineData(32, 16, false, false)]
        [InlineData(24, 24, false, false)]
        [InlineData(31, 31, false, false)]
        [InlineData(32, 32, true, true)]
        [InlineData(64, 64, true, true)]
        [InlineData(4, 8, false, true)] // an input narrower than the state never projects; the layers above it may
        [InlineData(8, 32, false, true)]
        [InlineData(8, 24, false, false)]
        public void ForwardProjectsWhereTheInputIsAsWideAndTheStateIsNotOf16To31Units(int input, int hidden, bool firstProjects, bool upperProjects)
        {
            KernelPlan plan = Planner.Plan(Spec(input, hidden, layers: 2));
            Assert.Equal(firstProjects, plan.FirstLayer.ProjectsInForward(hidden));

            // The layers above read the layer below, as wide as their state: only the state's size decides.
            Assert.Equal(upperProjects, plan.UpperLayer.ProjectsInForward(hidden));
        }

        [Theory]
        [MemberData(nameof(HiddenSizes))]
        public void TilesCoverEveryGateColumnOnceOnEveryPath(int hidden)
        {
            KernelPlan plan = Planner.Plan(Spec(3, hidden));
            Assert.Equal(4, plan.Paths.Count);
            foreach (PathPlan path in plan.Paths)
            {
                var covered = new int[4 * hidden];
                var unitsCovered = new int[hidden];
                foreach (TileLoop tile in path.Tiles)
                {
                    Assert.InRange(tile.VectorWidth, 1, path.VectorWidth);
                    Assert.True(tile.Accumulators <= Math.Max(Planner.MaxAccumulators(path.Path), 12), $"{path.Path}: {tile.Accumulators} accumulators");
                    for (int outer = 0; outer < tile.OuterCount; outer++)
                    {
                        for (int inner = 0; inner < tile.InnerCount; inner++)
                        {
                            int unitBase = tile.BaseUnit + (outer * tile.OuterUnitStride) + (inner * tile.InnerUnitStride);
                            int columnBase = tile.BaseColumn + (outer * tile.OuterColumnStride) + (inner * tile.InnerColumnStride);
                            foreach (Segment segment in tile.Segments)
                            {
                                for (int lane = 0; lane < tile.VectorWidth; lane++)
                                {
                                    int unit = unitBase + segment.UnitOffset + lane;
                                    unitsCovered[unit]++;
                                    for (int gate = 0; gate < 4; gate++)
                                    {
                                        int column = columnBase + segment.ColumnOffset + (gate * tile.GateStride) + lane;
                                        covered[column]++;

                                        // The tile's column for (gate, unit) is the packed layout's.
                                        Assert.Equal(GateBlocks.PackedColumn(hidden, Planner.MaxBlockWidth, gate, unit), column);
                                    }
                                }
                            }
                        }
                    }
                }

                Assert.All(unitsCovered, count => Assert.Equal(1, count));
                Assert.All(covered, count => Assert.Equal(1, count));
            }
        }

        [Fact]
        public void ParameterLayoutFollowsPyTorchOrder()
        {
            KernelPlan plan = Planner.Plan(Spec(5, 7, layers: 3, head: 2));
            string[] expected =
            {
                "lstm.weight_ih_l0", "lstm.weight_hh_l0", "lstm.bias_ih_l0", "lstm.bias_hh_l0",
                "lstm.weight_ih_l1", "lstm.weight_hh_l1", "lstm.bias_ih_l1", "lstm.bias_hh_l1",
                "lstm.weight_ih_l2", "lstm.weight_hh_l2", "lstm.bias_ih_l2", "lstm.bias_hh_l2",
                "head.weight", "head.bias",
            };
            Assert.Equal(expected, plan.Tensors.Select(tensor => tensor.Name));
            Assert.Equal(new[] { 28, 5 }, plan.Tensors[0].Shape);
            Assert.Equal(new[] { 28, 7 }, plan.Tensors[4].Shape);
            Assert.Equal(new[] { 2, 7 }, plan.Tensors[12].Shape);

            // Contiguous, and as large as PyTorch's parameter count.
            int offset = 0;
            foreach (TensorPlan tensor in plan.Tensors)
            {
                Assert.Equal(offset, tensor.Offset);
                offset += tensor.Length;
            }

            int pytorchCount = (4 * 7 * (5 + 7 + 2)) + (2 * 4 * 7 * (7 + 7 + 2)) + (2 * 7) + 2;
            Assert.Equal(pytorchCount, plan.ParameterCount);
            Assert.Equal(offset, plan.ParameterCount);
            Assert.Equal(plan.Tensors[12].Offset, plan.HeadOffset);
            Assert.Equal(plan.FirstLayerParameterCount, plan.Tensors[4].Offset);
            Assert.Equal(plan.FirstLayerParameterCount + plan.UpperLayerParameterCount, plan.Tensors[8].Offset);
        }

        [Fact]
        public void OneKernelServesEveryLayerWhenInputAndHiddenSizesAgree()
        {
            Assert.Single(Planner.Plan(Spec(16, 16, layers: 4)).LayerKernels);
            Assert.Equal(2, Planner.Plan(Spec(8, 16, layers: 4)).LayerKernels.Count);
            Assert.Single(Planner.Plan(Spec(8, 16, layers: 1)).LayerKernels);
        }

        [Fact]
        public void PlansAreValueEqual()
        {
            // The incremental pipeline compares plans: equal specs must give equal plans.
            Assert.Equal(Planner.Plan(Spec(8, 37, layers: 2, head: 3)), Planner.Plan(Spec(8, 37, layers: 2, head: 3)));
            Assert.NotEqual(Planner.Plan(Spec(8, 37)), Planner.Plan(Spec(8, 38)));
        }
    }
}
