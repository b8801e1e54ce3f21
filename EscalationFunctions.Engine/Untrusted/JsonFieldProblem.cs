namespace EscalationFunctions.Engine.Untrusted;

/// <summary>Why a needed JSON field could not be read (<see cref="UntrustedJson"/>).</summary>
public enum JsonFieldProblem
{
    None,
    Missing,
    WrongType,
    Repeated,
    InvalidText,
}
