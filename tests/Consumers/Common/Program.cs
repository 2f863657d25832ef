// Prints the consumer's lines; the weight file goes to the folder given as the first argument (else the current one).
using System;
using System.IO;

foreach (string line in Consumer.ConsumerRun.Lines(args.Length > 0 ? args[0] : Directory.GetCurrentDirectory()))
{
    Console.WriteLine(line);
}
