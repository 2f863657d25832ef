using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Emit;
using Xunit;
using Xunit.Abstractions;

namespace LstmGen.Tests.Generator
{
    /// <summary>
    /// RyuJIT compiles a method with minimal optimisation when it is too large (compiler.cpp,
    /// compSetOptimizationLevel: DEFAULT_MIN_OPTS_CODE_SIZE 60000 IL bytes, _INSTR_COUNT 20000 IL
    /// instructions, _BB_COUNT 2000 basic blocks, _LV_NUM_COUNT 2000 locals, _LV_REF_COUNT 8000
    /// local references). Every generated method, for the largest shapes the generator accepts,
    /// must stay far below each limit.
    /// </summary>
    public sealed class JitLimitTests
    {
        private const int MaxIlBytes = 60000;
        private const int MaxInstructions = 20000;
        private const int MaxBasicBlocks = 2000;
        private const int MaxLocals = 2000;
        private const int MaxLocalReferences = 8000;

        // The JIT adds temporaries and inlinees' locals to the IL's own: stay below half of each limit.
        private const int Margin = 2;

        private static readonly Dictionary<short, OpCode> s_opCodes = typeof(OpCodes)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(field => (OpCode)field.GetValue(null)!)
            .ToDictionary(code => code.Value);

        private readonly ITestOutputHelper _output;

        public JitLimitTests(ITestOutputHelper output) => _output = output;

        [Theory]
        [InlineData("InputSize = 8192, HiddenSize = 1024, Layers = 7, OutputSize = 8192")]
        [InlineData("InputSize = 8191, HiddenSize = 1023, Layers = 8, OutputSize = 8191, OutputActivation = Activation.Softmax")]
        [InlineData("InputSize = 8192, HiddenSize = 511, Layers = 16, OutputSize = 8192")]
        [InlineData("InputSize = 1, HiddenSize = 1, Layers = 16")]
        [InlineData("InputSize = 8192, HiddenSize = 1024, Layers = 7, OutputSize = 8192, WeightPrecision = WeightPrecision.BFloat16")]
        [InlineData("InputSize = 1, HiddenSize = 1, Layers = 16, WeightPrecision = WeightPrecision.BFloat16")]
        [InlineData("InputSize = 8192, HiddenSize = 1024, Layers = 7, OutputSize = 8192, ProjectionSize = 1023")]
        [InlineData("InputSize = 8191, HiddenSize = 1023, Layers = 8, OutputSize = 8191, ProjectionSize = 17")]
        [InlineData("InputSize = 1, HiddenSize = 2, Layers = 16, ProjectionSize = 1")]
        [InlineData("InputSize = 8192, HiddenSize = 1024, Layers = 7, OutputSize = 8192, ProjectionSize = 1023, WeightPrecision = WeightPrecision.BFloat16")]
        [InlineData("InputSize = 1, HiddenSize = 2, Layers = 16, ProjectionSize = 1, WeightPrecision = WeightPrecision.BFloat16")]
        [InlineData("InputSize = 8192, HiddenSize = 1024, Layers = 7, OutputSize = 8192", "Gru")]
        [InlineData("InputSize = 8192, HiddenSize = 511, Layers = 16, OutputSize = 8192", "Gru")]
        [InlineData("InputSize = 1, HiddenSize = 1, Layers = 16", "Gru")]
        [InlineData("InputSize = 8192, HiddenSize = 1024, Layers = 7, OutputSize = 8192, Bidirectional = true")]
        [InlineData("InputSize = 8191, HiddenSize = 511, Layers = 16, OutputSize = 8191, Dropout = 0.5, Bidirectional = true", "Gru")]
        [InlineData("InputSize = 1, HiddenSize = 1, Layers = 16, Bidirectional = true")]
        [InlineData("InputSize = 8192, HiddenSize = 1024, Layers = 7, OutputSize = 8192, ProjectionSize = 1023, Bidirectional = true")]
        [InlineData("InputSize = 8191, HiddenSize = 1023, Layers = 8, OutputSize = 8191, ProjectionSize = 17, Dropout = 0.5, Bidirectional = true")]
        [InlineData("InputSize = 1, HiddenSize = 2, Layers = 16, ProjectionSize = 1, Bidirectional = true")]
        public void EveryGeneratedMethodStaysWithinTheJitsOptimisationLimits(string arguments, string attribute = "Lstm")
        {
            string source = $"using LstmGen;\n[{attribute}({arguments})]\npublic partial class Largest {{ }}";
            var (result, compilation) = GeneratorHarness.Run(source);
            Assert.Empty(result.Diagnostics);
            GeneratorHarness.AssertCompilesCleanly(compilation);

            using var stream = new MemoryStream();
            EmitResult emitted = compilation.Emit(stream);
            Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
            stream.Position = 0;
            using var pe = new PEReader(stream);
            MetadataReader metadata = pe.GetMetadataReader();

            var measured = new List<(string Name, MethodStats Stats)>();
            foreach (MethodDefinitionHandle handle in metadata.MethodDefinitions)
            {
                MethodDefinition method = metadata.GetMethodDefinition(handle);
                if (method.RelativeVirtualAddress == 0)
                {
                    continue;
                }

                MethodBodyBlock body = pe.GetMethodBody(method.RelativeVirtualAddress);
                int locals = body.LocalSignature.IsNil ? 0 : metadata.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(new CountingProvider(), null).Length;
                string name = metadata.GetString(metadata.GetTypeDefinition(method.GetDeclaringType()).Name) + "." + metadata.GetString(method.Name);
                measured.Add((name, Measure(body.GetILBytes()!, locals)));
            }

            var largest = measured.OrderByDescending(m => m.Stats.IlBytes).First();
            _output.WriteLine($"{measured.Count} methods; the largest is {largest.Name}: {largest.Stats}");
            foreach (var (name, stats) in measured)
            {
                Assert.True(stats.IlBytes * Margin <= MaxIlBytes, $"{name}: {stats}");
                Assert.True(stats.Instructions * Margin <= MaxInstructions, $"{name}: {stats}");
                Assert.True(stats.BasicBlocks * Margin <= MaxBasicBlocks, $"{name}: {stats}");
                Assert.True(stats.Locals * Margin <= MaxLocals, $"{name}: {stats}");
                Assert.True(stats.LocalReferences * Margin <= MaxLocalReferences, $"{name}: {stats}");
            }
        }

        private readonly record struct MethodStats(int IlBytes, int Instructions, int BasicBlocks, int Locals, int LocalReferences)
        {
            public override string ToString() =>
                $"{IlBytes} IL bytes, {Instructions} instructions, ~{BasicBlocks} basic blocks, {Locals} locals, {LocalReferences} local references";
        }

        /// <summary>Decodes IL: counts instructions, local accesses, and the blocks that branches start.</summary>
        private static MethodStats Measure(byte[] il, int locals)
        {
            int instructions = 0;
            int localReferences = 0;
            var blockStarts = new HashSet<int> { 0 };
            int position = 0;
            while (position < il.Length)
            {
                short value = il[position] == 0xFE ? (short)(0xFE00 | il[position + 1]) : il[position];
                OpCode code = s_opCodes[value];
                position += code.Size;
                int operandSize = code.OperandType switch
                {
                    OperandType.InlineNone => 0,
                    OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                    OperandType.InlineVar => 2,
                    OperandType.InlineI8 or OperandType.InlineR => 8,
                    OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, position)),
                    _ => 4,
                };
                if (code.OperandType is OperandType.ShortInlineBrTarget or OperandType.InlineBrTarget)
                {
                    int offset = code.OperandType == OperandType.ShortInlineBrTarget ? (sbyte)il[position] : BitConverter.ToInt32(il, position);
                    blockStarts.Add(position + operandSize + offset);
                    blockStarts.Add(position + operandSize);
                }

                if (code.Name!.StartsWith("ldloc", StringComparison.Ordinal) || code.Name.StartsWith("stloc", StringComparison.Ordinal))
                {
                    localReferences++;
                }

                position += operandSize;
                instructions++;
            }

            return new MethodStats(il.Length, instructions, blockStarts.Count, locals, localReferences);
        }

        /// <summary>Decodes a local signature only to count its locals.</summary>
        private sealed class CountingProvider : ISignatureTypeProvider<int, object?>
        {
            public int GetArrayType(int elementType, ArrayShape shape) => 0;
            public int GetByReferenceType(int elementType) => 0;
            public int GetFunctionPointerType(MethodSignature<int> signature) => 0;
            public int GetGenericInstantiation(int genericType, System.Collections.Immutable.ImmutableArray<int> typeArguments) => 0;
            public int GetGenericMethodParameter(object? genericContext, int index) => 0;
            public int GetGenericTypeParameter(object? genericContext, int index) => 0;
            public int GetModifiedType(int modifier, int unmodifiedType, bool isRequired) => 0;
            public int GetPinnedType(int elementType) => 0;
            public int GetPointerType(int elementType) => 0;
            public int GetPrimitiveType(PrimitiveTypeCode typeCode) => 0;
            public int GetSZArrayType(int elementType) => 0;
            public int GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => 0;
            public int GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => 0;
            public int GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) => 0;
        }
    }
}
