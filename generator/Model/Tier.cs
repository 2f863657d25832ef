using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace LstmGen.Generator.Model
{
    /// <summary>
    /// What the generated code may use, decided once per compilation. A plain value, so the pipeline caches
    /// it: an edit that changes neither the language version nor the referenced framework regenerates nothing.
    /// </summary>
    internal enum Tier
    {
        /// <summary>
        /// .NET 8 or later and C# 12 or later: Vector512, Vector256, Vector128 and scalar kernels chosen by the
        /// JIT, agents stepped in groups, <c>Unsafe</c>, and a <c>State</c> held in an <c>[InlineArray]</c>.
        /// </summary>
        Full,

        /// <summary>
        /// Anything older, such as Unity (C# 9, .NET Standard 2.1, no System.Runtime.Intrinsics): the scalar
        /// kernels only (the same source as the full tier's scalar path, so the same bits), agents stepped one
        /// by one, <c>LstmGen.CompilerServices.Refs</c> for reference arithmetic, <c>int</c> for the loop
        /// indices, and a <c>State</c> of plain float fields read through static accessors.
        /// </summary>
        Portable,
    }

    /// <summary>Chooses the <see cref="Tier"/> of a compilation.</summary>
    internal static class Tiers
    {
        /// <summary>C# 12: inline arrays. Spelled as its number, as Roslyn 4.3 (the generator's floor) has no name for it.</summary>
        private const LanguageVersion CSharp12 = (LanguageVersion)1200;

        /// <summary>
        /// The full tier's generated code needs these types: Vector512 (with it, .NET 8's Vector128, Vector256,
        /// Unsafe and MemoryMarshal.GetArrayDataReference), the inline array and the unscoped reference of its
        /// <c>State</c>.
        /// </summary>
        private static readonly string[] s_fullTierTypes =
        {
            "System.Runtime.Intrinsics.Vector512`1",
            "System.Runtime.CompilerServices.InlineArrayAttribute",
            "System.Diagnostics.CodeAnalysis.UnscopedRefAttribute",
            "System.Runtime.CompilerServices.Unsafe",
        };

        /// <summary>Whether the compilation references every type the full tier's code names.</summary>
        public static bool HasFullTierTypes(Compilation compilation)
        {
            foreach (string name in s_fullTierTypes)
            {
                if (compilation.GetTypeByMetadataName(name) is null)
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>Whether the language version allows the full tier's code (C# 12 or later; preview counts).</summary>
        public static bool HasFullTierLanguage(ParseOptions options) =>
            options is CSharpParseOptions csharp && csharp.LanguageVersion >= CSharp12;

        public static Tier Choose(bool hasTypes, bool hasLanguage) => hasTypes && hasLanguage ? Tier.Full : Tier.Portable;
    }
}
