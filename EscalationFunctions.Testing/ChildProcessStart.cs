namespace EscalationFunctions.Testing;

/// <summary>What <see cref="ChildProcess"/> starts: a program, its arguments, where and with which environment.</summary>
public sealed record ChildProcessStart(string FileName, IReadOnlyList<string> Arguments)
{
    /// <summary>Null: this process's working directory.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Set on top of the inherited environment; a null value removes that variable.</summary>
    public IReadOnlyDictionary<string, string?>? Environment { get; init; }

    /// <summary>
    /// Strip every setting and platform variable (<see cref="ChildEnvironment.MustNotInherit"/>) from
    /// the inherited environment, so the child sees exactly the settings in <see cref="Environment"/>.
    /// </summary>
    public bool Hermetic { get; init; }

    /// <summary>The environment the child inherits; null: this process's. Tests of the filter set it.</summary>
    public IReadOnlyDictionary<string, string>? Inherited { get; init; }

    /// <summary>Called with each line the child writes to stdout, as it arrives.</summary>
    public Action<string>? OnStdoutLine { get; init; }
}
