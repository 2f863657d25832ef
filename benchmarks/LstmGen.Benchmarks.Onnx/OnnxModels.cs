using System;
using System.Collections.Generic;
using System.IO;

namespace LstmGen.Benchmarks.Onnx
{
    /// <summary>The exported shapes and where their files are.</summary>
    public static class OnnxModels
    {
        /// <summary>The shapes export_onnx.py exports (input 8 by the hidden grid, and two layers of 64) that --shapes selected.</summary>
        public static IEnumerable<string> Names => Shapes.Select(new[] { "i8h8", "i8h16", "i8h32", "i8h64", "i8h128", "i8h256", "i8h64x2" });

        /// <summary>
        /// The models folder: beside the program (copied at build), or found by walking up from it
        /// (BenchmarkDotNet runs the benchmarks from a folder of its own).
        /// </summary>
        public static string Directory
        {
            get
            {
                string beside = Path.Combine(AppContext.BaseDirectory, "models");
                if (File.Exists(Path.Combine(beside, "i8h32.onnx")))
                {
                    return beside;
                }

                for (DirectoryInfo? folder = new(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
                {
                    string candidate = Path.Combine(folder.FullName, "benchmarks", "LstmGen.Benchmarks.Onnx", "models");
                    if (File.Exists(Path.Combine(candidate, "i8h32.onnx")))
                    {
                        return candidate;
                    }
                }

                throw new FileNotFoundException("The ONNX models were not found; run export_onnx.py and build again.");
            }
        }

        /// <summary>The shape's generated model with the formula's weights.</summary>
        public static ILstmModel CreateModel(string name)
        {
            ILstmModel model = Shapes.Get(name).Create();
            WeightFormula.Fill(model);
            return model;
        }
    }
}
