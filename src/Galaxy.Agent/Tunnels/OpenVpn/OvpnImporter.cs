using System.Collections.Immutable;
using System.Globalization;

namespace Galaxy.Agent.Tunnels.OpenVpn;

/// <summary>
/// Turns an <c>.ovpn</c> file into an <see cref="OvpnProfile"/>: parses it as OpenVPN does, judges every
/// directive against <see cref="OvpnPolicy"/> (also inside <c>&lt;connection&gt;</c> and behind
/// <c>setenv opt</c>), reads the files it names from its own folder into inline material, and reports
/// every error and warning with file and line. One instance judges one file.
/// </summary>
internal sealed partial class OvpnImporter
{
    private readonly string _file;
    private readonly OvpnFolder? _folder;
    private readonly List<OvpnDiagnostic> _diagnostics = [];
    private readonly HashSet<string> _ignoredUnknown = new(StringComparer.Ordinal);
    private readonly List<OvpnDirective> _kept = [];
    private readonly List<PendingRemote> _topRemotes = [];
    private readonly List<OvpnRemote> _connectionRemotes = [];
    private readonly Endpoint _global = new();
    private bool _client;
    private bool _needsCredentials;
    private bool _needsKeyPassphrase;
    private (int Direction, OvpnLocation Location)? _keyDirection;
    private (int Direction, OvpnLocation Location)? _tlsAuthDirection;

    private OvpnImporter(string file, OvpnFolder? folder)
    {
        _file = file;
        _folder = folder;
    }

    /// <summary>Reads and judges the profile at <paramref name="path"/>; files it names are read from its folder.</summary>
    public static OvpnImportResult ImportFile(string path)
    {
        var folder = OvpnFolder.ForProfile(path, out var realPath, out var error);
        var read = folder is null ? OvpnFileRead.Failed($"cannot open the file: {error}") : OvpnFolder.ReadBounded(realPath);
        if (read.TooLarge)
        {
            return new OvpnImportResult(null, [], [OvpnDiagnostic.Error(new OvpnLocation(path, 1), $"profiles larger than {OvpnParser.MaxFileBytes} bytes are refused")]);
        }

        if (read.Content is null)
        {
            // Line 0: the file itself could not be read (the CLI reports this apart from a verdict).
            return new OvpnImportResult(null, [], [OvpnDiagnostic.Error(new OvpnLocation(path, 0), read.Error ?? "cannot read the file")]);
        }

        return Import(path, read.Content, folder);
    }

    /// <summary>
    /// Judges profile text. <paramref name="folder"/> is where named files are read from; without one,
    /// every file reference is an error.
    /// </summary>
    public static OvpnImportResult Import(string fileName, ReadOnlySpan<byte> content, OvpnFolder? folder)
    {
        var parsed = OvpnParser.Parse(fileName, content);
        var importer = new OvpnImporter(fileName, folder);
        importer._diagnostics.AddRange(parsed.Errors);
        return importer.Run(parsed.Directives);
    }

    private OvpnImportResult Run(ImmutableArray<OvpnDirective> directives)
    {
        var connectionBlocks = 0;
        foreach (var directive in directives)
        {
            if (directive.IsConnectionBlock)
            {
                connectionBlocks++;
                JudgeConnection(directive);
            }
            else
            {
                Judge(directive, scope: null, _kept);
            }
        }

        ImmutableArray<OvpnRemote> remotes;
        if (connectionBlocks > 0)
        {
            foreach (var remote in _topRemotes)
            {
                Warn(remote.Location, $"'remote {remote.Host}': ignored because the profile has <connection> blocks (OpenVPN ignores it too)");
            }

            remotes = [.. _connectionRemotes];
        }
        else
        {
            remotes = [.. _topRemotes.Select(r => r.Resolve(_global, []))];
        }

        CheckWhole(remotes);

        var sorted = _diagnostics
            .Select((d, i) => (d, i))
            .OrderBy(x => x.d.Location.Line)
            .ThenBy(x => x.i)
            .Select(x => x.d)
            .ToImmutableArray();
        if (sorted.Any(d => d.IsError))
        {
            return new OvpnImportResult(null, remotes, sorted);
        }

        var profile = new OvpnProfile
        {
            SourceFile = _file,
            Remotes = remotes,
            Directives = [.. _kept],
            UsesConnectionBlocks = connectionBlocks > 0,
            NeedsCredentials = _needsCredentials,
            NeedsKeyPassphrase = _needsKeyPassphrase,
        };
        return new OvpnImportResult(profile, remotes, sorted);
    }

    /// <summary>Checks that need the whole file: a client with at least one remote, one key direction.</summary>
    private void CheckWhole(ImmutableArray<OvpnRemote> remotes)
    {
        var start = new OvpnLocation(_file, 1);
        if (!_client)
        {
            Error(start, "not a TLS client profile: 'client' (or 'tls-client') is missing");
        }

        if (remotes.IsEmpty)
        {
            Error(start, "no remote: the profile names no server to connect to");
        }

        if (_keyDirection is { } explicitDirection && _tlsAuthDirection is { } tlsAuth && explicitDirection.Direction != tlsAuth.Direction)
        {
            Error(explicitDirection.Location, $"'key-direction {explicitDirection.Direction}' contradicts 'tls-auth … {tlsAuth.Direction}' on line {tlsAuth.Location.Line}");
        }

        if (_tlsAuthDirection is { } direction && _keyDirection is null)
        {
            // The file's tls-auth became an inline block, which takes its direction from key-direction.
            _kept.Add(new OvpnDirective("key-direction", [direction.Direction.ToString(CultureInfo.InvariantCulture)], direction.Location));
        }
    }

    private void JudgeConnection(OvpnDirective block)
    {
        // A <connection> starts from the global endpoint settings as they stand where the block is
        // written (OpenVPN copies options->ce); later top-level proto/port do not reach it.
        var scope = _global.Copy();
        var options = new List<OvpnDirective>();
        foreach (var directive in block.Block)
        {
            Judge(directive, scope, options);
        }

        if (scope.Host is null)
        {
            Error(block.Location, "<connection> block without a remote");
            return;
        }

        _connectionRemotes.Add(new PendingRemote(scope.Host, null, null, scope.HostLocation ?? block.Location).Resolve(scope, [.. options]));
    }

    private void Error(OvpnLocation location, string message) => _diagnostics.Add(OvpnDiagnostic.Error(location, message));

    private void Warn(OvpnLocation location, string message) => _diagnostics.Add(OvpnDiagnostic.Warning(location, message));

    /// <summary>OpenVPN's connection entry as far as Galaxy tracks it: remote host, remote port, protocol.</summary>
    private sealed class Endpoint
    {
        public string? Host { get; set; }

        public OvpnLocation? HostLocation { get; set; }

        public int? Port { get; set; }

        public (OvpnTransport Transport, int? IpVersion)? Protocol { get; set; }

        public Endpoint Copy() => new() { Port = Port, Protocol = Protocol };
    }

    /// <summary>A <c>remote</c> line before the inherited port and protocol are applied.</summary>
    private sealed record PendingRemote(string Host, int? Port, (OvpnTransport Transport, int? IpVersion)? Protocol, OvpnLocation Location)
    {
        public OvpnRemote Resolve(Endpoint scope, ImmutableArray<OvpnDirective> options)
        {
            var protocol = Protocol ?? scope.Protocol ?? (OvpnTransport.Udp, null);
            return new OvpnRemote(Host, Port ?? scope.Port ?? 1194, protocol.Transport, protocol.IpVersion, Location, options);
        }
    }
}
