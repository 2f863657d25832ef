using System;

namespace GameAgents
{
    /// <summary>
    /// The last <see cref="Frames"/> frames of a fixed subset of the agents: what each observed and where its
    /// target really was. The frame loop records into a ring; at a training round it copies the ring, oldest
    /// frame first, into a snapshot that the trainer reads while the frame loop goes on recording.
    /// Preallocated: recording and copying allocate nothing.
    /// </summary>
    public sealed class ReplayBuffer
    {
        private readonly int _stride;

        // The ring: [Frames, Agents, 2] each.
        private readonly float[] _observations;
        private readonly float[] _truth;
        private int _next;

        /// <summary>Creates a buffer of the last <paramref name="frames"/> frames of <paramref name="agents"/> agents, every <paramref name="stride"/>-th of the world's.</summary>
        public ReplayBuffer(int frames, int agents, int stride)
        {
            Frames = frames;
            Agents = agents;
            _stride = stride;
            _observations = new float[frames * agents * 2];
            _truth = new float[frames * agents * 2];
        }

        /// <summary>The frames the buffer keeps.</summary>
        public int Frames { get; }

        /// <summary>The agents recorded.</summary>
        public int Agents { get; }

        /// <summary>The frames recorded so far (at most <see cref="Frames"/> are kept).</summary>
        public long Recorded { get; private set; }

        /// <summary>Whether the buffer holds <see cref="Frames"/> frames.</summary>
        public bool IsFull => Recorded >= Frames;

        /// <summary>Records the current frame of the world: the recorded agents' observations and their targets' true positions.</summary>
        public void Record(World world)
        {
            int row = _next * Agents * 2;
            for (int a = 0; a < Agents; a++)
            {
                int agent = a * _stride;
                _observations[row + (2 * a)] = world.Observations[2 * agent];
                _observations[row + (2 * a) + 1] = world.Observations[(2 * agent) + 1];
                _truth[row + (2 * a)] = world.TargetX[agent];
                _truth[row + (2 * a) + 1] = world.TargetY[agent];
            }

            _next = (_next + 1) % Frames;
            Recorded++;
        }

        /// <summary>
        /// Copies the ring into per-agent sequences, oldest frame first: <paramref name="observations"/> and
        /// <paramref name="truth"/> become [Agents, Frames, 2].
        /// </summary>
        public void CopyTo(Span<float> observations, Span<float> truth)
        {
            for (int f = 0; f < Frames; f++)
            {
                int row = ((_next + f) % Frames) * Agents * 2;
                for (int a = 0; a < Agents; a++)
                {
                    int destination = ((a * Frames) + f) * 2;
                    observations[destination] = _observations[row + (2 * a)];
                    observations[destination + 1] = _observations[row + (2 * a) + 1];
                    truth[destination] = _truth[row + (2 * a)];
                    truth[destination + 1] = _truth[row + (2 * a) + 1];
                }
            }
        }
    }
}
