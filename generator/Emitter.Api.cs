using LstmGen.Generator.Model;

namespace LstmGen.Generator
{
    internal sealed partial class Emitter
    {
        private const string StateShape = "[Layers, HiddenSize]";

        private void EmitStateAccess()
        {
            Line("/// <inheritdoc cref=\"ILstmModel.ResetState\"/>");
            Line("public void ResetState() => _state = default;");
            Line();
            Line("/// <inheritdoc cref=\"ILstmModel.SetState\"/>");
            using (Open("public void SetState(ReadOnlySpan<float> hidden, ReadOnlySpan<float> cell)"))
            {
                Line($"ModelGuard.Length(hidden.Length, Layers * HiddenSize, nameof(hidden), \"{StateShape}\");");
                Line($"ModelGuard.Length(cell.Length, Layers * HiddenSize, nameof(cell), \"{StateShape}\");");
                Line("hidden.CopyTo(_state.Hidden);");
                Line("cell.CopyTo(_state.Cell);");
            }

            Line();
            Line("/// <inheritdoc cref=\"ILstmModel.GetState\"/>");
            using (Open("public void GetState(Span<float> hidden, Span<float> cell)"))
            {
                Line($"ModelGuard.Length(hidden.Length, Layers * HiddenSize, nameof(hidden), \"{StateShape}\");");
                Line($"ModelGuard.Length(cell.Length, Layers * HiddenSize, nameof(cell), \"{StateShape}\");");
                Line("_state.Hidden.CopyTo(hidden);");
                Line("_state.Cell.CopyTo(cell);");
            }

            Line();
        }

        private void EmitStepAndForward()
        {
            Line("/// <inheritdoc cref=\"ILstmModel.Step\"/>");
            Line("public void Step(ReadOnlySpan<float> input, Span<float> output) => Step(ref _state, input, output);");
            Line();
            Line("/// <summary>");
            Line("/// Advances <paramref name=\"state\"/> by one time step: [InputSize] in, [OutputSize] out.");
            Line("/// The model's weights are only read, so one model can step many states, from several");
            Line("/// threads at once as long as each state is used by one thread at a time.");
            Line("/// </summary>");
            using (Open("public void Step(ref State state, ReadOnlySpan<float> input, Span<float> output)"))
            {
                Line("ModelGuard.Length(input.Length, InputSize, nameof(input), \"InputSize\");");
                Line("ModelGuard.Length(output.Length, OutputSize, nameof(output), \"OutputSize\");");
                Line("StepCore(ref state, ref MemoryMarshal.GetReference(input), ref MemoryMarshal.GetReference(output));");
            }

            Line();
            EmitForward();
            Line("/// <summary>One step of every layer, then the output: the spans were checked by the caller.</summary>");
            using (Open("private void StepCore(ref State state, ref float input, ref float output)"))
            {
                Line("ref float parameters = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_parameterStorage), _parameterStart);");
                Line("ref float hidden = ref MemoryMarshal.GetReference(state.Hidden);");
                Line("ref float cell = ref MemoryMarshal.GetReference(state.Cell);");
                Line();
                Line("// Each layer's gate sums and activations, packed like a gate row.");
                Line("Span<float> gateScratch = stackalloc float[GateRowLength];");
                Line("ref float gates = ref MemoryMarshal.GetReference(gateScratch);");
                Line();
                Line("// IsHardwareAccelerated is a JIT-time constant: only the path this processor takes is compiled.");
                EmitDispatch(path => $"Step{path}(ref parameters, ref input, ref hidden, ref cell, ref gates, ref output);");

                if (!_spec.HasHead)
                {
                    Line();
                    Line("// Without a head, a step outputs the top layer's hidden state.");
                    Line("Floats.Copy(ref Unsafe.Add(ref hidden, (Layers - 1) * HiddenSize), ref output, OutputSize);");
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
                        using (Open("for (nuint o = 0; o < OutputSize; o++)"))
                        {
                            Line($"Unsafe.Add(ref output, o) = LstmMath.{function}(Unsafe.Add(ref output, o));");
                        }
                    }

                    Line();
                    break;
                case OutputActivation.Softmax:
                    Line("/// <summary>The output activation: softmax over the outputs.</summary>");
                    Line("private static void ApplyOutputActivation(ref float output) => LstmMath.Softmax(MemoryMarshal.CreateSpan(ref output, OutputSize));");
                    Line();
                    break;
            }
        }

        private void EmitStateType()
        {
            Line("/// <summary>");
            Line("/// The recurrent state of one sequence: the hidden and cell values of every layer, held inline");
            Line("/// (no heap allocation). <c>default</c> is the zero state. Step it with");
            Line("/// <see cref=\"Step(ref State, ReadOnlySpan{float}, Span{float})\"/>.");
            Line("/// </summary>");
            using (Open("public struct State"))
            {
                Line("// The hidden values, then the cell values: the group step reads a State as one row of floats.");
                Line("private LayerValues _hidden;");
                Line("private LayerValues _cell;");
                Line();
                Line("/// <summary>The hidden state, [Layers, HiddenSize] row-major.</summary>");
                Line("[UnscopedRef]");
                Line("public Span<float> Hidden => _hidden;");
                Line();
                Line("/// <summary>The cell state, [Layers, HiddenSize] row-major.</summary>");
                Line("[UnscopedRef]");
                Line("public Span<float> Cell => _cell;");
                Line();
                Line("[InlineArray(Layers * HiddenSize)]");
                using (Open("private struct LayerValues"))
                {
                    Line("private float _element0;");
                }
            }
        }
    }
}
