using System.Linq;
using LstmGen.Generator.Model;

namespace LstmGen.Generator
{
    internal sealed partial class Emitter
    {
        private const string StateShape = "[Layers, HiddenSize]";

        private void EmitStateAccess()
        {
            Line($"/// <inheritdoc cref=\"{TypeNames.ILstmModel}.ResetState\"/>");
            using (Open("public void ResetState()"))
            {
                using (Guard("ResetState"))
                {
                    Line("_state = default;");
                }
            }

            Line();
            Line($"/// <inheritdoc cref=\"{TypeNames.ILstmModel}.SetState\"/>");
            using (Open($"public void SetState({TypeNames.ReadOnlySpan}<float> hidden, {TypeNames.ReadOnlySpan}<float> cell)"))
            {
                Line($"{TypeNames.ModelGuard}.Length(hidden.Length, Layers * HiddenSize, nameof(hidden), \"{StateShape}\");");
                Line($"{TypeNames.ModelGuard}.Length(cell.Length, Layers * HiddenSize, nameof(cell), \"{StateShape}\");");
                using (Guard("SetState"))
                {
                    Line($"hidden.CopyTo({StateValues("_state", "Hidden")});");
                    Line($"cell.CopyTo({StateValues("_state", "Cell")});");
                }
            }

            Line();
            Line($"/// <inheritdoc cref=\"{TypeNames.ILstmModel}.GetState\"/>");
            using (Open($"public void GetState({TypeNames.Span}<float> hidden, {TypeNames.Span}<float> cell)"))
            {
                Line($"{TypeNames.ModelGuard}.Length(hidden.Length, Layers * HiddenSize, nameof(hidden), \"{StateShape}\");");
                Line($"{TypeNames.ModelGuard}.Length(cell.Length, Layers * HiddenSize, nameof(cell), \"{StateShape}\");");
                Line($"{TypeNames.ModelGuard}.Disjoint<float>(cell, hidden, nameof(cell), nameof(hidden));");
                Line($"{TypeNames.ModelGuard}.NotBusy(_busy, nameof(GetState));");
                Line($"{StateValues("_state", "Hidden")}.CopyTo(hidden);");
                Line($"{StateValues("_state", "Cell")}.CopyTo(cell);");
            }

            Line();
            Line($"/// <inheritdoc cref=\"{TypeNames.ILstmModel}.IsStateFinite\"/>");
            Line("public bool IsStateFinite() => _state.IsFinite;");
            Line();
        }

        private void EmitStepAndForward()
        {
            Line($"/// <inheritdoc cref=\"{TypeNames.ILstmModel}.Step\"/>");
            using (Open($"public void Step({TypeNames.ReadOnlySpan}<float> input, {TypeNames.Span}<float> output)"))
            {
                Line("// A plain read, no locked instruction: refuses a step while another thread's Forward, training or");
                Line("// weight load holds the model. Two threads stepping the model's own state at once are not caught");
                Line("// (that would cost a locked instruction per step); the state is inline, so they get wrong numbers");
                Line("// but never touch memory outside it.");
                Line($"{TypeNames.ModelGuard}.NotBusy(_busy, nameof(Step));");
                Line("Step(ref _state, input, output);");
            }
            Line();
            Line("/// <summary>");
            Line("/// Advances <paramref name=\"state\"/> by one time step: [InputSize] in, [OutputSize] out.");
            Line("/// The model's weights are only read, so one model can step many states, from several");
            Line("/// threads at once as long as each state is used by one thread at a time.");
            Line("/// </summary>");
            Line("/// <remarks>");
            Line("/// <paramref name=\"output\"/> may share memory with <paramref name=\"input\"/>: the input is read in full");
            Line("/// before the first output is written (neither may share memory with <paramref name=\"state\"/>, which");
            Line("/// is written as the input is read). A NaN input makes the state NaN (an infinite one saturates the");
            Line("/// gates, or gives NaN where infinities of both signs meet), and a NaN state stays NaN, as do the");
            Line("/// outputs, until the state is reset or set: <see cref=\"State.IsFinite\"/> tells.");
            Line("/// Weights changed by another thread during the step (Load, SetTensor, an optimizer) may be seen");
            Line("/// half old and half new: swap models instead (see <see cref=\"CopyParametersFrom\"/>).");
            Line("/// </remarks>");
            using (Open($"public void Step(ref State state, {TypeNames.ReadOnlySpan}<float> input, {TypeNames.Span}<float> output)"))
            {
                Line($"{TypeNames.ModelGuard}.Length(input.Length, InputSize, nameof(input), \"InputSize\");");
                Line($"{TypeNames.ModelGuard}.Length(output.Length, OutputSize, nameof(output), \"OutputSize\");");
                Line($"StepCore(ref state, ref {TypeNames.MemoryMarshal}.GetReference(input), ref {TypeNames.MemoryMarshal}.GetReference(output));");
            }

            Line();
            EmitForward();
            Line("/// <summary>One step of every layer, then the output: the spans were checked by the caller.</summary>");
            using (Open("private void StepCore(ref State state, ref float input, ref float output)"))
            {
                Line($"ref float parameters = ref {Unsafe}.Add(ref {ArrayData}(_parameterStorage), _parameterStart);");
                EmitStateReferences("state");
                Line();
                Line("// Each layer's gate sums and activations, packed like a gate row.");
                Line($"{TypeNames.Span}<float> gateScratch = stackalloc float[GateRowLength];");
                Line($"ref float gates = ref {TypeNames.MemoryMarshal}.GetReference(gateScratch);");
                Line();
                if (!IsPortable)
                {
                    Line("// IsHardwareAccelerated is a JIT-time constant: only the path this processor takes is compiled.");
                }

                EmitDispatch(path => $"Step{path}(ref parameters, ref input, ref hidden, ref cell, ref gates, ref output);");

                if (!_spec.HasHead)
                {
                    Line();
                    Line("// Without a head, a step outputs the top layer's hidden state.");
                    Line($"{TypeNames.Floats}.Copy(ref {Unsafe}.Add(ref hidden, (Layers - 1) * HiddenSize), ref output, OutputSize);");
                }

                if (_spec.OutputActivation != OutputActivation.Linear)
                {
                    Line();
                    Line("ApplyOutputActivation(ref output);");
                }
            }

            Line();
            EmitOutputActivation();
        }

        private void EmitOutputActivation()
        {
            switch (_spec.OutputActivation)
            {
                case OutputActivation.Sigmoid:
                case OutputActivation.Tanh:
                    string function = _spec.OutputActivation.ToString();
                    Line($"/// <summary>The output activation: {function.ToLowerInvariant()} of each output (the same scalar code on every path).</summary>");
                    using (Open("private static void ApplyOutputActivation(ref float output)"))
                    {
                        using (Open($"for ({NUInt} o = 0; o < OutputSize; o++)"))
                        {
                            Line($"{Unsafe}.Add(ref output, o) = {TypeNames.LstmMath}.{function}({Unsafe}.Add(ref output, o));");
                        }
                    }

                    Line();
                    break;
                case OutputActivation.Softmax:
                    Line("/// <summary>The output activation: softmax over the outputs.</summary>");
                    Line($"private static void ApplyOutputActivation(ref float output) => {TypeNames.LstmMath}.Softmax({TypeNames.MemoryMarshal}.CreateSpan(ref output, OutputSize));");
                    Line();
                    break;
            }
        }

        private void EmitStateType()
        {
            Line("/// <summary>");
            Line("/// The recurrent state of one sequence: the hidden and cell values of every layer, held inline");
            Line("/// (no heap allocation). <c>default</c> is the zero state. Step it with");
            Line($"/// <see cref=\"Step(ref State, {TypeNames.ReadOnlySpan}{{float}}, {TypeNames.Span}{{float}})\"/>.");
            if (IsPortable)
            {
                Line("/// On the portable tier (no C# 12 inline arrays), the values are plain float fields and");
                Line($"/// <see cref=\"Hidden(ref State)\"/> and <see cref=\"Cell(ref State)\"/> give them as spans, where the");
                Line("/// full tier has the properties <c>state.Hidden</c> and <c>state.Cell</c>.");
            }

            Line("/// </summary>");
            if (IsPortable)
            {
                Line($"[{TypeNames.StructLayout}({TypeNames.LayoutKind}.Sequential)]");
            }

            using (Open("public struct State"))
            {
                Line(IsPortable
                    ? "// The hidden values, then the cell values."
                    : "// The hidden values, then the cell values: the group step reads a State as one row of floats.");
                Line("private LayerValues _hidden;");
                Line("private LayerValues _cell;");
                Line();
                Line("/// <summary>");
                Line("/// Whether every hidden and cell value is finite. A NaN input to a step makes the state NaN, and every");
                Line("/// later step keeps it NaN: check this after a step whose input may be bad, and reset the state if it");
                Line("/// is false. Costs one pass over the state's 2 x Layers x HiddenSize floats.");
                Line("/// </summary>");
                if (IsPortable)
                {
                    // C# 9 has no span over a readonly struct's own fields: a plain getter reads them through a ref.
                    string values = $"{TypeNames.MemoryMarshal}.CreateReadOnlySpan(ref {{0}}._0, Layers * HiddenSize)";
                    Line($"public bool IsFinite => {TypeNames.ModelGuard}.AllFinite({string.Format(System.Globalization.CultureInfo.InvariantCulture, values, "_hidden")}) && {TypeNames.ModelGuard}.AllFinite({string.Format(System.Globalization.CultureInfo.InvariantCulture, values, "_cell")});");
                    Line();
                    EmitPortableStateMembers();
                    return;
                }

                Line($"public readonly bool IsFinite => {TypeNames.ModelGuard}.AllFinite(_hidden) && {TypeNames.ModelGuard}.AllFinite(_cell);");
                Line();
                Line("/// <summary>The hidden state, [Layers, HiddenSize] row-major.</summary>");
                Line($"[{TypeNames.UnscopedRef}]");
                Line($"public {TypeNames.Span}<float> Hidden => _hidden;");
                Line();
                Line("/// <summary>The cell state, [Layers, HiddenSize] row-major.</summary>");
                Line($"[{TypeNames.UnscopedRef}]");
                Line($"public {TypeNames.Span}<float> Cell => _cell;");
                Line();
                Line($"[{TypeNames.InlineArray}(Layers * HiddenSize)]");
                using (Open("private struct LayerValues"))
                {
                    Line("private float _element0;");
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
                Line($"/// <summary>The {part.ToLowerInvariant()} state of <paramref name=\"state\"/>, [Layers, HiddenSize] row-major: a span over the state itself.</summary>");
                Line($"public static {TypeNames.Span}<float> {part}(ref State state) => {TypeNames.MemoryMarshal}.CreateSpan(ref state._{part.ToLowerInvariant()}._0, Layers * HiddenSize);");
                Line();
            }

            Line("// Layers * HiddenSize floats, one after another (what [InlineArray] gives the full tier).");
            Line($"[{TypeNames.StructLayout}({TypeNames.LayoutKind}.Sequential)]");
            using (Open("private struct LayerValues"))
            {
                int count = _spec.Layers * _spec.HiddenSize;
                for (int first = 0; first < count; first += 16)
                {
                    int last = System.Math.Min(first + 16, count);
                    Line("public float " + string.Join(", ", Enumerable.Range(first, last - first).Select(i => "_" + N(i))) + ";");
                }
            }
        }
    }
}
