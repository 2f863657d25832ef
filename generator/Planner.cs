using System;
using System.Collections.Generic;
using System.Linq;
using LstmGen.CompilerServices;
using LstmGen.Generator.Model;

namespace LstmGen.Generator
{
    /// <summary>
    /// Turns a <see cref="ModelSpec"/> into a <see cref="KernelPlan"/>: the parameter layout,
    /// the distinct layer kernels, and for every code path the tiles that cover the hidden units.
    /// Pure: no Roslyn types, testable on its own.
    /// </summary>
    internal static class Planner
    {
        /// <summary>The widest block of the packed gate layout: one Vector512 of floats.</summary>
        public const int MaxBlockWidth = 16;

        /// <summary>
        /// Accumulators a tile keeps in registers: 4 gates for 4 segments with AVX-512's 32 vector
        /// registers, 4 gates for 2 segments with the 16 registers of AVX2, SSE and NEON (and for
        /// scalar code), leaving room for the broadcast inputs and the loaded weights.
        /// </summary>
        public static int MaxAccumulators(KernelPath path) => path == KernelPath.Vector512 ? 16 : 8;

        public static int VectorWidth(KernelPath path) => path switch
        {
            KernelPath.Vector512 => 16,
            KernelPath.Vector256 => 8,
            KernelPath.Vector128 => 4,
            _ => 1,
        };

        /// <summary>
        /// How many inputs one iteration of the accumulation loop consumes: enough loads and FMAs
        /// per iteration to hide the loop's overhead, few enough to keep the body in registers.
        /// </summary>
        public static int InputUnroll(int accumulators) => accumulators >= 16 ? 2 : 4;

        /// <summary>
        /// The vectors of agents a group step's tile sums at once: two, so that each weight broadcast serves two
        /// vectors of agents (32 with AVX-512) and each input loaded serves every gate of the tile's units. On the AMD
        /// EPYC of RESULTS.md, a scratch loop of hidden 64 to 256 sums 10-15 % faster with two vectors of one or two units
        /// than with one vector of two or four (and four vectors of one unit, 10 % slower than one vector).
        /// </summary>
        public static int AgentVectors(KernelPath path) => path == KernelPath.Scalar ? 0 : 2;

        public static KernelPlan Plan(ModelSpec spec)
        {
            int hidden = spec.HiddenSize;
            RecurrentCell cell = RecurrentCell.For(spec.Cell);
            int gateRow = cell.GateCount * hidden;

            // The layers above the first read the layer below's output: one kernel serves every layer when the input is as wide.
            int upperInputs = spec.LayerInputWidth(1);
            var first = new LayerKernel(spec.InputSize == upperInputs ? "Layer" : "FirstLayer", spec.InputSize, IsFirst: true, IsUpper: spec.InputSize == upperInputs && spec.Layers > 1);
            var kernels = new List<LayerKernel> { first };
            if (spec.Layers > 1 && spec.InputSize != upperInputs)
            {
                kernels.Add(new LayerKernel("UpperLayer", upperInputs, IsFirst: false, IsUpper: true));
            }

            int projection = spec.HasProjection ? spec.ProjectionSize : 0;
            int firstCount = first.ParameterCount(hidden, cell.GateCount, projection);
            int upperCount = kernels[kernels.Count - 1].IsUpper ? kernels[kernels.Count - 1].ParameterCount(hidden, cell.GateCount, projection) : 0;

            var tensors = new List<TensorPlan>();
            int offset = 0;
            for (int layer = 0; layer < spec.Layers; layer++)
            {
                // PyTorch's order: a layer's forward direction, then its reverse direction (the tensors named *_reverse).
                int inputs = spec.LayerInputWidth(layer);
                for (int direction = 0; direction < spec.Directions; direction++)
                {
                    string suffix = layer.ToString(System.Globalization.CultureInfo.InvariantCulture) + (direction == 0 ? string.Empty : "_reverse");
                    Add($"{cell.TensorPrefix}.weight_ih_l{suffix}", TensorKind.GateWeight, gateRow, inputs);
                    Add($"{cell.TensorPrefix}.weight_hh_l{suffix}", TensorKind.GateWeight, gateRow, spec.RecurrentWidth);
                    Add($"{cell.TensorPrefix}.bias_ih_l{suffix}", TensorKind.GateBias, gateRow);
                    Add($"{cell.TensorPrefix}.bias_hh_l{suffix}", TensorKind.GateBias, gateRow);
                    if (spec.HasProjection)
                    {
                        Add($"{cell.TensorPrefix}.weight_hr_l{suffix}", TensorKind.Projection, spec.ProjectionSize, hidden);
                    }
                }
            }

            int headOffset = offset;
            if (spec.HasHead)
            {
                Add("head.weight", TensorKind.Head, spec.HeadSize, spec.LayerOutputWidth);
                Add("head.bias", TensorKind.Head, spec.HeadSize);
            }

            var blocks = GateBlocks.Split(hidden, MaxBlockWidth);
            var paths = new[] { KernelPath.Vector512, KernelPath.Vector256, KernelPath.Vector128, KernelPath.Scalar }
                .Select(path => new PathPlan(
                    path,
                    VectorWidth(path),
                    PlanTiles(path, blocks, MaxAccumulators(path) / cell.Accumulators.Count, cell).ToEquatableArray(),
                    PlanTiles(path, blocks, maxSegments: 1, cell).ToEquatableArray(),
                    path == KernelPath.Scalar ? EquatableArray<TileLoop>.Empty : PlanTiles(KernelPath.Scalar, blocks, MaxAccumulators(path) / (cell.Accumulators.Count * AgentVectors(path)), cell, AgentVectors(path)).ToEquatableArray(),
                    path == KernelPath.Scalar ? EquatableArray<TileLoop>.Empty : PlanTiles(KernelPath.Scalar, blocks, maxSegments: 1, cell).ToEquatableArray(),
                    AgentVectors(path)))
                .ToEquatableArray();

            return new KernelPlan(spec, MaxBlockWidth, tensors.ToEquatableArray(), kernels.ToEquatableArray(), paths, firstCount, upperCount, headOffset, offset);

            void Add(string name, TensorKind kind, params int[] shape)
            {
                int length = shape.Aggregate(1, (product, dimension) => checked(product * dimension));
                tensors.Add(new TensorPlan(name, shape.ToEquatableArray(), offset, length, kind));
                offset = checked(offset + length);
            }
        }

        /// <summary>
        /// Covers the blocks of the packed layout with tiles for one path. Consecutive blocks of one
        /// width form a run; a run is split into segments of the path's vector width (one lane for the
        /// last block of fewer than 4 units and for scalar code), and the segments into tiles of at
        /// most <paramref name="maxSegments"/> segments, looped over when they repeat. The gate sums use
        /// tiles of <see cref="MaxAccumulators"/> / 4 segments; the activations, tiles of one segment. A group step's
        /// tile keeps the accumulators of <paramref name="agentVectors"/> vectors of agents for each segment.
        /// </summary>
        public static List<TileLoop> PlanTiles(KernelPath path, IReadOnlyList<(int Start, int Width)> blocks, int maxSegments, RecurrentCell? cell = null, int agentVectors = 1)
        {
            cell ??= LstmCell.Instance;
            int gates = cell.GateCount;
            var tiles = new List<TileLoop>();
            foreach ((int start, int width, int count) in GateBlocks.Runs(blocks))
            {
                bool vectorBlock = width >= GateBlocks.MinimumVectorWidth;
                int vectorWidth = vectorBlock ? Math.Min(width, VectorWidth(path)) : 1;
                int segmentsPerBlock = width / vectorWidth;

                if (!vectorBlock)
                {
                    // The last block (1 to 3 units) is one tile of single-lane segments.
                    tiles.Add(Tile(cell, agentVectors, vectorWidth, width, Enumerable.Range(0, width).Select(j => new Segment(j, j)), start, 1, 0, 0, 1, 0, 0));
                }
                else if (segmentsPerBlock <= maxSegments)
                {
                    // A tile holds one or more whole blocks.
                    int blocksPerTile = Math.Min(count, maxSegments / segmentsPerBlock);
                    int repeats = count / blocksPerTile;
                    tiles.Add(WholeBlocks(blocksPerTile, repeats, start));
                    int leftover = count - (repeats * blocksPerTile);
                    if (leftover > 0)
                    {
                        tiles.Add(WholeBlocks(leftover, 1, start + (repeats * blocksPerTile * width)));
                    }
                }
                else
                {
                    // A block holds several tiles: loop over blocks, and over the tiles of a block.
                    int segmentsPerTile = maxSegments;
                    int tileUnits = segmentsPerTile * vectorWidth;
                    var segments = Enumerable.Range(0, segmentsPerTile).Select(j => new Segment(j * vectorWidth, j * vectorWidth));
                    tiles.Add(Tile(cell, agentVectors, vectorWidth, width, segments, start, count, width, gates * width, segmentsPerBlock / segmentsPerTile, tileUnits, tileUnits));
                }

                TileLoop WholeBlocks(int blocksPerTile, int repeats, int firstUnit)
                {
                    var segments = new List<Segment>();
                    for (int block = 0; block < blocksPerTile; block++)
                    {
                        for (int j = 0; j < segmentsPerBlock; j++)
                        {
                            segments.Add(new Segment((block * width) + (j * vectorWidth), (block * gates * width) + (j * vectorWidth)));
                        }
                    }

                    return Tile(cell, agentVectors, vectorWidth, width, segments, firstUnit, repeats, blocksPerTile * width, blocksPerTile * gates * width, 1, 0, 0);
                }
            }

            return tiles;
        }

        private static TileLoop Tile(RecurrentCell cell, int agentVectors, int vectorWidth, int gateStride, IEnumerable<Segment> segments, int baseUnit, int outerCount, int outerUnitStride, int outerColumnStride, int innerCount, int innerUnitStride, int innerColumnStride)
        {
            EquatableArray<Segment> list = segments.ToEquatableArray();
            int accumulators = cell.Accumulators.Count;
            return new TileLoop(vectorWidth, gateStride, list, baseUnit, cell.GateCount * baseUnit, outerCount, outerUnitStride, outerColumnStride, innerCount, innerUnitStride, innerColumnStride, InputUnroll(accumulators * list.Count * agentVectors), accumulators);
        }
    }
}
