using System;
using System.Collections.Concurrent;

namespace LstmGen.Generator
{
    /// <summary>
    /// For tests only: makes one stage throw for the class of a given name, to show that an exception
    /// in one model becomes a diagnostic on that class and leaves the other models alone. Empty (and
    /// so a dictionary miss per stage) in every real build.
    /// </summary>
    internal static class FaultInjection
    {
        public const string Parse = nameof(Parse);
        public const string Plan = nameof(Plan);
        public const string Emit = nameof(Emit);

        private static readonly ConcurrentDictionary<string, string> s_faults = new(StringComparer.Ordinal);

        /// <summary>Makes <paramref name="stage"/> throw for every class named <paramref name="typeName"/>; dispose to stop.</summary>
        public static IDisposable Inject(string typeName, string stage)
        {
            s_faults[typeName] = stage;
            return new Removal(typeName);
        }

        public static void ThrowIfRequested(string stage, string typeName)
        {
            if (!s_faults.IsEmpty && s_faults.TryGetValue(typeName, out string? faulty) && faulty == stage)
            {
                throw new InvalidOperationException($"Fault injected into the {stage} stage for '{typeName}'.");
            }
        }

        private sealed class Removal : IDisposable
        {
            private readonly string _typeName;

            public Removal(string typeName) => _typeName = typeName;

            public void Dispose() => s_faults.TryRemove(_typeName, out _);
        }
    }
}
