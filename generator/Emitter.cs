using System;
using System.CodeDom.Compiler;
using System.Globalization;
using System.IO;
using System.Linq;
using LstmGen.Generator.Model;
using Microsoft.CodeAnalysis.CSharp;

namespace LstmGen.Generator
{
    /// <summary>
    /// Writes the source of one model from its <see cref="KernelPlan"/>: the public API here,
    /// the kernels in Emitter.Kernels.cs. The output is meant to be read and stepped through:
    /// named locals, a comment before each phase, constants for every dimension.
    /// </summary>
    internal sealed partial class Emitter
    {
        private static readonly string s_version = typeof(Emitter).Assembly.GetName().Version?.ToString() ?? "1.0.0.0";

        private readonly KernelPlan _plan;
        private readonly ModelSpec _spec;
        private readonly Tier _tier;
        private readonly bool _compiledWeights;
        private readonly IndentedTextWriter _writer;

        private Emitter(KernelPlan plan, Tier tier, bool compiledWeights, TextWriter output)
        {
            _plan = plan;
            _spec = plan.Spec;
            _tier = tier;
            _compiledWeights = compiledWeights;
            _writer = new IndentedTextWriter(output, "    ");
        }

        /// <summary>
        /// The model's source; with <paramref name="compiledWeights"/>, its parameterless constructor starts from the
        /// weights that <see cref="EmitWeights"/> writes into a second file.
        /// </summary>
        public static string Emit(KernelPlan plan, Tier tier = Tier.Full, bool compiledWeights = false)
        {
            using var output = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
            var emitter = new Emitter(plan, tier, compiledWeights, output);
            emitter.EmitFile();
            return output.ToString();
        }

        private static string N(int value) => value.ToString(CultureInfo.InvariantCulture);

        /// <summary>A name as C# source spells it: with '@' if it is a keyword (a class named <c>@event</c>).</summary>
        private static string Identifier(string name) =>
            SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) != SyntaxKind.None
                ? "@" + name
                : name;

        private void Line(string text = "")
        {
            if (text.Length == 0)
            {
                // An empty line carries no indentation.
                _writer.WriteLineNoTabs(string.Empty);
            }
            else
            {
                _writer.WriteLine(text);
            }
        }

        /// <summary>Writes <paramref name="header"/> and an opening brace; disposing the result closes it.</summary>
        private Block Open(string header, string close = "}")
        {
            Line(header);
            Line("{");
            _writer.Indent++;
            return new Block(this, close);
        }

        /// <summary>Opens a bare scope for locals; disposing the result closes it.</summary>
        private Block OpenScope()
        {
            Line("{");
            _writer.Indent++;
            return new Block(this, "}");
        }

        /// <summary>
        /// Opens the body of a call that holds the model's own state and buffers for <paramref name="operation"/>:
        /// taken with one interlocked exchange (a second thread gets an InvalidOperationException that says
        /// what is thread-safe), given back in a finally block when the returned block is disposed.
        /// </summary>
        private Block Guard(string operation)
        {
            Line($"int owner = {TypeNames.ModelGuard}.Enter(ref _busy, nameof({operation}));");
            Line("try");
            Line("{");
            _writer.Indent++;
            return new Block(this, "}", () =>
            {
                using (Open("finally"))
                {
                    Line($"{TypeNames.ModelGuard}.Exit(ref _busy, owner);");
                }
            });
        }

        private readonly struct Block : IDisposable
        {
            private readonly Emitter _emitter;
            private readonly string? _close;
            private readonly Action? _after;

            /// <summary>A block that closes with <paramref name="close"/> (null: closes nothing itself), then runs <paramref name="after"/>.</summary>
            public Block(Emitter emitter, string? close, Action? after = null)
            {
                _emitter = emitter;
                _close = close;
                _after = after;
            }

            public void Dispose()
            {
                if (_close is not null)
                {
                    _emitter._writer.Indent--;
                    _emitter.Line(_close);
                }

                _after?.Invoke();
            }
        }

        private string Describe()
        {
            string layers = _spec.Layers == 1 ? "1 layer" : N(_spec.Layers) + " layers";
            string head = _spec.HasHead
                ? $"dense head {N(_spec.HiddenSize)} -> {N(_spec.HeadSize)} ({_spec.OutputActivation})"
                : "no head (outputs the last layer's hidden state)";
            return $"LSTM, {layers}, input {N(_spec.InputSize)}, hidden {N(_spec.HiddenSize)}, {head}";
        }

        private void EmitFile()
        {
            Line("// <auto-generated/>");
            Line($"// Generated by LstmGen from [Lstm] on {_spec.FullName}. Do not edit: change the attribute instead.");
            Line("//");
            Line($"// Model:   {Describe()}; {N(_plan.ParameterCount)} parameters.");
            Line($"// Layout:  LSTM weights transposed into packed gate rows of 4 x {N(_spec.HiddenSize)} columns, in blocks of up to");
            Line($"//          {N(_plan.MaxBlockWidth)} units whose i, f, g and o gates sit side by side; the head as PyTorch keeps it.");
            if (IsPortable)
            {
                Line("// Kernels: the scalar path only (the portable tier: this compilation lacks .NET 8's vectors or C# 12, as");
                Line("//          Unity's does); it sums in the order of the full tier's every path and gives the same bits.");
            }
            else
            {
                Line("// Kernels: Vector512, Vector256, Vector128 and scalar paths; the JIT keeps the one this processor runs.");
                Line("//          Every path sums in the same order and rounds the same way, so all give the same bits.");
            }

            Line("#nullable enable");
            Line();

            using (OpenContainers())
            {
                EmitModelClass();
            }
        }

        /// <summary>Opens the model's namespace and containing types; disposing the result closes them.</summary>
        private Block OpenContainers()
        {
            Block? namespaceBlock = _spec.Namespace is null ? null : Open($"namespace {string.Join(".", _spec.Namespace.Split('.').Select(Identifier))}");
            var containing = _spec.ContainingTypes.Select(type => Open($"partial {type.Keyword} {Identifier(type.Name)}")).ToList();
            return new Block(this, close: null, () =>
            {
                for (int i = containing.Count - 1; i >= 0; i--)
                {
                    containing[i].Dispose();
                }

                namespaceBlock?.Dispose();
            });
        }

        private void EmitModelClass()
        {
            Line($"[{TypeNames.GeneratedCode}(\"LstmGen.Generator\", \"{s_version}\")]");
            using (Open($"partial class {Identifier(_spec.TypeName)} : {TypeNames.ILstmModel}"))
            {
                EmitConstants();
                EmitTrainingConstants();
                if (!IsPortable)
                {
                    EmitAgentsConstants();
                }

                EmitForwardConstants();
                EmitFieldsAndConstructors();
                EmitTrainingFields();
                EmitInterfaceMembers();
                EmitTensorAccess();
                EmitStateAccess();
                EmitWeightFiles();
                EmitStepAndForward();
                EmitTrainingApi();
                EmitTrainingDispatchers();
                EmitAgentsApi();
                foreach (PathPlan path in Paths)
                {
                    EmitPathStep(path, agents: false);
                    foreach (LayerKernel kernel in _plan.LayerKernels)
                    {
                        EmitLayerKernel(kernel, path, agents: false);
                        if (kernel.ProjectsInForward(_spec.HiddenSize))
                        {
                            EmitProjectionKernel(kernel, path);
                            EmitLayerKernel(kernel, path, agents: false, recurrentOnly: true);
                        }
                    }

                    if (_spec.HasHead)
                    {
                        EmitHead(path);
                    }

                    foreach (LayerKernel kernel in _plan.LayerKernels)
                    {
                        EmitLayerBackward(kernel, path);
                    }

                    EmitGateRowHelpers(path);
                    EmitWeightGradients(path);
                    if (_spec.HasHead)
                    {
                        EmitHeadBackward(path);
                    }

                    if (path.Path != KernelPath.Scalar)
                    {
                        EmitPathStep(path, agents: true);
                        foreach (LayerKernel kernel in _plan.LayerKernels)
                        {
                            EmitLayerKernel(kernel, path, agents: true);
                        }

                        if (_spec.HasHead)
                        {
                            EmitAgentsHead(path);
                        }
                    }
                }

                EmitStateType();
            }
        }

        private void EmitConstants()
        {
            Line("/// <summary>Features per time step.</summary>");
            Line($"public const int InputSize = {N(_spec.InputSize)};");
            Line();
            Line("/// <summary>Units per LSTM layer.</summary>");
            Line($"public const int HiddenSize = {N(_spec.HiddenSize)};");
            Line();
            Line("/// <summary>Stacked LSTM layers.</summary>");
            Line($"public const int Layers = {N(_spec.Layers)};");
            Line();
            if (_spec.HasHead)
            {
                Line("/// <summary>Values a step outputs: the dense head's outputs.</summary>");
                Line($"public const int OutputSize = {N(_spec.HeadSize)};");
            }
            else
            {
                Line("/// <summary>Values a step outputs: the last layer's hidden state (the model has no head).</summary>");
                Line("public const int OutputSize = HiddenSize;");
            }

            Line();
            Line("/// <summary>Trainable values, as PyTorch counts them: the length of <see cref=\"Parameters\"/>.</summary>");
            Line($"public const int ParameterCount = {N(_plan.ParameterCount)};");
            Line();
            Line("// The packed layout: a gate row holds the 4 * HiddenSize gate sums' weights for one input, in blocks of");
            Line("// up to MaxBlockWidth units with the i, f, g, o gates of a block side by side (see LstmGen.CompilerServices.GateBlocks).");
            Line($"private const int MaxBlockWidth = {N(_plan.MaxBlockWidth)};");
            Line("private const int GateRowLength = 4 * HiddenSize;");
            Line();
            Line($"// Each layer's parameters: W_ih [inputs][GateRowLength], W_hh [HiddenSize][GateRowLength], b_ih, b_hh [GateRowLength].");
            string firstInputs = _plan.FirstLayer.IsUpper ? "HiddenSize" : "InputSize";
            Line($"private const int FirstLayerParameterCount = ({firstInputs} + HiddenSize + 2) * GateRowLength;");
            if (_spec.Layers > 1)
            {
                Line("private const int UpperLayerParameterCount = (HiddenSize + HiddenSize + 2) * GateRowLength;");
            }

            if (_spec.HasHead)
            {
                Line("// The head's weight [OutputSize, HiddenSize] and bias [OutputSize] follow the last layer.");
                Line(_spec.Layers > 1
                    ? "private const int HeadOffset = FirstLayerParameterCount + ((Layers - 1) * UpperLayerParameterCount);"
                    : "private const int HeadOffset = FirstLayerParameterCount;");
            }

            Line();
        }

        private void EmitFieldsAndConstructors()
        {
            Line($"private static readonly {TypeNames.TensorInfo}[] s_tensors =");
            Line("{");
            _writer.Indent++;
            foreach (TensorPlan tensor in _plan.Tensors)
            {
                Line($"new {TypeNames.TensorInfo}(\"{tensor.Name}\", new[] {{ {string.Join(", ", tensor.Shape.Select(N))} }}, offset: {N(tensor.Offset)}),");
            }

            _writer.Indent--;
            Line("};");
            Line();
            Line($"private static readonly {TypeNames.IReadOnlyList}<{TypeNames.TensorInfo}> s_tensorList = {TypeNames.Array}.AsReadOnly(s_tensors);");
            Line();
            Line("// ParameterCount floats from _parameterStart, 64-byte aligned on the pinned object heap.");
            Line("private readonly float[] _parameterStorage;");
            Line("private readonly int _parameterStart;");
            Line();
            Line("// The model's own sequence state, used by Step(input, output), Forward and AccumulateGradients.");
            Line("private State _state;");
            Line();
            Line("// Forward's chunk of projections and layer outputs, allocated on first use.");
            Line("private float[]? _forwardBuffer;");
            Line();
            Line("// The id of the thread whose call holds the model's own state and buffers, or 0: see ModelGuard.Enter.");
            Line("private int _busy;");
            Line();
            if (_compiledWeights)
            {
                EmitCompiledWeightsConstructor();
            }
            else
            {
                Line("/// <summary>");
                Line("/// Creates the model with PyTorch's default initialisation (every tensor uniform in");
                Line("/// ±1/sqrt(HiddenSize)) from a random seed. Use the seeded constructor for repeatable weights.");
                Line("/// </summary>");
                Line($"public {Identifier(_spec.TypeName)}()");
                Line($"    : this({TypeNames.Seeds}.Next())");
                Line("{");
                Line("}");
                Line();
            }

            Line("/// <summary>");
            Line("/// Creates the model with PyTorch's default initialisation (every tensor uniform in");
            Line("/// ±1/sqrt(HiddenSize)), drawn from <paramref name=\"seed\"/>: one seed gives the same");
            Line("/// weights on every machine and .NET version.");
            Line("/// </summary>");
            using (Open($"public {Identifier(_spec.TypeName)}(int seed)"))
            {
                Line($"_parameterStorage = {TypeNames.ParameterStorage}.Allocate(ParameterCount, out _parameterStart);");
                Line($"{TypeNames.Initializers}.PyTorchDefault(this, seed);");
            }

            Line();
        }

        private void EmitInterfaceMembers()
        {
            Line("/// <summary>The model's tensors, named and shaped as PyTorch's state_dict has them, in that order.</summary>");
            Line($"public static {TypeNames.IReadOnlyList}<{TypeNames.TensorInfo}> Tensors => s_tensorList;");
            Line();
            Line($"/// <inheritdoc cref=\"{TypeNames.ILstmModel}.Parameters\"/>");
            Line($"public {TypeNames.Span}<float> Parameters => new {TypeNames.Span}<float>(_parameterStorage, _parameterStart, ParameterCount);");
            Line();
            Line($"int {TypeNames.ILstmModel}.InputSize => InputSize;");
            Line();
            Line($"int {TypeNames.ILstmModel}.HiddenSize => HiddenSize;");
            Line();
            Line($"int {TypeNames.ILstmModel}.Layers => Layers;");
            Line();
            Line($"int {TypeNames.ILstmModel}.OutputSize => OutputSize;");
            Line();
            Line($"bool {TypeNames.ILstmModel}.HasHead => {(_spec.HasHead ? "true" : "false")};");
            Line();
            Line($"{TypeNames.Activation} {TypeNames.ILstmModel}.OutputActivation => {TypeNames.Activation}.{_spec.OutputActivation};");
            Line();
            Line($"{TypeNames.LossFunction} {TypeNames.ILstmModel}.Loss => {TypeNames.LossFunction}.{_spec.Loss};");
            Line();
            Line($"int {TypeNames.ILstmModel}.ParameterCount => ParameterCount;");
            Line();
            Line($"{TypeNames.IReadOnlyList}<{TypeNames.TensorInfo}> {TypeNames.ILstmModel}.Tensors => s_tensorList;");
            Line();
        }

        private void EmitWeightFiles()
        {
            Line("/// <summary>");
            Line("/// Saves the weights to a safetensors file with PyTorch's state_dict names, as");
            Line("/// <c>safetensors.torch.save_file(module.state_dict(), path)</c> would: written to a temporary file");
            Line("/// beside <paramref name=\"path\"/>, then renamed over it, so a crash never leaves half a model.");
            Line("/// </summary>");
            Line($"public void Save(string path) => {TypeNames.WeightFile}.Save(this, path);");
            Line();
            Line("/// <summary>Writes the weights to <paramref name=\"stream\"/> in the safetensors format.</summary>");
            Line($"public void Save({TypeNames.Stream} stream) => {TypeNames.WeightFile}.Save(this, stream);");
            Line();
            Line("/// <summary>");
            Line("/// Loads weights from a safetensors file, such as one PyTorch saved from a module with an <c>nn.LSTM</c>");
            Line("/// named <c>lstm</c> and an <c>nn.Linear</c> named <c>head</c> (map other names with");
            Line("/// <paramref name=\"options\"/>). F16, BF16 and F64 data are converted. All or nothing: a file that does");
            Line($"/// not fit leaves the model as it was and throws a <see cref=\"{TypeNames.WeightFileException}\"/> that says why.");
            Line("/// </summary>");
            Line("/// <remarks>");
            Line("/// The tensors are copied in one after another: a thread that steps this model meanwhile (with");
            Line("/// <c>Step(ref State, ...)</c>) may see some old and some new tensors. To change the weights of a");
            Line("/// model that other threads step, load into a second model and swap references at a step boundary");
            Line("/// (see <see cref=\"CopyParametersFrom\"/>).");
            Line("/// </remarks>");
            using (Open($"public void Load(string path, {TypeNames.WeightLoadOptions}? options = null)"))
            {
                using (Guard("Load"))
                {
                    Line($"{TypeNames.WeightFile}.Load(this, path, options);");
                }
            }
            Line();
            Line($"/// <summary>Loads weights in the safetensors format from <paramref name=\"stream\"/>, as <see cref=\"Load(string, {TypeNames.WeightLoadOptions}?)\"/>.</summary>");
            using (Open($"public void Load({TypeNames.Stream} stream, {TypeNames.WeightLoadOptions}? options = null)"))
            {
                using (Guard("Load"))
                {
                    Line($"{TypeNames.WeightFile}.Load(this, stream, options);");
                }
            }
            Line();
        }

        private void EmitTensorAccess()
        {
            bool anyHead = _spec.HasHead;
            Line($"/// <inheritdoc cref=\"{TypeNames.ILstmModel}.SetTensor\"/>");
            using (Open($"public void SetTensor(string name, {TypeNames.ReadOnlySpan}<float> values)"))
            {
                using (Guard("SetTensor"))
                {
                    Line($"{TypeNames.TensorInfo} tensor = FindTensor(name);");
                    Line($"{TypeNames.Span}<float> storage = Parameters.Slice(tensor.Offset, tensor.Length);");
                    if (anyHead)
                    {
                        using (Open("if (tensor.Offset < HeadOffset)"))
                        {
                            Line($"{TypeNames.GateLayout}.Pack(tensor, values, storage, HiddenSize, MaxBlockWidth, nameof(values));");
                        }

                        using (Open("else"))
                        {
                            Line($"{TypeNames.GateLayout}.CopyIn(tensor, values, storage, nameof(values));");
                        }
                    }
                    else
                    {
                        Line($"{TypeNames.GateLayout}.Pack(tensor, values, storage, HiddenSize, MaxBlockWidth, nameof(values));");
                    }
                }
            }

            Line();
            Line("/// <summary>");
            Line("/// Copies every parameter of <paramref name=\"other\"/> into this model: the way to hand weights trained");
            Line("/// in one model to another without a file. Not atomic for threads that step this model meanwhile: to");
            Line("/// change the weights that other threads step, copy (or <c>Load</c>) into a model they do not use, then");
            Line("/// publish it with <c>System.Threading.Volatile.Write(ref shared, model)</c>; a stepping thread reads the");
            Line("/// reference once per step (<c>Volatile.Read</c>), so each step uses all old or all new weights. A");
            Line("/// <c>State</c> belongs to the class, not to an instance: it carries over to the new model. Reuse the");
            Line("/// old model only once no thread can still be stepping it.");
            Line("/// </summary>");
            Line("/// <param name=\"other\">The model to copy from, which must not change during the copy.</param>");
            using (Open($"public void CopyParametersFrom({Identifier(_spec.TypeName)} other)"))
            {
                using (Open("if (other is null)"))
                {
                    Line($"throw new {TypeNames.ArgumentNullException}(nameof(other));");
                }

                Line();

                using (Guard("CopyParametersFrom"))
                {
                    Line("other.Parameters.CopyTo(Parameters);");
                }
            }

            Line();
            Line($"/// <inheritdoc cref=\"{TypeNames.ILstmModel}.GetTensor\"/>");
            using (Open($"public void GetTensor(string name, {TypeNames.Span}<float> destination)"))
            {
                Line($"{TypeNames.ModelGuard}.NotBusy(_busy, nameof(GetTensor));");
                Line("CopyOut(FindTensor(name), Parameters, destination);");
            }
            Line();
            Line("/// <summary>Copies a tensor's values (parameters or gradients) out of <paramref name=\"storage\"/> in PyTorch's layout.</summary>");
            using (Open($"private static void CopyOut({TypeNames.TensorInfo} tensor, {TypeNames.ReadOnlySpan}<float> storage, {TypeNames.Span}<float> destination)"))
            {
                Line($"{TypeNames.ReadOnlySpan}<float> values = storage.Slice(tensor.Offset, tensor.Length);");
                if (anyHead)
                {
                    using (Open("if (tensor.Offset < HeadOffset)"))
                    {
                        Line($"{TypeNames.GateLayout}.Unpack(tensor, values, destination, HiddenSize, MaxBlockWidth, nameof(destination));");
                    }

                    using (Open("else"))
                    {
                        Line($"{TypeNames.GateLayout}.CopyOut(tensor, values, destination, nameof(destination));");
                    }
                }
                else
                {
                    Line($"{TypeNames.GateLayout}.Unpack(tensor, values, destination, HiddenSize, MaxBlockWidth, nameof(destination));");
                }
            }

            Line();
            using (Open($"private static {TypeNames.TensorInfo} FindTensor(string name) => name switch", close: "};"))
            {
                for (int index = 0; index < _plan.Tensors.Count; index++)
                {
                    Line($"\"{_plan.Tensors[index].Name}\" => s_tensors[{N(index)}],");
                }

                Line($"null => throw new {TypeNames.ArgumentNullException}(nameof(name)),");
                Line($"_ => throw {TypeNames.ModelGuard}.UnknownTensor(name, s_tensorList, nameof(name)),");
            }

            Line();
        }
    }
}
