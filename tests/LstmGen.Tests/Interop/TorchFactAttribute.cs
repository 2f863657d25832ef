using System;
using System.Collections.Generic;
using LstmGen.Tests.Support;
using Xunit;

namespace LstmGen.Tests.Interop
{
    /// <summary>
    /// A fact that runs PyTorch: it needs a Python that imports torch (python3 on PATH, or Debian's /usr/bin/python3 with
    /// python3-torch). Where there is none the test is reported as skipped, with the reason, at discovery: never passed
    /// without running. <c>.ci/run</c> does not install torch (hundreds of megabytes); the C# half runs everywhere from
    /// committed fixtures.
    /// </summary>
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
    public sealed class TorchFactAttribute : FactAttribute
    {
        private static readonly Lazy<string?> s_python = new(FindPython);

        public TorchFactAttribute()
        {
            if (Python is null)
            {
                Skip = "Needs a Python with torch (Debian: apt-get install python3-torch): neither python3 on PATH nor /usr/bin/python3 imports torch. .ci/run does not install it.";
            }
        }

        /// <summary>The first of python3 (on PATH) and /usr/bin/python3 that imports torch, or <see langword="null"/>.</summary>
        public static string? Python => s_python.Value;

        private static string? FindPython()
        {
            foreach (string candidate in new[] { "python3", "/usr/bin/python3" })
            {
                try
                {
                    (int exitCode, _, _) = ChildProcess.Run(candidate, new[] { "-c", "import torch, numpy" }, null, null, TimeSpan.FromSeconds(60));
                    if (exitCode == 0)
                    {
                        return candidate;
                    }
                }
                catch (Exception exception) when (exception is System.ComponentModel.Win32Exception or TimeoutException)
                {
                    // Not installed, or not answering: try the next.
                }
            }

            return null;
        }
    }
}
