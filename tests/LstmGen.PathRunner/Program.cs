// Runs every PyTorch reference case through its generated model and prints, per case, the largest
// difference from PyTorch, a digest of the exact bits of the outputs and final states, and one of the
// loss and gradients of AccumulateGradients, and one of many agents stepped together. The tests
// start this program with DOTNET_EnableAVX512=0, DOTNET_EnableAVX2=0, DOTNET_EnableHWIntrinsic=0 and
// similar settings, to run the Vector256, Vector128 and scalar paths on a machine that has AVX-512.
// Then the bidirectional cases' differences and digests; then, for the models of ProjectedModels, whether Forward gave
// the bits of Step and a digest of them; the dropout cases' training against PyTorch and its bits; for the models of
// WideAgentModels, whether the group step gave the bits of single steps and a digest of them; then the bfloat16
// models' results (BFloat16Case.PathResult).
using System;
using System.Linq;
using System.Runtime.Intrinsics;
using LstmGen.Tests.Reference;

if (args.Length > 0 && args[0] == "--races")
{
    return LstmGen.PathRunner.Races.Run();
}

if (args.Length > 0)
{
    ReferenceCase.Directory = args[0];
}

Console.WriteLine($"accelerated 512={Vector512.IsHardwareAccelerated} 256={Vector256.IsHardwareAccelerated} 128={Vector128.IsHardwareAccelerated}");
foreach (string name in ReferenceCase.LstmCaseNames.Concat(ReferenceCase.GruCaseNames).Concat(ReferenceCase.ProjectionCaseNames))
{
    ReferenceCase reference = ReferenceCase.Load(name);
    var result = ReferenceModels.Run(reference);
    double error = Math.Max(
        ReferenceComparison.MaxAbsoluteError(result.Outputs, reference.Output.Data),
        Math.Max(
            ReferenceComparison.MaxAbsoluteError(result.Hidden, reference.FinalHidden.Data),
            reference.FinalCell is null ? 0 : ReferenceComparison.MaxAbsoluteError(result.Cell, reference.FinalCell.Data)));
    string digest = ReferenceComparison.Digest(result.Outputs, result.Hidden, result.Cell);
    Console.WriteLine($"case {name} error={error:R} digest={digest} gradients={ReferenceModels.GradientDigest(reference)} agents={ReferenceModels.AgentDigest(reference)}");
}

// The bidirectional models (Reference/bidirectional): Forward and AccumulateGradients against PyTorch, and their bits.
foreach (string name in BidirectionalCases.Names)
{
    var (error, forward, gradients) = BidirectionalCases.PathResult(name);
    Console.WriteLine($"bidirectional {name} error={error:R} forward={forward} gradients={gradients}");
}

// States narrower than 16 units that Forward projects a chunk at a time: Forward against Step, and Forward's bits.
foreach (string name in ProjectedModels.ByName.Keys)
{
    var (same, digest) = ProjectedModels.Compare(name);
    Console.WriteLine($"forward {name} same={same} digest={digest}");
}

// Dropout in training (Reference/dropout): AccumulateGradients with the cases' masks against PyTorch, and its bits.
foreach (string name in DropoutCases.ByName.Keys)
{
    var (error, digest) = DropoutCases.Run(name);
    Console.WriteLine($"dropout {name} error={error:R} digest={digest}");
}

// Layers whose group steps sum in passes over their rows: the group step against single steps, and its bits.
foreach (string name in WideAgentModels.ByName.Keys)
{
    var (same, digest) = WideAgentModels.Compare(name);
    Console.WriteLine($"agents {name} same={same} digest={digest}");
}

// The bfloat16 models (Fixtures/BFloat16): Forward against PyTorch, Step and the group step against Forward.
if (args.Length > 1)
{
    BFloat16Case.Directory = args[1];
}

foreach (string name in BFloat16Case.Names)
{
    var (error, forward, stepsSame, agents, agentsSame) = BFloat16Case.Load(name).PathResult();
    Console.WriteLine($"bfloat16 {name} error={error:R} forward={forward} steps={stepsSame} agents={agents} agentsSame={agentsSame}");
}

return 0;
