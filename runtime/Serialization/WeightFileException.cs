using System;
using System.IO;

namespace LstmGen.Serialization
{
    /// <summary>
    /// A weight file (safetensors) that is not a valid file of the format, or that does not fit the
    /// model it is loaded into. The message names the tensor, the expected and actual shape or
    /// dtype, the data offsets and the file's size where they are known.
    /// </summary>
    /// <remarks>
    /// It is an <see cref="IOException"/> (<see cref="InvalidDataException"/> is sealed), so one
    /// <c>catch (IOException)</c> handles files that cannot be read and files that are not valid.
    /// </remarks>
    public sealed class WeightFileException : IOException
    {
        /// <summary>Creates the exception with a default message.</summary>
        public WeightFileException()
            : base("The weight file is not a valid safetensors file, or it does not fit the model.")
        {
        }

        /// <summary>Creates the exception with a message.</summary>
        public WeightFileException(string message)
            : base(message)
        {
        }

        /// <summary>Creates the exception with a message and the exception that caused it.</summary>
        public WeightFileException(string message, Exception? innerException)
            : base(message, innerException)
        {
        }

        /// <summary>Creates the exception with a message about one tensor.</summary>
        /// <param name="message">The message, which names the tensor.</param>
        /// <param name="tensorName">The tensor's name as the file has it.</param>
        /// <param name="innerException">The exception that caused it, if any.</param>
        public WeightFileException(string message, string? tensorName, Exception? innerException = null)
            : base(message, innerException)
        {
            TensorName = tensorName;
        }

        /// <summary>The name (as the file has it) of the tensor the problem is about, or <see langword="null"/>.</summary>
        public string? TensorName { get; }
    }
}
