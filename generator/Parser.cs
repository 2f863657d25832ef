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

        public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            var type = (INamedTypeSymbol)context.TargetSymbol;
            var declaration = (ClassDeclarationSyntax)context.TargetNode;
            AttributeData attribute = context.Attributes[0];
            var diagnostics = new List<DiagnosticInfo>();
            Location classLocation = declaration.Identifier.GetLocation();
            string name = type.Name;

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
            int inputSize = ReadSize("InputSize", required: true, defaultValue: 0, min: 1, DiagnosticDescriptors.MaxInputSize,
                "the generated kernels and weight offsets are planned for inputs up to this size; reduce wider inputs with an embedding or a dense layer first");
            int hiddenSize = ReadSize("HiddenSize", required: true, defaultValue: 0, min: 1, DiagnosticDescriptors.MaxHiddenSize,
                "each step keeps a hidden vector on the stack, and every sequence's state lives inline in the generated State struct");
            int layers = ReadSize("Layers", required: false, defaultValue: 1, min: 1, DiagnosticDescriptors.MaxLayers,
                "the hidden and cell values of every layer live inline in the generated State struct");
            int headSize = ReadSize("OutputSize", required: false, defaultValue: 0, min: 0, DiagnosticDescriptors.MaxOutputSize,
                "0 means no dense head, and the generated head is planned for up to this many outputs");
            var activation = (OutputActivation)ReadEnum("OutputActivation", "Activation", typeof(OutputActivation));
            var loss = (LossKind)ReadEnum("Loss", "LossFunction", typeof(LossKind));

            if (activation == OutputActivation.Softmax && headSize < 2)
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
                    Location location = member.Locations.FirstOrDefault() ?? classLocation;
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MemberConflict, location, name, GeneratedMembers.Describe(member)));
                }
            }

            if (diagnostics.Count > 0)
            {
                return new ParseResult(null, diagnostics.ToEquatableArray());
            }

            var spec = new ModelSpec(
                type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString(),
                containingTypes.ToEquatableArray(),
                name,
                inputSize,
                hiddenSize,
                layers,
                headSize,
                activation,
                loss);
            return new ParseResult(spec, EquatableArray<DiagnosticInfo>.Empty);

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
            "StepVector512", "StepVector256", "StepVector128", "StepScalar", "ApplyOutputActivation",
            "Gradients", "_gradientStorage", "_gradientStart", "_backwardScratch", "_record", "GradientStorage",
            "BackpropagateThroughTime", "RecordForward", "HeadForward",
            "RecordCellOffset", "RecordHiddenOffset", "LayerRecordLength", "RecordLogitsOffset", "RecordOutputsOffset", "StepRecordLength",
            "ScratchCellOffset", "ScratchUpstreamOffset", "ScratchLogitOffset", "BackwardScratchLength", "WeightGradientBlock",
            "AgentHiddenOffset", "AgentCellOffset", "AgentGateOffset", "AgentLaneOffset", "AgentOutputOffset",
            "AgentScratchLength", "ForwardChunk", "ForwardGatesLength", "ForwardBufferLength", "_forwardBuffer", "StepAgents", "StepAgentsVector512", "StepAgentsVector256", "StepAgentsVector128");

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
            ["Forward"] = ImmutableArray.Create("System.ReadOnlySpan<float>, System.Span<float>"),
            ["ZeroGradients"] = ImmutableArray.Create(string.Empty),
            ["Save"] = ImmutableArray.Create("string", "System.IO.Stream"),
            ["Load"] = ImmutableArray.Create("string, LstmGen.Serialization.WeightLoadOptions?", "System.IO.Stream, LstmGen.Serialization.WeightLoadOptions?"),
            ["GetGradient"] = ImmutableArray.Create("string, System.Span<float>"),
            ["AccumulateGradients"] = ImmutableArray.Create(
                "System.ReadOnlySpan<float>, System.ReadOnlySpan<float>",
                "System.ReadOnlySpan<float>, System.ReadOnlySpan<float>, System.Span<float>, System.Span<float>, System.Span<float>"),
        }.ToImmutableDictionary();

        public static bool Conflicts(ISymbol member, INamedTypeSymbol type)
        {
            if (member is IMethodSymbol { MethodKind: MethodKind.Constructor } constructor)
            {
                return constructor.Parameters.Length == 0
                    || (constructor.Parameters.Length == 1 && constructor.Parameters[0].Type.SpecialType == SpecialType.System_Int32);
            }

            if (s_reservedNames.Contains(member.Name) || IsKernelName(member.Name))
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

        /// <summary>
        /// Private kernel methods and their dispatchers: FirstLayerVector512, LayerBackwardScalar,
        /// HeadBackward, UpperLayerRecorded, GateRowsBackwardVector512, WeightGradientsVector128, ...
        /// </summary>
        private static bool IsKernelName(string name) =>
            new[] { "FirstLayer", "UpperLayer", "Layer", "Head", "GateRow", "GateRows", "WeightGradients" }.Any(prefix =>
                new[] { string.Empty, "Backward", "Recorded", "Agents", "Projection", "Recurrent", "Step" }.Any(kind =>
                    new[] { string.Empty, "Vector512", "Vector256", "Vector128", "Scalar" }.Any(path => name == prefix + kind + path)));

        private static string Parameters(IMethodSymbol method) => string.Join(", ", method.Parameters.Select(parameter =>
            (parameter.RefKind switch { RefKind.Ref => "ref ", RefKind.Out => "out ", RefKind.In => "in ", _ => string.Empty })
            + parameter.Type.ToDisplayString()));
    }
}
