using System.Linq;
using LstmGen.Generator.Model;
using static LstmGen.Generator.CodeWriter;

namespace LstmGen.Generator
{
    /// <summary>
    /// The public API of a model: its constants, fields and constructors, the tensors, the weight files, the
    /// state, Step and its dispatcher, and the State type.
    /// </summary>
    internal sealed partial class Emitter
    {
        private void EmitConstants()
        {
            _writer.Line("/// <summary>Features per time step.</summary>");
            _writer.Line($"public const int InputSize = {Literal(_spec.InputSize)};");
            _writer.Line();
            _writer.Line(_spec.Bidirectional
                ? $"/// <summary>Units per {_cell.Name} layer and direction.</summary>"
                : $"/// <summary>Units per {_cell.Name} layer.</summary>");
            _writer.Line($"public const int HiddenSize = {Literal(_spec.HiddenSize)};");
            _writer.Line();
            EmitProjectionConstant();
            _writer.Line($"/// <summary>Stacked {_cell.Name} layers.</summary>");
            _writer.Line($"public const int Layers = {Literal(_spec.Layers)};");
            _writer.Line();
            if (_spec.HasHead)
            {
                _writer.Line(_spec.Bidirectional
                    ? "/// <summary>Values the model outputs per step: the dense head's outputs.</summary>"
                    : "/// <summary>Values a step outputs: the dense head's outputs.</summary>");
                _writer.Line($"public const int OutputSize = {Literal(_spec.HeadSize)};");
            }
            else if (_spec.Bidirectional)
            {
                _writer.Line("/// <summary>Values the model outputs per step: the last layer's output, both directions (the model has no head).</summary>");
                _writer.Line("public const int OutputSize = LayerOutputSize;");
            }
            else
            {
                _writer.Line("/// <summary>Values a step outputs: the last layer's hidden state (the model has no head).</summary>");
                _writer.Line($"public const int OutputSize = {LayerOutputName};");
            }

            _writer.Line();
            _writer.Line("/// <summary>Trainable values, as PyTorch counts them: the length of <see cref=\"Parameters\"/>.</summary>");
            _writer.Line($"public const int ParameterCount = {Literal(_plan.ParameterCount)};");
            _writer.Line();
            _writer.Line($"// The packed layout: a gate row holds the {Literal(_cell.GateCount)} * HiddenSize gate sums' weights for one input, in blocks of");
            _writer.Line($"// up to MaxBlockWidth units with the {_cell.GateList} gates of a block side by side (see LstmGen.CompilerServices.GateBlocks).");
            _writer.Line($"private const int MaxBlockWidth = {Literal(_plan.MaxBlockWidth)};");
            _writer.Line($"private const int GateRowLength = {Literal(_cell.GateCount)} * HiddenSize;");
            if (_spec.HasProjection)
            {
                _writer.Line("// A step's gate values: its gate row, then o * tanh(c) of every unit, which the projection maps to h.");
                _writer.Line("private const int GateValuesLength = GateRowLength + HiddenSize;");
            }
            else if (_cell.UnitValues > 0)
            {
                _writer.Line("// A step's gate values: its gate row, then W_hn h + b_hn of every unit (n scales it by r, so it is kept apart).");
                _writer.Line($"private const int GateValuesLength = GateRowLength + {(_cell.UnitValues == 1 ? string.Empty : Literal(_cell.UnitValues) + " * ")}HiddenSize;");
            }
            _writer.Line();
            _writer.Line(_spec.HasProjection
                ? "// Each layer's parameters: W_ih [inputs][GateRowLength], W_hh [ProjectionSize][GateRowLength], b_ih, b_hh [GateRowLength],"
                : $"// Each layer's parameters: W_ih [inputs][GateRowLength], W_hh [HiddenSize][GateRowLength], b_ih, b_hh [GateRowLength].");
            if (_spec.HasProjection)
            {
                _writer.Line("// then W_hr [ProjectionSize, HiddenSize] as PyTorch keeps it.");
            }

            string firstInputs = _plan.FirstLayer.IsUpper ? LayerOutputName : "InputSize";
            _writer.Line(LayerParameterCount("FirstLayerParameterCount", firstInputs));
            if (_spec.Layers > 1)
            {
                _writer.Line(LayerParameterCount("UpperLayerParameterCount", LayerOutputName));
            }

            if (_spec.Bidirectional)
            {
                EmitDirectionConstants();
            }

            if (_spec.HasHead)
            {
                _writer.Line($"// The head's weight [OutputSize, {HeadInputs}] and bias [OutputSize] follow the last layer.");
                _writer.Line(HeadOffsetDeclaration);
            }

            _writer.Line();
        }

        /// <summary>The constant of a layer's parameter count, for a layer of <paramref name="inputs"/> inputs.</summary>
        private string LayerParameterCount(string name, string inputs) => _spec.HasProjection
            ? $"private const int {name} = (({inputs} + {RecurrentWidth} + 2) * GateRowLength) + (ProjectionSize * HiddenSize);"
            : $"private const int {name} = ({inputs} + HiddenSize + 2) * GateRowLength;";

        /// <summary>
        /// The bound of PyTorch's default initialisation, as the constructors' comments say it: the cell's ±1/sqrt(H), and
        /// nn.Linear's ±1/sqrt(in_features) for a head that reads another width (2H, P or 2P).
        /// </summary>
        private string InitialisationBound
        {
            get
            {
                if (!_spec.HasHead || _spec.LayerOutputWidth == _spec.HiddenSize)
                {
                    return "±1/sqrt(HiddenSize)";
                }

                string width = _spec.HasProjection ? "ProjectionSize" : "HiddenSize";
                return $"±1/sqrt(HiddenSize), the head's ±1/sqrt({(_spec.Bidirectional ? "2 * " : string.Empty)}{width})";
            }
        }

        private void EmitFieldsAndConstructors()
        {
            _writer.Line($"private static readonly {TypeNames.TensorInfo}[] s_tensors =");
            using (_writer.OpenScope(close: "};"))
            {
                foreach (TensorPlan tensor in _plan.Tensors)
                {
                    _writer.Line($"new {TypeNames.TensorInfo}(\"{tensor.Name}\", new[] {{ {string.Join(", ", tensor.Shape.Select(Literal))} }}, offset: {Literal(tensor.Offset)}),");
                }
            }

            _writer.Line();
            _writer.Line($"private static readonly {TypeNames.IReadOnlyList}<{TypeNames.TensorInfo}> s_tensorList = {TypeNames.Array}.AsReadOnly(s_tensors);");
            _writer.Line();
            _writer.Line("// ParameterCount floats from _parameterStart, 64-byte aligned on the pinned object heap.");
            _writer.Line("private readonly float[] _parameterStorage;");
            _writer.Line("private readonly int _parameterStart;");
            _writer.Line();
            EmitBFloat16Fields();
            if (_spec.Bidirectional)
            {
                EmitDirectionFields();
            }
            else
            {
                _writer.Line("// The model's own sequence state, used by Step(input, output), Forward and AccumulateGradients.");
                _writer.Line("private State _state;");
                _writer.Line();
                _writer.Line("// Forward's chunk of projections and layer outputs, allocated on first use.");
                _writer.Line("private float[]? _forwardBuffer;");
                _writer.Line();
            }

            _writer.Line("// The id of the thread whose call holds the model's own state and buffers, or 0: see ModelGuard.Enter.");
            _writer.Line("private int _busy;");
            _writer.Line();
            if (_compiledWeights)
            {
                EmitCompiledWeightsConstructor();
            }
            else
            {
                _writer.Line("/// <summary>");
                _writer.Line("/// Creates the model with PyTorch's default initialisation (every tensor uniform in");
                _writer.Line($"/// {InitialisationBound}) from a random seed. Use the seeded constructor for repeatable weights.");
                _writer.Line("/// </summary>");
                _writer.Line($"public {Identifier(_spec.TypeName)}()");
                _writer.Line($"    : this({TypeNames.Seeds}.Next())");
                _writer.Line("{");
                _writer.Line("}");
                _writer.Line();
            }

            _writer.Line("/// <summary>");
            _writer.Line("/// Creates the model with PyTorch's default initialisation (every tensor uniform in");
            _writer.Line($"/// {InitialisationBound}), drawn from <paramref name=\"seed\"/>: one seed gives the same");
            _writer.Line("/// weights on every machine and .NET version.");
            _writer.Line("/// </summary>");
            using (_writer.Open($"public {Identifier(_spec.TypeName)}(int seed)"))
            {
                _writer.Line($"_parameterStorage = {TypeNames.ParameterStorage}.Allocate(ParameterCount, out _parameterStart);");
                EmitBFloat16Allocation();
                _writer.Line($"{TypeNames.Initializers}.PyTorchDefault(this, seed);");
            }

            _writer.Line();
        }

        private void EmitInterfaceMembers()
        {
            _writer.Line("/// <summary>The model's tensors, named and shaped as PyTorch's state_dict has them, in that order.</summary>");
            _writer.Line($"public static {TypeNames.IReadOnlyList}<{TypeNames.TensorInfo}> Tensors => s_tensorList;");
            _writer.Line();
            EmitParameterMembers();
            _writer.Line($"int {TypeNames.ISequenceModel}.InputSize => InputSize;");
            _writer.Line();
            _writer.Line($"int {TypeNames.ISequenceModel}.HiddenSize => HiddenSize;");
            _writer.Line();
            _writer.Line($"int {TypeNames.ISequenceModel}.Layers => Layers;");
            _writer.Line();
            _writer.Line($"int {TypeNames.ISequenceModel}.OutputSize => OutputSize;");
            _writer.Line();
            _writer.Line($"bool {TypeNames.ISequenceModel}.HasHead => {(_spec.HasHead ? "true" : "false")};");
            _writer.Line();
            _writer.Line($"{TypeNames.Activation} {TypeNames.ISequenceModel}.OutputActivation => {TypeNames.Activation}.{_spec.OutputActivation};");
            _writer.Line();
            _writer.Line($"{TypeNames.LossFunction} {TypeNames.ISequenceModel}.Loss => {TypeNames.LossFunction}.{_spec.Loss};");
            _writer.Line();
            _writer.Line($"int {TypeNames.ISequenceModel}.ParameterCount => ParameterCount;");
            _writer.Line();
            _writer.Line($"{TypeNames.IReadOnlyList}<{TypeNames.TensorInfo}> {TypeNames.ISequenceModel}.Tensors => s_tensorList;");
            _writer.Line();
        }

        private void EmitWeightFiles()
        {
            _writer.Line("/// <summary>");
            _writer.Line("/// Saves the weights to a safetensors file with PyTorch's state_dict names, as");
            _writer.Line("/// <c>safetensors.torch.save_file(module.state_dict(), path)</c> would: written to a temporary file");
            _writer.Line("/// beside <paramref name=\"path\"/>, then renamed over it, so a crash never leaves half a model.");
            _writer.Line("/// </summary>");
            _writer.Line($"public void Save(string path) => {TypeNames.WeightFile}.Save(this, path);");
            _writer.Line();
            _writer.Line("/// <summary>Writes the weights to <paramref name=\"stream\"/> in the safetensors format.</summary>");
            _writer.Line($"public void Save({TypeNames.Stream} stream) => {TypeNames.WeightFile}.Save(this, stream);");
            _writer.Line();
            _writer.Line("/// <summary>");
            _writer.Line($"/// Loads weights from a safetensors file, such as one PyTorch saved from a module with an <c>nn.{_cell.Name}</c>");
            _writer.Line($"/// named <c>{_cell.TensorPrefix}</c> and an <c>nn.Linear</c> named <c>head</c> (map other names with");
            _writer.Line("/// <paramref name=\"options\"/>). F16, BF16 and F64 data are converted. All or nothing: a file that does");
            _writer.Line($"/// not fit leaves the model as it was and throws a <see cref=\"{TypeNames.WeightFileException}\"/> that says why.");
            _writer.Line("/// </summary>");
            if (!_spec.Bidirectional)
            {
                _writer.Line("/// <remarks>");
                _writer.Line("/// The tensors are copied in one after another: a thread that steps this model meanwhile (with");
                _writer.Line("/// <c>Step(ref State, ...)</c>) may see some old and some new tensors. To change the weights of a");
                _writer.Line("/// model that other threads step, load into a second model and swap references at a step boundary");
                _writer.Line("/// (see <see cref=\"CopyParametersFrom\"/>).");
                _writer.Line("/// </remarks>");
            }

            using (_writer.Open($"public void Load(string path, {TypeNames.WeightLoadOptions}? options = null)"))
            {
                using (Guard("Load"))
                {
                    _writer.Line($"{TypeNames.WeightFile}.Load(this, path, options);");
                }
            }
            _writer.Line();
            _writer.Line($"/// <summary>Loads weights in the safetensors format from <paramref name=\"stream\"/>, as <see cref=\"Load(string, {TypeNames.WeightLoadOptions}?)\"/>.</summary>");
            using (_writer.Open($"public void Load({TypeNames.Stream} stream, {TypeNames.WeightLoadOptions}? options = null)"))
            {
                using (Guard("Load"))
                {
                    _writer.Line($"{TypeNames.WeightFile}.Load(this, stream, options);");
                }
            }
            _writer.Line();
        }

        private void EmitTensorAccess()
        {
            string? packed = PackedTensorTest;
            _writer.Line($"/// <inheritdoc cref=\"{TypeNames.ISequenceModel}.SetTensor\"/>");
            using (_writer.Open($"public void SetTensor(string name, {TypeNames.ReadOnlySpan}<float> values)"))
            {
                using (Guard("SetTensor"))
                {
                    _writer.Line($"{TypeNames.TensorInfo} tensor = FindTensor(name);");
                    _writer.Line($"{TypeNames.Span}<float> storage = Parameters.Slice(tensor.Offset, tensor.Length);");
                    if (packed is not null)
                    {
                        using (_writer.Open($"if ({packed})"))
                        {
                            _writer.Line($"{TypeNames.GateLayout}.Pack(tensor, values, storage, HiddenSize, MaxBlockWidth, nameof(values));");
                        }

                        using (_writer.Open("else"))
                        {
                            _writer.Line($"{TypeNames.GateLayout}.CopyIn(tensor, values, storage, nameof(values));");
                        }
                    }
                    else
                    {
                        _writer.Line($"{TypeNames.GateLayout}.Pack(tensor, values, storage, HiddenSize, MaxBlockWidth, nameof(values));");
                    }
                }
            }

            _writer.Line();
            _writer.Line("/// <summary>");
            _writer.Line("/// Copies every parameter of <paramref name=\"other\"/> into this model: the way to hand weights trained");
            if (_spec.Bidirectional)
            {
                _writer.Line("/// in one model to another without a file. It holds this model as Forward does: a copy during another");
                _writer.Line("/// thread's Forward or training throws an InvalidOperationException.");
            }
            else
            {
                _writer.Line("/// in one model to another without a file. Not atomic for threads that step this model meanwhile: to");
                _writer.Line("/// change the weights that other threads step, copy (or <c>Load</c>) into a model they do not use, then");
                _writer.Line("/// publish it with <c>System.Threading.Volatile.Write(ref shared, model)</c>; a stepping thread reads the");
                _writer.Line("/// reference once per step (<c>Volatile.Read</c>), so each step uses all old or all new weights. A");
                _writer.Line("/// <c>State</c> belongs to the class, not to an instance: it carries over to the new model. Reuse the");
                _writer.Line("/// old model only once no thread can still be stepping it.");
            }

            _writer.Line("/// </summary>");
            _writer.Line("/// <param name=\"other\">The model to copy from, which must not change during the copy.</param>");
            using (_writer.Open($"public void CopyParametersFrom({Identifier(_spec.TypeName)} other)"))
            {
                using (_writer.Open("if (other is null)"))
                {
                    _writer.Line($"throw new {TypeNames.ArgumentNullException}(nameof(other));");
                }

                _writer.Line();

                using (Guard("CopyParametersFrom"))
                {
                    _writer.Line("other.Parameters.CopyTo(Parameters);");
                }
            }

            _writer.Line();
            _writer.Line($"/// <inheritdoc cref=\"{TypeNames.ISequenceModel}.GetTensor\"/>");
            using (_writer.Open($"public void GetTensor(string name, {TypeNames.Span}<float> destination)"))
            {
                _writer.Line($"{TypeNames.ModelGuard}.NotBusy(_busy, nameof(GetTensor));");
                _writer.Line("CopyOut(FindTensor(name), Parameters, destination);");
            }
            _writer.Line();
            _writer.Line("/// <summary>Copies a tensor's values (parameters or gradients) out of <paramref name=\"storage\"/> in PyTorch's layout.</summary>");
            using (_writer.Open($"private static void CopyOut({TypeNames.TensorInfo} tensor, {TypeNames.ReadOnlySpan}<float> storage, {TypeNames.Span}<float> destination)"))
            {
                _writer.Line($"{TypeNames.ReadOnlySpan}<float> values = storage.Slice(tensor.Offset, tensor.Length);");
                if (packed is not null)
                {
                    using (_writer.Open($"if ({packed})"))
                    {
                        _writer.Line($"{TypeNames.GateLayout}.Unpack(tensor, values, destination, HiddenSize, MaxBlockWidth, nameof(destination));");
                    }

                    using (_writer.Open("else"))
                    {
                        _writer.Line($"{TypeNames.GateLayout}.CopyOut(tensor, values, destination, nameof(destination));");
                    }
                }
                else
                {
                    _writer.Line($"{TypeNames.GateLayout}.Unpack(tensor, values, destination, HiddenSize, MaxBlockWidth, nameof(destination));");
                }
            }

            _writer.Line();
            using (_writer.Open($"private static {TypeNames.TensorInfo} FindTensor(string name) => name switch", close: "};"))
            {
                for (int index = 0; index < _plan.Tensors.Count; index++)
                {
                    _writer.Line($"\"{_plan.Tensors[index].Name}\" => s_tensors[{Literal(index)}],");
                }

                _writer.Line($"null => throw new {TypeNames.ArgumentNullException}(nameof(name)),");
                _writer.Line($"_ => throw {TypeNames.ModelGuard}.UnknownTensor(name, s_tensorList, nameof(name)),");
            }

            _writer.Line();
        }

        private const string StateShape = "[Layers, HiddenSize]";

        /// <summary>The shape of the hidden state: [Layers, ProjectionSize] with projections, else [Layers, HiddenSize].</summary>
        private string HiddenStateShape => $"[Layers, {RecurrentWidth}]";

        /// <summary>
        /// The test that a tensor is kept in packed gate rows (a gate weight or bias), where the model has tensors kept as
        /// PyTorch has them (the head after the layers, a layer's W_hr of ProjectionSize rows); null when every tensor is packed.
        /// </summary>
        private string? PackedTensorTest => (_spec.HasHead, _spec.HasProjection) switch
        {
            (true, true) => "tensor.Offset < HeadOffset && tensor.Shape[0] == GateRowLength",
            (false, true) => "tensor.Shape[0] == GateRowLength",
            (true, false) => "tensor.Offset < HeadOffset",
            _ => null,
        };

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
            if (!_cell.HasCellState)
            {
                EmitStateAccessWithoutCell();
            }
            else
            {
                _writer.Line($"/// <inheritdoc cref=\"{TypeNames.ILstmModel}.SetState\"/>");
                using (_writer.Open($"public void SetState({TypeNames.ReadOnlySpan}<float> hidden, {TypeNames.ReadOnlySpan}<float> cell)"))
                {
                    _writer.Line($"{TypeNames.ModelGuard}.Length(hidden.Length, Layers * {RecurrentWidth}, nameof(hidden), \"{HiddenStateShape}\");");
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
                    _writer.Line($"{TypeNames.ModelGuard}.Length(hidden.Length, Layers * {RecurrentWidth}, nameof(hidden), \"{HiddenStateShape}\");");
                    _writer.Line($"{TypeNames.ModelGuard}.Length(cell.Length, Layers * HiddenSize, nameof(cell), \"{StateShape}\");");
                    _writer.Line($"{TypeNames.ModelGuard}.Disjoint<float>(cell, hidden, nameof(cell), nameof(hidden));");
                    _writer.Line($"{TypeNames.ModelGuard}.NotBusy(_busy, nameof(GetState));");
                    _writer.Line($"{StateValues("_state", "Hidden")}.CopyTo(hidden);");
                    _writer.Line($"{StateValues("_state", "Cell")}.CopyTo(cell);");
                }

                _writer.Line();
            }

            _writer.Line($"/// <inheritdoc cref=\"{TypeNames.ILstmModel}.IsStateFinite\"/>");
            _writer.Line("public bool IsStateFinite() => _state.IsFinite;");
            _writer.Line();
        }

        /// <summary>
        /// SetState and GetState of a cell without a cell state (a GRU): the interface's signature, whose cell span
        /// must be empty (<c>default</c>), so that code written for every model compiles and a cell state given
        /// where there is none is an error rather than ignored.
        /// </summary>
        private void EmitStateAccessWithoutCell()
        {
            const string NoCell = "empty: a GRU has no cell state";
            _writer.Line($"/// <summary>Sets the model's own hidden state, [Layers, HiddenSize] row-major; a {_cell.Name} has no cell state, so <paramref name=\"cell\"/> must be empty (<c>default</c>).</summary>");
            using (_writer.Open($"public void SetState({TypeNames.ReadOnlySpan}<float> hidden, {TypeNames.ReadOnlySpan}<float> cell)"))
            {
                _writer.Line($"{TypeNames.ModelGuard}.Length(hidden.Length, Layers * HiddenSize, nameof(hidden), \"{StateShape}\");");
                _writer.Line($"{TypeNames.ModelGuard}.Length(cell.Length, 0, nameof(cell), \"{NoCell}\");");
                using (Guard("SetState"))
                {
                    _writer.Line($"hidden.CopyTo({StateValues("_state", "Hidden")});");
                }
            }

            _writer.Line();
            _writer.Line($"/// <summary>Copies the model's own hidden state out, [Layers, HiddenSize] row-major; a {_cell.Name} has no cell state, so <paramref name=\"cell\"/> must be empty (<c>default</c>).</summary>");
            using (_writer.Open($"public void GetState({TypeNames.Span}<float> hidden, {TypeNames.Span}<float> cell)"))
            {
                _writer.Line($"{TypeNames.ModelGuard}.Length(hidden.Length, Layers * HiddenSize, nameof(hidden), \"{StateShape}\");");
                _writer.Line($"{TypeNames.ModelGuard}.Length(cell.Length, 0, nameof(cell), \"{NoCell}\");");
                _writer.Line($"{TypeNames.ModelGuard}.NotBusy(_busy, nameof(GetState));");
                _writer.Line($"{StateValues("_state", "Hidden")}.CopyTo(hidden);");
            }

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
                EmitParameterReference();

                EmitStateReferences("state");
                _writer.Line();
                _writer.Line("// Each layer's gate sums and activations, packed like a gate row.");
                _writer.Line($"{TypeNames.Span}<float> gateScratch = stackalloc float[{GateValuesLength}];");
                _writer.Line($"ref float gates = ref {TypeNames.MemoryMarshal}.GetReference(gateScratch);");
                _writer.Line();
                if (!IsPortable)
                {
                    _writer.Line("// IsHardwareAccelerated is a JIT-time constant: only the path this processor takes is compiled.");
                }

                EmitDispatch(path => $"{KernelClass}.Step{ModelPrecision}{path}({PathStepParameters(agents: false).Arguments});");

                if (!_spec.HasHead)
                {
                    _writer.Line();
                    _writer.Line("// Without a head, a step outputs the top layer's hidden state.");
                    _writer.Line($"{TypeNames.Floats}.Copy(ref {Unsafe}.Add(ref hidden, (Layers - 1) * {RecurrentWidth}), ref output, OutputSize);");
                }

                if (_spec.OutputActivation != OutputActivation.Linear)
                {
                    _writer.Line();
                    _writer.Line($"{KernelClass}.ApplyOutputActivation(ref output);");
                }
            }

            _writer.Line();
            EmitOutputActivation();
        }

        private void EmitOutputActivation()
        {
            using (Kernels())
            {
                switch (_spec.OutputActivation)
                {
                    case OutputActivation.Sigmoid:
                    case OutputActivation.Tanh:
                        string function = _spec.OutputActivation.ToString();
                        _writer.Line($"/// <summary>The output activation: {function.ToLowerInvariant()} of each output (the same scalar code on every path).</summary>");
                        using (_writer.Open("internal static void ApplyOutputActivation(ref float output)"))
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
                        _writer.Line($"internal static void ApplyOutputActivation(ref float output) => {TypeNames.LstmMath}.Softmax({TypeNames.MemoryMarshal}.CreateSpan(ref output, OutputSize));");
                        _writer.Line();
                        break;
                }
            }
        }

        private void EmitStateType()
        {
            _writer.Line("/// <summary>");
            _writer.Line(_cell.HasCellState
                ? "/// The recurrent state of one sequence: the hidden and cell values of every layer, held inline"
                : $"/// The recurrent state of one sequence: the hidden values of every layer (a {_cell.Name} has no cell state), held inline");
            _writer.Line("/// (no heap allocation). <c>default</c> is the zero state. Step it with");
            _writer.Line($"/// <see cref=\"Step(ref State, {TypeNames.ReadOnlySpan}{{float}}, {TypeNames.Span}{{float}})\"/>.");
            if (IsPortable)
            {
                _writer.Line("/// On the portable tier (no C# 12 inline arrays), the values are plain float fields and");
                _writer.Line(_cell.HasCellState
                    ? "/// <see cref=\"Hidden(ref State)\"/> and <see cref=\"Cell(ref State)\"/> give them as spans, where the"
                    : "/// <see cref=\"Hidden(ref State)\"/> gives them as a span, where the");
                _writer.Line(_cell.HasCellState
                    ? "/// full tier has the properties <c>state.Hidden</c> and <c>state.Cell</c>."
                    : "/// full tier has the property <c>state.Hidden</c>.");
            }

            _writer.Line("/// </summary>");
            if (IsPortable)
            {
                _writer.Line($"[{TypeNames.StructLayout}({TypeNames.LayoutKind}.Sequential)]");
            }

            using (_writer.Open("public struct State"))
            {
                if (!_cell.HasCellState)
                {
                    EmitHiddenOnlyStateMembers();
                    return;
                }

                _writer.Line(IsPortable
                    ? "// The hidden values, then the cell values."
                    : "// The hidden values, then the cell values: the group step reads a State as one row of floats.");
                _writer.Line($"private {HiddenValuesType} _hidden;");
                _writer.Line("private LayerValues _cell;");
                _writer.Line();
                _writer.Line("/// <summary>");
                _writer.Line("/// Whether every hidden and cell value is finite. A NaN input to a step makes the state NaN, and every");
                _writer.Line("/// later step keeps it NaN: check this after a step whose input may be bad, and reset the state if it");
                _writer.Line(_spec.HasProjection
                    ? "/// is false. Costs one pass over the state's Layers x (ProjectionSize + HiddenSize) floats."
                    : "/// is false. Costs one pass over the state's 2 x Layers x HiddenSize floats.");
                _writer.Line("/// </summary>");
                if (IsPortable)
                {
                    // C# 9 has no span over a readonly struct's own fields: a plain getter reads them through a ref.
                    string Values(string field, string width) => $"{TypeNames.MemoryMarshal}.CreateReadOnlySpan(ref {field}._0, Layers * {width})";
                    _writer.Line($"public bool IsFinite => {TypeNames.ModelGuard}.AllFinite({Values("_hidden", RecurrentWidth)}) && {TypeNames.ModelGuard}.AllFinite({Values("_cell", "HiddenSize")});");
                    _writer.Line();
                    EmitPortableStateMembers();
                    return;
                }

                _writer.Line($"public readonly bool IsFinite => {TypeNames.ModelGuard}.AllFinite(_hidden) && {TypeNames.ModelGuard}.AllFinite(_cell);");
                _writer.Line();
                _writer.Line($"/// <summary>The hidden state, {HiddenStateShape} row-major.</summary>");
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

                if (_spec.HasProjection)
                {
                    _writer.Line();
                    _writer.Line($"[{TypeNames.InlineArray}(Layers * ProjectionSize)]");
                    using (_writer.Open($"private struct {HiddenValuesType}"))
                    {
                        _writer.Line("private float _element0;");
                    }
                }
            }
        }

        /// <summary>The members of a State that holds the hidden values alone (a GRU's).</summary>
        private void EmitHiddenOnlyStateMembers()
        {
            _writer.Line(IsPortable
                ? "// The hidden values."
                : "// The hidden values: the group step reads a State as one row of floats.");
            _writer.Line("private LayerValues _hidden;");
            _writer.Line();
            _writer.Line("/// <summary>");
            _writer.Line("/// Whether every hidden value is finite. A NaN input to a step makes the state NaN, and every later");
            _writer.Line("/// step keeps it NaN: check this after a step whose input may be bad, and reset the state if it is");
            _writer.Line("/// false. Costs one pass over the state's Layers x HiddenSize floats.");
            _writer.Line("/// </summary>");
            if (IsPortable)
            {
                _writer.Line($"public bool IsFinite => {TypeNames.ModelGuard}.AllFinite({TypeNames.MemoryMarshal}.CreateReadOnlySpan(ref _hidden._0, Layers * HiddenSize));");
                _writer.Line();
                EmitPortableStateMembers();
                return;
            }

            _writer.Line($"public readonly bool IsFinite => {TypeNames.ModelGuard}.AllFinite(_hidden);");
            _writer.Line();
            _writer.Line("/// <summary>The hidden state, [Layers, HiddenSize] row-major.</summary>");
            _writer.Line($"[{TypeNames.UnscopedRef}]");
            _writer.Line($"public {TypeNames.Span}<float> Hidden => _hidden;");
            _writer.Line();
            _writer.Line($"[{TypeNames.InlineArray}(Layers * HiddenSize)]");
            using (_writer.Open("private struct LayerValues"))
            {
                _writer.Line("private float _element0;");
            }
        }

        /// <summary>
        /// The portable tier's State: static accessors over a ref State (C# 9 lets a method return a span over a
        /// ref parameter, not over <c>this</c>), and Layers * HiddenSize float fields in a row.
        /// </summary>
        private void EmitPortableStateMembers()
        {
            foreach (string part in _cell.HasCellState ? new[] { "Hidden", "Cell" } : new[] { "Hidden" })
            {
                string width = part == "Hidden" ? RecurrentWidth : "HiddenSize";
                _writer.Line($"/// <summary>The {part.ToLowerInvariant()} state of <paramref name=\"state\"/>, [Layers, {width}] row-major: a span over the state itself.</summary>");
                _writer.Line($"public static {TypeNames.Span}<float> {part}(ref State state) => {TypeNames.MemoryMarshal}.CreateSpan(ref state._{part.ToLowerInvariant()}._0, Layers * {width});");
                _writer.Line();
            }

            EmitPortableValues("LayerValues", "HiddenSize", _spec.Layers * _spec.HiddenSize);
            if (_spec.HasProjection)
            {
                _writer.Line();
                EmitPortableValues(HiddenValuesType, "ProjectionSize", _spec.Layers * _spec.ProjectionSize);
            }
        }

        /// <summary>The type of a State's hidden values: <c>LayerValues</c> (Layers * HiddenSize floats), or with projections <c>ProjectedValues</c>.</summary>
        private string HiddenValuesType => _spec.HasProjection ? "ProjectedValues" : "LayerValues";

        /// <summary>A portable State's <paramref name="count"/> floats of Layers * <paramref name="width"/>, as fields.</summary>
        private void EmitPortableValues(string name, string width, int count)
        {
            _writer.Line($"// Layers * {width} floats, one after another (what [InlineArray] gives the full tier).");
            _writer.Line($"[{TypeNames.StructLayout}({TypeNames.LayoutKind}.Sequential)]");
            using (_writer.Open($"private struct {name}"))
            {
                for (int first = 0; first < count; first += 16)
                {
                    int last = System.Math.Min(first + 16, count);
                    _writer.Line("public float " + string.Join(", ", Enumerable.Range(first, last - first).Select(i => "_" + Literal(i))) + ";");
                }
            }
        }
    }
}
