using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace LstmGen.Generator.Model
{
    /// <summary>Where a diagnostic points, as plain values (a <see cref="Location"/> holds a syntax tree).</summary>
    internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
    {
        public static LocationInfo? From(Location? location) =>
            location?.SourceTree is null ? null : new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);

        public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);
    }

    /// <summary>A diagnostic to report: its descriptor's ID, where, and the message's arguments.</summary>
    internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments)
    {
        public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, Location? location, params string[] arguments) =>
            Create(descriptor, LocationInfo.From(location), arguments);

        public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments) =>
            new DiagnosticInfo(descriptor.Id, location, arguments.ToEquatableArray());

        public Diagnostic ToDiagnostic() =>
            Diagnostic.Create(DiagnosticDescriptors.ById(Id), Location?.ToLocation(), Arguments.ToArray());
    }

    /// <summary>
    /// The parser's result for one class: a model, or the reasons there is none, and where the class's
    /// name is, for a failure in a later stage. The pipeline plans from <see cref="Spec"/> alone, so that
    /// an edit that only moves the class regenerates nothing.
    /// </summary>
    internal sealed record ParseResult(ModelSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics, LocationInfo? Location, LocationInfo? WeightsLocation = null);

    /// <summary>
    /// One model's generated source, or why there is none: the planner or the emitter threw while
    /// <see cref="FailedStage"/>, and <see cref="Failure"/> names the exception. Keyed by the hint name.
    /// <see cref="WeightsSource"/> holds the compiled-in weights, and <see cref="Diagnostics"/> what is wrong with
    /// the weights file (without a place: they are reported on the attribute's Weights argument).
    /// </summary>
    internal sealed record GeneratedModel(string HintName, string TypeName, string? Source, string? FailedStage, string? Failure, string? WeightsSource = null, EquatableArray<DiagnosticInfo> Diagnostics = default)
    {
        /// <summary>The hint name of the file that holds the compiled-in weights.</summary>
        public string WeightsHintName => HintName.Substring(0, HintName.Length - ".g.cs".Length) + "Weights.g.cs";
    }
}
