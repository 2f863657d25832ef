using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace LstmGen.Generator
{
    /// <summary>Every diagnostic the generator reports. IDs are stable: see AnalyzerReleases.*.md.</summary>
    internal static class DiagnosticDescriptors
    {
        private const string Category = "LstmGen";

        /// <summary>The largest sizes the generator accepts, and why.</summary>
        public const int MaxInputSize = 8192;
        public const int MaxHiddenSize = 1024;
        public const int MaxLayers = 16;
        public const int MaxOutputSize = 8192;

        public static readonly DiagnosticDescriptor ClassNotPartial = new(
            "LSTM001",
            "The [Lstm] class must be partial",
            "Class '{0}' has [Lstm] but is not partial; declare it 'partial class {0}' so that the generator can add the model to it",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor ClassIsGeneric = new(
            "LSTM002",
            "The [Lstm] class cannot be generic",
            "Class '{0}' has [Lstm] but is generic; a model's sizes are fixed at compile time, so declare it without type parameters",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor ContainingTypeNotPartial = new(
            "LSTM003",
            "A type containing an [Lstm] class must be a partial, non-generic class or struct",
            "Class '{0}' is nested in '{1}', which is not a partial, non-generic class or struct; make '{1}' partial (and not generic), or move '{0}' out of it",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor SizeRequired = new(
            "LSTM004",
            "A required size is missing",
            "[Lstm] on '{0}' must set {1}, for example [Lstm(InputSize = 8, HiddenSize = 32)]",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor SizeOutOfRange = new(
            "LSTM005",
            "A size is out of the supported range",
            "{0} = {1} on '{2}' is out of range: it must be between {3} and {4}; {5}",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor SoftmaxNeedsHead = new(
            "LSTM006",
            "Softmax needs a head of at least 2 outputs",
            "'{0}' uses OutputActivation = Softmax with OutputSize = {1}; softmax turns 2 or more logits into probabilities, so set OutputSize to the number of classes (at least 2)",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor CrossEntropyNeedsSoftmax = new(
            "LSTM007",
            "CrossEntropy needs a Softmax output",
            "'{0}' uses Loss = CrossEntropy with OutputActivation = {1}; cross-entropy scores class probabilities, so set OutputActivation = Activation.Softmax (or use Loss = MeanSquaredError)",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor MemberConflict = new(
            "LSTM008",
            "The class declares a member the generated model needs",
            "Class '{0}' already declares '{1}', which the generated model defines; rename or remove it",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor InvalidEnumValue = new(
            "LSTM009",
            "Unknown enum value",
            "{0} = {1} on '{2}' is not a defined {3} value; use one of: {4}",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor ClassIsStatic = new(
            "LSTM010",
            "The [Lstm] class cannot be static",
            "Class '{0}' has [Lstm] but is static; a model is an object with weights and state, so remove 'static'",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        private static readonly Dictionary<string, DiagnosticDescriptor> s_byId = new DiagnosticDescriptor[]
        {
            ClassNotPartial, ClassIsGeneric, ContainingTypeNotPartial, SizeRequired, SizeOutOfRange,
            SoftmaxNeedsHead, CrossEntropyNeedsSoftmax, MemberConflict, InvalidEnumValue, ClassIsStatic,
        }.ToDictionary(d => d.Id);

        public static IEnumerable<DiagnosticDescriptor> All => s_byId.Values;

        public static DiagnosticDescriptor ById(string id) => s_byId[id];
    }
}
