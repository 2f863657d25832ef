using System;
using LstmGen;

namespace GameAgents
{
    /// <summary>
    /// The simulation: agents chasing targets that move along epicycles (a circle riding on a circle),
    /// seen through noise. Everything is preallocated: a frame allocates nothing.
    /// </summary>
    /// <remarks>
    /// Lockstep: the world uses only +, -, *, / and square roots, which IEEE 754 rounds the same way on every
    /// machine (no sin, cos or exp, whose results differ between platforms), and a generator whose sequence
    /// depends only on its seed. With LstmGen's models, which give the same bits on every SIMD path, two runs
    /// with the same seed end in the same state.
    /// </remarks>
    public sealed class World
    {
        /// <summary>How far an agent moves per frame at most.</summary>
        private const float MaxSpeed = 0.05f;

        /// <summary>The noise of an observation: uniform in ±<see cref="Noise"/> on each axis, a triangular sum of two.</summary>
        private const float Noise = 0.08f;

        private readonly DeterministicRandom _random;

        // The targets: position = centre + r1 * (p1x, p1y) + r2 * (p2x, p2y); p1 and p2 turn by fixed rotations.
        private readonly float[] _centerX, _centerY, _radius1, _radius2;
        private readonly float[] _cos1, _sin1, _cos2, _sin2;
        private readonly float[] _p1x, _p1y, _p2x, _p2y;
        private readonly float[] _agentX, _agentY;
        private readonly float[] _previousObservations;

        /// <summary>Creates a world of <paramref name="agents"/> agents and their targets, all fixed by <paramref name="seed"/>.</summary>
        public World(int agents, long seed)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(agents);
            Agents = agents;
            _random = new DeterministicRandom(seed);
            _centerX = new float[agents];
            _centerY = new float[agents];
            _radius1 = new float[agents];
            _radius2 = new float[agents];
            _cos1 = new float[agents];
            _sin1 = new float[agents];
            _cos2 = new float[agents];
            _sin2 = new float[agents];
            _p1x = new float[agents];
            _p1y = new float[agents];
            _p2x = new float[agents];
            _p2y = new float[agents];
            _agentX = new float[agents];
            _agentY = new float[agents];
            TargetX = new float[agents];
            TargetY = new float[agents];
            Observations = new float[agents * AgentBrain.Inputs];
            _previousObservations = new float[agents * AgentBrain.Inputs];
            Predictions = new float[agents * AgentBrain.Outputs];
            States = new AgentBrain.State[agents];
            for (int i = 0; i < agents; i++)
            {
                _centerX[i] = _random.NextSingle(-0.5f, 0.5f);
                _centerY[i] = _random.NextSingle(-0.5f, 0.5f);
                _radius1[i] = _random.NextSingle(0.4f, 0.8f);
                _radius2[i] = _random.NextSingle(0.1f, 0.3f);

                // A rotation by an angle of about 2u radians, from u alone: cos = (1 - u²) / (1 + u²), sin = 2u / (1 + u²).
                // The outer circle turns once in 100 to 300 frames, either way; the inner one 3 to 5 times as fast.
                float u1 = _random.NextSingle(0.01f, 0.03f) * (_random.NextSingle() < 0.5f ? -1 : 1);
                float u2 = u1 * _random.NextSingle(3f, 5f);
                (_cos1[i], _sin1[i]) = Rotation(u1);
                (_cos2[i], _sin2[i]) = Rotation(u2);
                (_p1x[i], _p1y[i]) = UnitVector();
                (_p2x[i], _p2y[i]) = UnitVector();
                _agentX[i] = _random.NextSingle(-1f, 1f);
                _agentY[i] = _random.NextSingle(-1f, 1f);
                UpdateTarget(i);
            }
        }

        /// <summary>The number of agents.</summary>
        public int Agents { get; }

        /// <summary>Each target's true x position on the current frame.</summary>
        public float[] TargetX { get; }

        /// <summary>Each target's true y position on the current frame.</summary>
        public float[] TargetY { get; }

        /// <summary>What each agent observes of its target on the current frame: [Agents, 2], the position with noise.</summary>
        public float[] Observations { get; }

        /// <summary>What the model predicted on the current frame: [Agents, 2], each target's position on the next frame.</summary>
        public float[] Predictions { get; }

        /// <summary>Each agent's memory: its own state of the shared model.</summary>
        public AgentBrain.State[] States { get; }

        /// <summary>Moves every target one frame along its path and observes it with noise.</summary>
        public void MoveTargets()
        {
            Observations.AsSpan().CopyTo(_previousObservations);
            for (int i = 0; i < Agents; i++)
            {
                Rotate(ref _p1x[i], ref _p1y[i], _cos1[i], _sin1[i]);
                Rotate(ref _p2x[i], ref _p2y[i], _cos2[i], _sin2[i]);
                UpdateTarget(i);
                Observations[2 * i] = TargetX[i] + NoiseSample();
                Observations[(2 * i) + 1] = TargetY[i] + NoiseSample();
            }
        }

        /// <summary>
        /// How far the previous frame's predictions and, for comparison, its raw observations (the naive
        /// prediction: the target stays where it was seen) are from where the targets are now: the mean
        /// distance over the agents. Call it after <see cref="MoveTargets"/>.
        /// </summary>
        public (double Model, double Observation) MeasurePredictions()
        {
            ReadOnlySpan<float> previousObservations = _previousObservations;
            double model = 0;
            double observation = 0;
            for (int i = 0; i < Agents; i++)
            {
                model += Distance(Predictions[2 * i], Predictions[(2 * i) + 1], TargetX[i], TargetY[i]);
                observation += Distance(previousObservations[2 * i], previousObservations[(2 * i) + 1], TargetX[i], TargetY[i]);
            }

            return (model / Agents, observation / Agents);
        }

        /// <summary>One group step: every agent's model step at once, from its observation to its prediction.</summary>
        public void Think(AgentBrain brain) => brain.Step(States, Observations, Predictions);

        /// <summary>Moves every agent towards where it predicts its target will be, at most <see cref="MaxSpeed"/>; returns the mean distance to the targets.</summary>
        public double Steer()
        {
            double distance = 0;
            for (int i = 0; i < Agents; i++)
            {
                float dx = Predictions[2 * i] - _agentX[i];
                float dy = Predictions[(2 * i) + 1] - _agentY[i];
                float length = MathF.Sqrt((dx * dx) + (dy * dy));
                float scale = length > MaxSpeed ? MaxSpeed / length : 1f;
                _agentX[i] += dx * scale;
                _agentY[i] += dy * scale;
                distance += Distance(_agentX[i], _agentY[i], TargetX[i], TargetY[i]);
            }

            return distance / Agents;
        }

        /// <summary>Adds the agents' positions and states to a hash.</summary>
        public void AddTo(ref StateHash hash)
        {
            hash.Add(_agentX);
            hash.Add(_agentY);
            foreach (ref AgentBrain.State state in States.AsSpan())
            {
                hash.Add(state.Hidden);
                hash.Add(state.Cell);
            }
        }

        private static float Distance(float x0, float y0, float x1, float y1)
        {
            float dx = x1 - x0;
            float dy = y1 - y0;
            return MathF.Sqrt((dx * dx) + (dy * dy));
        }

        private static (float Cos, float Sin) Rotation(float u) => ((1 - (u * u)) / (1 + (u * u)), 2 * u / (1 + (u * u)));

        private static void Rotate(ref float x, ref float y, float cos, float sin)
        {
            float rotatedX = (x * cos) - (y * sin);
            y = (x * sin) + (y * cos);
            x = rotatedX;
        }

        private void UpdateTarget(int i)
        {
            TargetX[i] = _centerX[i] + (_radius1[i] * _p1x[i]) + (_radius2[i] * _p2x[i]);
            TargetY[i] = _centerY[i] + (_radius1[i] * _p1y[i]) + (_radius2[i] * _p2y[i]);
        }

        private (float X, float Y) UnitVector()
        {
            // A uniform point of the square, pushed out to the circle (square roots are exact to the last bit everywhere).
            float x = _random.NextSingle(-1f, 1f);
            float y = _random.NextSingle(-1f, 1f);
            float length = MathF.Max(MathF.Sqrt((x * x) + (y * y)), 1e-3f);
            return (x / length, y / length);
        }

        private float NoiseSample() => (_random.NextSingle(-Noise, Noise) + _random.NextSingle(-Noise, Noise)) * 0.5f;
    }

    /// <summary>FNV-1a over the bits of floats: one number that differs when any bit of the state differs.</summary>
    public struct StateHash
    {
        private const ulong OffsetBasis = 14695981039346656037;
        private const ulong Prime = 1099511628211;

        /// <summary>Starts a hash of nothing.</summary>
        public StateHash() => Value = OffsetBasis;

        /// <summary>The hash so far.</summary>
        public ulong Value { get; private set; }

        /// <summary>Adds the bits of every value.</summary>
        public void Add(ReadOnlySpan<float> values)
        {
            ulong hash = Value;
            foreach (float value in values)
            {
                hash = (hash ^ (uint)BitConverter.SingleToInt32Bits(value)) * Prime;
            }

            Value = hash;
        }
    }
}
