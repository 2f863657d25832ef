using LstmGen;

namespace PyTorchInterop
{
    /// <summary>
    /// The C# twin of signal_task.py's <c>SignalModel</c>: <c>nn.LSTM(1, 16, num_layers=2, batch_first=True)</c> named
    /// <c>lstm</c> and <c>nn.Linear(16, 1)</c> named <c>head</c>, so its tensors have the state_dict's names.
    /// </summary>
    [Lstm(InputSize = 1, HiddenSize = 16, Layers = 2, OutputSize = 1)]
    public partial class SignalModel
    {
    }
}
