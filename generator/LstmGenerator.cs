using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using LstmGen.Generator.Model;
using LstmGen.Generator.Weights;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LstmGen.Generator
{
    /// <summary>
    /// Generates a complete, vectorised LSTM model into every partial class marked with
    /// <c>[LstmGen.Lstm]</c>. Pipeline: <see cref="Parser"/> (attribute to <see cref="ModelSpec"/>),
    /// <see cref="Planner"/> (spec to <see cref="KernelPlan"/>), <see cref="Emitter"/> (plan to source).
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class LstmGenerator : IIncrementalGenerator
    {
        /// <summary>Tracking names of the pipeline's steps, for the incremental-caching tests.</summary>
        public static class Steps
        {
            public const string Parse = nameof(Parse);
            public const string Diagnostics = nameof(Diagnostics);
            public const string Spec = nameof(Spec);
            public const string Plan = nameof(Plan);
            public const string Tier = nameof(Tier);
            public const string WeightPaths = nameof(WeightPaths);
            public const string WeightFile = nameof(WeightFile);
            public const string Registry = nameof(Registry);
        }

        /// <inheritdoc/>
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            // [Lstm] and [Gru] classes, each found by its attribute; one stream of parse results from there on.
            IncrementalValuesProvider<ParseResult> lstmParsed = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    Parser.AttributeName,
                    static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                    static (syntaxContext, cancellationToken) => Parser.Parse(syntaxContext, CellKind.Lstm, cancellationToken))
                .WithTrackingName(Steps.Parse);
            IncrementalValuesProvider<ParseResult> gruParsed = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    Parser.GruAttributeName,
                    static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                    static (syntaxContext, cancellationToken) => Parser.Parse(syntaxContext, CellKind.Gru, cancellationToken))
                .WithTrackingName(Steps.Parse);
            IncrementalValuesProvider<ParseResult> parsed = lstmParsed.Collect()
                .Combine(gruParsed.Collect())
                .SelectMany(static (pair, _) => pair.Left.AddRange(pair.Right));

            IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> diagnostics = parsed
                .Select(static (result, _) => result.Diagnostics)
                .Where(static diagnostics => diagnostics.Count > 0)
                .WithTrackingName(Steps.Diagnostics);

            context.RegisterSourceOutput(diagnostics, static (output, diagnostics) =>
            {
                foreach (DiagnosticInfo diagnostic in diagnostics)
                {
                    output.ReportDiagnostic(diagnostic.ToDiagnostic());
                }
            });

            // The spec alone (not where the class is) goes on, so that moving the class regenerates nothing.
            IncrementalValuesProvider<ModelSpec> specs = parsed
                .Where(static result => result.Spec is not null)
                .Select(static (result, _) => result.Spec!)
                .WithTrackingName(Steps.Spec);

            // The tier: a value (not the compilation) from the referenced types and the language version, so
            // that an edit which changes neither keeps every model cached.
            IncrementalValueProvider<Tier> tier = context.CompilationProvider
                .Select(static (compilation, _) => Tiers.HasFullTierTypes(compilation))
                .Combine(context.ParseOptionsProvider.Select(static (options, _) => Tiers.HasFullTierLanguage(options)))
                .Select(static (pair, _) => Tiers.Choose(pair.Left, pair.Right))
                .WithTrackingName(Steps.Tier);

            // Compiled-in weights: the weights paths of all models (a value: unchanged by edits elsewhere), the
            // AdditionalFiles items they name, read once per item (an edited file is a new AdditionalText, so it is
            // read again; an edit elsewhere leaves every read cached), and the project's folder the paths start from.
            IncrementalValueProvider<string?> projectDirectory = context.AnalyzerConfigOptionsProvider
                .Select(static (options, _) => options.GlobalOptions.TryGetValue("build_property.projectdir", out string? directory) && directory.Length > 0 ? directory : null);
            IncrementalValueProvider<EquatableArray<string>> weightPaths = specs
                .Where(static spec => spec.Weights is not null)
                .Select(static (spec, _) => spec.Weights!)
                .Collect()
                .Select(static (paths, _) => paths.Distinct(StringComparer.Ordinal).OrderBy(path => path, StringComparer.Ordinal).ToEquatableArray())
                .WithTrackingName(Steps.WeightPaths);
            IncrementalValueProvider<ImmutableArray<WeightFileContents>> weightFiles = context.AdditionalTextsProvider
                .Combine(weightPaths)
                .Where(static pair => pair.Right.Any(path => WeightFileSource.EndsWith(pair.Left.Path, path)))
                .Select(static (pair, cancellationToken) => WeightFileSource.Read(pair.Left, cancellationToken))
                .WithTrackingName(Steps.WeightFile)
                .Collect();

            IncrementalValuesProvider<GeneratedModel> models = specs
                .Combine(tier)
                .Combine(weightFiles.Combine(projectDirectory))
                .Select(static (pair, cancellationToken) => Generate(pair.Left.Left, pair.Left.Right, pair.Right.Left, pair.Right.Right, cancellationToken))
                .WithTrackingName(Steps.Plan);

            context.RegisterSourceOutput(models.Where(static model => model.Source is not null), static (output, model) =>
            {
                output.AddSource(model.HintName, model.Source!);
                if (model.WeightsSource is not null)
                {
                    output.AddSource(model.WeightsHintName, model.WeightsSource);
                }
            });

            // A model whose planner or emitter threw, or whose weights file does not fit: diagnostics on its class
            // (or its Weights argument), found by hint name. Only this small output depends on where the classes are.
            IncrementalValueProvider<(ImmutableArray<GeneratedModel> Failed, ImmutableArray<ParseResult> Parsed)> failures = models
                .Where(static model => model.Failure is not null || model.Diagnostics.Count > 0)
                .Collect()
                .Combine(parsed.Where(static result => result.Spec is not null).Collect());
            context.RegisterSourceOutput(failures, static (output, pair) =>
            {
                foreach (GeneratedModel model in pair.Failed)
                {
                    ParseResult? parse = pair.Parsed.FirstOrDefault(result => result.Spec!.HintName == model.HintName);
                    if (model.Failure is not null)
                    {
                        output.ReportDiagnostic(DiagnosticInfo.Create(DiagnosticDescriptors.GeneratorFailed, parse?.Location, model.TypeName, model.FailedStage!, model.Failure!).ToDiagnostic());
                    }

                    foreach (DiagnosticInfo diagnostic in model.Diagnostics)
                    {
                        output.ReportDiagnostic((diagnostic with { Location = parse?.WeightsLocation ?? parse?.Location }).ToDiagnostic());
                    }
                }
            });

            // The registry: one LstmModels class per assembly that knows every model, without reflection; a model that was
            // not generated (its sizes were to come from a weights file that does not fit) is left out, so that its
            // diagnostic is the only error.
            IncrementalValueProvider<(EquatableArray<ModelSpec> Specs, string Namespace)> registry = specs
                .Collect()
                .Combine(models.Where(static model => model.Source is null).Select(static (model, _) => model.HintName).Collect())
                .Select(static (pair, _) => pair.Left.Where(spec => !pair.Right.Contains(spec.HintName)).ToEquatableArray())
                .Combine(context.CompilationProvider.Select(static (compilation, _) => RegistryEmitter.Namespace(compilation)))
                .WithTrackingName(Steps.Registry);
            context.RegisterSourceOutput(registry, static (output, pair) =>
            {
                if (pair.Specs.Count > 0)
                {
                    output.AddSource(RegistryEmitter.HintName, RegistryEmitter.Emit(pair.Specs, pair.Namespace));
                }
            });
        }

        /// <summary>
        /// Plans and emits one model for <paramref name="tier"/>, with its weights compiled in from the file of
        /// <paramref name="weightFiles"/> that its Weights names. Never throws (except on cancellation): an exception
        /// becomes a <see cref="GeneratedModel.Failure"/>, reported on the class, and the other models are unaffected.
        /// A weights file that does not fit gives diagnostics, and the model without compiled-in weights (so that the
        /// code that uses it still binds, and only the weights are reported).
        /// </summary>
        private static GeneratedModel Generate(ModelSpec spec, Tier tier, ImmutableArray<WeightFileContents> weightFiles, string? projectDirectory, CancellationToken cancellationToken)
        {
            string stage = "planning the model's kernels";
            try
            {
                var problems = new List<(DiagnosticDescriptor Descriptor, string[] Arguments)>();
                if (spec.HasSizesFromFile)
                {
                    stage = "taking the sizes from the weights file";
                    ModelSpec? sized = SizesFromFile(spec, weightFiles, projectDirectory, problems);
                    if (sized is null)
                    {
                        // No sizes, no model: only the diagnostics.
                        return new GeneratedModel(spec.HintName, spec.TypeName, null, null, null, null, ToDiagnostics(problems));
                    }

                    spec = sized;
                    stage = "planning the model's kernels";
                }

                FaultInjection.ThrowIfRequested(FaultInjection.Plan, spec.TypeName);
                KernelPlan plan = Planner.Plan(spec);
                cancellationToken.ThrowIfCancellationRequested();
                byte[]? weights = null;
                if (spec.Weights is not null)
                {
                    stage = "compiling in the weights file";
                    weights = CompileWeights(plan, weightFiles, projectDirectory, problems);
                }

                cancellationToken.ThrowIfCancellationRequested();
                stage = "writing the model's source";
                FaultInjection.ThrowIfRequested(FaultInjection.Emit, spec.TypeName);
                return new GeneratedModel(
                    spec.HintName,
                    spec.TypeName,
                    Emitter.Emit(plan, tier, compiledWeights: weights is not null),
                    null,
                    null,
                    weights is null ? null : Emitter.EmitWeights(plan, tier, weights),
                    ToDiagnostics(problems));
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                return new GeneratedModel(spec.HintName, spec.TypeName, null, stage, Parser.Describe(exception));
            }
        }

        private static EquatableArray<DiagnosticInfo> ToDiagnostics(List<(DiagnosticDescriptor Descriptor, string[] Arguments)> problems) =>
            problems.Select(problem => DiagnosticInfo.Create(problem.Descriptor, (LocationInfo?)null, problem.Arguments)).ToEquatableArray();

        /// <summary>
        /// The spec with each size it leaves to the weights file read from the file's shapes (the runtime's
        /// StateDictSizes rule) and checked against the generator's limits; null with the problems otherwise.
        /// </summary>
        private static ModelSpec? SizesFromFile(ModelSpec spec, ImmutableArray<WeightFileContents> weightFiles, string? projectDirectory, List<(DiagnosticDescriptor Descriptor, string[] Arguments)> problems)
        {
            WeightFileContents? file = FindWeightsFile(spec, weightFiles, projectDirectory, problems);
            if (file is null)
            {
                return null;
            }

            string leftText = string.Join(", ", new[]
            {
                spec.InputSize == 0 ? "InputSize" : null,
                spec.HiddenSize == 0 ? "HiddenSize" : null,
                spec.Layers == 0 ? "Layers" : null,
                spec.HeadSize < 0 ? "OutputSize" : null,
            }.Where(size => size is not null));

            var shapes = file.Entries.ToDictionary(entry => entry.Name, entry => (IReadOnlyList<long>)entry.Shape.ToArray(), StringComparer.Ordinal);
            LstmGen.CompilerServices.StateDictSizes? sizes = LstmGen.CompilerServices.StateDictSizes.TryRead(shapes, out string? why, RecurrentCell.For(spec.Cell).TensorPrefix, spec.Bidirectional);
            if (sizes is null)
            {
                problems.Add((DiagnosticDescriptors.WeightsSizesUnknown, new[] { spec.TypeName, leftText, spec.Weights!, why! }));
                return null;
            }

            ModelSpec sized = spec with
            {
                InputSize = spec.InputSize == 0 ? sizes.InputSize : spec.InputSize,
                HiddenSize = spec.HiddenSize == 0 ? sizes.HiddenSize : spec.HiddenSize,
                Layers = spec.Layers == 0 ? sizes.Layers : spec.Layers,
                HeadSize = spec.HeadSize < 0 ? sizes.OutputSize : spec.HeadSize,
                ProjectionSize = spec.ProjectionSize < 0 ? sizes.ProjectionSize : spec.ProjectionSize,
            };
            string? beyond =
                sized.InputSize > DiagnosticDescriptors.MaxInputSize ? $"its InputSize = {sized.InputSize} is beyond {DiagnosticDescriptors.MaxInputSize}"
                : sized.HiddenSize > DiagnosticDescriptors.MaxHiddenSize ? $"its HiddenSize = {sized.HiddenSize} is beyond {DiagnosticDescriptors.MaxHiddenSize}"
                : sized.Layers > DiagnosticDescriptors.MaxLayers ? $"its Layers = {sized.Layers} is beyond {DiagnosticDescriptors.MaxLayers}"
                : sized.HeadSize > DiagnosticDescriptors.MaxOutputSize ? $"its OutputSize = {sized.HeadSize} is beyond {DiagnosticDescriptors.MaxOutputSize}"
                : sized.Layers * sized.HiddenSize > DiagnosticDescriptors.MaxLayerUnits ? $"its Layers x HiddenSize = {sized.Layers} x {sized.HiddenSize} is beyond {DiagnosticDescriptors.MaxLayerUnits} (LSTM013)"
                : sized.ProjectionSize >= sized.HiddenSize ? $"its ProjectionSize = {sized.ProjectionSize} is not below HiddenSize = {sized.HiddenSize} (LSTM027)"
                : sized.OutputActivation == OutputActivation.Softmax && sized.HeadSize < 2 ? $"its OutputSize = {sized.HeadSize} is too small for Softmax (LSTM006)"
                : null;
            if (beyond is not null)
            {
                problems.Add((DiagnosticDescriptors.WeightsSizesUnknown, new[] { spec.TypeName, leftText, spec.Weights!, beyond + " (the file has " + sizes + ")" }));
                return null;
            }

            return sized;
        }

        /// <summary>The model's weights file among the ones read, or null with the problem (not found, several, unreadable).</summary>
        private static WeightFileContents? FindWeightsFile(ModelSpec spec, ImmutableArray<WeightFileContents> weightFiles, string? projectDirectory, List<(DiagnosticDescriptor Descriptor, string[] Arguments)> problems)
        {
            string weights = spec.Weights!;
            List<WeightFileContents> matches = WeightFileSource.Find(weightFiles, file => file.Path, weights, projectDirectory);
            if (matches.Count == 0)
            {
                problems.Add((DiagnosticDescriptors.WeightsFileNotFound, new[] { spec.TypeName, weights }));
                return null;
            }

            if (matches.Count > 1)
            {
                problems.Add((DiagnosticDescriptors.WeightsFileAmbiguous, new[] { spec.TypeName, weights, string.Join(", ", matches.Select(file => file.Path).OrderBy(path => path, StringComparer.Ordinal)) }));
                return null;
            }

            WeightFileContents file = matches[0];
            if (file.Error is not null)
            {
                problems.Add((DiagnosticDescriptors.WeightsFileUnreadable, new[] { spec.TypeName, weights, file.Error }));
                return null;
            }

            return file;
        }

        /// <summary>Finds the model's weights file among the ones read, and packs it; null with the problems otherwise.</summary>
        private static byte[]? CompileWeights(KernelPlan plan, ImmutableArray<WeightFileContents> weightFiles, string? projectDirectory, List<(DiagnosticDescriptor Descriptor, string[] Arguments)> problems)
        {
            WeightFileContents? file = FindWeightsFile(plan.Spec, weightFiles, projectDirectory, problems);
            return file is null ? null : WeightPacker.Pack(plan, file, plan.Spec.Weights!, problems);
        }
    }
}
