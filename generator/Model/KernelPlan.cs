using System.Linq;

namespace LstmGen.Generator.Model
{
    /// <summary>A vectorised code path of the generated model, chosen by the JIT at run time.</summary>
    internal enum KernelPath
    {
        Vector512,
        Vector256,
        Vector128,
        Scalar,
    }

    /// <summary>What a tensor is, which decides how it is kept in the parameter vector.</summary>
    internal enum TensorKind
    {
        /// <summary>An LSTM weight [4H, columns], kept transposed in packed gate rows.</summary>
        GateWeight,

        /// <summary>An LSTM bias [4H], kept as one packed gate row.</summary>
        GateBias,

        /// <summary>An LSTM layer's projection W_hr [P, H] (PyTorch's <c>weight_hr_l{k}</c>), kept as PyTorch has it.</summary>
        Projection,

        /// <summary>The head's weight [O, H] or bias [O], kept as PyTorch has it.</summary>
        Head,
    }

    /// <summary>One tensor of the model and where it sits in the parameter vector.</summary>
    internal sealed record TensorPlan(string Name, EquatableArray<int> Shape, int Offset, int Length, TensorKind Kind);

    /// <summary>
    /// A group of hidden units processed together: the cell's accumulators (an LSTM's gates i, f, g, o) of
    /// <see cref="TileLoop.VectorWidth"/> lanes, at a unit and column offset from the tile's base.
    /// Gate g of the segment sits at column <c>ColumnOffset + g * GateStride</c>.
    /// </summary>
    internal sealed record Segment(int UnitOffset, int ColumnOffset);

    /// <summary>
    /// A tile of segments whose gate sums are accumulated in registers over every input, then
    /// turned into new cell and hidden values; repeated over blocks (outer loop) and, when a
    /// block holds more segments than a tile, over parts of a block (inner loop).
    /// </summary>
    internal sealed record TileLoop(
        int VectorWidth,
        int GateStride,
        EquatableArray<Segment> Segments,
        int BaseUnit,
        int BaseColumn,
        int OuterCount,
        int OuterUnitStride,
        int OuterColumnStride,
        int InnerCount,
        int InnerUnitStride,
        int InnerColumnStride,
        int InputUnroll,
        int SegmentAccumulators)
    {
        public int Accumulators => SegmentAccumulators * Segments.Count;

        public int UnitsCovered => Segments.Count * VectorWidth * OuterCount * InnerCount;
    }

    /// <summary>
    /// How one code path covers the hidden units of a layer: <see cref="Tiles"/> sum the gates in
    /// registers; <see cref="ActivationTiles"/>, one segment each, turn the sums into gates and states
    /// in loops whose bodies stay small (the activations are long once inlined). For a group of agents
    /// stepped together, one agent per lane, <see cref="AgentTiles"/> and <see cref="AgentActivationTiles"/>
    /// cover the units one position at a time (each position <see cref="AgentVectors"/> vectors of agents, so that
    /// every weight broadcast serves them all); the scalar path steps agents one by one and has none.
    /// </summary>
    internal sealed record PathPlan(
        KernelPath Path,
        int VectorWidth,
        EquatableArray<TileLoop> Tiles,
        EquatableArray<TileLoop> ActivationTiles,
        EquatableArray<TileLoop> AgentTiles,
        EquatableArray<TileLoop> AgentActivationTiles,
        int AgentVectors)
    {
        /// <summary>The agents of a group: one per lane of each of its <see cref="AgentVectors"/> vectors (0 on the scalar path).</summary>
        public int AgentsPerGroup => VectorWidth * AgentVectors;

        /// <summary>
        /// Rows a backward helper takes at once: enough independent dot products to hide the latency of the
        /// FMA chains, few enough that their lanes stay in the registers of the path.
        /// </summary>
        public int BackwardRows => Path switch
        {
            KernelPath.Vector512 => 4,
            KernelPath.Scalar => 1,
            _ => 2,
        };

        /// <summary>Independent accumulation chains of a weight's gradient (vectors of columns in flight; one on the scalar path).</summary>
        public int WeightGradientChains => VectorWidth == 1 ? 1 : 8;
    }

    /// <summary>
    /// A distinct layer shape: the first layer reads <c>InputSize</c> inputs, the layers above it
    /// read <c>HiddenSize</c>; when the two are equal one kernel serves every layer.
    /// </summary>
    internal sealed record LayerKernel(string Name, int InputCount, bool IsFirst, bool IsUpper)
    {
        /// <summary>
        /// Floats of one layer: packed W_ih [in][GH], W_hh [R][GH], b_ih [GH], b_hh [GH] for G gates and a recurrent width R
        /// (HiddenSize, or the projection's size); then, with a projection of P = R values, W_hr [P, H] as PyTorch has it.
        /// </summary>
        public int ParameterCount(int hiddenSize, int gateCount, int projectionSize = 0) =>
            ((InputCount + (projectionSize > 0 ? projectionSize : hiddenSize) + 2) * gateCount * hiddenSize) + (projectionSize * hiddenSize);

        /// <summary>
        /// Whether Forward computes the input part of a chunk's gate sums first, as one matrix product (several
        /// steps per pass over W_ih): where the input is at least as wide as the state, unless the state has 16 to
        /// 31 units (<see cref="IsWholeStepState"/>).
        /// </summary>
        public bool ProjectsInForward(int hiddenSize) => InputCount >= hiddenSize && !IsWholeStepState(hiddenSize);

        /// <summary>
        /// A state of <see cref="MinWholeStepHiddenSize"/> to <see cref="MaxWholeStepHiddenSize"/> units (16 to 31), for which
        /// Forward runs whole steps as Step does even where the input is as wide:
        /// such a step keeps the multiply-add units busy with four chains of whole 16-lane vectors and hides the input
        /// part of its sums while the previous step's activations wait on one another, so a separate pass over W_ih
        /// only adds to it (i32h16: whole steps 4 % faster, alternating builds on the AMD EPYC of RESULTS.md). A
        /// state of fewer than 16 units runs its step in half-width vectors whose four chains leave half the
        /// multiply-add throughput idle, which the projection fills (i32h8 18 % faster, i8h8 5 %); from 32 units
        /// the projection keeps W_hh in the cache between steps (i32h32, the upper layer of i8h64x2).
        /// </summary>
        public static bool IsWholeStepState(int hiddenSize) => hiddenSize >= MinWholeStepHiddenSize && hiddenSize <= MaxWholeStepHiddenSize;

        /// <summary>
        /// The rows a group step's tiles sum in one pass over a block's weights (0: all of them at once): where a block's rows
        /// of W_ih and W_hh outnumber <see cref="MaxAgentRowsInOnePass"/>, its weights and the group's values they multiply
        /// outgrow L1 (48 KiB on the AMD EPYC of RESULTS.md, 32 KiB on others), and each of the block's parts would read them
        /// from L2 again; in chunks of <see cref="AgentRowChunk"/> rows (16 KiB of float32 weights and 8 KiB of 32 agents'
        /// values) every part reads them from L1. A scratch loop at hidden 256 summed 5-8 % faster so. The sums of a tile
        /// go to the gate row between chunks and back, which changes no bit. Not for bfloat16 weights, kept in row pairs.
        /// </summary>
        /// <param name="recurrentWidth">The state W_hh reads: the hidden size, or the projection's size.</param>
        /// <param name="bfloat16">Whether the steps read bfloat16 weights.</param>
        public int AgentRowsPerPass(int recurrentWidth, bool bfloat16) =>
            !bfloat16 && InputCount + recurrentWidth > MaxAgentRowsInOnePass ? AgentRowChunk : 0;

        /// <summary>The most rows of W_ih and W_hh a group step's tile sums in one pass (<see cref="AgentRowsPerPass"/>).</summary>
        public const int MaxAgentRowsInOnePass = 160;

        /// <summary>The rows of a pass of a group step's tile where they are chunked (<see cref="AgentRowsPerPass"/>).</summary>
        public const int AgentRowChunk = 64;

        /// <summary>The smallest state that runs whole steps in Forward: one whole 512-bit vector of units (<see cref="IsWholeStepState"/>).</summary>
        public const int MinWholeStepHiddenSize = 16;

        /// <summary>The largest state that runs whole steps in Forward (<see cref="IsWholeStepState"/>).</summary>
        public const int MaxWholeStepHiddenSize = 31;
    }

    /// <summary>Everything the emitter needs: the model, its parameter layout and its kernels' schedule.</summary>
    internal sealed record KernelPlan(
        ModelSpec Spec,
        int MaxBlockWidth,
        EquatableArray<TensorPlan> Tensors,
        EquatableArray<LayerKernel> LayerKernels,
        EquatableArray<PathPlan> Paths,
        int FirstLayerParameterCount,
        int UpperLayerParameterCount,
        int HeadOffset,
        int ParameterCount)
    {
        /// <summary>The model's cell: its gates, sums, state and derivatives.</summary>
        public RecurrentCell Cell => RecurrentCell.For(Spec.Cell);

        public int GateRowLength => Cell.GateCount * Spec.HiddenSize;

        public LayerKernel FirstLayer => LayerKernels[0];

        public LayerKernel UpperLayer => LayerKernels[LayerKernels.Count - 1];

        /// <summary>
        /// Whether Forward computes <paramref name="kernel"/>'s input part of a chunk's gate sums first
        /// (<see cref="LayerKernel.ProjectsInForward"/>); a model with projections (<see cref="ModelSpec.HasProjection"/>)
        /// runs whole steps, whose kernels end with the projection h = W_hr (o * tanh(c)).
        /// </summary>
        public bool ProjectsInForward(LayerKernel kernel) => !Spec.HasProjection && kernel.ProjectsInForward(Spec.HiddenSize);

        /// <summary>
        /// Whether the step kernels run their tiles in the opposite order at every other step (LstmGen.CompilerServices.TileOrder),
        /// so that a step starts with the weights the last one read last: for models of at least
        /// <see cref="AlternatingTileOrderBytes"/> of parameters, whose weights may not fit a core's L2 cache.
        /// </summary>
        public bool AlternatesTileOrder => ParameterCount >= AlternatingTileOrderBytes / sizeof(float);

        /// <summary>
        /// 256 KiB: half the smallest L2 cache of the processors this project runs on (512 KiB, AMD Zen 1). Below it the
        /// weights stay in L2 from step to step in any order; from it on the alternation costs a thread-static read per
        /// kernel call (nothing measurable at hidden 128, 1.2-1.3x faster at hidden 256 on a 1 MiB L2).
        /// </summary>
        public const int AlternatingTileOrderBytes = 256 * 1024;

        /// <summary>Steps of a chunk of Forward: the gates and the layer outputs of a chunk stay in the caches.</summary>
        public const int ForwardChunk = 32;

        /// <summary>Steps of a block of the weights' gradients: each gradient is loaded and stored once per block.</summary>
        public const int WeightGradientBlock = 32;

        /// <summary>
        /// Whether a group step's head sums in the 16 lanes of the canonical order (in the group's scratch): only a
        /// head over 16 values or more has a whole chunk of 16; a smaller one sums its values in order.
        /// </summary>
        public bool AgentsHeadUsesLanes => Spec.HasHead && Spec.LayerOutputWidth >= 16;

        /// <summary>Whether a group step's projection sums in the 16 lanes of the canonical order: where HiddenSize has a whole 16.</summary>
        public bool AgentsProjectionUsesLanes => Spec.HiddenSize >= 16;

        /// <summary>Steps a projection tile of Forward sums at once: as many as the path's accumulators allow.</summary>
        public int ProjectionSteps(PathPlan path, TileLoop tile) =>
            System.Math.Max(1, Planner.MaxAccumulators(path.Path) / (Cell.InputAccumulators.Count() * tile.Segments.Count));
    }
}
