using LstmGen.Generator.Model;

namespace LstmGen.Generator
{
    internal sealed partial class Emitter
    {
        private const string StateShape = "[Layers, HiddenSize]";

        private void EmitStateAccess()
        {
            Line($"/// <inheritdoc cref=\"{TypeNames.ILstmModel}.ResetState\"/>");
            Line("public void ResetState() => _state = default;");
            Line();
            Line($"/// <inheritdoc cref=\"{TypeNames.ILstmModel}.SetState\"/>");
            using (Open($"public void SetState({TypeNames.ReadOnlySpan}<float> hidden, {TypeNames.ReadOnlySpan}<float> cell)"))
            {
                Line($"{TypeNames.ModelGuard}.Length(hidden.Length, Layers * HiddenSize, nameof(hidden), \"{StateShape}\");");
                Line($"{TypeNames.ModelGuard}.Length(cell.Length, Layers * HiddenSize, nameof(cell), \"{StateShape}\");");
                Line("hidden.CopyTo(_state.Hidden);");
                Line("cell.CopyTo(_state.Cell);");
            }

            Line();
            Line($"/// <inheritdoc cref=\"{TypeNames.ILstmModel}.GetState\"/>");
            using (Open($"public void GetState({TypeNames.Span}<float> hidden, {TypeNames.Span}<float> cell)"))
            {
                Line($"{TypeNames.ModelGuard}.Length(hidden.Length, Layers * HiddenSize, nameof(hidden), \"{StateShape}\");");
                Line($"{TypeNames.ModelGuard}.Length(cell.Length, Layers * HiddenSize, nameof(cell), \"{StateShape}\");");
                Line("_state.Hidden.CopyTo(hidden);");
                Line("_state.Cell.CopyTo(cell);");
            }

            Line();
        }

        private void EmitStepAndForward()
        {
            Line($"/// <inheritdoc cref=\"{TypeNames.ILstmModel}.Step\"/>");
            Line($"public void Step({TypeNames.ReadOnlySpan}<float> input, {TypeNames.Span}<float> output) => Step(ref _state, input, output);");
            Line();
            Line("/// <summary>");
            Line("/// Advances <paramref name=\"state\"/> by one time step: [InputSize] in, [OutputSize] out.");
            Line("/// The model's weights are only read, so one model can step many states, from several");
            Line("/// threads at once as long as each state is used by one thread at a time.");
            Line("/// </summary>");
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
                Line($"ref float parameters = ref {TypeNames.Unsafe}.Add(ref {TypeNames.MemoryMarshal}.GetArrayDataReference(_parameterStorage), _parameterStart);");
                Line($"ref float hidden = ref {TypeNames.MemoryMarshal}.GetReference(state.Hidden);");
                Line($"ref float cell = ref {TypeNames.MemoryMarshal}.GetReference(state.Cell);");
                Line();
                Line("// Each layer's gate sums and activations, packed like a gate row.");
                Line($"{TypeNames.Span}<float> gateScratch = stackalloc float[GateRowLength];");
                Line($"ref float gates = ref {TypeNames.MemoryMarshal}.GetReference(gateScratch);");
                Line();
                Line("// IsHardwareAccelerated is a JIT-time constant: only the path this processor takes is compiled.");
                EmitDispatch(path => $"Step{path}(ref parameters, ref input, ref hidden, ref cell, ref gates, ref output);");

                if (!_spec.HasHead)
                {
                    Line();
                    Line("// Without a head, a step outputs the top layer's hidden state.");
                    Line($"{TypeNames.Floats}.Copy(ref {TypeNames.Unsafe}.Add(ref hidden, (Layers - 1) * HiddenSize), ref output, OutputSize);");
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
                        using (Open($"for ({TypeNames.NUInt} o = 0; o < OutputSize; o++)"))
                        {
                            Line($"{TypeNames.Unsafe}.Add(ref output, o) = {TypeNames.LstmMath}.{function}({TypeNames.Unsafe}.Add(ref output, o));");
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
            Line("/// </summary>");
            using (Open("public struct State"))
            {
                Line("// The hidden values, then the cell values: the group step reads a State as one row of floats.");
                Line("private LayerValues _hidden;");
                Line("private LayerValues _cell;");
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
    }
}
