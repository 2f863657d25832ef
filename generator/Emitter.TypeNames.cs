namespace LstmGen.Generator
{
    internal sealed partial class Emitter
    {
        /// <summary>
        /// How the generated code spells every type it names: fully qualified with <c>global::</c>, as the
        /// Regex and System.Text.Json generators write theirs, so that no type, alias or namespace of the
        /// user's (a <c>Math</c>, a <c>Span</c>, a <c>using Unsafe = ...</c>, a namespace <c>X.System</c>)
        /// can change what a name binds to. The generated file has no <c>using</c> directive. Every
        /// spelling lives here, but the few that the portable tier swaps (Unsafe, the loop index type, the
        /// array reference), which Emitter.Tier.cs chooses.
        /// </summary>
        internal static class TypeNames
        {
            // System

            // The loop indices' type, Unsafe and GetArrayDataReference depend on the tier: the emitter's NUInt,
            // Unsafe and ArrayData (Emitter.Tier.cs) give them.
            public const string Span = "global::System.Span";
            public const string ReadOnlySpan = "global::System.ReadOnlySpan";
            public const string Math = "global::System.Math";
            public const string MathF = "global::System.MathF";
            public const string Array = "global::System.Array";
            public const string ArgumentNullException = "global::System.ArgumentNullException";
            public const string ArgumentException = "global::System.ArgumentException";
            public const string ArgumentOutOfRangeException = "global::System.ArgumentOutOfRangeException";
            public const string InvalidOperationException = "global::System.InvalidOperationException";
            public const string IReadOnlyList = "global::System.Collections.Generic.IReadOnlyList";
            public const string ArrayPool = "global::System.Buffers.ArrayPool";
            public const string Stream = "global::System.IO.Stream";
            public const string GeneratedCode = "global::System.CodeDom.Compiler.GeneratedCode";
            public const string MethodImpl = "global::System.Runtime.CompilerServices.MethodImpl";
            public const string MethodImplOptions = "global::System.Runtime.CompilerServices.MethodImplOptions";
            public const string InlineArray = "global::System.Runtime.CompilerServices.InlineArray";
            public const string UnscopedRef = "global::System.Diagnostics.CodeAnalysis.UnscopedRef";
            public const string Volatile = "global::System.Threading.Volatile";
            public const string MemoryMarshal = "global::System.Runtime.InteropServices.MemoryMarshal";
            public const string StructLayout = "global::System.Runtime.InteropServices.StructLayout";
            public const string LayoutKind = "global::System.Runtime.InteropServices.LayoutKind";

            /// <summary>The namespace of Vector128, Vector256 and Vector512 (see <see cref="VectorSpelling"/>).</summary>
            public const string Intrinsics = "global::System.Runtime.Intrinsics";
            public const string Vector128 = Intrinsics + ".Vector128";
            public const string Vector256 = Intrinsics + ".Vector256";
            public const string Vector512 = Intrinsics + ".Vector512";

            // LstmGen
            public const string Activation = "global::LstmGen.Activation";
            public const string LossFunction = "global::LstmGen.LossFunction";
            public const string ILstmModel = "global::LstmGen.ILstmModel";
            public const string ISequenceModel = "global::LstmGen.ISequenceModel";
            public const string Initializers = "global::LstmGen.Initializers";
            public const string LstmMath = "global::LstmGen.LstmMath";
            public const string TensorInfo = "global::LstmGen.TensorInfo";
            public const string WeightPrecision = "global::LstmGen.WeightPrecision";
            public const string BFloat16 = "global::LstmGen.CompilerServices.BFloat16";
            public const string AgentLanes = "global::LstmGen.CompilerServices.AgentLanes";
            public const string AgentGroups = "global::LstmGen.AgentGroups";
            public const string CompiledWeights = "global::LstmGen.CompilerServices.CompiledWeights";
            public const string Floats = "global::LstmGen.CompilerServices.Floats";
            public const string GateLayout = "global::LstmGen.CompilerServices.GateLayout";
            public const string ModelGuard = "global::LstmGen.CompilerServices.ModelGuard";
            public const string ParameterStorage = "global::LstmGen.CompilerServices.ParameterStorage";
            public const string Refs = "global::LstmGen.CompilerServices.Refs";
            public const string Seeds = "global::LstmGen.CompilerServices.Seeds";
            public const string TileOrder = "global::LstmGen.CompilerServices.TileOrder";
            public const string WeightFile = "global::LstmGen.Serialization.WeightFile";
            public const string WeightLoadOptions = "global::LstmGen.Serialization.WeightLoadOptions";
            public const string LstmModelType = "global::LstmGen.Serialization.LstmModelType";
            public const string LstmModelRegistry = "global::LstmGen.Serialization.LstmModelRegistry";
            public const string WeightFileException = "global::LstmGen.Serialization.WeightFileException";
            public const string Losses = "global::LstmGen.Training.Losses";
            public const string IDropoutModel = "global::LstmGen.Training.IDropoutModel";
            public const string DropoutMasks = "global::LstmGen.CompilerServices.DropoutMasks";
        }
    }
}
