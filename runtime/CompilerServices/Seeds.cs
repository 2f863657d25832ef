using System;
using System.ComponentModel;

namespace LstmGen.CompilerServices
{
    /// <summary>Seeds for models created without one (their parameterless constructor), on every target.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class Seeds
    {
#if !NET8_0_OR_GREATER
        private static readonly Random Shared = new Random();
#endif

        /// <summary>A seed that differs from call to call (not for cryptography: it only picks initial weights).</summary>
        public static int Next()
        {
#if NET8_0_OR_GREATER
            return Random.Shared.Next();
#else
            lock (Shared)
            {
                return Shared.Next();
            }
#endif
        }
    }
}
