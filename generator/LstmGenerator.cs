using System.Linq;
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
            public const string Plan = nameof(Plan);
        }

        /// <inheritdoc/>
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            IncrementalValuesProvider<ParseResult> parsed = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    Parser.AttributeName,
                    static (node, _) => node is ClassDeclarationSyntax,
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

            IncrementalValuesProvider<KernelPlan> plans = parsed
                .Where(static result => result.Spec is not null)
                .Select(static (result, _) => Planner.Plan(result.Spec!))
                .WithTrackingName(Steps.Plan);

            context.RegisterSourceOutput(plans, static (output, plan) =>
                output.AddSource(plan.Spec.FullName + ".Lstm.g.cs", Emitter.Emit(plan)));
        }
    }
}
