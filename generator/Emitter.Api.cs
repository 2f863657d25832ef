using System.Linq;
using LstmGen.Generator.Model;
using static LstmGen.Generator.CodeWriter;

namespace LstmGen.Generator
{
    internal sealed partial class Emitter
    {
        private const string StateShape = "[Layers, HiddenSize]";

        private void EmitStateAccess()
        {
            _writer.Line($"/// <inheritdoc cref=\"{TypeNames.ILstmModel}.ResetState\"/>");
            using (_writer.Open("public void ResetState()"))
            {
                using (Guard("ResetState"))
                {
                    _writer.Line("_state = default;");
                }
            }

            _writer.Line();
            _writer.Line($"/// <inheritdoc cref=\"{TypeNames.ILstmModel}.SetState\"/>");
            using (_writer.Open($"public void SetState({TypeNames.ReadOnlySpan}<float> hidden, {TypeNames.ReadOnlySpan}<float> cell)"))
            {
                _writer.Line($"{TypeNames.ModelGuard}.Length(hidden.Length, Layers * HiddenSize, nameof(hidden), \"{StateShape}\");");
                _writer.Line($"{TypeNames.ModelGuard}.Length(cell.Length, Layers * HiddenSize, nameof(cell), \"{StateShape}\");");
                using (Guard("SetState"))
                {
                    _writer.Line($"hidden.CopyTo({StateValues("_state", "Hidden")});");
                    _writer.Line($"cell.CopyTo({StateValues("_state", "Cell")});");
                }
            }

            _writer.Line();
            _writer.Line($"/// <inheritdoc cref=\"{TypeNames.ILstmModel}.GetState\"/>");
            using (_writer.Open($"public void GetState({TypeNames.Span}<float> hidden, {TypeNames.Span}<float> cell)"))
            {
                _writer.Line($"{TypeNames.ModelGuard}.Length(hidden.Length, Layers * HiddenSize, nameof(hidden), \"{StateShape}\");");
                _writer.Line($"{TypeNames.ModelGuard}.Length(cell.Length, Layers * HiddenSize, nameof(cell), \"{StateShape}\");");
                _writer.Line($"{TypeNames.ModelGuard}.Disjoint<float>(cell, hidden, nameof(cell), nameof(hidden));");
                _writer.Line($"{TypeNames.ModelGuard}.NotBusy(_busy, nameof(GetState));");
                _writer.Line($"{StateValues("_state", "Hidden")}.CopyTo(hidden);");
                _writer.Line($"{StateValues("_state", "Cell")}.CopyTo(cell);");
            }

            _writer.Line();
            _writer.Line($"/// <inheritdoc cref=\"{TypeNames.ILstmModel}.IsStateFinite\"/>");
            _writer.Line("public bool IsStateFinite() => _state.IsFinite;");
            _writer.Line();
        }

        private void EmitStepAndForward()
        {
            _writer.Line($"/// <inheritdoc cref=\"{TypeNames.ILstmModel}.Step\"/>");
            using (_writer.Open($"public void Step({TypeNames.ReadOnlySpan}<float> input, {TypeNames.Span}<float> output)"))
            {
                _writer.Line("// A plain read, no locked instruction: refuses a step while another thread's Forward, training or");
                _writer.Line("// weight load holds the model. Two threads stepping the model's own state at once are not caught");
                _writer.Line("// (that would cost a locked instruction per step); the state is inline, so they get wrong numbers");
                _writer.Line("// but never touch memory outside it.");
                _writer.Line($"{TypeNames.ModelGuard}.NotBusy(_busy, nameof(Step));");
                _writer.Line("Step(ref _state, input, output);");
            }
            _writer.Line();
            _writer.Line("/// <summary>");
            _writer.Line("/// Advances <paramref name=\"state\"/> by one time step: [InputSize] in, [OutputSize] out.");
            _writer.Line("/// The model's weights are only read, so one model can step many states, from several");
            _writer.Line("/// threads at once as long as each state is used by one thread at a time.");
            _writer.Line("/// </summary>");
            _writer.Line("/// <remarks>");
            _writer.Line("/// <paramref name=\"output\"/> may share memory with <paramref name=\"input\"/>: the input is read in full");
            _writer.Line("/// before the first output is written (neither may share memory with <paramref name=\"state\"/>, which");
            _writer.Line("/// is written as the input is read). A NaN input makes the state NaN (an infinite one saturates the");
            _writer.Line("/// gates, or gives NaN where infinities of both signs meet), and a NaN state stays NaN, as do the");
            _writer.Line("/// outputs, until the state is reset or set: <see cref=\"State.IsFinite\"/> tells.");
            _writer.Line("/// Weights changed by another thread during the step (Load, SetTensor, an optimizer) may be seen");
            _writer.Line("/// half old and half new: swap models instead (see <see cref=\"CopyParametersFrom\"/>).");
            _writer.Line("/// </remarks>");
            using (_writer.Open($"public void Step(ref State state, {TypeNames.ReadOnlySpan}<float> input, {TypeNames.Span}<float> output)"))
            {
                _writer.Line($"{TypeNames.ModelGuard}.Length(input.Length, InputSize, nameof(input), \"InputSize\");");
                _writer.Line($"{TypeNames.ModelGuard}.Length(output.Length, OutputSize, nameof(output), \"OutputSize\");");
                _writer.Line($"StepCore(ref state, ref {TypeNames.MemoryMarshal}.GetReference(input), ref {TypeNames.MemoryMarshal}.GetReference(output));");
            }

            _writer.Line();
            EmitForward();
            _writer.Line("/// <summary>One step of every layer, then the output: the spans were checked by the caller.</summary>");
            using (_writer.Open("private void StepCore(ref State state, ref float input, ref float output)"))
            {
                _writer.Line($"ref float parameters = ref {Unsafe}.Add(ref {ArrayData}(_parameterStorage), _parameterStart);");
                EmitStateReferences("state");
                _writer.Line();
                _writer.Line("// Each layer's gate sums and activations, packed like a gate row.");
                _writer.Line($"{TypeNames.Span}<float> gateScratch = stackalloc float[GateRowLength];");
                _writer.Line($"ref float gates = ref {TypeNames.MemoryMarshal}.GetReference(gateScratch);");
                _writer.Line();
                if (!IsPortable)
                {
                    _writer.Line("// IsHardwareAccelerated is a JIT-time constant: only the path this processor takes is compiled.");
                }

                EmitDispatch(path => $"Step{path}(ref parameters, ref input, ref hidden, ref cell, ref gates, ref output);");

                if (!_spec.HasHead)
                {
                    _writer.Line();
                    _writer.Line("// Without a head, a step outputs the top layer's hidden state.");
                    _writer.Line($"{TypeNames.Floats}.Copy(ref {Unsafe}.Add(ref hidden, (Layers - 1) * HiddenSize), ref output, OutputSize);");
                }

                if (_spec.OutputActivation != OutputActivation.Linear)
                {
                    _writer.Line();
                    _writer.Line("ApplyOutputActivation(ref output);");
                }
            }

            _writer.Line();
            EmitOutputActivation();
        }

        private void EmitOutputActivation()
        {
            switch (_spec.OutputActivation)
            {
                case OutputActivation.Sigmoid:
                case OutputActivation.Tanh:
                    string function = _spec.OutputActivation.ToString();
                    _writer.Line($"/// <summary>The output activation: {function.ToLowerInvariant()} of each output (the same scalar code on every path).</summary>");
                    using (_writer.Open("private static void ApplyOutputActivation(ref float output)"))
                    {
                        using (_writer.Open($"for ({NUInt} o = 0; o < OutputSize; o++)"))
                        {
                            _writer.Line($"{Unsafe}.Add(ref output, o) = {TypeNames.LstmMath}.{function}({Unsafe}.Add(ref output, o));");
                        }
                    }

                    _writer.Line();
                    break;
                case OutputActivation.Softmax:
                    _writer.Line("/// <summary>The output activation: softmax over the outputs.</summary>");
                    _writer.Line($"private static void ApplyOutputActivation(ref float output) => {TypeNames.LstmMath}.Softmax({TypeNames.MemoryMarshal}.CreateSpan(ref output, OutputSize));");
                    _writer.Line();
                    break;
            }
        }

        private void EmitStateType()
        {
            _writer.Line("/// <summary>");
            _writer.Line("/// The recurrent state of one sequence: the hidden and cell values of every layer, held inline");
            _writer.Line("/// (no heap allocation). <c>default</c> is the zero state. Step it with");
            _writer.Line($"/// <see cref=\"Step(ref State, {TypeNames.ReadOnlySpan}{{float}}, {TypeNames.Span}{{float}})\"/>.");
            if (IsPortable)
            {
                _writer.Line("/// On the portable tier (no C# 12 inline arrays), the values are plain float fields and");
                _writer.Line($"/// <see cref=\"Hidden(ref State)\"/> and <see cref=\"Cell(ref State)\"/> give them as spans, where the");
                _writer.Line("/// full tier has the properties <c>state.Hidden</c> and <c>state.Cell</c>.");
            }

            _writer.Line("/// </summary>");
            if (IsPortable)
            {
                _writer.Line($"[{TypeNames.StructLayout}({TypeNames.LayoutKind}.Sequential)]");
            }

            using (_writer.Open("public struct State"))
            {
                _writer.Line(IsPortable
                    ? "// The hidden values, then the cell values."
                    : "// The hidden values, then the cell values: the group step reads a State as one row of floats.");
                _writer.Line("private LayerValues _hidden;");
                _writer.Line("private LayerValues _cell;");
                _writer.Line();
                _writer.Line("/// <summary>");
                _writer.Line("/// Whether every hidden and cell value is finite. A NaN input to a step makes the state NaN, and every");
                _writer.Line("/// later step keeps it NaN: check this after a step whose input may be bad, and reset the state if it");
                _writer.Line("/// is false. Costs one pass over the state's 2 x Layers x HiddenSize floats.");
                _writer.Line("/// </summary>");
                if (IsPortable)
                {
                    // C# 9 has no span over a readonly struct's own fields: a plain getter reads them through a ref.
                    string values = $"{TypeNames.MemoryMarshal}.CreateReadOnlySpan(ref {{0}}._0, Layers * HiddenSize)";
                    _writer.Line($"public bool IsFinite => {TypeNames.ModelGuard}.AllFinite({string.Format(System.Globalization.CultureInfo.InvariantCulture, values, "_hidden")}) && {TypeNames.ModelGuard}.AllFinite({string.Format(System.Globalization.CultureInfo.InvariantCulture, values, "_cell")});");
                    _writer.Line();
                    EmitPortableStateMembers();
                    return;
                }

                _writer.Line($"public readonly bool IsFinite => {TypeNames.ModelGuard}.AllFinite(_hidden) && {TypeNames.ModelGuard}.AllFinite(_cell);");
                _writer.Line();
                _writer.Line("/// <summary>The hidden state, [Layers, HiddenSize] row-major.</summary>");
                _writer.Line($"[{TypeNames.UnscopedRef}]");
                _writer.Line($"public {TypeNames.Span}<float> Hidden => _hidden;");
                _writer.Line();
                _writer.Line("/// <summary>The cell state, [Layers, HiddenSize] row-major.</summary>");
                _writer.Line($"[{TypeNames.UnscopedRef}]");
                _writer.Line($"public {TypeNames.Span}<float> Cell => _cell;");
                _writer.Line();
                _writer.Line($"[{TypeNames.InlineArray}(Layers * HiddenSize)]");
                using (_writer.Open("private struct LayerValues"))
                {
                    _writer.Line("private float _element0;");
                }
            }
        }

        /// <summary>
        /// The portable tier's State: static accessors over a ref State (C# 9 lets a method return a span over a
        /// ref parameter, not over <c>this</c>), and Layers * HiddenSize float fields in a row.
        /// </summary>
        private void EmitPortableStateMembers()
        {
            foreach (string part in new[] { "Hidden", "Cell" })
            {
                _writer.Line($"/// <summary>The {part.ToLowerInvariant()} state of <paramref name=\"state\"/>, [Layers, HiddenSize] row-major: a span over the state itself.</summary>");
                _writer.Line($"public static {TypeNames.Span}<float> {part}(ref State state) => {TypeNames.MemoryMarshal}.CreateSpan(ref state._{part.ToLowerInvariant()}._0, Layers * HiddenSize);");
                _writer.Line();
            }

            _writer.Line("// Layers * HiddenSize floats, one after another (what [InlineArray] gives the full tier).");
            _writer.Line($"[{TypeNames.StructLayout}({TypeNames.LayoutKind}.Sequential)]");
            using (_writer.Open("private struct LayerValues"))
            {
                int count = _spec.Layers * _spec.HiddenSize;
                for (int first = 0; first < count; first += 16)
                {
                    int last = System.Math.Min(first + 16, count);
                    _writer.Line("public float " + string.Join(", ", Enumerable.Range(first, last - first).Select(i => "_" + N(i))) + ";");
                }
            }
        }
    }
}
