namespace EscalationFunctions.Engine.Endpoints.Answers;

/// <summary>Every refusal, from every route: <c>{"error": "&lt;code&gt;", "message": "&lt;human sentence&gt;"}</c>.</summary>
public sealed record ErrorAnswer(string Error, string Message);
