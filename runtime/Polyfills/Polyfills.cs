#if !NET8_0_OR_GREATER
// What .NET Standard 2.1 lacks of the BCL this runtime uses, so that the sources stay the same on every
// target: records and init-only setters, caller argument expressions, and the argument guards of .NET 8
// (as C# 14 static extension members, so the call sites read as on .NET 8).
using System;
using System.Buffers.Binary;
using System.Diagnostics;
using System.IO;
using System.Runtime.CompilerServices;
using System.Threading;

namespace System.Runtime.CompilerServices
{
    internal static class IsExternalInit
    {
    }

    [AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
    internal sealed class CallerArgumentExpressionAttribute : Attribute
    {
        public CallerArgumentExpressionAttribute(string parameterName) => ParameterName = parameterName;

        public string ParameterName { get; }
    }
}

namespace LstmGen
{
    internal static class ArgumentGuards
    {
        extension(ArgumentNullException)
        {
            public static void ThrowIfNull([System.Diagnostics.CodeAnalysis.NotNull] object? argument, [CallerArgumentExpression(nameof(argument))] string? paramName = null)
            {
                if (argument is null)
                {
                    throw new ArgumentNullException(paramName);
                }
            }
        }

        extension(ArgumentOutOfRangeException)
        {
            public static void ThrowIfNegative(int value, [CallerArgumentExpression(nameof(value))] string? paramName = null)
            {
                if (value < 0)
                {
                    throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} ('{value}') must be a non-negative value.");
                }
            }

            public static void ThrowIfNegative(long value, [CallerArgumentExpression(nameof(value))] string? paramName = null)
            {
                if (value < 0)
                {
                    throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} ('{value}') must be a non-negative value.");
                }
            }

            public static void ThrowIfNegativeOrZero(int value, [CallerArgumentExpression(nameof(value))] string? paramName = null)
            {
                if (value <= 0)
                {
                    throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} ('{value}') must be a non-negative and non-zero value.");
                }
            }

            public static void ThrowIfNegativeOrZero(long value, [CallerArgumentExpression(nameof(value))] string? paramName = null)
            {
                if (value <= 0)
                {
                    throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} ('{value}') must be a non-negative and non-zero value.");
                }
            }
        }
        extension(ArgumentException)
        {
            public static void ThrowIfNullOrEmpty([System.Diagnostics.CodeAnalysis.NotNull] string? argument, [CallerArgumentExpression(nameof(argument))] string? paramName = null)
            {
                if (argument is null)
                {
                    throw new ArgumentNullException(paramName);
                }

                if (argument.Length == 0)
                {
                    throw new ArgumentException("The value cannot be an empty string.", paramName);
                }
            }
        }

        extension(Array)
        {
            /// <summary>The largest length of an array, as .NET's <c>Array.MaxLength</c>.</summary>
            public static int MaxLength => 0x7FFFFFC7;

            public static void Clear(Array array) => Array.Clear(array, 0, array.Length);
        }

        extension(BinaryPrimitives)
        {
            public static float ReadSingleLittleEndian(ReadOnlySpan<byte> source) =>
                BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadInt32LittleEndian(source));

            public static double ReadDoubleLittleEndian(ReadOnlySpan<byte> source) =>
                BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64LittleEndian(source));

            public static void WriteSingleLittleEndian(Span<byte> destination, float value) =>
                BinaryPrimitives.WriteInt32LittleEndian(destination, BitConverter.SingleToInt32Bits(value));
        }

        extension(string)
        {
            public static string Create(IFormatProvider provider, FormattableString text) => text.ToString(provider);

            public static string Concat(string first, ReadOnlySpan<char> second) => first + second.ToString();
        }

        extension(Stopwatch)
        {
            public static TimeSpan GetElapsedTime(long startingTimestamp) =>
                TimeSpan.FromTicks((long)((Stopwatch.GetTimestamp() - startingTimestamp) * ((double)TimeSpan.TicksPerSecond / Stopwatch.Frequency)));
        }

        extension(File)
        {
            public static void Move(string sourceFileName, string destFileName, bool overwrite)
            {
                if (overwrite && File.Exists(destFileName))
                {
                    File.Replace(sourceFileName, destFileName, destinationBackupFileName: null);
                }
                else
                {
                    File.Move(sourceFileName, destFileName);
                }
            }
        }

        extension(Stream stream)
        {
            public int ReadAtLeast(Span<byte> buffer, int minimumBytes, bool throwOnEndOfStream)
            {
                int total = 0;
                while (total < minimumBytes)
                {
                    int read = stream.Read(buffer.Slice(total));
                    if (read == 0)
                    {
                        if (throwOnEndOfStream)
                        {
                            throw new EndOfStreamException();
                        }

                        break;
                    }

                    total += read;
                }

                return total;
            }
        }

        extension(ref SpinWait spinner)
        {
            /// <summary>One spin; .NET Standard 2.1's SpinWait has no threshold (it may sleep for 1 ms after many spins).</summary>
            public void SpinOnce(int sleep1Threshold)
            {
                _ = sleep1Threshold;
                spinner.SpinOnce();
            }
        }
    }
}
#endif
