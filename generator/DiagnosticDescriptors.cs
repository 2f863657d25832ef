using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace LstmGen.Generator
{
    /// <summary>Every diagnostic the generator reports. IDs are stable: see AnalyzerReleases.*.md.</summary>
    internal static class DiagnosticDescriptors
    {
        private const string Category = "LstmGen";

        /// <summary>
        /// Each diagnostic's help link is its section of docs/diagnostics.md; GitHub makes the anchor of a
        /// heading "LSTM001" from the ID in lower case.
        /// </summary>
        public const string HelpLinkBase = "https://github.com/lstmgen/lstmgen/blob/main/docs/diagnostics.md#";

        /// <summary>The largest sizes the generator accepts, and why.</summary>
        public const int MaxInputSize = 8192;
        public const int MaxHiddenSize = 1024;
        public const int MaxLayers = 16;
        public const int MaxOutputSize = 8192;

        /// <summary>
        /// The largest Layers x HiddenSize. A State holds 2 x Layers x HiddenSize floats, and CoreCLR
        /// cannot make an array of a struct of 64 KiB or more (an array's element size is 16 bits:
        /// TypeLoadException), which State[], List&lt;State&gt; and the group step need: 8 x 8191 bytes
        /// is the most that fits.
        /// </summary>
        public const int MaxStateBytes = 65535;
        public const int MaxLayerUnits = MaxStateBytes / (2 * sizeof(float));

        public static readonly DiagnosticDescriptor ClassNotPartial = new(
            "LSTM001",
            "The [Lstm] class must be partial",
            "Class '{0}' has [Lstm] but is not partial; declare it 'partial class {0}' so that the generator can add the model to it",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinkBase + "lstm001");

        public static readonly DiagnosticDescriptor ClassIsGeneric = new(
            "LSTM002",
            "The [Lstm] class cannot be generic",
            "Class '{0}' has [Lstm] but is generic; a model's sizes are fixed at compile time, so declare it without type parameters",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinkBase + "lstm002");

        public static readonly DiagnosticDescriptor ContainingTypeNotPartial = new(
            "LSTM003",
            "A type containing an [Lstm] class must be a partial, non-generic class or struct",
            "Class '{0}' is nested in '{1}', which is not a partial, non-generic class or struct; make '{1}' partial (and not generic), or move '{0}' out of it",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinkBase + "lstm003");

        public static readonly DiagnosticDescriptor SizeRequired = new(
            "LSTM004",
            "A required size is missing",
            "[Lstm] on '{0}' must set {1}, for example [Lstm(InputSize = 8, HiddenSize = 32)]",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinkBase + "lstm004");

        public static readonly DiagnosticDescriptor SizeOutOfRange = new(
            "LSTM005",
            "A size is out of the supported range",
            "{0} = {1} on '{2}' is out of range: it must be between {3} and {4}; {5}",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinkBase + "lstm005");

        public static readonly DiagnosticDescriptor SoftmaxNeedsHead = new(
            "LSTM006",
            "Softmax needs a head of at least 2 outputs",
            "'{0}' uses OutputActivation = Softmax with OutputSize = {1}; softmax turns 2 or more logits into probabilities, so set OutputSize to the number of classes (at least 2)",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinkBase + "lstm006");

        public static readonly DiagnosticDescriptor CrossEntropyNeedsSoftmax = new(
            "LSTM007",
            "CrossEntropy needs a Softmax output",
            "'{0}' uses Loss = CrossEntropy with OutputActivation = {1}; cross-entropy scores class probabilities, so set OutputActivation = Activation.Softmax (or use Loss = MeanSquaredError)",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinkBase + "lstm007");

        public static readonly DiagnosticDescriptor MemberConflict = new(
            "LSTM008",
            "The class declares a member the generated model needs",
            "Class '{0}' already declares '{1}', which the generated model defines; rename or remove it",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinkBase + "lstm008");

        public static readonly DiagnosticDescriptor InvalidEnumValue = new(
            "LSTM009",
            "Unknown enum value",
            "{0} = {1} on '{2}' is not a defined {3} value; use one of: {4}",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinkBase + "lstm009");

        public static readonly DiagnosticDescriptor ClassIsStatic = new(
            "LSTM010",
            "The [Lstm] class cannot be static",
            "Class '{0}' has [Lstm] but is static; a model is an object with weights and state, so remove 'static'",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinkBase + "lstm010");

        public static readonly DiagnosticDescriptor ClassIsRecord = new(
            "LSTM011",
            "The [Lstm] class cannot be a record",
            "'{0}' has [Lstm] but is a record; a record's copy constructor, 'with' and value equality would share and compare the model's weight buffers by reference, so declare it 'partial class {0}'",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinkBase + "lstm011");

        public static readonly DiagnosticDescriptor ClassNameIsMemberName = new(
            "LSTM012",
            "The [Lstm] class has the name of a generated member",
            "Class '{0}' has [Lstm], but the generated model declares a member named '{0}', and C# does not allow a member named as its class (CS0542); rename the class",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinkBase + "lstm012");

        public static readonly DiagnosticDescriptor StateTooLarge = new(
            "LSTM013",
            "The model's State is too large for an array",
            "Layers x HiddenSize = {1} x {2} = {3} on '{0}' is too large: it must be at most {4}; a State holds the hidden and cell values of every layer ({5} bytes here), and .NET cannot make an array of a struct of 64 KiB or more (TypeLoadException), which State[], List<State> and the group step need; use fewer layers or fewer units (with HiddenSize = {2}, at most Layers = {6})",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinkBase + "lstm013");

        public static readonly DiagnosticDescriptor GeneratorFailed = new(
            "LSTM014",
            "The generator failed on this class",
            "LstmGen failed on '{0}' while {1}: {2}; no model was generated for this class (the other models are generated as usual); please report this with the class's declaration",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinkBase + "lstm014");

        public static readonly DiagnosticDescriptor WeightsFileNotFound = new(
            "LSTM015",
            "The weights file is not an AdditionalFiles item",
            "'{0}' sets Weights = \"{1}\", but no AdditionalFiles item of the project is that file; add <AdditionalFiles Include=\"{1}\" /> to the project (the path is relative to the project's folder)",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinkBase + "lstm015");

        public static readonly DiagnosticDescriptor WeightsFileUnreadable = new(
            "LSTM016",
            "The weights file cannot be read",
            "The weights file '{1}' of '{0}' cannot be used: {2}",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinkBase + "lstm016");

        public static readonly DiagnosticDescriptor WeightsTensorShape = new(
            "LSTM017",
            "A tensor of the weights file has the wrong shape",
            "Tensor '{1}' has shape {2} in the weights file '{3}', but '{0}' expects {4} ({5})",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinkBase + "lstm017");

        public static readonly DiagnosticDescriptor WeightsTensorMissing = new(
            "LSTM018",
            "The weights file lacks a tensor of the model",
            "'{0}' needs tensor '{1}' of shape {2} ({4}), but the weights file '{3}' has none; it has: {5}",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinkBase + "lstm018");

        public static readonly DiagnosticDescriptor WeightsTensorUnexpected = new(
            "LSTM019",
            "The weights file has a tensor the model does not",
            "The weights file '{3}' has tensor '{1}' of shape {2}, which '{0}' does not have ({4}); the model's tensors are {5}",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinkBase + "lstm019");

        public static readonly DiagnosticDescriptor WeightsTensorDType = new(
            "LSTM020",
            "A tensor of the weights file has an unsupported dtype",
            "Tensor '{1}' has dtype {2} in the weights file '{3}' (shape {4}), but compiled weights are F32, F16, BF16 or F64 (converted to float as Load converts them)",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinkBase + "lstm020");

        public static readonly DiagnosticDescriptor WeightsNotFinite = new(
            "LSTM021",
            "A weight is NaN, infinite or beyond float's range",
            "Tensor '{1}' ({2}, shape {3}) in the weights file '{4}' holds {5} at element {6} (row-major); '{0}' compiles in finite float weights only",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinkBase + "lstm021");

        public static readonly DiagnosticDescriptor WeightsFileAmbiguous = new(
            "LSTM022",
            "Several AdditionalFiles items match the weights path",
            "'{0}' sets Weights = \"{1}\", which matches several AdditionalFiles items: {2}; give the path from the project's folder so that it names one",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinkBase + "lstm022");

        public static readonly DiagnosticDescriptor WeightsSizesUnknown = new(
            "LSTM023",
            "The sizes cannot be taken from the weights file",
            "'{0}' leaves {1} to the weights file '{2}', but {3}; set the sizes on [Lstm]",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinkBase + "lstm023");

        public static readonly DiagnosticDescriptor TwoCells = new(
            "LSTM024",
            "A class has both [Lstm] and [Gru]",
            "'{0}' has both [Lstm] and [Gru], but a class holds one model; keep one of them, or declare a second class for the other model",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinkBase + "lstm024");

        public static readonly DiagnosticDescriptor DropoutOutOfRange = new(
            "LSTM025",
            "Dropout is out of range",
            "'{0}' sets Dropout = {1}, but a dropout probability is at least 0 and below 1 (PyTorch's dropout); 0 turns it off",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinkBase + "lstm025");

        public static readonly DiagnosticDescriptor DropoutSingleLayer = new(
            "LSTM026",
            "Dropout has no effect on one layer",
            "'{0}' sets Dropout = {1} with one layer, but dropout applies between stacked layers (as PyTorch's); it has no effect: set Layers to 2 or more, or remove Dropout",
            Category,
            DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinkBase + "lstm026");

        public static readonly DiagnosticDescriptor ProjectionSizeOutOfRange = new(
            "LSTM027",
            "ProjectionSize is out of range",
            "'{0}' sets ProjectionSize = {1}, but a projection maps a layer's HiddenSize values to fewer (PyTorch requires 0 < proj_size < hidden_size): use 1 to {2}, or 0 for none",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinkBase + "lstm027");

        // LSTM028 ("ProjectionSize with bfloat16 weights") is retired: the bfloat16 copy holds each layer's W_hr, which Step,
        // Forward and the group step read as bfloat16. The ID is not reused.

        public static readonly DiagnosticDescriptor BidirectionalStepSetting = new(
            "LSTM029",
            "A bidirectional model has no step",
            "'{0}' is Bidirectional and sets {1}, but {2}, and a bidirectional model has no step: its reverse direction reads the sequence from its end; remove the setting, or Bidirectional",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinkBase + "lstm029");

        // LSTM030 ("Bidirectional with ProjectionSize") is retired: a bidirectional model with projections is generated as
        // PyTorch's nn.LSTM(bidirectional=True, proj_size=P). The ID is not reused.

        private static readonly Dictionary<string, DiagnosticDescriptor> s_byId = new DiagnosticDescriptor[]
        {
            ClassNotPartial, ClassIsGeneric, ContainingTypeNotPartial, SizeRequired, SizeOutOfRange,
            SoftmaxNeedsHead, CrossEntropyNeedsSoftmax, MemberConflict, InvalidEnumValue, ClassIsStatic,
            ClassIsRecord, ClassNameIsMemberName, StateTooLarge, GeneratorFailed, WeightsFileNotFound,
            WeightsFileUnreadable, WeightsTensorShape, WeightsTensorMissing, WeightsTensorUnexpected, WeightsTensorDType,
            WeightsNotFinite, WeightsFileAmbiguous, WeightsSizesUnknown, TwoCells, DropoutOutOfRange, DropoutSingleLayer,
            ProjectionSizeOutOfRange, BidirectionalStepSetting,
        }.ToDictionary(d => d.Id);

        public static IEnumerable<DiagnosticDescriptor> All => s_byId.Values;

        public static DiagnosticDescriptor ById(string id) => s_byId[id];
    }
}
