using System.CommandLine;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Galaxy.Agent.Tunnels.OpenVpn;

namespace Galaxy.Agent.Cli;

/// <summary>
/// <c>galaxy ovpn check FILE [--json]</c>: judges an OpenVPN profile as the agent would import it and
/// prints the verdict, every error and warning as <c>FILE:LINE: error|warning: reason</c>, and the
/// remotes. Exit code <see cref="ExitCodes.Ok"/> when importable, <see cref="ExitCodes.ConfigError"/>
/// when not, <see cref="ExitCodes.Failure"/> when the file cannot be read at all.
/// </summary>
internal static class OvpnCommand
{
    public static Command Create()
    {
        var ovpn = new Command("ovpn", "OpenVPN profiles (.ovpn).");
        var file = new Argument<string>("FILE") { Description = "The .ovpn profile; files it names are read from its folder." };
        var json = new Option<bool>("--json") { Description = "Print the verdict as one JSON object." };
        var check = new Command("check", "Check that a profile can be imported: allowed directives only, files inside its folder.")
        {
            file,
            json,
        };
        check.SetAction(result => Check(
            result.GetValue(file)!,
            result.GetValue(json),
            result.InvocationConfiguration.Output,
            result.InvocationConfiguration.Error));
        ovpn.Subcommands.Add(check);
        return ovpn;
    }

    internal static int Check(string path, bool json, TextWriter output, TextWriter error)
    {
        if (!File.Exists(path))
        {
            error.WriteLine(Directory.Exists(path)
                ? $"galaxy: {path} is a directory, not a profile"
                : $"galaxy: cannot read {path}: no such file");
            return ExitCodes.Failure;
        }

        var result = OvpnImporter.ImportFile(path);
        if (!result.IsImportable && result.Remotes.IsEmpty && result.Diagnostics is [{ Location.Line: 0 } unreadable])
        {
            error.WriteLine($"galaxy: cannot read {path}: {unreadable.Message}");
            return ExitCodes.Failure;
        }

        if (json)
        {
            WriteJson(path, result, output);
        }
        else
        {
            WriteText(path, result, output);
        }

        return result.IsImportable ? ExitCodes.Ok : ExitCodes.ConfigError;
    }

    private static void WriteText(string path, OvpnImportResult result, TextWriter output)
    {
        var errors = result.Errors.Count();
        var warnings = result.Warnings.Count();
        var counts = $"{errors} error{(errors == 1 ? string.Empty : "s")}, {warnings} warning{(warnings == 1 ? string.Empty : "s")}";
        output.WriteLine(result.IsImportable ? $"{path}: ok ({counts})" : $"{path}: not importable ({counts})");
        foreach (var diagnostic in result.Diagnostics)
        {
            output.WriteLine(diagnostic.ToString());
        }

        output.WriteLine(result.Remotes.IsEmpty ? "remotes: none" : "remotes:");
        foreach (var remote in result.Remotes)
        {
            output.WriteLine($"  {remote.Host} {remote.Port} {remote.ProtocolName}{(remote.IpVersion is { } v ? $" (IPv{v} only)" : string.Empty)}  [{remote.Location}]");
        }
    }

    private static void WriteJson(string path, OvpnImportResult result, TextWriter output)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("file", path);
            writer.WriteBoolean("importable", result.IsImportable);
            WriteDiagnostics(writer, "errors", result.Errors);
            WriteDiagnostics(writer, "warnings", result.Warnings);
            writer.WriteStartArray("remotes");
            foreach (var remote in result.Remotes)
            {
                writer.WriteStartObject();
                writer.WriteString("host", remote.Host);
                writer.WriteNumber("port", remote.Port);
                writer.WriteString("proto", remote.ProtocolName);
                if (remote.IpVersion is { } version)
                {
                    writer.WriteNumber("ipVersion", version);
                }

                writer.WriteNumber("line", remote.Location.Line);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        output.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static void WriteDiagnostics(Utf8JsonWriter writer, string name, IEnumerable<OvpnDiagnostic> diagnostics)
    {
        writer.WriteStartArray(name);
        foreach (var diagnostic in diagnostics)
        {
            writer.WriteStartObject();
            writer.WriteString("file", diagnostic.Location.File);
            writer.WriteNumber("line", diagnostic.Location.Line);
            writer.WriteString("message", diagnostic.Message);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }
}
