using System;
using System.IO;
#if NET8_0_OR_GREATER
using System.Runtime.InteropServices;
#endif

namespace LstmGen.Serialization
{
    /// <summary>
    /// How a file is saved (<see cref="Write"/>: a temporary file renamed over the target), and what is
    /// refused: symbolic links are followed to the file they name (as
    /// <see cref="File.WriteAllBytes(string, byte[])"/> does), a target that is not a regular file (a
    /// directory, a device, a pipe, a socket) is refused, a read-only file is refused, and an existing
    /// file's Unix permissions are kept.
    /// </summary>
    /// <remarks>
    /// Shared as source: <see cref="WeightFile"/> saves weights with it, and LstmGen.Onnx (which links this
    /// file) saves ONNX models.
    /// </remarks>
    internal static partial class SaveTarget
    {
        /// <summary>
        /// The full path of the file to replace: <paramref name="path"/>, or the file its chain of symbolic
        /// links ends at (which need not exist yet). Throws when the target cannot be replaced by a new file.
        /// </summary>
        /// <exception cref="IOException">The target is not a regular file, or the links loop.</exception>
        /// <exception cref="UnauthorizedAccessException">The target is read-only.</exception>
        public static string Resolve(string path)
        {
            string fullPath = FollowLinks(Path.GetFullPath(path));
            if (Directory.Exists(fullPath))
            {
                throw new IOException($"Cannot save to '{fullPath}': it is a directory.");
            }

            if (!File.Exists(fullPath))
            {
                return fullPath;
            }

            if (SpecialFileKind(fullPath) is string kind)
            {
                throw new IOException($"Cannot save to '{fullPath}': it is {kind}, not a regular file. The file is saved by writing a temporary file and renaming it over the target, which would replace the {kind}.");
            }

            if ((File.GetAttributes(fullPath) & FileAttributes.ReadOnly) != 0)
            {
                throw new UnauthorizedAccessException($"Cannot save to '{fullPath}': the file is read-only.");
            }

            return fullPath;
        }

        /// <summary>
        /// Writes the file at <paramref name="path"/> through <paramref name="write"/>, all or nothing: into a
        /// temporary file next to the target (<see cref="Resolve"/>), flushed to disk, then renamed over it. On
        /// any failure the temporary file is deleted and the target is left as it was.
        /// </summary>
        public static void Write(string path, Action<Stream> write)
        {
            ArgumentException.ThrowIfNullOrEmpty(path);
            string fullPath = Resolve(path);
            string directory = Path.GetDirectoryName(fullPath) ?? throw new ArgumentException($"'{path}' has no directory.", nameof(path));
            string temporary = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
            try
            {
                using (FileStream stream = CreateTemporary(temporary, fullPath))
                {
                    write(stream);
                    stream.Flush(flushToDisk: true);
                }

                File.Move(temporary, fullPath, overwrite: true);
            }
            catch
            {
                try
                {
                    File.Delete(temporary);
                }
                catch (IOException)
                {
                    // The original exception matters more than a temporary file left behind.
                }
                catch (UnauthorizedAccessException)
                {
                    // As above.
                }

                throw;
            }
        }

        /// <summary>Creates the temporary file, with the permissions of <paramref name="target"/> when it exists.</summary>
        public static FileStream CreateTemporary(string temporary, string target)
        {
#if NET8_0_OR_GREATER
            if (!OperatingSystem.IsWindows() && File.Exists(target))
            {
                UnixFileMode mode = File.GetUnixFileMode(target);
                var stream = new FileStream(temporary, new FileStreamOptions
                {
                    Mode = FileMode.CreateNew,
                    Access = FileAccess.Write,
                    Share = FileShare.None,
                    BufferSize = 64 * 1024,
                    UnixCreateMode = mode,
                });

                // The creation mode is filtered by the umask; the file keeps the target's exact mode.
                File.SetUnixFileMode(stream.SafeFileHandle, mode);
                return stream;
            }
#endif
            return new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 64 * 1024);
        }

        /// <summary>The file a chain of symbolic links ends at, or <paramref name="fullPath"/> when it is not a link.</summary>
        private static string FollowLinks(string fullPath)
        {
#if NET8_0_OR_GREATER
            // A missing path, or one that is not a link, has no link target.
            return new FileInfo(fullPath).LinkTarget is null
                ? fullPath
                : File.ResolveLinkTarget(fullPath, returnFinalTarget: true)?.FullName ?? fullPath;
#else
            if (File.Exists(fullPath) && (File.GetAttributes(fullPath) & FileAttributes.ReparsePoint) != 0)
            {
                throw new IOException($"Cannot save to '{fullPath}': it is a symbolic link, which this build of LstmGen does not follow. Save to the file it names.");
            }

            return fullPath;
#endif
        }

        /// <summary>What an existing path is when it is not a regular file (for example "a character device"), or <see langword="null"/>.</summary>
        private static string? SpecialFileKind(string fullPath)
        {
#if NET8_0_OR_GREATER
            if (OperatingSystem.IsWindows())
            {
                return (File.GetAttributes(fullPath) & FileAttributes.Device) != 0 ? "a device" : null;
            }

            // .NET's own native shim, which File and FileStream use on every Unix: its FileStatus has the
            // same layout everywhere, with the mode (type bits included) after the flags.
            FileStatus status;
            try
            {
                if (Stat(fullPath, out status) != 0)
                {
                    return null; // gone, or not ours to see: the rename reports it
                }
            }
            catch (Exception exception) when (exception is DllNotFoundException or EntryPointNotFoundException)
            {
                return null;
            }

            return (status.Mode & 0xF000) switch
            {
                0x8000 => null,
                0x1000 => "a named pipe (FIFO)",
                0x2000 => "a character device",
                0x6000 => "a block device",
                0xC000 => "a socket",
                0x4000 => "a directory",
                _ => "not a regular file",
            };
#else
            return (File.GetAttributes(fullPath) & FileAttributes.Device) != 0 ? "a device" : null;
#endif
        }

#if NET8_0_OR_GREATER
        [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_Stat", StringMarshalling = StringMarshalling.Utf8)]
        private static partial int Stat(string path, out FileStatus output);

        /// <summary>The start of the shim's FileStatus; the size leaves room for all of it.</summary>
        [StructLayout(LayoutKind.Sequential, Size = 256)]
        private struct FileStatus
        {
            public int Flags;
            public int Mode;
        }
#endif
    }
}
