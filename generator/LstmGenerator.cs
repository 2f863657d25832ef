using System;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using LstmGen.Generator.Model;
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
        }

        /// <inheritdoc/>
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            IncrementalValuesProvider<ParseResult> parsed = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    Parser.AttributeName,
                    static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                    static (syntaxContext, cancellationToken) => Parser.Parse(syntaxContext, cancellationToken))
                .WithTrackingName(Steps.Parse);

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

            IncrementalValuesProvider<GeneratedModel> models = specs
                .Combine(tier)
                .Select(static (pair, cancellationToken) => Generate(pair.Left, pair.Right, cancellationToken))
                .WithTrackingName(Steps.Plan);

            context.RegisterSourceOutput(models.Where(static model => model.Source is not null), static (output, model) =>
                output.AddSource(model.HintName, model.Source!));

            // A model whose planner or emitter threw: a diagnostic on its class, found by hint name. Only this
            // small output depends on where the classes are.
            IncrementalValueProvider<(ImmutableArray<GeneratedModel> Failed, ImmutableArray<ParseResult> Parsed)> failures = models
                .Where(static model => model.Failure is not null)
                .Collect()
                .Combine(parsed.Where(static result => result.Spec is not null).Collect());
            context.RegisterSourceOutput(failures, static (output, pair) =>
            {
                foreach (GeneratedModel model in pair.Failed)
                {
                    LocationInfo? location = pair.Parsed.FirstOrDefault(result => result.Spec!.HintName == model.HintName)?.Location;
                    output.ReportDiagnostic(DiagnosticInfo.Create(DiagnosticDescriptors.GeneratorFailed, location, model.TypeName, model.FailedStage!, model.Failure!).ToDiagnostic());
                }
            });
        }

        /// <summary>
        /// Plans and emits one model for <paramref name="tier"/>. Never throws (except on cancellation): an exception becomes a
        /// <see cref="GeneratedModel.Failure"/>, reported on the class, and the other models are unaffected.
        /// </summary>
        private static GeneratedModel Generate(ModelSpec spec, Tier tier, CancellationToken cancellationToken)
        {
            string stage = "planning the model's kernels";
            try
            {
                FaultInjection.ThrowIfRequested(FaultInjection.Plan, spec.TypeName);
                KernelPlan plan = Planner.Plan(spec);
                cancellationToken.ThrowIfCancellationRequested();
                stage = "writing the model's source";
                FaultInjection.ThrowIfRequested(FaultInjection.Emit, spec.TypeName);
                return new GeneratedModel(spec.HintName, spec.TypeName, Emitter.Emit(plan, tier), null, null);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                return new GeneratedModel(spec.HintName, spec.TypeName, null, stage, Parser.Describe(exception));
            }
        }
    }
}
