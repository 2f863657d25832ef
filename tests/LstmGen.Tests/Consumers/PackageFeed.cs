using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.RegularExpressions;
using LstmGen.Tests.Support;
using Xunit;

namespace LstmGen.Tests.Consumers
{
    /// <summary>
    /// The package under a version no earlier run used (so no cached copy can stand in for it), packed once from the
    /// built runtime project into a folder feed in a temporary folder (with LstmGen.Onnx under the same version), with a
    /// nuget.config that adds the feed to the machine's sources, and the consumer templates of tests/Consumers copied
    /// beside it.
    /// </summary>
    public sealed class PackageFeed : IDisposable
    {
        private static readonly Regex WarningPattern = new(@"(^|[\s:])warning [A-Z]{2,}[0-9]+", RegexOptions.Multiline | RegexOptions.CultureInvariant);

        public PackageFeed()
        {
            RepositoryRoot = FindRepositoryRoot();
            var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            Configuration = output.Parent!.Name;
            Root = Path.Combine(Path.GetTempPath(), "lstmgen-consumers-" + Guid.NewGuid().ToString("N")[..12]);
            Directory.CreateDirectory(Root);

            // The version from Directory.Build.props (the runtime's assembly version), plus a suffix of this run.
            Version? assemblyVersion = typeof(LstmMath).Assembly.GetName().Version;
            Version = $"{assemblyVersion!.ToString(3)}-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Guid.NewGuid().ToString("N")[..6]}";

            // Every target of the runtime is built (a no-op after the solution's build), then packed as it is.
            string project = Path.Combine(RepositoryRoot, "runtime", "LstmGen.csproj");
            Dotnet(RepositoryRoot, TimeSpan.FromMinutes(5), "build", project, "-c", Configuration, "-nodeReuse:false");
            PackOutput = Dotnet(RepositoryRoot, TimeSpan.FromMinutes(3), "pack", project, "-c", Configuration, "--no-build", "-nodeReuse:false", $"-p:PackageVersion={Version}", "-o", Path.Combine(Root, "feed"));
            Package = Path.Combine(Root, "feed", $"LstmGen.{Version}.nupkg");
            SymbolPackage = Path.Combine(Root, "feed", $"LstmGen.{Version}.snupkg");

            // LstmGen.Onnx, the optional exporter, under the same version (it depends on this LstmGen).
            string onnxProject = Path.Combine(RepositoryRoot, "onnx", "LstmGen.Onnx.csproj");
            Dotnet(RepositoryRoot, TimeSpan.FromMinutes(5), "build", onnxProject, "-c", Configuration, "-nodeReuse:false");
            OnnxPackOutput = Dotnet(RepositoryRoot, TimeSpan.FromMinutes(3), "pack", onnxProject, "-c", Configuration, "--no-build", "-nodeReuse:false", $"-p:PackageVersion={Version}", "-o", Path.Combine(Root, "feed"));
            OnnxPackage = Path.Combine(Root, "feed", $"LstmGen.Onnx.{Version}.nupkg");

            File.WriteAllText(Path.Combine(Root, "nuget.config"), """
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <!-- Added to the machine's sources (no <clear />): the package's dependencies come from there. -->
                    <add key="lstmgen-test-feed" value="feed" />
                  </packageSources>
                </configuration>
                """);
            string templates = Path.Combine(RepositoryRoot, "tests", "Consumers");
            foreach (string file in Directory.GetFiles(templates))
            {
                File.Copy(file, Path.Combine(Root, Path.GetFileName(file)));
            }

            CopyDirectory(Path.Combine(templates, "Common"), Path.Combine(Root, "Common"));
        }

        public string RepositoryRoot { get; }

        public string Configuration { get; }

        /// <summary>The temporary folder: feed/, nuget.config, the isolating Directory.* files, Common/ and the consumers.</summary>
        public string Root { get; }

        /// <summary>The package version of this run.</summary>
        public string Version { get; }

        public string Package { get; }

        public string SymbolPackage { get; }

        public string PackOutput { get; }

        /// <summary>The LstmGen.Onnx package of this run.</summary>
        public string OnnxPackage { get; }

        public string OnnxPackOutput { get; }

        /// <summary>Copies the template tests/Consumers/<paramref name="name"/> into the feed's folder and returns its path there.</summary>
        public string Consumer(string name)
        {
            string destination = Path.Combine(Root, name);
            if (!Directory.Exists(destination))
            {
                CopyDirectory(Path.Combine(RepositoryRoot, "tests", "Consumers", name), destination);
            }

            return destination;
        }

        /// <summary>The names of the files of the package <paramref name="package"/> (by default LstmGen's).</summary>
        public IReadOnlyList<string> PackageFiles(string? package = null)
        {
            using ZipArchive archive = ZipFile.OpenRead(package ?? Package);
            return archive.Entries.Select(entry => entry.FullName).ToList();
        }

        /// <summary>Runs dotnet with a clean environment (no MSBuild settings of the test host); fails on a nonzero exit code.</summary>
        public static string Dotnet(string workingDirectory, TimeSpan timeout, params string[] arguments) =>
            Run(ChildProcess.DotnetHost(), workingDirectory, timeout, null, arguments);

        /// <summary>Runs a program to its end; fails on a nonzero exit code with the end of its output.</summary>
        public static string Run(string fileName, string workingDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string?>? environment, params string[] arguments)
        {
            var clean = new Dictionary<string, string?>(StringComparer.Ordinal)
            {
                ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
                ["DOTNET_NOLOGO"] = "1",
                ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0",
            };
            foreach (string key in Environment.GetEnvironmentVariables().Keys.Cast<string>())
            {
                if (key.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || key.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)
                    || key.StartsWith("DOTNET_Enable", StringComparison.OrdinalIgnoreCase) || key.Equals("DOTNET_ROLL_FORWARD", StringComparison.OrdinalIgnoreCase))
                {
                    clean[key] = null;
                }
            }

            foreach (KeyValuePair<string, string?> pair in environment ?? new Dictionary<string, string?>())
            {
                clean[pair.Key] = pair.Value;
            }

            var (exitCode, output, error) = ChildProcess.Run(fileName, arguments, workingDirectory, clean, timeout);
            Assert.True(exitCode == 0, $"{Path.GetFileName(fileName)} {string.Join(' ', arguments)} failed ({exitCode}) in {workingDirectory}:\n{ChildProcess.Tail(output)}\n{ChildProcess.Tail(error)}");
            return output + error;
        }

        /// <summary>The warnings (MSBuild's "warning CODE" form: compiler, analyzers, NuGet, trimming, AOT) in a build's output.</summary>
        public static IReadOnlyList<string> Warnings(string buildOutput) =>
            buildOutput.Split('\n').Where(line => WarningPattern.IsMatch(line)).Select(line => line.Trim()).Distinct().ToList();

        public void Dispose()
        {
            // The run's version in the global packages folder: no later run asks for it.
            string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
                ? configured
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            Delete(Path.Combine(packages, "lstmgen", Version.ToLowerInvariant()));
            Delete(Path.Combine(packages, "lstmgen.onnx", Version.ToLowerInvariant()));
            Delete(Root);
        }

        private static void Delete(string directory)
        {
            try
            {
                if (Directory.Exists(directory))
                {
                    Directory.Delete(directory, recursive: true);
                }
            }
            catch (IOException)
            {
                // A file still open on some system: the folder is in the temporary directory, and its name is unique.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        /// <summary>The folder of LstmGen.sln above the test assembly (the tests run inside the repository).</summary>
        internal static string FindRepositoryRoot()
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "LstmGen.sln")))
                {
                    return directory.FullName;
                }
            }

            throw new InvalidOperationException($"No LstmGen.sln above {AppContext.BaseDirectory}.");
        }

        private static void CopyDirectory(string source, string destination)
        {
            Directory.CreateDirectory(destination);
            foreach (string file in Directory.GetFiles(source))
            {
                File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
            }

            foreach (string directory in Directory.GetDirectories(source).Where(d => Path.GetFileName(d) is not ("bin" or "obj")))
            {
                CopyDirectory(directory, Path.Combine(destination, Path.GetFileName(directory)));
            }
        }
    }

    /// <summary>The consumer tests share one feed and run one at a time (a build takes both cores).</summary>
    [CollectionDefinition(Name)]
    public sealed class PackageFeedCollection : ICollectionFixture<PackageFeed>
    {
        public const string Name = "Package feed";
    }
}
