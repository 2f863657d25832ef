// Prints which build of the runtime it runs on (the tests require netstandard2.1), then the probe's lines:
// digests of the exact bits of the runtime's results, which the tests compare with the net10.0 build's.
using System;
using System.Reflection;
using System.Runtime.Versioning;
using LstmGen;
using LstmGen.Tests.Portable;

string framework = typeof(LstmMath).Assembly.GetCustomAttribute<TargetFrameworkAttribute>()?.FrameworkName ?? "unknown";
Console.WriteLine($"runtime {framework.Replace(' ', '_')}");
foreach (string line in PortableProbe.Run(args[0]))
{
    Console.WriteLine(line);
}
