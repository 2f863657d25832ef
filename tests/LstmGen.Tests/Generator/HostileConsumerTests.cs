using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace LstmGen.Tests.Generator
{
    /// <summary>
    /// A consumer whose own types, namespaces, aliases and nested types carry the names the generated
    /// code uses (Span, Math, Unsafe, Vector128, Activation, TensorInfo, a namespace X.System, ...): the
    /// generated code names every type with <c>global::</c>, so it still compiles without a warning and
    /// computes the same bits as the same model in a plain project.
    /// </summary>
    public sealed class HostileConsumerTests
    {
        private const string Attribute =
            "[global::LstmGen.Lstm(InputSize = 5, HiddenSize = 20, Layers = 2, OutputSize = 3, "
            + "OutputActivation = global::LstmGen.Activation.Softmax, Loss = global::LstmGen.LossFunction.CrossEntropy)]";

        private const string ProjectedAttribute = "[global::LstmGen.Lstm(InputSize = 40, HiddenSize = 33, Layers = 3)]";

        /// <summary>
        /// Types named as every type the generated code uses, some with members that would bind and
        /// silently compute something else (Math.Max, LstmMath.Sigmoid, Random.Shared, ...).
        /// </summary>
        private const string HostileTypes = """
            #pragma warning disable CS8981 // lower-case type names, on purpose
            namespace Hostile
            {
                internal struct Span<T> { }
                internal struct ReadOnlySpan<T> { }
                internal static class Math { public static int Max(int a, int b) => 0; public static int Min(int a, int b) => 0; }
                internal static class MathF { public static float Exp(float x) => 0; }
                internal struct Vector128<T> { }
                internal static class Vector128 { public static bool IsHardwareAccelerated => false; }
                internal struct Vector256<T> { }
                internal static class Vector256 { public static bool IsHardwareAccelerated => false; }
                internal struct Vector512<T> { }
                internal static class Vector512 { public static bool IsHardwareAccelerated => false; }
                internal static class Unsafe { public static ref T Add<T>(ref T source, int offset) => ref source; public static int SizeOf<T>() => 4; }
                internal static class Refs { public static ref float Add(ref float source, int offset) => ref source; }
                internal static class MemoryMarshal { }
                internal enum Activation { Softmax = 7, Linear = 8, Sigmoid = 9, Tanh = 10 }
                internal enum LossFunction { CrossEntropy = 5, MeanSquaredError = 6 }
                internal sealed class TensorInfo { }
                internal static class LstmMath { public static float Sigmoid(float x) => 0.5f; public static float Tanh(float x) => 0f; public static float MultiplyAdd(float a, float b, float c) => c; }
                internal interface ILstmModel { }
                internal interface IReadOnlyList<T> { }
                internal static class Array { }
                internal static class Random { public static global::System.Random Shared => new global::System.Random(1); }
                internal abstract class Stream { }
                internal static class Floats { }
                internal static class GateLayout { }
                internal static class AgentLanes { }
                internal static class ModelGuard { }
                internal static class ParameterStorage { }
                internal static class WeightFile { }
                internal sealed class WeightLoadOptions { }
                internal sealed class WeightFileException : global::System.Exception { }
                internal static class Initializers { }
                internal static class Losses { }
                internal static class ArrayPool<T> { }
                internal sealed class ArgumentNullException : global::System.Exception { }
                internal sealed class InlineArrayAttribute : global::System.Attribute { public InlineArrayAttribute(int length) { } }
                internal sealed class UnscopedRefAttribute : global::System.Attribute { }
                internal sealed class MethodImplAttribute : global::System.Attribute { public MethodImplAttribute(MethodImplOptions options) { } }
                internal enum MethodImplOptions { AggressiveInlining = 1 }
                internal sealed class GeneratedCodeAttribute : global::System.Attribute { public GeneratedCodeAttribute(string tool, string version) { } }
                internal struct State { }
                internal struct nuint { }
                internal struct var { }
            }

            // A namespace System (and LstmGen) inside the user's: "System.X" from namespace Hostile binds here.
            namespace Hostile.System
            {
                internal static class Runtime { }
                internal static class Collections { }
                internal static class Buffers { }
                internal static class IO { }
                internal static class Diagnostics { }
                internal static class CodeDom { }
                internal struct Span<T> { }
            }

            namespace Hostile.LstmGen
            {
                internal static class CompilerServices { }
                internal static class Serialization { }
                internal static class Training { }
                internal interface ILstmModel { }
            }

            // Namespaces brought in by global usings: an unqualified name would be ambiguous (CS0104).
            namespace HostileUsings
            {
                internal static class Unsafe { }
                internal static class Refs { }
                internal static class MemoryMarshal { }
                internal static class Vector128 { }
                internal static class Floats { }
                internal static class LstmMath { }
                internal sealed class TensorInfo { }
            }

            namespace HostileAliases
            {
                internal static class MyMath { public static int Max(int a, int b) => 0; public static float Sigmoid(float x) => 0.5f; }
                internal static class MyUnsafe { }
                internal enum MyEnum { Softmax }
            }
            """;

        /// <summary>Global usings and aliases that shadow BCL and LstmGen names everywhere in the project.</summary>
        private const string HostileUsings = """
            global using HostileUsings;
            global using Math = HostileAliases.MyMath;
            global using MathF = HostileAliases.MyMath;
            global using LstmMath = HostileAliases.MyMath;
            global using Unsafe = HostileAliases.MyUnsafe;
            global using MemoryMarshal = HostileAliases.MyUnsafe;
            global using Vector256 = HostileAliases.MyUnsafe;
            global using Activation = HostileAliases.MyEnum;
            global using Array = HostileAliases.MyUnsafe;
            global using Random = HostileAliases.MyUnsafe;
            global using static HostileAliases.MyMath;
            """;

        /// <summary>The model class, with nested types of the same names inside it.</summary>
        private static string HostileModel(string attribute) => $$"""
            namespace Hostile
            {
                {{attribute}}
                internal partial class Model
                {
                    internal sealed class Span { }
                    internal sealed class Unsafe { }
                    internal sealed class Refs { }
                    internal sealed class Math { }
                    internal sealed class MathF { }
                    internal sealed class Vector128 { }
                    internal sealed class Vector512 { }
                    internal sealed class MemoryMarshal { }
                    internal sealed class LstmMath { }
                    internal sealed class TensorInfo { }
                    internal sealed class ILstmModel { }
                    internal sealed class Floats { }
                    internal sealed class GateLayout { }
                    internal sealed class System { }
                    internal sealed class LstmGen { }
                    internal sealed class Random { }
                    internal sealed class Array { }
                    internal enum Activation { Softmax }
                }
            }
            """;

        private static string PlainModel(string attribute) => $$"""
            namespace Plain
            {
                {{attribute}}
                internal partial class Model
                {
                }
            }
            """;

        /// <summary>
        /// Both shapes, nullable on and off, and each tier: C# 11 (global usings, but no inline arrays) gets the
        /// portable tier on net10.0.
        /// </summary>
        public static IEnumerable<object[]> Cases() =>
            from attribute in new[] { Attribute, ProjectedAttribute }
            from nullable in new[] { NullableContextOptions.Enable, NullableContextOptions.Disable }
            from version in new[] { LanguageVersion.Latest, LanguageVersion.CSharp11 }
            select new object[] { attribute, nullable, version };

        [Theory]
        [MemberData(nameof(Cases))]
        public void HostileProjectComputesTheSameBitsAsAPlainOne(string attribute, NullableContextOptions nullable, LanguageVersion version)
        {
            Compilation plain = Build(nullable, version, PlainModel(attribute), ModelDriver.Source("global::Plain.Model"));
            Compilation hostile = Build(nullable, version, HostileTypes, HostileUsings, HostileModel(attribute), ModelDriver.Source("global::Hostile.Model"));
            string generated = hostile.SyntaxTrees.Single(tree => tree.FilePath.EndsWith(".Lstm.g.cs", System.StringComparison.Ordinal)).ToString();
            Assert.Equal(version == LanguageVersion.CSharp11, generated.Contains("the portable tier", System.StringComparison.Ordinal));

            float[][] expected = ModelDriver.Run(plain, seed: 7, steps: 6, agents: 19, stride: 1);
            float[][] actual = ModelDriver.Run(hostile, seed: 7, steps: 6, agents: 19, stride: 1);

            ModelDriver.AssertSameBits(expected, actual, "the plain and the hostile build");
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void EveryTypeTheGeneratedCodeNamesIsQualifiedWithGlobal(string attribute, NullableContextOptions nullable, LanguageVersion version)
        {
            Compilation hostile = Build(nullable, version, HostileTypes, HostileUsings, HostileModel(attribute), ModelDriver.Source("global::Hostile.Model"));
            SyntaxTree generated = hostile.SyntaxTrees.Single(tree => tree.FilePath.EndsWith(".Lstm.g.cs", System.StringComparison.Ordinal));
            SemanticModel semantic = hostile.GetSemanticModel(generated);
            SyntaxNode root = generated.GetRoot();
            Assert.DoesNotContain(root.DescendantNodes(), node => node is UsingDirectiveSyntax);

            var declaredHere = new HashSet<ISymbol>(
                root.DescendantNodes().OfType<BaseTypeDeclarationSyntax>().Select(declaration => semantic.GetDeclaredSymbol(declaration)!),
                SymbolEqualityComparer.Default);
            var unqualified = new List<string>();
            int checkedNames = 0;
            foreach (SimpleNameSyntax name in root.DescendantNodes(descendIntoTrivia: true).OfType<SimpleNameSyntax>())
            {
                ISymbol? symbol = semantic.GetSymbolInfo(name).Symbol;
                if (symbol is not (INamespaceSymbol or ITypeSymbol) || declaredHere.Contains(symbol.OriginalDefinition) || IsDeclarationOrAlias(name))
                {
                    continue;
                }

                checkedNames++;
                if (!StartsWithGlobal(name))
                {
                    unqualified.Add($"{name} (line {name.GetLocation().GetLineSpan().StartLinePosition.Line + 1}: {name.Parent})");
                }
            }

            Assert.True(checkedNames > 100, $"Only {checkedNames} type names were checked.");
            Assert.Empty(unqualified.Distinct().Take(20));
        }

        /// <summary>Whether the qualified name or member access that <paramref name="name"/> is part of starts at <c>global::</c>.</summary>
        private static bool StartsWithGlobal(SimpleNameSyntax name)
        {
            ExpressionSyntax node = name.Parent switch
            {
                AliasQualifiedNameSyntax alias when alias.Name == name => alias,
                QualifiedNameSyntax qualified when qualified.Right == name => qualified.Left,
                MemberAccessExpressionSyntax access when access.Name == name => access.Expression,
                NameMemberCrefSyntax { Parent: QualifiedCrefSyntax cref } member when cref.Member == member => cref.Container,
                _ => name,
            };
            while (true)
            {
                switch (node)
                {
                    case QualifiedNameSyntax qualified:
                        node = qualified.Left;
                        break;
                    case MemberAccessExpressionSyntax access:
                        node = access.Expression;
                        break;
                    case AliasQualifiedNameSyntax alias:
                        return alias.Alias.Identifier.IsKind(SyntaxKind.GlobalKeyword);
                    default:
                        return false;
                }
            }
        }

        /// <summary>The <c>global</c> of <c>global::</c>, or a part of the name a namespace declaration declares.</summary>
        private static bool IsDeclarationOrAlias(SimpleNameSyntax name) =>
            (name.Parent is AliasQualifiedNameSyntax alias && alias.Alias == name)
            || name.Ancestors().OfType<BaseNamespaceDeclarationSyntax>().Any(declaration => declaration.Name.Span.Contains(name.Span));

        /// <summary>
        /// Compiles <paramref name="sources"/> with the generator, with documentation comments checked (so
        /// that a cref that does not bind is a warning), and asserts no diagnostic at warning level 9999.
        /// </summary>
        private static Compilation Build(NullableContextOptions nullable, LanguageVersion version, params string[] sources)
        {
            CSharpParseOptions parseOptions = GeneratorHarness.ParseOptions.WithLanguageVersion(version).WithDocumentationMode(DocumentationMode.Diagnose);
            CSharpCompilation compilation = GeneratorHarness.CreateCompilation(sources);
            compilation = compilation
                .RemoveAllSyntaxTrees()
                .AddSyntaxTrees(compilation.SyntaxTrees.Select(tree => tree.WithRootAndOptions(tree.GetRoot(), parseOptions)))
                .WithOptions(compilation.Options.WithNullableContextOptions(nullable));
            var (result, output) = GeneratorHarness.Run(compilation);
            Assert.Empty(result.Diagnostics);
            Assert.Single(GeneratorHarness.ModelSources(result));
            GeneratorHarness.AssertCompilesCleanly(output);
            return output;
        }
    }
}
