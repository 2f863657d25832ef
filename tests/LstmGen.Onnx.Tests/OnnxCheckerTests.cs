using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using LstmGen.Tests.Support;
using Xunit;

namespace LstmGen.Onnx.Tests
{
    /// <summary>
    /// ONNX's own checker (the <c>onnx</c> Python package: Debian's <c>python3-onnx</c>, which .ci/run installs)
    /// on every exported model, LSTM and GRU: the schema of each operator, and strict shape inference from the graph's inputs to
    /// its outputs.
    /// </summary>
    public sealed class OnnxCheckerTests
    {
        // For each file: the full check (strict shape inference included), then the graph's operators and the inferred
        // shape of each output, dynamic axes by name.
        internal const string Script = """
            import sys, onnx
            for path in sys.argv[1:]:
                model = onnx.load(path)
                onnx.checker.check_model(model, full_check=True)
                inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True)
                shapes = ["%s[%s]" % (o.name, ",".join(d.dim_param or str(d.dim_value) for d in o.type.tensor_type.shape.dim)) for o in inferred.graph.output]
                print("%s opset %d: %s; %s" % (model.graph.name, model.opset_import[0].version, " ".join(n.op_type for n in model.graph.node), " ".join(shapes)))
            """;

        [OnnxCheckerFact]
        public void OnnxsCheckerAcceptsEveryExportedModelAndInfersTheDocumentedShapes()
        {
            using var directory = new TemporaryDirectory();
            var paths = new List<string>();
            foreach (string name in Models.All)
            {
                paths.Add(directory.File(name + ".onnx"));
                OnnxExport.Export(Models.Create(name), paths[^1]);
            }

            (int exitCode, string output, string error) = ChildProcess.Run(
                OnnxCheckerFactAttribute.Python!, new[] { "-c", Script }.Concat(paths), null, null, TimeSpan.FromMinutes(2));

            Assert.True(exitCode == 0, $"ONNX's checker refused an exported model:\n{output}\n{error}");
            string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(paths.Count, lines.Length);
            Assert.Contains("OneLayer opset 17: LSTM Squeeze MatMul Add; output[sequence,batch,2] hn[1,batch,5] cn[1,batch,5]", lines);
            Assert.Contains("StackedNoHead opset 17: Split Split LSTM Squeeze LSTM Squeeze LSTM Squeeze Concat Concat; output[sequence,batch,7] hn[3,batch,7] cn[3,batch,7]", lines);
            Assert.Contains("SoftmaxHead opset 17: Split Split LSTM Squeeze LSTM Squeeze Concat Concat MatMul Add Softmax; output[sequence,batch,4] hn[2,batch,19] cn[2,batch,19]", lines);
            Assert.Contains("TanhHead opset 17: LSTM Squeeze MatMul Add Tanh; output[sequence,batch,1] hn[1,batch,33] cn[1,batch,33]", lines);
            Assert.Contains("SigmoidHead opset 17: Split Split LSTM Squeeze LSTM Squeeze Concat Concat MatMul Add Sigmoid; output[sequence,batch,3] hn[2,batch,13] cn[2,batch,13]", lines);

            // A GRU: no cell state, so one Split and one Concat, and no c0 or cn.
            Assert.Contains("GruLayer opset 17: GRU Squeeze MatMul Add; output[sequence,batch,2] hn[1,batch,5]", lines);
            Assert.Contains("GruNoHead opset 17: GRU Squeeze; output[sequence,batch,33] hn[1,batch,33]", lines);
            Assert.Contains("GruStackedNoHead opset 17: Split GRU Squeeze GRU Squeeze GRU Squeeze Concat; output[sequence,batch,7] hn[3,batch,7]", lines);
            Assert.Contains("GruSigmoidHead opset 17: Split GRU Squeeze GRU Squeeze Concat MatMul Add Sigmoid; output[sequence,batch,3] hn[2,batch,19]", lines);
        }
    }

    /// <summary>
    /// A fact that needs Python with ONNX's <c>onnx</c> package; where there is none it is reported as skipped, with
    /// the reason, at discovery: never passed without running.
    /// </summary>
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
    public sealed class OnnxCheckerFactAttribute : FactAttribute
    {
        public OnnxCheckerFactAttribute()
        {
            if (Python is null)
            {
                Skip = "No python3 on this machine imports the onnx package (Debian: apt-get install python3-onnx; .ci/run installs it).";
            }
        }

        /// <summary>The first of python3 on PATH and the system's /usr/bin/python3 that imports onnx, or null.</summary>
        public static string? Python { get; } = new[] { "python3", "/usr/bin/python3" }.FirstOrDefault(ImportsOnnx);

        private static bool ImportsOnnx(string python)
        {
            try
            {
                return ChildProcess.Run(python, new[] { "-c", "import onnx" }, null, null, TimeSpan.FromSeconds(30)).ExitCode == 0;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return false; // no such program
            }
        }
    }
}
