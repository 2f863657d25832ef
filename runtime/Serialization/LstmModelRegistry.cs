using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using LstmGen.CompilerServices;

namespace LstmGen.Serialization
{
    /// <summary>
    /// Loads a weight file into whichever of a set of model types it fits: what the generated <c>LstmModels</c>
    /// class of an assembly calls with that assembly's <c>[Lstm]</c> classes.
    /// </summary>
    /// <remarks>
    /// A type fits when the file has each of its tensors (named through <see cref="WeightLoadOptions"/>'s maps)
    /// with its shape, and, unless <see cref="WeightLoadOptions.IgnoreUnexpected"/>, no other tensor (a
    /// checkpoint's optimizer buffers aside). Types that fit alike are told apart by the file's
    /// <c>lstmgen.output_activation</c> and <c>lstmgen.loss</c> metadata, which <c>Save</c> writes. The chosen type
    /// is then created and loaded with <see cref="WeightFile.Load(ISequenceModel, Stream, WeightLoadOptions?)"/>, with
    /// all of its checks (dtypes, NaN and infinities).
    /// </remarks>
    public static class LstmModelRegistry
    {
        /// <summary>
        /// Loads the file at <paramref name="path"/> into a new instance of the type among <paramref name="models"/> that it fits,
        /// for a registry of models that step (the generated <c>LstmModels.Load</c> of an assembly without bidirectional models).
        /// </summary>
        /// <exception cref="WeightFileException">The file fits none of the types (the message gives the file's sizes and the types'), more than one, or is damaged; the message starts with the path.</exception>
        /// <exception cref="InvalidOperationException">The type the file fits is a bidirectional model, which does not step: use <see cref="LoadSequenceModel(IReadOnlyList{LstmModelType}, string, WeightLoadOptions?)"/>.</exception>
        /// <exception cref="IOException">The file cannot be read.</exception>
        public static ILstmModel Load(IReadOnlyList<LstmModelType> models, string path, WeightLoadOptions? options = null) =>
            Stepping(LoadSequenceModel(models, path, options));

        /// <summary>
        /// Loads a safetensors file from the stream's current position into a new instance of the type among
        /// <paramref name="models"/> that it fits, for a registry of models that step. A stream that cannot seek is read into memory first.
        /// </summary>
        /// <exception cref="WeightFileException">The file fits none of the types (the message gives the file's sizes and the types'), more than one, or is damaged.</exception>
        /// <exception cref="InvalidOperationException">The type the file fits is a bidirectional model, which does not step: use <see cref="LoadSequenceModel(IReadOnlyList{LstmModelType}, Stream, WeightLoadOptions?)"/>.</exception>
        public static ILstmModel Load(IReadOnlyList<LstmModelType> models, Stream stream, WeightLoadOptions? options = null) =>
            Stepping(LoadSequenceModel(models, stream, options));

        /// <summary>Loads the file at <paramref name="path"/> into a new instance of the type among <paramref name="models"/> that it fits, bidirectional or not.</summary>
        /// <exception cref="WeightFileException">The file fits none of the types (the message gives the file's sizes and the types'), more than one, or is damaged; the message starts with the path.</exception>
        /// <exception cref="IOException">The file cannot be read.</exception>
        public static ISequenceModel LoadSequenceModel(IReadOnlyList<LstmModelType> models, string path, WeightLoadOptions? options = null)
        {
            ArgumentNullException.ThrowIfNull(models);
            ArgumentException.ThrowIfNullOrEmpty(path);
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 4096, FileOptions.SequentialScan);
            try
            {
                return LoadSequenceModel(models, stream, options);
            }
            catch (WeightFileException exception)
            {
                throw new WeightFileException($"{path}: {exception.Message}", exception.TensorName, exception);
            }
        }

        /// <summary>
        /// Loads a safetensors file from the stream's current position into a new instance of the type among
        /// <paramref name="models"/> that it fits, bidirectional or not. A stream that cannot seek is read into memory first.
        /// </summary>
        /// <exception cref="WeightFileException">The file fits none of the types (the message gives the file's sizes and the types'), more than one, or is damaged.</exception>
        public static ISequenceModel LoadSequenceModel(IReadOnlyList<LstmModelType> models, Stream stream, WeightLoadOptions? options = null)
        {
            ArgumentNullException.ThrowIfNull(models);
            ArgumentNullException.ThrowIfNull(stream);
            options ??= new WeightLoadOptions();
            Stream source = stream;
            if (!stream.CanSeek)
            {
                // The header decides the type, then the type's Load reads the file from its start.
                var copy = new MemoryStream();
                stream.CopyTo(copy);
                copy.Position = 0;
                source = copy;
            }

            long start = source.Position;
            SafeTensorsFile header = SafeTensorsFile.ReadHeader(source, SafeTensorsFile.DefaultMaxHeaderLength);
            LstmModelType type = Choose(models, header, options);
            source.Position = start;
            ISequenceModel model = type.Create();
            WeightFile.Load(model, source, options);
            return model;
        }

        private static ILstmModel Stepping(ISequenceModel model) => model as ILstmModel
            ?? throw new InvalidOperationException($"The file fits {model.GetType().FullName}, a bidirectional model, which does not step: load it with LoadSequenceModel, which returns an ISequenceModel.");

        /// <summary>The one type among <paramref name="models"/> that the file fits.</summary>
        /// <exception cref="WeightFileException">None fits, or several do alike.</exception>
        public static LstmModelType Choose(IReadOnlyList<LstmModelType> models, SafeTensorsFile file, WeightLoadOptions? options = null)
        {
            ArgumentNullException.ThrowIfNull(models);
            ArgumentNullException.ThrowIfNull(file);
            options ??= new WeightLoadOptions();
            List<LstmModelType> fits = models.Where(type => Fits(type, file, options)).ToList();
            if (fits.Count > 1)
            {
                // Save writes the activation and the loss: the types that match them, if any do.
                List<LstmModelType> narrowed = fits.Where(type => MetadataAgrees(file, "lstmgen.output_activation", type.OutputActivation.ToString())
                    && MetadataAgrees(file, "lstmgen.loss", type.Loss.ToString())).ToList();
                fits = narrowed.Count > 0 ? narrowed : fits;
            }

            if (fits.Count == 1)
            {
                return fits[0];
            }

            string available = models.Count == 0
                ? "the assembly has no [Lstm] models"
                : "the assembly's models are " + string.Join("; ", models.Select(type => $"{type} ({Describe(type)})"));
            if (fits.Count > 1)
            {
                throw new WeightFileException(
                    $"The weight file fits several models alike: {string.Join(", ", fits)}; load it with the one meant (Model.Load), or save it with that model's Save, whose metadata names its activation and loss. {available}.");
            }

            var shapes = file.Entries.GroupBy(entry => options.MapName(entry.Name), StringComparer.Ordinal)
                .ToDictionary(group => group.Key, group => (IReadOnlyList<long>)group.First().Shape, StringComparer.Ordinal);
            StateDictSizes? sizes = StateDictSizes.TryRead(shapes, out string? why);
            string fileSizes = sizes is null ? $"sizes no LSTM has ({why})" : sizes.ToString();
            string tensors = file.Entries.Count == 0 ? "no tensors" : string.Join(", ", file.Entries.Select(entry => $"'{MessageText.Name(entry.Name)}' {entry.ShapeText}"));
            throw new WeightFileException($"The weight file fits none of the models: it has {fileSizes}, in {tensors}; {available}.");
        }

        private static bool Fits(LstmModelType type, SafeTensorsFile file, WeightLoadOptions options)
        {
            bool checkpoint = file.Metadata.ContainsKey("lstmgen.optimizer.kind");

            // Layer maps name the type's recurrent module: gru.* for a GRU, lstm.* for an LSTM.
            string module = type.Tensors.Count > 0 && type.Tensors[0].Name.StartsWith("gru.", StringComparison.Ordinal) ? "gru" : "lstm";
            var byName = new Dictionary<string, SafeTensorsEntry>(StringComparer.Ordinal);
            foreach (SafeTensorsEntry entry in file.Entries)
            {
                if (checkpoint && entry.Name.StartsWith(WeightFile.OptimizerPrefix, StringComparison.Ordinal))
                {
                    continue;
                }

                string name = options.Resolve(entry.Name, out _, out _, module);
                bool known = type.Tensors.Any(tensor => tensor.Name == name);
                if (!known && !options.IgnoreUnexpected)
                {
                    return false;
                }

                if (known && !byName.TryAdd(name, entry))
                {
                    return false;
                }
            }

            return type.Tensors.All(tensor => byName.TryGetValue(tensor.Name, out SafeTensorsEntry? entry) && entry.HasShape(tensor.Shape));
        }

        private static bool MetadataAgrees(SafeTensorsFile file, string key, string value) =>
            !file.Metadata.TryGetValue(key, out string? saved) || saved == value;

        private static string Describe(LstmModelType type)
        {
            var shapes = type.Tensors.ToDictionary(tensor => tensor.Name, tensor => (IReadOnlyList<long>)tensor.Shape.Select(d => (long)d).ToArray(), StringComparer.Ordinal);
            return StateDictSizes.TryRead(shapes, out _)?.ToString() ?? string.Join(", ", type.Tensors);
        }
    }
}
