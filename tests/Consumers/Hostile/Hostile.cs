// Names the generated code must not bind to: types in the model's namespace named as the types it uses (but
// ReadOnlySpan, which Common/ConsumerModel.cs names in that namespace: it is in Consumer.System), a namespace
// Consumer.System, members of the model class with those names, global usings and aliases that shadow BCL and
// LstmGen names everywhere. Some would compute something else if they were reached (a Math.Max that returns 0, ...).
#pragma warning disable CS8981 // lower-case type names, on purpose
global using Consumer.Shadows;
global using Math = Consumer.Aliases.MyMath;
global using MathF = Consumer.Aliases.MyMath;
global using LstmMath = Consumer.Aliases.MyMath;
global using Unsafe = Consumer.Aliases.MyUnsafe;
global using MemoryMarshal = Consumer.Aliases.MyUnsafe;
global using Vector256 = Consumer.Aliases.MyUnsafe;
global using Activation = Consumer.Aliases.MyEnum;
global using TensorInfo = Consumer.Aliases.MyUnsafe;
global using Array = Consumer.Aliases.MyUnsafe;
global using static Consumer.Aliases.MyMath;

namespace Consumer
{
    internal struct Span<T> { }
    internal static class Math { public static int Max(int a, int b) => 0; public static int Min(int a, int b) => 0; }
    internal static class MathF { public static float FusedMultiplyAdd(float a, float b, float c) => 0f; }
    internal struct Vector128<T> { }
    internal static class Vector128 { public static bool IsHardwareAccelerated => false; }
    internal struct Vector512<T> { }
    internal static class Vector512 { public static bool IsHardwareAccelerated => false; }
    internal static class Unsafe { public static ref T Add<T>(ref T source, int offset) => ref source; }
    internal static class Refs { public static ref float Add(ref float source, int offset) => ref source; }
    internal static class MemoryMarshal { }
    internal enum Activation { Linear = 3, Softmax = 7 }
    internal sealed class TensorInfo { }
    internal static class LstmMath { public static float Sigmoid(float x) => 0.5f; public static float Tanh(float x) => 0f; public static float MultiplyAdd(float a, float b, float c) => c; }
    internal interface ILstmModel { }
    internal static class ModelGuard { }
    internal static class Floats { }
    internal static class Seeds { public static int Next() => 0; }
    internal sealed class GeneratedCodeAttribute : global::System.Attribute { public GeneratedCodeAttribute(string tool, string version) { } }
    internal struct State { }
    internal struct nuint { }
    internal struct UIntPtr { }

    /// <summary>Fields named as the types (and the State) the generated code uses.</summary>
    internal static class Fields
    {
        internal static readonly int State = 1;
        internal static readonly int Span = 2;
        internal static readonly int System = 3;
    }

    /// <summary>The model class itself, with members named as types the generated code uses.</summary>
    internal sealed partial class ConsumerModel
    {
        internal static readonly int Math = 1;
        internal static readonly int MathF = 2;
        internal static readonly int Unsafe = 3;
        internal static readonly int Refs = 4;
        internal static readonly int LstmMath = 5;
        internal static readonly int Vector128 = 6;
        internal static readonly int MemoryMarshal = 7;

        internal sealed class Span { }

        internal sealed class TensorInfo { }
    }
}

// "System.X" or "LstmGen.X" written inside namespace Consumer would bind here.
namespace Consumer.System
{
    internal static class Runtime { }
    internal static class Collections { }
    internal static class Buffers { }
    internal static class IO { }
    internal static class Diagnostics { }
    internal static class CodeDom { }
    internal struct Span<T> { }
    internal struct ReadOnlySpan<T> { }
}

namespace Consumer.LstmGen
{
    internal static class CompilerServices { }
    internal static class Serialization { }
    internal interface ILstmModel { }
}

// Brought in by a global using: an unqualified name would be ambiguous (CS0104).
namespace Consumer.Shadows
{
    internal static class Unsafe { }
    internal static class Refs { }
    internal static class MemoryMarshal { }
    internal static class Vector128 { }
    internal static class LstmMath { }
    internal sealed class TensorInfo { }
}

namespace Consumer.Aliases
{
    internal static class MyMath { public static int Max(int a, int b) => 0; public static float Sigmoid(float x) => 0.5f; }
    internal static class MyUnsafe { }
    internal enum MyEnum { Softmax }
}
