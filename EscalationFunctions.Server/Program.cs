using EscalationFunctions.Server.Commands;

// EscalationFunctions.Server [serve|status|migrate|samples|sign|help] [options]; `--help` on any of them.
return await ServerCommandLine.RunAsync(args);
