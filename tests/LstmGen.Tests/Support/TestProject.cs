using System.Linq;
using System.Reflection;

namespace LstmGen.Tests.Support
{
    /// <summary>Where the test project's sources are.</summary>
    internal static class TestProject
    {
        /// <summary>
        /// The test project's folder, recorded at build time. Not <c>[CallerFilePath]</c>: a CI build
        /// (<c>ContinuousIntegrationBuild</c>, set when <c>CI=true</c>) maps every source path to <c>/_/</c>.
        /// </summary>
        public static readonly string Directory = typeof(TestProject).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(attribute => attribute.Key == "ProjectDirectory").Value!;

        /// <summary>The repository's root folder.</summary>
        public static string Repository => System.IO.Path.GetFullPath(System.IO.Path.Combine(Directory, "..", ".."));
    }
}
