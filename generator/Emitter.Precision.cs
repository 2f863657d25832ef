using LstmGen.Generator.Model;

namespace LstmGen.Generator
{
    /// <summary>
    /// The weights' precision (<see cref="WeightPrecision"/>). A bfloat16 model keeps its float32 parameters (what
    /// training, the optimizers and the weight files use) and a copy rounded to bfloat16 that every step, Forward
    /// and the group step read, widened to float32 in registers: half the bytes per step. Its inference kernels are
    /// the float32 ones written again with <see cref="_bfloat16"/> set: the same sums in the same order, only the
    /// weights are read differently, so every path still gives the same bits. Training keeps the float32 kernels.
    /// The copy keeps the rows of W_ih and W_hh in pairs, one 32-bit word per column of a pair (row 2p in the lower
    /// half, row 2p + 1 in the upper; b_ih and b_hh are one pair): one load gives two rows, each widened by one
    /// operation (a shift or a mask), where bfloat16 values side by side would need a shuffle and a shift each.
    /// The head's weights, and with projections each layer's W_hr, are bfloat16 values side by side
    /// (LstmGen.CompilerServices.BFloat16.RoundLstm).
    /// </summary>
    internal sealed partial class Emitter
    {
        /// <summary>Whether the kernels being written read the bfloat16 copy of the weights (set around them in EmitModelClass).</summary>
        private bool _bfloat16;

        /// <summary>The element type of a reference to the layer weights the kernels being written read: a float, or a word of a row pair.</summary>
        private string WeightType => _bfloat16 ? "uint" : "float";

        /// <summary>The element type of a reference to the weights of a dense kernel being written (the head's, a projection's W_hr).</summary>
        private string DenseWeightType => _bfloat16 ? "ushort" : "float";

        /// <summary>
        /// The generated constant of the row pairs of W_hh (and of the W_ih of the layers above the first) in the bfloat16
        /// copy: <c>ProjectionPairs</c> with projections, else <c>HiddenPairs</c> (<see cref="RecurrentWidth"/>).
        /// </summary>
        private string RecurrentPairs => _spec.HasProjection ? "ProjectionPairs" : "HiddenPairs";

        /// <summary>The offset of the layer above the first in the weights the kernels being written read.</summary>
        private string FirstLayerLength => _bfloat16 ? "FirstLayerBFloat16Length" : "FirstLayerParameterCount";

        /// <summary>The length of a layer above the first in the weights the kernels being written read.</summary>
        private string UpperLayerLength => _bfloat16 ? "UpperLayerBFloat16Length" : "UpperLayerParameterCount";

        /// <summary>A reference to the head's weights in <c>parameters</c>, the weights the kernels being written read.</summary>
        private string HeadWeights => _bfloat16
            ? $"ref {TypeNames.Refs}.AsBFloat16(ref {Unsafe}.Add(ref parameters, HeadBFloat16Offset))"
            : $"ref {Unsafe}.Add(ref parameters, HeadOffset)";

        /// <summary>The rows (or, in bfloat16, row pairs) of a layer's W_ih before its W_hh.</summary>
        private string InputRows(LayerKernel kernel) => _bfloat16 ? (kernel.IsFirst ? "InputPairs" : RecurrentPairs) : KernelInputs(kernel);

        /// <summary>The part of a kernel's name that says it reads bfloat16 weights (before its path): "" or "BFloat16".</summary>
        private string Precision => _bfloat16 ? "BFloat16" : string.Empty;

        /// <summary>The part of the names of the kernels that steps call that says their precision: "" or "BFloat16".</summary>
        private string ModelPrecision => _spec.HasBFloat16Weights ? "BFloat16" : string.Empty;

        /// <summary>The element type of the weights that the kernels of a step, Forward or the group step read.</summary>
        private string ModelWeightType => _spec.HasBFloat16Weights ? "uint" : "float";

        /// <summary>The float32 layer steps, projection and head that training's forward pass calls, beside a bfloat16 model's own.</summary>
        private void EmitTrainingForwardKernels(PathPlan path)
        {
            foreach (LayerKernel kernel in _plan.LayerKernels)
            {
                EmitLayerKernel(kernel, path, agents: false);
            }

            if (_spec.HasProjection)
            {
                EmitHiddenProjection(path);
            }

            if (_spec.HasHead)
            {
                EmitHead(path);
            }
        }

        /// <summary>
        /// <c>ref float parameters</c> (or <c>ref ushort</c>, the bfloat16 copy, rounded again if stale): the first weight
        /// that the kernels of a step, Forward or the group step read.
        /// </summary>
        private void EmitParameterReference()
        {
            _writer.Line(_spec.HasBFloat16Weights
                ? "ref uint parameters = ref BFloat16Weights();"
                : $"ref float parameters = ref {Unsafe}.Add(ref {ArrayData}(_parameterStorage), _parameterStart);");
        }

        /// <summary>One weight at <paramref name="offset"/> after <paramref name="reference"/>, as a float.</summary>
        private string ScalarWeight(string reference, string offset) => VectorWeight(VectorOf(1), reference, offset);

        /// <summary>A vector of weights at <paramref name="offset"/> after <paramref name="reference"/>, as floats.</summary>
        private string VectorWeight(VectorSpelling vector, string reference, string offset) => _bfloat16
            ? vector.Widen(reference, offset)
            : vector.Load(reference, offset);

        /// <summary>The fields of a bfloat16 model: its copy of the weights and whether the parameters may have changed since it was rounded.</summary>
        private void EmitBFloat16Fields()
        {
            if (!_spec.HasBFloat16Weights)
            {
                return;
            }

            _writer.Line("// The weights that steps read: BFloat16Length words from _bfloat16Start (64-byte aligned), rounded to nearest");
            _writer.Line("// even from the float32 parameters, which training updates. Reading Parameters marks the copy stale. Each layer's");
            _writer.Line("// W_ih and W_hh in row pairs, a word per column of a pair (row 2p in its lower half, row 2p + 1 in its upper),");
            _writer.Line(_spec.HasProjection
                ? "// b_ih and b_hh as one pair, then W_hr [ProjectionSize, HiddenSize], two bfloat16 values per word; then the head's"
                : "// b_ih and b_hh as one pair; then the head's weight and bias, two bfloat16 values per word.");
            if (_spec.HasProjection)
            {
                _writer.Line("// weight and bias, two bfloat16 values per word.");
            }

            _writer.Line("private const int InputPairs = (InputSize + 1) / 2;");
            _writer.Line($"private const int {RecurrentPairs} = ({RecurrentWidth} + 1) / 2;");
            if (_spec.HasProjection)
            {
                _writer.Line("private const int ProjectionBFloat16Length = ((ProjectionSize * HiddenSize) + 1) / 2;");
            }

            // A layer's words: its row pairs, then (with projections) W_hr.
            string LayerLength(string inputPairs) => _spec.HasProjection
                ? $"(({inputPairs} + {RecurrentPairs} + 1) * GateRowLength) + ProjectionBFloat16Length"
                : $"({inputPairs} + {RecurrentPairs} + 1) * GateRowLength";
            _writer.Line($"private const int FirstLayerBFloat16Length = {LayerLength(_plan.FirstLayer.IsUpper ? RecurrentPairs : "InputPairs")};");
            if (_spec.Layers > 1)
            {
                _writer.Line($"private const int UpperLayerBFloat16Length = {LayerLength(RecurrentPairs)};");
            }

            _writer.Line(_spec.Layers > 1
                ? "private const int HeadBFloat16Offset = FirstLayerBFloat16Length + ((Layers - 1) * UpperLayerBFloat16Length);"
                : "private const int HeadBFloat16Offset = FirstLayerBFloat16Length;");
            _writer.Line($"private const int BFloat16Length = HeadBFloat16Offset + {(_spec.HasHead ? $"(((OutputSize * {LayerOutputName}) + OutputSize + 1) / 2)" : "0")};");
            _writer.Line("private readonly uint[] _bfloat16Storage;");
            _writer.Line("private readonly int _bfloat16Start;");
            _writer.Line("private bool _bfloat16Stale = true;");
            _writer.Line();
        }

        /// <summary>A bfloat16 model's constructor allocates the copy (rounded before the first step).</summary>
        private void EmitBFloat16Allocation()
        {
            if (_spec.HasBFloat16Weights)
            {
                _writer.Line($"_bfloat16Storage = {TypeNames.ParameterStorage}.AllocateBFloat16(BFloat16Length, out _bfloat16Start);");
            }
        }

        /// <summary>Parameters, the precision and, in bfloat16, the copy's upkeep.</summary>
        private void EmitParameterMembers()
        {
            _writer.Line($"/// <inheritdoc cref=\"{TypeNames.ISequenceModel}.Parameters\"/>");
            if (!_spec.HasBFloat16Weights)
            {
                _writer.Line($"public {TypeNames.Span}<float> Parameters => new {TypeNames.Span}<float>(_parameterStorage, _parameterStart, ParameterCount);");
                _writer.Line();
                _writer.Line($"{TypeNames.WeightPrecision} {TypeNames.ISequenceModel}.WeightPrecision => {TypeNames.WeightPrecision}.Float32;");
                _writer.Line();
                return;
            }

            _writer.Line("/// <remarks>");
            _writer.Line("/// The float32 master copy. Reading it marks the bfloat16 copy that steps read stale: the next step,");
            _writer.Line("/// Forward or group step rounds it again. Read it again after a step before writing through it.");
            _writer.Line("/// </remarks>");
            using (_writer.Open($"public {TypeNames.Span}<float> Parameters"))
            {
                using (_writer.Open("get"))
                {
                    _writer.Line("// The caller may write through the span: the next step rounds the copy again.");
                    _writer.Line($"{TypeNames.Volatile}.Write(ref _bfloat16Stale, true);");
                    _writer.Line($"return new {TypeNames.Span}<float>(_parameterStorage, _parameterStart, ParameterCount);");
                }
            }

            _writer.Line();
            _writer.Line($"{TypeNames.WeightPrecision} {TypeNames.ISequenceModel}.WeightPrecision => {TypeNames.WeightPrecision}.BFloat16;");
            _writer.Line();
            _writer.Line("/// <summary>");
            _writer.Line("/// The bfloat16 weights that steps read, rounded again first if the parameters may have changed. Threads that");
            _writer.Line("/// step at once may each round them: each writes the same values, and returns once its copy is whole.");
            _writer.Line("/// </summary>");
            using (_writer.Open("private ref uint BFloat16Weights()"))
            {
                using (_writer.Open($"if ({TypeNames.Volatile}.Read(ref _bfloat16Stale))"))
                {
                    _writer.Line("RoundWeights();");
                }

                _writer.Line();
                _writer.Line($"return ref {Unsafe}.Add(ref {ArrayData}(_bfloat16Storage), _bfloat16Start);");
            }

            _writer.Line();
            _writer.Line("/// <summary>Rounds every parameter to the nearest bfloat16 (ties to even) into the copy that steps read, W_ih and W_hh in row pairs.</summary>");
            _writer.Line($"[{TypeNames.MethodImpl}({TypeNames.MethodImplOptions}.NoInlining)]");
            using (_writer.Open("private void RoundWeights()"))
            {
                string head = _spec.HasHead ? $"(OutputSize * {LayerOutputName}) + OutputSize" : "0";
                string sizes = _spec.HasProjection ? "InputSize, HiddenSize, ProjectionSize" : "InputSize, HiddenSize";
                _writer.Line($"{TypeNames.BFloat16}.RoundLstm(new {TypeNames.ReadOnlySpan}<float>(_parameterStorage, _parameterStart, ParameterCount), new {TypeNames.Span}<uint>(_bfloat16Storage, _bfloat16Start, BFloat16Length), {sizes}, Layers, {head}, MaxBlockWidth);");
                _writer.Line($"{TypeNames.Volatile}.Write(ref _bfloat16Stale, false);");
            }

            _writer.Line();
        }
    }
}
