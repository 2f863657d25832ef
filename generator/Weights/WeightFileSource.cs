using System;
using System.Collections.Generic;
using System.Linq;
using System.IO;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace LstmGen.Generator.Weights
{
    /// <summary>
    /// Reads a weight file named by an <c>AdditionalFiles</c> item. Roslyn gives additional files only as
    /// text (<see cref="AdditionalText.GetText"/> decodes them, and refuses a file with NUL bytes as binary,
    /// error CS2015), and has no API for their bytes (dotnet/roslyn#47292, open since 2020). So the bytes are
    /// read from <see cref="AdditionalText.Path"/>, the one place in the generator that touches the file
    /// system, and only for the files an <c>[Lstm(Weights = ...)]</c> names. The pipeline keys the read on
    /// the <see cref="AdditionalText"/> itself, which the compiler replaces when the file changes, so an edit
    /// of the file reads it again and an edit elsewhere does not; <see cref="AdditionalText.GetText"/> is
    /// never called, so the compiler never reports the binary file as CS2015.
    /// </summary>
    internal static class WeightFileSource
    {
        public static WeightFileContents Read(AdditionalText text, CancellationToken cancellationToken)
        {
            byte[] bytes;
            try
            {
                cancellationToken.ThrowIfCancellationRequested();
#pragma warning disable RS1035 // File IO: the additional file's bytes, which Roslyn's API cannot give (see above).
                bytes = File.ReadAllBytes(text.Path);
#pragma warning restore RS1035
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException or System.Security.SecurityException)
            {
                return WeightFileContents.Failed(text.Path, exception.GetType().Name + ": " + exception.Message);
            }

            return SafeTensorsHeader.Parse(text.Path, bytes);
        }

        /// <summary>
        /// The files of <paramref name="files"/> that <paramref name="weights"/> (as the attribute spells it) names:
        /// the one at the project directory joined with it, else those whose path ends with it at a folder boundary
        /// (a file linked from elsewhere, or no project directory known, as in Unity).
        /// </summary>
        public static List<T> Find<T>(IEnumerable<T> files, Func<T, string> path, string weights, string? projectDirectory)
        {
            var candidates = files.Where(file => EndsWith(path(file), weights)).ToList();
            if (projectDirectory is { Length: > 0 } && !IsRooted(Normalize(weights)))
            {
                string full = Normalize(projectDirectory.TrimEnd('/', '\\') + "/" + weights);
                var exact = candidates.Where(file => Normalize(path(file)) == full).ToList();
                if (exact.Count > 0)
                {
                    return exact;
                }
            }

            return candidates;
        }

        /// <summary>Whether the file at <paramref name="filePath"/> ends with <paramref name="weights"/> at a folder boundary (or is it).</summary>
        public static bool EndsWith(string filePath, string weights)
        {
            string file = Normalize(filePath);
            string relative = Normalize(weights);
            return relative.Length > 0
                && (string.Equals(file, relative, StringComparison.Ordinal)
                    || (file.EndsWith(relative, StringComparison.Ordinal) && relative[0] != '/' && file[file.Length - relative.Length - 1] == '/'));
        }

        private static bool IsRooted(string path) => path.StartsWith("/", StringComparison.Ordinal) || (path.Length >= 2 && path[1] == ':');

        /// <summary>'/' for '\', no '.' parts, '..' applied, no repeated '/'.</summary>
        private static string Normalize(string path)
        {
            string[] parts = path.Replace('\\', '/').Split('/');
            var kept = new List<string>(parts.Length);
            for (int i = 0; i < parts.Length; i++)
            {
                string part = parts[i];
                if (part == "." || (part.Length == 0 && i > 0))
                {
                    continue;
                }

                if (part == ".." && kept.Count > 0 && kept[kept.Count - 1] is not ".." and not "")
                {
                    kept.RemoveAt(kept.Count - 1);
                    continue;
                }

                kept.Add(part);
            }

            return string.Join("/", kept);
        }
    }
}
