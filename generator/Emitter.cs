using System;
using System.Globalization;
using System.IO;
using System.Linq;
using LstmGen.Generator.Model;
using Microsoft.CodeAnalysis.CSharp;
using static LstmGen.Generator.CodeWriter;

namespace LstmGen.Generator
{
    /// <summary>
    /// Writes the source of one model from its <see cref="KernelPlan"/>: the public API here,
    /// the kernels and helpers in the other Emitter.*.cs files (Api, Forward, ForwardSequence, Training, Backward, Agents, Dispatch, VectorCode). The output is meant to be read and stepped through:
    /// named locals, a comment before each phase, constants for every dimension.
    /// </summary>
    internal sealed partial class Emitter
    {
        private static readonly string s_version = typeof(Emitter).Assembly.GetName().Version?.ToString() ?? "1.0.0.0";

        private readonly KernelPlan _plan;
        private readonly ModelSpec _spec;
        private readonly RecurrentCell _cell;
        private readonly Tier _tier;
        private readonly bool _compiledWeights;
        private readonly CodeWriter _writer;

        private Emitter(KernelPlan plan, Tier tier, bool compiledWeights, TextWriter output)
        {
            _plan = plan;
            _spec = plan.Spec;
            _cell = plan.Cell;
            _tier = tier;
            _compiledWeights = compiledWeights;
            _writer = new CodeWriter(output);
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

        /// <summary>A name as C# source spells it: with '@' if it is a keyword (a class named <c>@event</c>).</summary>
        private static string Identifier(string name) =>
            SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) != SyntaxKind.None
                ? "@" + name
                : name;

        /// <summary>
        /// Opens the body of a call that holds the model's own state and buffers for <paramref name="operation"/>:
        /// taken with one interlocked exchange (a second thread gets an InvalidOperationException that says
        /// what is thread-safe), given back in a finally block when the returned block is disposed.
        /// </summary>
        private Block Guard(string operation)
        {
            _writer.Line($"int owner = {TypeNames.ModelGuard}.Enter(ref _busy, nameof({operation}));");
            return _writer.Open("try", after: () =>
            {
                using (_writer.Open("finally"))
                {
                    _writer.Line($"{TypeNames.ModelGuard}.Exit(ref _busy, owner);");
                }
            });
        }

        /// <summary>The nested class that holds the model's kernels (<see cref="KernelClass"/>).</summary>
        private const string KernelClass = "LstmGenKernels";

        /// <summary>
        /// Sends the members written until the result is disposed into the nested <see cref="KernelClass"/>, which
        /// <see cref="EmitKernelClass"/> writes at the end of the model class: the private static kernels and their
        /// dispatchers, so that of the names in the user's class the generated code takes only the public API, its
        /// private fields and instance helpers, and this one class.
        /// </summary>
        private Block Kernels() => _writer.Aside();

        /// <summary>A call, from the model class, of a kernel in <see cref="KernelClass"/>.</summary>
        private static string KernelCall(string call) => $"{KernelClass}.{call}";

        /// <summary>The nested class of kernels, with what <see cref="Kernels"/> sent to it.</summary>
        private void EmitKernelClass()
        {
            if (!_writer.HasAside)
            {
                return;
            }

            _writer.Line();
            _writer.Line("/// <summary>");
            _writer.Line("/// The model's kernels: static methods that read the weights, the inputs and the state through refs, one");
            _writer.Line("/// set per vector path, and the dispatchers that pick the path this processor runs.");
            _writer.Line("/// </summary>");
            using (_writer.Open($"private static class {KernelClass}"))
            {
                _writer.WriteAside();
            }
        }

        private string Describe()
        {
            string layers = _spec.Layers == 1 ? "1 layer" : Literal(_spec.Layers) + " layers";
            string head = _spec.HasHead
                ? $"dense head {Literal(_spec.LayerOutputWidth)} -> {Literal(_spec.HeadSize)} ({_spec.OutputActivation})"
                : _spec.Bidirectional ? "no head (outputs the last layer's two hidden states)" : "no head (outputs the last layer's hidden state)";
            string projection = _spec.HasProjection ? $" projected to {Literal(_spec.ProjectionSize)}" : string.Empty;
            string cell = _spec.Bidirectional ? "bidirectional " + _cell.Name : _cell.Name;
            return $"{cell}, {layers}, input {Literal(_spec.InputSize)}, hidden {Literal(_spec.HiddenSize)}{projection}, {head}";
        }

        private void EmitFile()
        {
            _writer.Line("// <auto-generated/>");
            _writer.Line($"// Generated by LstmGen from {_cell.Attribute} on {_spec.FullName}. Do not edit: change the attribute instead.");
            _writer.Line("//");
            _writer.Line($"// Model:   {Describe()}; {Literal(_plan.ParameterCount)} parameters.");
            _writer.Line($"// Layout:  {_cell.Name} weights transposed into packed gate rows of {Literal(_cell.GateCount)} x {Literal(_spec.HiddenSize)} columns, in blocks of up to");
            _writer.Line($"//          {Literal(_plan.MaxBlockWidth)} units whose {_cell.GateLetters} gates sit side by side; the head as PyTorch keeps it.");
            if (IsPortable)
            {
                _writer.Line("// Kernels: the scalar path only (the portable tier: this compilation lacks .NET 8's vectors or C# 12, as");
                _writer.Line("//          Unity's does); it sums in the order of the full tier's every path and gives the same bits.");
            }
            else
            {
                _writer.Line("// Kernels: Vector512, Vector256, Vector128 and scalar paths; the JIT keeps the one this processor runs.");
                _writer.Line("//          Every path sums in the same order and rounds the same way, so all give the same bits.");
            }

            if (_spec.HasBFloat16Weights)
            {
                _writer.Line("// Weights: float32 Parameters (what training updates) and a bfloat16 copy, rounded to nearest even, that");
                _writer.Line("//          Step, Forward and the group step read, widened to float32 in registers (WeightPrecision.BFloat16).");
            }

            _writer.Line("#nullable enable");
            _writer.Line();

            using (OpenContainers())
            {
                EmitModelClass();
            }
        }

        /// <summary>Opens the model's namespace and containing types; disposing the result closes them.</summary>
        private Block OpenContainers()
        {
            Block? namespaceBlock = _spec.Namespace is null ? null : _writer.Open($"namespace {string.Join(".", _spec.Namespace.Split('.').Select(Identifier))}");
            var containing = _spec.ContainingTypes.Select(type => _writer.Open($"partial {type.Keyword} {Identifier(type.Name)}")).ToList();
            return _writer.Defer(() =>
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
            _writer.Line($"[{TypeNames.GeneratedCode}(\"LstmGen.Generator\", \"{s_version}\")]");
            string modelInterface = _spec.Bidirectional ? TypeNames.ISequenceModel : TypeNames.ILstmModel;
            string interfaces = _spec.HasDropout ? $"{modelInterface}, {TypeNames.IDropoutModel}" : modelInterface;
            using (_writer.Open($"partial class {Identifier(_spec.TypeName)} : {interfaces}"))
            {
                if (_spec.Bidirectional)
                {
                    EmitBidirectionalModel();
                    return;
                }

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
                using (Kernels())
                {
                    EmitTrainingDispatchers();
                }

                EmitAgentsApi();
                using (Kernels())
                {
                    EmitPathKernels();
                }

                EmitStateType();
                EmitKernelClass();
            }
        }

        /// <summary>Every path's kernels: steps, Forward's, training's and the group step's.</summary>
        private void EmitPathKernels()
        {
            foreach (PathPlan path in Paths)
            {
                // The kernels that steps, Forward and the group step use read the weights in the model's precision.
                _bfloat16 = _spec.HasBFloat16Weights;
                EmitPathStep(path, agents: false);
                foreach (LayerKernel kernel in _plan.LayerKernels)
                {
                    EmitLayerKernel(kernel, path, agents: false);
                    if (_plan.ProjectsInForward(kernel))
                    {
                        EmitProjectionKernel(kernel, path);
                        EmitLayerKernel(kernel, path, agents: false, recurrentOnly: true);
                    }
                }

                if (_spec.HasProjection)
                {
                    EmitHiddenProjection(path);
                }

                if (_spec.HasHead)
                {
                    EmitHead(path);
                }

                _bfloat16 = false;
                if (_spec.HasBFloat16Weights)
                {
                    // Training reads the float32 parameters: the float32 step of each layer kernel and the head.
                    EmitTrainingForwardKernels(path);
                }

                foreach (LayerKernel kernel in _plan.LayerKernels)
                {
                    EmitLayerBackward(kernel, path);
                }

                if (_spec.HasProjection)
                {
                    EmitHiddenProjectionBackward(path);
                }

                EmitGateRowHelpers(path);
                EmitWeightGradients(path);
                if (_spec.HasHead)
                {
                    EmitHeadBackward(path);
                }

                if (path.Path != KernelPath.Scalar)
                {
                    _bfloat16 = _spec.HasBFloat16Weights;
                    EmitPathStep(path, agents: true);
                    foreach (LayerKernel kernel in _plan.LayerKernels)
                    {
                        EmitLayerKernel(kernel, path, agents: true);
                    }

                    if (_spec.HasProjection)
                    {
                        EmitAgentsHiddenProjection(path);
                    }

                    if (_spec.HasHead)
                    {
                        EmitAgentsHead(path);
                    }

                    _bfloat16 = false;
                }
            }
        }
    }
}
