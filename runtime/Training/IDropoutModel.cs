namespace LstmGen.Training
{
    /// <summary>
    /// A model generated with <c>Dropout</c> &gt; 0 (see <see cref="RecurrentModelAttribute.Dropout"/>): its
    /// <c>AccumulateGradients</c> drops each output of a layer below the top with probability <see cref="Dropout"/>
    /// and scales the kept ones by 1 / (1 - p), with masks fixed by <see cref="DropoutSeed"/>. Step, Forward and the
    /// group step never drop anything. The <see cref="Trainer{TModel}"/> sets the seed of every sequence it trains.
    /// </summary>
    public interface IDropoutModel
    {
        /// <summary>The probability that a unit is dropped, as the attribute set it.</summary>
        float Dropout { get; }

        /// <summary>
        /// The seed of the masks the next <c>AccumulateGradients</c> uses (default 0): the same seed and sequence give the
        /// same masks and the same bits on every path and thread.
        /// </summary>
        ulong DropoutSeed { get; set; }
    }
}
