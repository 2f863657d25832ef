using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace LstmGen.Tests.Generator
{
    /// <summary>
    /// The generated code declares nothing it does not use: every parameter of every method and every local is
    /// read somewhere after its declaration (a name that appears nowhere else is dead code for the reader who
    /// steps through it, and for the JIT that sets it up).
    /// </summary>
    public sealed class GeneratedCodeHygieneTests
    {
        [Theory]
        [InlineData("[Lstm(InputSize = 3, HiddenSize = 4, OutputSize = 2)]")]
        [InlineData("[Lstm(InputSize = 5, HiddenSize = 13, OutputSize = 3)]")]
        [InlineData("[Lstm(InputSize = 8, HiddenSize = 32, Layers = 2, OutputSize = 4)]")]
        [InlineData("[Lstm(InputSize = 6, HiddenSize = 16)]")]
        [InlineData("[Lstm(InputSize = 12, HiddenSize = 24, OutputSize = 6, OutputActivation = Activation.Softmax, Loss = LossFunction.CrossEntropy)]")]
        [InlineData("[Lstm(InputSize = 64, HiddenSize = 64, Layers = 3, OutputSize = 1, OutputActivation = Activation.Sigmoid)]")]
        [InlineData("[Lstm(InputSize = 6, HiddenSize = 5, OutputSize = 1)]")]
        [InlineData("[Gru(InputSize = 3, HiddenSize = 5, OutputSize = 2)]")]
        [InlineData("[Gru(InputSize = 8, HiddenSize = 33, Layers = 3, OutputSize = 4, OutputActivation = Activation.Softmax, Loss = LossFunction.CrossEntropy)]")]
        [InlineData("[Gru(InputSize = 6, HiddenSize = 5)]")]
        [InlineData("[Lstm(InputSize = 4, HiddenSize = 7, Layers = 2, OutputSize = 2, ProjectionSize = 3)]")]
        [InlineData("[Lstm(InputSize = 9, HiddenSize = 37, Layers = 3, ProjectionSize = 11, Dropout = 0.1)]")]
        public void EveryParameterAndLocalIsUsed(string attribute)
        {
            string source = $$"""
                using LstmGen;

                namespace Hygiene
                {
                    {{attribute}}
                    public partial class Model
                    {
                    }
                }
                """;
            SyntaxNode root = CSharpSyntaxTree.ParseText(GeneratorHarness.Generate(source), GeneratorHarness.ParseOptions).GetRoot();
            Assert.Empty(UnusedNames(root));
        }

        [Fact]
        public void UnusedNamesFindsAnUnusedParameterAndAnUnusedLocal()
        {
            // The check itself: it must see what it is there to see.
            SyntaxNode root = CSharpSyntaxTree.ParseText("""
                class C
                {
                    static int M(ref float used, ref float input, int k)
                    {
                        ref float previousHidden = ref used;
                        int total = k;
                        return total;
                    }
                }
                """).GetRoot();
            Assert.Equal(new[] { "M: parameter input", "M: local previousHidden" }, UnusedNames(root));
        }

        /// <summary>"Method: parameter name" or "Method: local name" for each name that no later identifier reads.</summary>
        private static List<string> UnusedNames(SyntaxNode root)
        {
            var unused = new List<string>();
            foreach (BaseMethodDeclarationSyntax method in root.DescendantNodes().OfType<BaseMethodDeclarationSyntax>())
            {
                SyntaxNode? body = (SyntaxNode?)method.Body ?? method.ExpressionBody;
                if (body is null)
                {
                    continue;
                }

                string name = method is MethodDeclarationSyntax named ? named.Identifier.ValueText
                    : method is ConstructorDeclarationSyntax constructor ? constructor.Identifier.ValueText
                    : method.Kind().ToString();
                var identifiers = body.DescendantNodes().OfType<IdentifierNameSyntax>().ToList();
                foreach (ParameterSyntax parameter in method.ParameterList.Parameters)
                {
                    if (!identifiers.Any(identifier => identifier.Identifier.ValueText == parameter.Identifier.ValueText))
                    {
                        unused.Add($"{name}: parameter {parameter.Identifier.ValueText}");
                    }
                }

                foreach (VariableDeclaratorSyntax local in body.DescendantNodes().OfType<LocalDeclarationStatementSyntax>().SelectMany(statement => statement.Declaration.Variables))
                {
                    if (!identifiers.Any(identifier => identifier.SpanStart > local.Span.End && identifier.Identifier.ValueText == local.Identifier.ValueText))
                    {
                        unused.Add($"{name}: local {local.Identifier.ValueText}");
                    }
                }
            }

            return unused;
        }
    }
}
