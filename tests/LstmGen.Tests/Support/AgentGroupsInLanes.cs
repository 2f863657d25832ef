using System.Runtime.CompilerServices;

namespace LstmGen.Tests.Support
{
    /// <summary>
    /// The tests step every model's agents in vector lanes (<see cref="AgentGroups.MinimumParameterBytes"/> = 0), so that
    /// the lane kernels of the small test models are checked against single steps too; by default those models step their
    /// agents one at a time (faster where the weights fit in L1). <see cref="AgentTests"/> checks both settings.
    /// </summary>
    internal static class AgentGroupsInLanes
    {
        [ModuleInitializer]
        internal static void Initialize() => AgentGroups.MinimumParameterBytes = 0;
    }
}
