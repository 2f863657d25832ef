using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace LstmGen.Tests.Generator
{
    /// <summary>One test per diagnostic: its ID, where it points, and a message that says how to fix it.</summary>
    public sealed partial class DiagnosticTests
    {
        private static string? s_lastSource;

        private static Diagnostic Single(string source, string id)
        {
            s_lastSource = source;
            var (result, _) = GeneratorHarness.Run(source);
            Diagnostic diagnostic = Assert.Single(result.Diagnostics);
            Assert.Equal(id, diagnostic.Id);
            Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
            Assert.Empty(result.GeneratedSources);
            return diagnostic;
        }

        /// <summary>The source text a diagnostic points at (the generator reports file locations).</summary>
        private static string Located(Diagnostic diagnostic)
        {
            Assert.Equal("Source0.cs", diagnostic.Location.GetLineSpan().Path);
            var span = diagnostic.Location.SourceSpan;
            return s_lastSource!.Substring(span.Start, span.Length);
        }

        [Fact]
        public void LSTM001_ClassNotPartial()
        {
            Diagnostic diagnostic = Single("[LstmGen.Lstm(InputSize = 2, HiddenSize = 4)] public class Model { }", "LSTM001");
            Assert.Equal("Model", Located(diagnostic));
            Assert.Contains("partial class Model", diagnostic.GetMessage());
        }

        [Fact]
        public void LSTM002_GenericClass()
        {
            Diagnostic diagnostic = Single("[LstmGen.Lstm(InputSize = 2, HiddenSize = 4)] public partial class Model<T> { }", "LSTM002");
            Assert.Equal("Model", Located(diagnostic));
            Assert.Contains("without type parameters", diagnostic.GetMessage());
        }

        [Theory]
        [InlineData("public class Outer")]
        [InlineData("public partial class Outer<T>")]
        [InlineData("public partial interface Outer")]
        public void LSTM003_ContainingTypeNotPartialClassOrStruct(string outer)
        {
            string source = outer + " { [LstmGen.Lstm(InputSize = 2, HiddenSize = 4)] public partial class Model { } }";
            Diagnostic diagnostic = Single(source, "LSTM003");
            Assert.Equal("Model", Located(diagnostic));
            Assert.Contains("'Outer'", diagnostic.GetMessage());
            Assert.Contains("make 'Outer' partial", diagnostic.GetMessage());
        }

        [Theory]
        [InlineData("HiddenSize = 4", "InputSize")]
        [InlineData("InputSize = 4", "HiddenSize")]
        public void LSTM004_RequiredSizeMissing(string arguments, string missing)
        {
            Diagnostic diagnostic = Single($"[LstmGen.Lstm({arguments})] public partial class Model {{ }}", "LSTM004");
            Assert.Contains($"must set {missing}", diagnostic.GetMessage());
            Assert.StartsWith("LstmGen.Lstm(", Located(diagnostic));
        }

        [Theory]
        [InlineData("InputSize = 0, HiddenSize = 4", "InputSize = 0", "between 1 and 8192")]
        [InlineData("InputSize = 8193, HiddenSize = 4", "InputSize = 8193", "between 1 and 8192")]
        [InlineData("InputSize = 2, HiddenSize = -1", "HiddenSize = -1", "between 1 and 1024")]
        [InlineData("InputSize = 2, HiddenSize = 1025", "HiddenSize = 1025", "between 1 and 1024")]
        [InlineData("InputSize = 2, HiddenSize = 4, Layers = 0", "Layers = 0", "between 1 and 16")]
        [InlineData("InputSize = 2, HiddenSize = 4, Layers = 17", "Layers = 17", "between 1 and 16")]
        [InlineData("InputSize = 2, HiddenSize = 4, OutputSize = -3", "OutputSize = -3", "between 0 and 8192")]
        [InlineData("InputSize = 2, HiddenSize = 4, OutputSize = 9000", "OutputSize = 9000", "between 0 and 8192")]
        public void LSTM005_SizeOutOfRange(string arguments, string argument, string range)
        {
            Diagnostic diagnostic = Single($"[LstmGen.Lstm({arguments})] public partial class Model {{ }}", "LSTM005");
            Assert.Equal(argument, Located(diagnostic));
            Assert.Contains(range, diagnostic.GetMessage());
        }

        [Theory]
        [InlineData("OutputSize = 0")]
        [InlineData("OutputSize = 1")]
        public void LSTM006_SoftmaxWithoutAHeadOfTwo(string head)
        {
            Diagnostic diagnostic = Single($"[LstmGen.Lstm(InputSize = 2, HiddenSize = 4, {head}, OutputActivation = LstmGen.Activation.Softmax)] public partial class Model {{ }}", "LSTM006");
            Assert.Equal("OutputActivation = LstmGen.Activation.Softmax", Located(diagnostic));
            Assert.Contains("at least 2", diagnostic.GetMessage());
        }

        [Fact]
        public void LSTM007_CrossEntropyWithoutSoftmax()
        {
            Diagnostic diagnostic = Single("[LstmGen.Lstm(InputSize = 2, HiddenSize = 4, OutputSize = 3, Loss = LstmGen.LossFunction.CrossEntropy)] public partial class Model { }", "LSTM007");
            Assert.Equal("Loss = LstmGen.LossFunction.CrossEntropy", Located(diagnostic));
            Assert.Contains("OutputActivation = Activation.Softmax", diagnostic.GetMessage());
        }

        [Theory]
        [InlineData("public int HiddenSize => 3;", "HiddenSize")]
        [InlineData("public void Step(System.ReadOnlySpan<float> input, System.Span<float> output) { }", "Step(System.ReadOnlySpan<float>, System.Span<float>)")]
        [InlineData("public void Step(ref Model.State state, System.ReadOnlySpan<float> input, System.Span<float> output) { }", "Step(ref Model.State, System.ReadOnlySpan<float>, System.Span<float>)")]
        [InlineData("public Model() { }", "Model()")]
        [InlineData("public Model(int seed) { }", "Model(int)")]
        [InlineData("private struct State { }", "State")]
        public void LSTM008_MemberConflict(string member, string described)
        {
            Diagnostic diagnostic = Single($"[LstmGen.Lstm(InputSize = 2, HiddenSize = 4)] public partial class Model {{ {member} }}", "LSTM008");
            Assert.Contains($"'{described}'", diagnostic.GetMessage());
        }

        [Theory]
        [InlineData("[LstmGen.Lstm(InputSize = 3, HiddenSize = 5, Layers = 2, OutputSize = 2, OutputActivation = LstmGen.Activation.Softmax)]")]
        [InlineData("[LstmGen.Lstm(InputSize = 4, HiddenSize = 4)]")]
        [InlineData("[LstmGen.Lstm(InputSize = 3, HiddenSize = 5, Layers = 2, OutputSize = 2, Dropout = 0.5, Bidirectional = true)]")]
        [InlineData("[LstmGen.Gru(InputSize = 10, HiddenSize = 5, Layers = 2, Bidirectional = true)]")]
        [InlineData("[LstmGen.Lstm(InputSize = 3, HiddenSize = 21, ProjectionSize = 4, Layers = 2, OutputSize = 2, Dropout = 0.5, Bidirectional = true)]")]
        [InlineData("[LstmGen.Lstm(InputSize = 3, HiddenSize = 21, ProjectionSize = 4, Layers = 2, OutputSize = 2)]")]
        [InlineData("[LstmGen.Lstm(InputSize = 3, HiddenSize = 21, ProjectionSize = 4, Layers = 2, OutputSize = 2, WeightPrecision = LstmGen.WeightPrecision.BFloat16)]")]
        public void LSTM008_GuardsEveryMemberTheGeneratorWrites(string attribute)
        {
            // Whatever the generator adds to the class, a user declaration of it would be reported.
            var (model, generated) = GeneratedMembersOf(attribute);
            Assert.NotEmpty(generated);
            Assert.All(generated, member => Assert.True(LstmGen.Generator.GeneratedMembers.Conflicts(member, model), $"'{member}' is generated but not guarded by LSTM008."));
        }

        /// <summary>The members the generator adds to a class with <paramref name="attribute"/> (not accessors or explicit implementations).</summary>
        private static (INamedTypeSymbol Model, System.Collections.Generic.List<ISymbol> Members) GeneratedMembersOf(string attribute)
        {
            var (result, output) = GeneratorHarness.Run(attribute + " public partial class Model { }");
            Assert.Empty(result.Diagnostics);
            INamedTypeSymbol model = output.GetTypeByMetadataName("Model")!;
            var members = model.GetMembers()
                .Where(member => !member.IsImplicitlyDeclared && !IsExplicitImplementation(member) && member is not IMethodSymbol { AssociatedSymbol: not null })
                .ToList();
            return (model, members);
        }

        private static bool IsExplicitImplementation(ISymbol member) => member switch
        {
            IMethodSymbol method => !method.ExplicitInterfaceImplementations.IsEmpty
                || (method.AssociatedSymbol is IPropertySymbol property && !property.ExplicitInterfaceImplementations.IsEmpty),
            IPropertySymbol property => !property.ExplicitInterfaceImplementations.IsEmpty,
            _ => false,
        };

        [Theory]
        [InlineData("public float AccumulateGradients(System.ReadOnlySpan<float> a, System.ReadOnlySpan<float> b) => 0;", "AccumulateGradients(System.ReadOnlySpan<float>, System.ReadOnlySpan<float>)")]
        [InlineData("public void Save(string path) { }", "Save(string)")]
        [InlineData("public int Gradients;", "Gradients")]
        public void LSTM008_TrainingAndWeightFileMembers(string member, string described)
        {
            Diagnostic diagnostic = Single($"[LstmGen.Lstm(InputSize = 2, HiddenSize = 4)] public partial class Model {{ {member} }}", "LSTM008");
            Assert.Contains($"'{described}'", diagnostic.GetMessage());
        }

        [Theory]
        [InlineData("[LstmGen.Lstm(InputSize = 3, HiddenSize = 5, Layers = 2, OutputSize = 2, OutputActivation = LstmGen.Activation.Softmax)]")]
        [InlineData("[LstmGen.Lstm(InputSize = 3, HiddenSize = 5, Layers = 2, ProjectionSize = 3, WeightPrecision = LstmGen.WeightPrecision.Float32)]")]
        [InlineData("[LstmGen.Gru(InputSize = 4, HiddenSize = 6, Layers = 2, OutputSize = 1, OutputActivation = LstmGen.Activation.Sigmoid)]")]
        [InlineData("[LstmGen.Lstm(InputSize = 3, HiddenSize = 5, Layers = 2, OutputSize = 2, Bidirectional = true)]")]
        [InlineData("[LstmGen.Lstm(InputSize = 8, HiddenSize = 32, OutputSize = 2, WeightPrecision = LstmGen.WeightPrecision.BFloat16)]")]
        public void TheKernelsNamesAreFreeForTheUsersOwnMembers(string attribute)
        {
            // The kernels and their dispatchers live in the nested LstmGenKernels class: a user's members of the same
            // names (methods, fields, a property) neither conflict nor capture the generated calls.
            string[] kernelNames =
            {
                "FirstLayerStep", "UpperLayerStep", "FirstLayerVector512", "UpperLayerVector256", "FirstLayerScalar", "StepVector512", "StepVector128",
                "StepScalar", "StepAgentsVector512", "StepAgentsVector256", "HeadVector512", "HeadScalar", "HeadBackward", "FirstLayerRecorded",
                "UpperLayerRecorded", "FirstLayerBackward", "UpperLayerBackward", "GateRowBackwardVector512", "GateRowsBackwardVector256",
                "WeightGradientsVector128", "HiddenProjectionVector512", "UpperLayerProjection", "UpperLayerRecurrent", "FirstLayerDirection",
                "UpperLayerRecordedDirection", "FirstLayerBackwardDirection", "StepBFloat16Vector512", "HeadBFloat16Scalar", "HeadForwardBFloat16",
                "FirstLayerAgentsBFloat16Vector512", "HeadAgentsVector512",
            };
            string members = string.Join("\n", kernelNames.Select(name => $"    public static void {name}(ref float weights, ref float input, ref float hidden, ref float cell, ref float gates) => throw new System.InvalidOperationException(\"{name}\");"))
                + "\n    public int HeadForward => throw new System.InvalidOperationException();"
                + "\n    public readonly float WeightGradients = 1;"
                + "\n    public static void ApplyOutputActivation(ref float output) => throw new System.InvalidOperationException();";
            var (result, output) = GeneratorHarness.Run($"{attribute}\npublic partial class Model\n{{\n{members}\n}}");
            Assert.Empty(result.Diagnostics);
            GeneratorHarness.AssertCompilesCleanly(output);
        }

        [Theory]
        [InlineData("StepVector128")]
        [InlineData("FirstLayerBackwardScalar")]
        [InlineData("HeadForward")]
        public void AClassMayBeNamedAsAKernel(string name)
        {
            // CS0542 forbids only the class's own members to share its name; the kernels are the nested class's.
            var (result, output) = GeneratorHarness.Run($"[LstmGen.Lstm(InputSize = 2, HiddenSize = 4, OutputSize = 1)] public partial class {name} {{ }}");
            Assert.Empty(result.Diagnostics);
            GeneratorHarness.AssertCompilesCleanly(output);
        }

        [Fact]
        public void LSTM008_IsNotRaisedForOverloadsWithOtherParameters()
        {
            const string source = """
                [LstmGen.Lstm(InputSize = 2, HiddenSize = 4)]
                public partial class Model
                {
                    public Model(string name) : this(seed: name.Length) { }
                    public void Step(float[] input, float[] output) => Step(input.AsSpan(), output.AsSpan());
                    public void Forward(float[] inputs, float[] outputs) => Forward(inputs.AsSpan(), outputs.AsSpan());
                }
                """;
            var (result, output) = GeneratorHarness.Run("using System;\n" + source);
            Assert.Empty(result.Diagnostics);
            GeneratorHarness.AssertCompilesCleanly(output);
        }

        [Theory]
        [InlineData("OutputActivation = (LstmGen.Activation)9", "Activation")]
        [InlineData("Loss = (LstmGen.LossFunction)5", "LossFunction")]
        [InlineData("WeightPrecision = (LstmGen.WeightPrecision)2", "WeightPrecision")]
        public void LSTM009_UndefinedEnumValue(string argument, string enumName)
        {
            Diagnostic diagnostic = Single($"[LstmGen.Lstm(InputSize = 2, HiddenSize = 4, OutputSize = 2, {argument})] public partial class Model {{ }}", "LSTM009");
            Assert.Equal(argument, Located(diagnostic));
            Assert.Contains($"not a defined {enumName} value", diagnostic.GetMessage());
        }

        [Fact]
        public void LSTM010_StaticClass()
        {
            Diagnostic diagnostic = Single("[LstmGen.Lstm(InputSize = 2, HiddenSize = 4)] public static partial class Model { }", "LSTM010");
            Assert.Contains("remove 'static'", diagnostic.GetMessage());
        }

        [Theory]
        [InlineData("public partial record class Model { }")]
        [InlineData("public partial record Model(string Name);")]
        [InlineData("public partial record struct Model { }")]
        public void LSTM011_Record(string declaration)
        {
            var (result, _) = GeneratorHarness.Run($"[LstmGen.Lstm(InputSize = 2, HiddenSize = 4)] {declaration}");
            Diagnostic diagnostic = Assert.Single(result.Diagnostics);
            Assert.Equal("LSTM011", diagnostic.Id);
            Assert.Contains("declare it 'partial class Model'", diagnostic.GetMessage());
            Assert.Empty(result.GeneratedSources);
        }

        [Theory]
        [InlineData("State")]
        [InlineData("Step")]
        [InlineData("InputSize")]
        [InlineData("Forward")]
        [InlineData("LstmGenKernels")]
        [InlineData("StepCore")]
        public void LSTM012_ClassNamedAsAGeneratedMember(string name)
        {
            Diagnostic diagnostic = Single($"[LstmGen.Lstm(InputSize = 2, HiddenSize = 4)] public partial class {name} {{ }}", "LSTM012");
            Assert.Equal(name, Located(diagnostic));
            Assert.Contains($"a member named '{name}'", diagnostic.GetMessage());
            Assert.Contains("CS0542", diagnostic.GetMessage());
        }

        [Theory]
        [InlineData("[LstmGen.Lstm(InputSize = 3, HiddenSize = 5, Layers = 2, OutputSize = 2, OutputActivation = LstmGen.Activation.Softmax)]")]
        [InlineData("[LstmGen.Lstm(InputSize = 4, HiddenSize = 4)]")]
        public void LSTM012_CoversEveryMemberTheGeneratorWrites(string attribute)
        {
            // A class named as any member the generator adds would be CS0542 in the generated file.
            var names = GeneratedMembersOf(attribute).Members
                .Where(member => member is not IMethodSymbol { MethodKind: MethodKind.Constructor })
                .Select(member => member.Name)
                .Distinct()
                .ToList();
            Assert.Contains("State", names);
            Assert.All(names, name => Assert.True(LstmGen.Generator.GeneratedMembers.IsGeneratedName(name), $"A class named '{name}' is not refused by LSTM012."));
        }

        [Theory]
        [InlineData(1024, 8, 7)]
        [InlineData(512, 16, 15)]
        [InlineData(820, 10, 9)]
        public void LSTM013_StateTooLargeForAnArray(int hiddenSize, int layers, int allowedLayers)
        {
            Diagnostic diagnostic = Single($"[LstmGen.Lstm(InputSize = 2, HiddenSize = {hiddenSize}, Layers = {layers})] public partial class Model {{ }}", "LSTM013");
            Assert.StartsWith("LstmGen.Lstm(", Located(diagnostic));
            string message = diagnostic.GetMessage();
            Assert.Contains($"= {layers * hiddenSize} on 'Model' is too large: it must be at most 8191", message);
            Assert.Contains($"({2 * sizeof(float) * layers * hiddenSize} bytes here)", message);
            Assert.Contains("64 KiB", message);
            Assert.Contains($"at most Layers = {allowedLayers})", message);

            // The suggestion is right: one layer fewer is accepted.
            var (accepted, _) = GeneratorHarness.Run($"[LstmGen.Lstm(InputSize = 2, HiddenSize = {hiddenSize}, Layers = {allowedLayers})] public partial class Model {{ }}");
            Assert.Empty(accepted.Diagnostics);
        }

        [Theory]
        [InlineData("Parse", "reading the class and its [Lstm] attribute")]
        [InlineData("Plan", "planning the model's kernels")]
        [InlineData("Emit", "writing the model's source")]
        public void LSTM014_AnExceptionInOneModelIsADiagnosticOnItsClass(string stage, string described)
        {
            string source = $$"""
                namespace App
                {
                    [LstmGen.Lstm(InputSize = 2, HiddenSize = 4)] public partial class Healthy { }
                    [LstmGen.Lstm(InputSize = 2, HiddenSize = 4)] public partial class Faulty{{stage}} { }
                    [LstmGen.Lstm(InputSize = 3, HiddenSize = 5)] public partial class AlsoHealthy { }
                }
                """;
            s_lastSource = source;
            GeneratorRunResult result;
            Compilation output;
            using (LstmGen.Generator.FaultInjection.Inject("Faulty" + stage, stage))
            {
                (result, output) = GeneratorHarness.Run(source);
            }

            Assert.Null(result.Exception);
            Diagnostic diagnostic = Assert.Single(result.Diagnostics);
            Assert.Equal("LSTM014", diagnostic.Id);
            Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
            Assert.Equal("Faulty" + stage, Located(diagnostic));
            Assert.Contains($"while {described}: System.InvalidOperationException: Fault injected into the {stage} stage", diagnostic.GetMessage());
            Assert.Equal(new[] { "App.AlsoHealthy.Lstm.g.cs", "App.Healthy.Lstm.g.cs" }, GeneratorHarness.ModelSources(result).Select(generated => generated.HintName).OrderBy(name => name, System.StringComparer.Ordinal));
            Assert.NotNull(output.GetTypeByMetadataName("App.Healthy")!.GetMembers("Step").FirstOrDefault());
        }

        [Fact]
        public void LSTM024_LstmAndGruOnOneClass()
        {
            Diagnostic diagnostic = Single("[LstmGen.Lstm(InputSize = 2, HiddenSize = 4)] [LstmGen.Gru(InputSize = 2, HiddenSize = 4)] public partial class Model { }", "LSTM024");
            Assert.Equal("Model", Located(diagnostic));
            Assert.Contains("both [Lstm] and [Gru]", diagnostic.GetMessage());
        }

        [Theory]
        [InlineData("1", "1")]
        [InlineData("-0.1", "-0.1")]
        [InlineData("1.5", "1.5")]
        [InlineData("double.NaN", "NaN")]
        [InlineData("0.99999999999", "0.99999999999")]
        public void LSTM025_DropoutOutOfRange(string value, string shown)
        {
            Diagnostic diagnostic = Single($"[LstmGen.Gru(InputSize = 2, HiddenSize = 4, Layers = 2, Dropout = {value})] public partial class Model {{ }}", "LSTM025");
            Assert.Equal($"Dropout = {value}", Located(diagnostic));
            Assert.Contains($"Dropout = {shown}", diagnostic.GetMessage());
            Assert.Contains("below 1", diagnostic.GetMessage());
        }

        [Fact]
        public void LSTM026_DropoutOnOneLayer()
        {
            const string source = "[LstmGen.Lstm(InputSize = 2, HiddenSize = 4, Dropout = 0.5)] public partial class Model { }";
            s_lastSource = source;
            var (result, output) = GeneratorHarness.Run(source);
            Diagnostic diagnostic = Assert.Single(result.Diagnostics);
            Assert.Equal("LSTM026", diagnostic.Id);
            Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
            Assert.Equal("Dropout = 0.5", Located(diagnostic));
            Assert.Contains("no effect", diagnostic.GetMessage());

            // Only a warning: the model is generated, without dropout, as PyTorch runs it.
            Assert.Single(GeneratorHarness.ModelSources(result));
            GeneratorHarness.AssertCompilesCleanly(output);
            Assert.DoesNotContain("Dropout", GeneratorHarness.ModelSource(result));
        }

        [Theory]
        [InlineData("-1", "3")]
        [InlineData("4", "3")]
        [InlineData("9", "3")]
        public void LSTM027_ProjectionSizeOutOfRange(string value, string largest)
        {
            Diagnostic diagnostic = Single($"[LstmGen.Lstm(InputSize = 2, HiddenSize = 4, ProjectionSize = {value})] public partial class Model {{ }}", "LSTM027");
            Assert.Equal($"ProjectionSize = {value}", Located(diagnostic));
            Assert.Contains($"ProjectionSize = {value}", diagnostic.GetMessage());
            Assert.Contains($"use 1 to {largest}", diagnostic.GetMessage());
            Assert.Contains("0 < proj_size < hidden_size", diagnostic.GetMessage());
        }

        [Fact]
        public void ProjectionSizeZeroGeneratesTheModelWithoutProjections()
        {
            string without = GeneratorHarness.Generate("namespace N { [LstmGen.Lstm(InputSize = 2, HiddenSize = 4, Layers = 2)] public partial class Model { } }");
            string zero = GeneratorHarness.Generate("namespace N { [LstmGen.Lstm(InputSize = 2, HiddenSize = 4, Layers = 2, ProjectionSize = 0)] public partial class Model { } }");
            Assert.Equal(without, zero);
            string with = GeneratorHarness.Generate("namespace N { [LstmGen.Lstm(InputSize = 2, HiddenSize = 4, Layers = 2, ProjectionSize = 3)] public partial class Model { } }");
            Assert.Contains("public const int ProjectionSize = 3;", with);
            Assert.Contains("\"lstm.weight_hr_l1\", new[] { 3, 4 }", with);
        }

        /// <summary>
        /// Each retired ID refused a combination that is generated now: no diagnostic (the harness fails on one), what the
        /// combination needs is in the generated source, and no descriptor reuses the ID. LSTM028: projections with bfloat16
        /// weights (the copy holds W_hr); LSTM030: a bidirectional model with projections.
        /// </summary>
        [Theory]
        [InlineData("LSTM028", "InputSize = 2, HiddenSize = 4, ProjectionSize = 3, Layers = 2, OutputSize = 1, WeightPrecision = LstmGen.WeightPrecision.BFloat16", "private const int ProjectionPairs = (ProjectionSize + 1) / 2;", "internal static void HiddenProjectionBFloat16Scalar(ref ushort projection", "\"lstm.weight_hr_l1\", new[] { 3, 4 }")]
        [InlineData("LSTM030", "InputSize = 2, HiddenSize = 4, ProjectionSize = 2, Layers = 2, OutputSize = 1, Bidirectional = true", "\"lstm.weight_hr_l1_reverse\", new[] { 2, 4 }", "\"lstm.weight_ih_l1\", new[] { 16, 4 }", "\"head.weight\", new[] { 1, 4 }")]
        public void RetiredIdsAreNotReusedAndTheirCombinationsAreGenerated(string id, string settings, string first, string second, string third)
        {
            Assert.DoesNotContain(LstmGen.Generator.DiagnosticDescriptors.All, descriptor => descriptor.Id == id);
            string generated = GeneratorHarness.Generate($"namespace N {{ [LstmGen.Lstm({settings})] public partial class Model {{ }} }}");
            Assert.Contains(first, generated);
            Assert.Contains(second, generated);
            Assert.Contains(third, generated);
        }

        [Fact]
        public void LSTM029_BidirectionalWithASettingForSteps()
        {
            // WeightPrecision is [Lstm]'s: a bfloat16 copy of the weights exists for the step's reads.
            Diagnostic diagnostic = Single($"[LstmGen.Lstm(InputSize = 2, HiddenSize = 4, Bidirectional = true, WeightPrecision = LstmGen.WeightPrecision.BFloat16)] public partial class Model {{ }}", "LSTM029");
            Assert.Equal("WeightPrecision = LstmGen.WeightPrecision.BFloat16", Located(diagnostic));
            Assert.Contains("Bidirectional", diagnostic.GetMessage());
            Assert.Contains("WeightPrecision = WeightPrecision.BFloat16", diagnostic.GetMessage());
            Assert.Contains("no step", diagnostic.GetMessage());
        }

        [Fact]
        public void BidirectionalFalseGeneratesTheModelThatSteps()
        {
            string without = GeneratorHarness.Generate("namespace N { [LstmGen.Lstm(InputSize = 2, HiddenSize = 4, Layers = 2)] public partial class Model { } }");
            string withFalse = GeneratorHarness.Generate("namespace N { [LstmGen.Lstm(InputSize = 2, HiddenSize = 4, Layers = 2, Bidirectional = false)] public partial class Model { } }");
            Assert.Equal(without, withFalse);
            string bidirectional = GeneratorHarness.Generate("namespace N { [LstmGen.Lstm(InputSize = 2, HiddenSize = 4, Layers = 2, Bidirectional = true)] public partial class Model { } }");
            Assert.Contains("partial class Model : global::LstmGen.ISequenceModel", bidirectional, System.StringComparison.Ordinal);
            Assert.DoesNotContain("public void Step(", bidirectional, System.StringComparison.Ordinal);
            Assert.DoesNotContain("struct State", bidirectional, System.StringComparison.Ordinal);
            Assert.Contains("\"lstm.weight_ih_l1_reverse\", new[] { 16, 8 }", bidirectional, System.StringComparison.Ordinal);
        }

        [Fact]
        public void DropoutZeroGeneratesTheModelWithoutDropout()
        {
            string without = GeneratorHarness.Generate("namespace N { [LstmGen.Lstm(InputSize = 2, HiddenSize = 4, Layers = 2)] public partial class Model { } }");
            string zero = GeneratorHarness.Generate("namespace N { [LstmGen.Lstm(InputSize = 2, HiddenSize = 4, Layers = 2, Dropout = 0)] public partial class Model { } }");
            Assert.Equal(without, zero);
            string with = GeneratorHarness.Generate("namespace N { [LstmGen.Lstm(InputSize = 2, HiddenSize = 4, Layers = 2, Dropout = 0.1)] public partial class Model { } }");
            Assert.Contains("private const float DropoutProbability = 0.1f;", with);
        }

        [Fact]
        public void AGruClassGetsTheSameChecksAsAnLstmClass()
        {
            // Not partial, a size out of range, softmax without a head: the [Lstm] diagnostics, on a [Gru] class.
            var (result, _) = GeneratorHarness.Run("[LstmGen.Gru(InputSize = 0, HiddenSize = 2000, OutputActivation = LstmGen.Activation.Softmax)] public class Model { }");
            Assert.Equal(new[] { "LSTM001", "LSTM005", "LSTM005", "LSTM006" }, result.Diagnostics.Select(d => d.Id).OrderBy(id => id));
            Assert.Empty(result.GeneratedSources);

            // A [Gru] class generates a .Gru.g.cs beside an [Lstm] class's .Lstm.g.cs, and the registry lists both.
            var (both, output) = GeneratorHarness.Run("namespace App { [LstmGen.Gru(InputSize = 2, HiddenSize = 4)] public partial class G { } [LstmGen.Lstm(InputSize = 2, HiddenSize = 4)] public partial class L { } }");
            Assert.Empty(both.Diagnostics);
            GeneratorHarness.AssertCompilesCleanly(output);
            Assert.Equal(new[] { "App.G.Gru.g.cs", "App.L.Lstm.g.cs" }, GeneratorHarness.ModelSources(both).Select(generated => generated.HintName).OrderBy(name => name, System.StringComparer.Ordinal));
            string registry = both.GeneratedSources.Single(generated => generated.HintName == "LstmModels.g.cs").SourceText.ToString();
            Assert.Contains("typeof(global::App.G)", registry);
            Assert.Contains("typeof(global::App.L)", registry);
        }

        [Fact]
        public void EveryDescriptorHasATest()
        {
            var tested = typeof(DiagnosticTests).GetMethods()
                .Select(method => method.Name)
                .Where(name => name.StartsWith("LSTM", System.StringComparison.Ordinal))
                .Select(name => name.Substring(0, 7))
                .ToHashSet();
            var descriptors = LstmGen.Generator.DiagnosticDescriptors.All.Select(descriptor => descriptor.Id).OrderBy(id => id);
            Assert.All(descriptors, id => Assert.Contains(id, tested));
        }

        [Fact]
        public void SeveralProblemsAreReportedTogether()
        {
            var (result, _) = GeneratorHarness.Run("[LstmGen.Lstm(InputSize = 0, HiddenSize = 2000)] public class Model { }");
            Assert.Equal(new[] { "LSTM001", "LSTM005", "LSTM005" }, result.Diagnostics.Select(d => d.Id).OrderBy(id => id));
        }
    }
}
