using LstmGen;

namespace GameAgents
{
    /// <summary>
    /// The model every agent shares: in, the agent's noisy observation of its target's position (x, y);
    /// out, where the target will be on the next frame (x, y). Each agent keeps its own <see cref="State"/>:
    /// the model's memory of that agent's target, from which it learns to filter the noise and to lead the
    /// target along its path.
    /// </summary>
    [Lstm(InputSize = Inputs, HiddenSize = 24, OutputSize = Outputs)]
    public partial class AgentBrain
    {
        /// <summary>Values an agent observes per frame: its target's position, with noise.</summary>
        public const int Inputs = 2;

        /// <summary>Values the model predicts per agent and frame: the target's position on the next frame.</summary>
        public const int Outputs = 2;
    }
}
