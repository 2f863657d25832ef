using System;
using System.Threading;

namespace LstmGen.Tests.Support
{
    /// <summary>Measures what a piece of work allocates on this thread once the JIT has finished with it.</summary>
    internal static class Allocations
    {
        /// <summary>
        /// Runs <paramref name="work"/> enough times for tiered compilation to count its calls and promote
        /// it (the promotion itself may allocate on the calling thread), waits for the background
        /// compiler, and returns the bytes <paramref name="measured"/> runs then allocate on this thread.
        /// </summary>
        public static long OfWarm(Action work, int measured = 100)
        {
            for (int round = 0; round < 3; round++)
            {
                for (int i = 0; i < 200; i++)
                {
                    work();
                }

                Thread.Sleep(150);
            }

            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < measured; i++)
            {
                work();
            }

            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
    }
}
