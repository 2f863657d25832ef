using System;
using System.Linq;
using LstmGen.Generator.Model;

namespace LstmGen.Generator
{
    /// <summary>
    /// Path selection: the methods that pick the kernel of the path this processor takes, an if/else chain on
    /// IsHardwareAccelerated, widest first, that the JIT folds to the one branch it keeps.
    /// </summary>
    internal sealed partial class Emitter
    {
        private static readonly string[] s_pathNames = { "Vector512", "Vector256", "Vector128", "Scalar" };

        /// <summary>
        /// <c>private static void {name}({parameters})</c>, which calls <c>{kernel}{Path}</c> with its own
        /// parameters on the path this processor takes (the kernel's name is the method's by default).
        /// </summary>
        private void EmitDispatcher(string summary, string name, string parameters, string? kernel = null)
        {
            string arguments = string.Join(", ", parameters.Split(',').Select(parameter =>
            {
                string[] words = parameter.Trim().Split(' ');
                return (words[0] == "ref" ? "ref " : string.Empty) + words[words.Length - 1];
            }));
            _writer.Line($"/// <summary>{summary}, on the path this processor takes.</summary>");
            using (_writer.Open($"private static void {name}({parameters})"))
            {
                EmitDispatch(path => $"{kernel ?? name}{path}({arguments});");
            }

            _writer.Line();
        }

        /// <summary>
        /// An if/else chain on IsHardwareAccelerated, widest first: the JIT keeps one branch. Without the
        /// scalar path, the last branch is Vector128's, for callers that checked it is accelerated. On the
        /// portable tier, the scalar call alone.
        /// </summary>
        private void EmitDispatch(System.Func<string, string> call, bool withScalar = true)
        {
            if (IsPortable)
            {
                // The portable tier has the scalar path only.
                _writer.Line(call("Scalar"));
                return;
            }

            int paths = withScalar ? s_pathNames.Length : s_pathNames.Length - 1;
            for (int i = 0; i < paths; i++)
            {
                string path = s_pathNames[i];
                string condition = i == 0 ? $"if ({TypeNames.Intrinsics}.{path}.IsHardwareAccelerated)"
                    : i < paths - 1 ? $"else if ({TypeNames.Intrinsics}.{path}.IsHardwareAccelerated)"
                    : "else";
                using (_writer.Open(condition))
                {
                    _writer.Line(call(path));
                }
            }
        }
    }
}
