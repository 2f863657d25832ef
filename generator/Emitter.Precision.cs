using LstmGen.Generator.Model;

namespace LstmGen.Generator
{
    /// <summary>
    /// The weights' precision (<see cref="WeightPrecision"/>). A bfloat16 model keeps its float32 parameters (what
    /// training, the optimizers and the weight files use) and a copy rounded to bfloat16 that every step, Forward
    /// and the group step read, widened to float32 in registers: half the bytes per step. Its inference kernels are
    /// the float32 ones written again with <see cref="_bfloat16"/> set: the same sums in the same order, only each
    /// weight load widens, so every path still gives the same bits. Training keeps the float32 kernels.
    /// </summary>
    internal sealed partial class Emitter
    {
        /// <summary>Whether the kernels being written read the bfloat16 copy of the weights (set around them in EmitModelClass).</summary>
        private bool _bfloat16;

        /// <summary>The element type of a reference to the weights the kernels being written read.</summary>
        private string WeightType => _bfloat16 ? "ushort" : "float";

        /// <summary>The part of a kernel's name that says it reads bfloat16 weights (before its path): "" or "BFloat16".</summary>
        private string Precision => _bfloat16 ? "BFloat16" : string.Empty;

        /// <summary>The part of the names of the kernels that steps call that says their precision: "" or "BFloat16".</summary>
        private string ModelPrecision => _spec.HasBFloat16Weights ? "BFloat16" : string.Empty;

        /// <summary>The element type of the weights that the kernels of a step, Forward or the group step read.</summary>
        private string ModelWeightType => _spec.HasBFloat16Weights ? "ushort" : "float";

        /// <summary>The float32 layer steps and head that training's forward pass calls, beside a bfloat16 model's own.</summary>
        private void EmitTrainingForwardKernels(PathPlan path)
        {
            foreach (LayerKernel kernel in _plan.LayerKernels)
            {
                EmitLayerKernel(kernel, path, agents: false);
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
                ? "ref ushort parameters = ref BFloat16Weights();"
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

            _writer.Line("// The weights that steps read: ParameterCount bfloat16 values from _bfloat16Start (64-byte aligned), rounded to");
            _writer.Line("// nearest even from the float32 parameters, which training updates. Reading Parameters marks the copy stale.");
            _writer.Line("private readonly ushort[] _bfloat16Storage;");
            _writer.Line("private readonly int _bfloat16Start;");
            _writer.Line("private bool _bfloat16Stale = true;");
            _writer.Line();
        }

        /// <summary>A bfloat16 model's constructor allocates the copy (rounded before the first step).</summary>
        private void EmitBFloat16Allocation()
        {
            if (_spec.HasBFloat16Weights)
            {
                _writer.Line($"_bfloat16Storage = {TypeNames.ParameterStorage}.AllocateBFloat16(ParameterCount, out _bfloat16Start);");
            }
        }

        /// <summary>Parameters, the precision and, in bfloat16, the copy's upkeep.</summary>
        private void EmitParameterMembers()
        {
            _writer.Line($"/// <inheritdoc cref=\"{TypeNames.ILstmModel}.Parameters\"/>");
            if (!_spec.HasBFloat16Weights)
            {
                _writer.Line($"public {TypeNames.Span}<float> Parameters => new {TypeNames.Span}<float>(_parameterStorage, _parameterStart, ParameterCount);");
                _writer.Line();
                _writer.Line($"{TypeNames.WeightPrecision} {TypeNames.ILstmModel}.WeightPrecision => {TypeNames.WeightPrecision}.Float32;");
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
            _writer.Line($"{TypeNames.WeightPrecision} {TypeNames.ILstmModel}.WeightPrecision => {TypeNames.WeightPrecision}.BFloat16;");
            _writer.Line();
            _writer.Line("/// <summary>");
            _writer.Line("/// The bfloat16 weights that steps read, rounded again first if the parameters may have changed. Threads that");
            _writer.Line("/// step at once may each round them: each writes the same values, and returns once its copy is whole.");
            _writer.Line("/// </summary>");
            using (_writer.Open("private ref ushort BFloat16Weights()"))
            {
                using (_writer.Open($"if ({TypeNames.Volatile}.Read(ref _bfloat16Stale))"))
                {
                    _writer.Line("RoundWeights();");
                }

                _writer.Line();
                _writer.Line($"return ref {Unsafe}.Add(ref {ArrayData}(_bfloat16Storage), _bfloat16Start);");
            }

            _writer.Line();
            _writer.Line("/// <summary>Rounds every parameter to the nearest bfloat16 (ties to even) into the copy that steps read.</summary>");
            _writer.Line($"[{TypeNames.MethodImpl}({TypeNames.MethodImplOptions}.NoInlining)]");
            using (_writer.Open("private void RoundWeights()"))
            {
                _writer.Line($"{TypeNames.BFloat16}.Round(new {TypeNames.ReadOnlySpan}<float>(_parameterStorage, _parameterStart, ParameterCount), new {TypeNames.Span}<ushort>(_bfloat16Storage, _bfloat16Start, ParameterCount));");
                _writer.Line($"{TypeNames.Volatile}.Write(ref _bfloat16Stale, false);");
            }

            _writer.Line();
        }
    }
}
