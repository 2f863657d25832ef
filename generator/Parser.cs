using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using LstmGen.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LstmGen.Generator
{
    /// <summary>
    /// Reads one <c>[Lstm]</c> class into a <see cref="ModelSpec"/> and checks it. The result holds
    /// no symbol, syntax node or compilation, only values, so that it caches.
    /// </summary>
    internal static class Parser
    {
        public const string AttributeName = "LstmGen.LstmAttribute";

        /// <summary>The attribute that asks for a GRU (<see cref="CellKind.Gru"/>).</summary>
        public const string GruAttributeName = "LstmGen.GruAttribute";

        /// <summary>The attribute's metadata name for a cell.</summary>
        public static string AttributeNameOf(CellKind cell) => cell == CellKind.Gru ? GruAttributeName : AttributeName;

        /// <summary>
        /// Reads one class. Never throws (except on cancellation): an exception becomes
        /// <see cref="DiagnosticDescriptors.GeneratorFailed"/> on this class, so that one odd class
        /// cannot take the other models down.
        /// </summary>
        public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken) =>
            Parse(context, CellKind.Lstm, cancellationToken);

        /// <summary>Reads one class marked with the attribute of <paramref name="cell"/>.</summary>
        public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CellKind cell, CancellationToken cancellationToken)
        {
            var declaration = (TypeDeclarationSyntax)context.TargetNode;
            LocationInfo? location = LocationInfo.From(declaration.Identifier.GetLocation());
            try
            {
                FaultInjection.ThrowIfRequested(FaultInjection.Parse, declaration.Identifier.ValueText);
                return ParseClass(context, cell, declaration, location, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                return new ParseResult(null, new[]
                {
                    DiagnosticInfo.Create(DiagnosticDescriptors.GeneratorFailed, location, declaration.Identifier.ValueText, $"reading the class and its {RecurrentCell.For(cell).Attribute} attribute", Describe(exception)),
                }.ToEquatableArray(), location);
            }
        }

        /// <summary>An exception's type and message, on one line.</summary>
        public static string Describe(Exception exception) =>
            exception.GetType().FullName + ": " + exception.Message.Replace("\r", " ").Replace("\n", " ");

        private static ParseResult ParseClass(GeneratorAttributeSyntaxContext context, CellKind cell, TypeDeclarationSyntax declaration, LocationInfo? location, CancellationToken cancellationToken)
        {
            var type = (INamedTypeSymbol)context.TargetSymbol;
            AttributeData attribute = context.Attributes[0];
            var diagnostics = new List<DiagnosticInfo>();
            Location classLocation = declaration.Identifier.GetLocation();
            string name = type.Name;

            // [Lstm] on two parts of one partial class is CS0579 already: generate from the first only,
            // so that the two parts never add two files of one name.
            SyntaxReference? first = type.GetAttributes()
                .Where(candidate => candidate.AttributeClass?.ToDisplayString() == AttributeNameOf(cell))
                .Select(candidate => candidate.ApplicationSyntaxReference)
                .FirstOrDefault(reference => reference is not null);
            if (first is not null && (first.SyntaxTree != declaration.SyntaxTree || !declaration.AttributeLists.Span.Contains(first.Span)))
            {
                return new ParseResult(null, EquatableArray<DiagnosticInfo>.Empty, location);
            }

            // [Lstm] and [Gru] on one class: one class holds one model. The [Gru] pass reports it; neither generates.
            if (type.GetAttributes().Any(candidate => candidate.AttributeClass?.ToDisplayString() == AttributeNameOf(cell == CellKind.Gru ? CellKind.Lstm : CellKind.Gru)))
            {
                return new ParseResult(
                    null,
                    cell == CellKind.Gru
                        ? new[] { DiagnosticInfo.Create(DiagnosticDescriptors.TwoCells, classLocation, name) }.ToEquatableArray()
                        : EquatableArray<DiagnosticInfo>.Empty,
                    location);
            }

            if (declaration is RecordDeclarationSyntax)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassIsRecord, classLocation, name));
            }

            if (GeneratedMembers.IsGeneratedName(name))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassNameIsMemberName, classLocation, name));
            }

            if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassNotPartial, classLocation, name));
            }

            if (type.IsStatic)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassIsStatic, classLocation, name));
            }

            if (type.TypeParameters.Length > 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassIsGeneric, classLocation, name));
            }

            var containingTypes = new List<ContainingType>();
            for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
            {
                TypeDeclarationSyntax? outerSyntax = outer.DeclaringSyntaxReferences
                    .Select(reference => reference.GetSyntax(cancellationToken))
                    .OfType<TypeDeclarationSyntax>()
                    .FirstOrDefault();
                bool isPartial = outer.DeclaringSyntaxReferences.All(reference =>
                    reference.GetSyntax(cancellationToken) is TypeDeclarationSyntax syntax && syntax.Modifiers.Any(SyntaxKind.PartialKeyword));
                bool isClassOrStruct = outer.TypeKind is TypeKind.Class or TypeKind.Struct;
                if (outerSyntax is null || !isPartial || outer.TypeParameters.Length > 0 || !isClassOrStruct)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ContainingTypeNotPartial, classLocation, name, outer.Name));
                    continue;
                }

                containingTypes.Insert(0, new ContainingType(Keyword(outerSyntax), outer.Name));
            }

            var arguments = attribute.NamedArguments.ToDictionary(argument => argument.Key, argument => argument.Value);

            // With a weights file, a size left out is the file's: 0 (-1 for OutputSize, where 0 means no head) until
            // the file is read (see SizesFromFile).
            bool fromFile = arguments.TryGetValue("Weights", out TypedConstant weightsArgument) && weightsArgument.Value is string;
            int inputSize = ReadSize("InputSize", required: !fromFile, defaultValue: 0, min: 1, DiagnosticDescriptors.MaxInputSize,
                "the generated kernels and weight offsets are planned for inputs up to this size; reduce wider inputs with an embedding or a dense layer first");
            int hiddenSize = ReadSize("HiddenSize", required: !fromFile, defaultValue: 0, min: 1, DiagnosticDescriptors.MaxHiddenSize,
                "each step keeps a hidden vector on the stack, and every sequence's state lives inline in the generated State struct");
            int layers = ReadSize("Layers", required: false, defaultValue: fromFile ? 0 : 1, min: 1, DiagnosticDescriptors.MaxLayers,
                "the hidden and cell values of every layer live inline in the generated State struct");
            int headSize = ReadSize("OutputSize", required: false, defaultValue: fromFile ? -1 : 0, min: 0, DiagnosticDescriptors.MaxOutputSize,
                "0 means no dense head, and the generated head is planned for up to this many outputs");
            var activation = (OutputActivation)ReadEnum("OutputActivation", "Activation", typeof(OutputActivation));
            string? weights = arguments.TryGetValue("Weights", out TypedConstant weightsConstant) ? weightsConstant.Value as string : null;
            var loss = (LossKind)ReadEnum("Loss", "LossFunction", typeof(LossKind));
            var precision = (WeightPrecision)ReadEnum("WeightPrecision", "WeightPrecision", typeof(WeightPrecision));
            double dropoutValue = arguments.TryGetValue("Dropout", out TypedConstant dropoutConstant) && dropoutConstant.Value is double p ? p : 0;
            float dropout = (float)dropoutValue;
            bool bidirectional = arguments.TryGetValue("Bidirectional", out TypedConstant bidirectionalConstant) && bidirectionalConstant.Value is true;
            if (bidirectional && precision == WeightPrecision.BFloat16)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BidirectionalStepSetting, ArgumentLocation("WeightPrecision"), name, "WeightPrecision = WeightPrecision.BFloat16", "the bfloat16 copy of the weights exists for the step's reads (Step, Forward's chunks and the group step share its kernels)"));
            }

            if (!(dropoutValue >= 0 && dropout < 1f))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DropoutOutOfRange, ArgumentLocation("Dropout"), name, dropoutValue.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
            }

            // ProjectionSize is [Lstm]'s alone (PyTorch's nn.GRU has no proj_size); left out where other sizes are left to a
            // weights file, it is the file's too (-1 until the file is read); left out otherwise, there is no projection.
            bool sizesFromFile = inputSize == 0 || hiddenSize == 0 || layers == 0 || headSize < 0;
            int projectionSize = arguments.TryGetValue("ProjectionSize", out TypedConstant projectionConstant) && projectionConstant.Value is int projection
                ? projection
                : sizesFromFile && cell == CellKind.Lstm ? -1 : 0;
            if (arguments.ContainsKey("ProjectionSize") && (projectionSize < 0 || (hiddenSize >= 1 && projectionSize >= hiddenSize)))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ProjectionSizeOutOfRange, ArgumentLocation("ProjectionSize"), name, Format(projectionSize), hiddenSize >= 1 ? Format(hiddenSize - 1) : "HiddenSize - 1"));
            }

            if (hiddenSize >= 1 && layers >= 1 && hiddenSize <= DiagnosticDescriptors.MaxHiddenSize && layers <= DiagnosticDescriptors.MaxLayers
                && layers * hiddenSize > DiagnosticDescriptors.MaxLayerUnits)
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.StateTooLarge,
                    AttributeLocation(),
                    name,
                    Format(layers),
                    Format(hiddenSize),
                    Format(layers * hiddenSize),
                    Format(DiagnosticDescriptors.MaxLayerUnits),
                    Format(2 * sizeof(float) * layers * hiddenSize),
                    Format(DiagnosticDescriptors.MaxLayerUnits / hiddenSize)));
            }

            if (activation == OutputActivation.Softmax && headSize is >= 0 and < 2)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SoftmaxNeedsHead, ArgumentLocation("OutputActivation"), name, Format(headSize)));
            }

            if (loss == LossKind.CrossEntropy && activation != OutputActivation.Softmax)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.CrossEntropyNeedsSoftmax, ArgumentLocation("Loss"), name, activation.ToString()));
            }

            foreach (ISymbol member in type.GetMembers())
            {
                if (!member.IsImplicitlyDeclared && GeneratedMembers.Conflicts(member, type))
                {
                    Location memberLocation = member.Locations.FirstOrDefault() ?? classLocation;
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MemberConflict, memberLocation, name, GeneratedMembers.Describe(member)));
                }
            }

            if (diagnostics.Count > 0)
            {
                return new ParseResult(null, diagnostics.ToEquatableArray(), location);
            }

            var spec = new ModelSpec(
                NamespaceName(type.ContainingNamespace),
                containingTypes.ToEquatableArray(),
                name,
                inputSize,
                hiddenSize,
                layers,
                headSize,
                activation,
                loss,
                weights,
                IsAssemblyVisible(type),
                precision,
                cell,
                dropout,
                projectionSize,
                bidirectional);

            // A warning does not stop the model: PyTorch warns, and runs without dropout, when there is one layer.
            EquatableArray<DiagnosticInfo> warnings = dropout > 0f && layers == 1
                ? new[] { DiagnosticInfo.Create(DiagnosticDescriptors.DropoutSingleLayer, ArgumentLocation("Dropout"), name, dropoutValue.ToString("R", System.Globalization.CultureInfo.InvariantCulture)) }.ToEquatableArray()
                : EquatableArray<DiagnosticInfo>.Empty;
            return new ParseResult(spec, warnings, location, weights is null ? null : LocationInfo.From(ArgumentLocation("Weights")));

            int ReadSize(string property, bool required, int defaultValue, int min, int max, string why)
            {
                if (!arguments.TryGetValue(property, out TypedConstant constant) || constant.Value is not int value)
                {
                    if (required)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SizeRequired, AttributeLocation(), name, property));
                    }

                    return defaultValue;
                }

                if (value < min || value > max)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SizeOutOfRange, ArgumentLocation(property), property, Format(value), name, Format(min), Format(max), why));
                }

                return value;
            }

            int ReadEnum(string property, string enumName, System.Type enumType)
            {
                if (!arguments.TryGetValue(property, out TypedConstant constant) || constant.Value is not int value)
                {
                    return 0;
                }

                if (!System.Enum.IsDefined(enumType, value))
                {
                    string valid = string.Join(", ", System.Enum.GetNames(enumType).Select(n => enumName + "." + n));
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidEnumValue, ArgumentLocation(property), property, Format(value), name, enumName, valid));
                    return 0;
                }

                return value;
            }

            Location AttributeLocation() =>
                attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation() ?? classLocation;

            Location ArgumentLocation(string property) =>
                (attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax)?.ArgumentList?.Arguments
                    .FirstOrDefault(argument => argument.NameEquals?.Name.Identifier.ValueText == property)?.GetLocation()
                ?? AttributeLocation();
        }

        /// <summary>Whether the class and every type containing it are public or internal (or protected internal).</summary>
        private static bool IsAssemblyVisible(INamedTypeSymbol type)
        {
            for (INamedTypeSymbol? current = type; current is not null; current = current.ContainingType)
            {
                if (current.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>The dotted name of a namespace as the compiler knows it (no '@'), or null for the global namespace.</summary>
        private static string? NamespaceName(INamespaceSymbol symbol)
        {
            var parts = new List<string>();
            for (INamespaceSymbol? part = symbol; part is { IsGlobalNamespace: false }; part = part.ContainingNamespace)
            {
                parts.Insert(0, part.Name);
            }

            return parts.Count == 0 ? null : string.Join(".", parts);
        }

        private static string Format(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

        private static string Keyword(TypeDeclarationSyntax syntax) => syntax switch
        {
            RecordDeclarationSyntax record when record.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) => "record struct",
            RecordDeclarationSyntax => "record",
            _ => syntax.Keyword.ValueText,
        };
    }

    /// <summary>The members the emitter writes into a model class, for the conflict check.</summary>
    internal static class GeneratedMembers
    {
        /// <summary>Names that may not be declared by the user in any form.</summary>
        private static readonly ImmutableHashSet<string> s_reservedNames = ImmutableHashSet.Create(
            "InputSize", "HiddenSize", "Layers", "OutputSize", "HeadSize", "ParameterCount", "Tensors", "Parameters", "State",
            "MaxBlockWidth", "GateRowLength", "FirstLayerParameterCount", "UpperLayerParameterCount", "HeadOffset",
            "s_tensors", "s_tensorList", "_parameterStorage", "_parameterStart", "_state", "FindTensor", "CopyOut", "StepCore",
            "Gradients", "_gradientStorage", "_backwardScratch", "_record", "_busy", "ForwardCore",
            "BackpropagateThroughTime", "RecordForward", "RecordCellOffset", "RecordHiddenOffset", "LayerRecordLength", "RecordLogitsOffset", "RecordOutputsOffset", "StepRecordLength",
            "ScratchCellOffset", "ScratchUpstreamOffset", "ScratchLogitOffset", "BackwardScratchLength", "WeightGradientBlock",
            "AgentHiddenOffset", "AgentCellOffset", "AgentGateOffset", "AgentLaneOffset", "AgentOutputOffset",
            "AgentScratchLength", "CompiledParameters", "ForwardChunk", "ForwardGatesLength", "ForwardBufferLength", "_forwardBuffer", "StepAgents", "_bfloat16Storage", "_bfloat16Start", "_bfloat16Stale", "BFloat16Weights", "RoundWeights", "InputPairs", "HiddenPairs", "ProjectionPairs", "ProjectionBFloat16Length",
            "FirstLayerBFloat16Length", "UpperLayerBFloat16Length", "HeadBFloat16Offset", "BFloat16Length", "Directions", "LayerOutputSize", "RecordLayerOutputOffset", "RecordOutputGradientOffset", "ScratchInputOffset", "ForwardStateOffset",
            "SequenceSlices", "_sequenceBuffer", "GateValuesLength", "RecordRecurrentGradientOffset", "ScratchCarriedOffset", "RecordDropoutOffset",
            "DropoutProbability", "DropoutSeed", "ProjectionSize", "RecordCellOutputOffset", "LstmGenKernels");

        /// <summary>Methods the user may overload, with the parameter lists the generated ones take.</summary>
        private static readonly ImmutableDictionary<string, ImmutableArray<string>> s_methods = new Dictionary<string, ImmutableArray<string>>
        {
            ["SetTensor"] = ImmutableArray.Create("string, System.ReadOnlySpan<float>"),
            ["GetTensor"] = ImmutableArray.Create("string, System.Span<float>"),
            ["ResetState"] = ImmutableArray.Create(string.Empty),
            ["SetState"] = ImmutableArray.Create("System.ReadOnlySpan<float>, System.ReadOnlySpan<float>"),
            ["GetState"] = ImmutableArray.Create("System.Span<float>, System.Span<float>"),
            ["Step"] = ImmutableArray.Create(
                "System.ReadOnlySpan<float>, System.Span<float>",
                "ref {0}.State, System.ReadOnlySpan<float>, System.Span<float>",
                "System.Span<{0}.State>, System.ReadOnlySpan<float>, System.Span<float>"),
            ["Forward"] = ImmutableArray.Create(
                "System.ReadOnlySpan<float>, System.Span<float>",
                "System.ReadOnlySpan<float>, System.Span<float>, System.Span<float>, System.Span<float>"),
            ["ZeroGradients"] = ImmutableArray.Create(string.Empty),
            ["TrimBuffers"] = ImmutableArray.Create(string.Empty),
            ["IsStateFinite"] = ImmutableArray.Create(string.Empty),
            ["CopyParametersFrom"] = ImmutableArray.Create("{0}"),
            ["Save"] = ImmutableArray.Create("string", "System.IO.Stream"),
            ["Load"] = ImmutableArray.Create("string, LstmGen.Serialization.WeightLoadOptions?", "System.IO.Stream, LstmGen.Serialization.WeightLoadOptions?"),
            ["GetGradient"] = ImmutableArray.Create("string, System.Span<float>"),
            ["AccumulateGradients"] = ImmutableArray.Create(
                "System.ReadOnlySpan<float>, System.ReadOnlySpan<float>",
                "System.ReadOnlySpan<float>, System.ReadOnlySpan<float>, System.Span<float>, System.Span<float>, System.Span<float>"),
        }.ToImmutableDictionary();

        /// <summary>Whether the generated model declares a member named <paramref name="name"/>.</summary>
        public static bool IsGeneratedName(string name) =>
            s_reservedNames.Contains(name) || s_methods.ContainsKey(name);

        public static bool Conflicts(ISymbol member, INamedTypeSymbol type)
        {
            if (member is IMethodSymbol { MethodKind: MethodKind.Constructor } constructor)
            {
                return constructor.Parameters.Length == 0
                    || (constructor.Parameters.Length == 1 && constructor.Parameters[0].Type.SpecialType == SpecialType.System_Int32);
            }

            // The generated code calls nameof(...): a member of that name would be called instead.
            if (s_reservedNames.Contains(member.Name) || member.Name == "nameof")
            {
                return true;
            }

            if (!s_methods.TryGetValue(member.Name, out ImmutableArray<string> signatures))
            {
                return false;
            }

            if (member is not IMethodSymbol method)
            {
                return true;
            }

            string parameters = Parameters(method);
            string typeName = type.ToDisplayString();
            return signatures.Any(signature => string.Format(System.Globalization.CultureInfo.InvariantCulture, signature, typeName) == parameters);
        }

        public static string Describe(ISymbol member) => member is IMethodSymbol method
            ? (method.MethodKind == MethodKind.Constructor ? method.ContainingType.Name : method.Name) + "(" + Parameters(method) + ")"
            : member.Name;

        private static string Parameters(IMethodSymbol method) => string.Join(", ", method.Parameters.Select(parameter =>
            (parameter.RefKind switch { RefKind.Ref => "ref ", RefKind.Out => "out ", RefKind.In => "in ", _ => string.Empty })
            + parameter.Type.ToDisplayString()));
    }
}
