namespace Galaxy.Integration.Tests.Labs;

/// <summary>
/// tcpdump running on one interface of a lab host, writing a pcap file; <see cref="StopAsync"/> ends it
/// and returns the parsed packets.
/// </summary>
public sealed class PacketCapture
{
    private readonly LabProcess _tcpdump;
    private readonly string _file;

    private PacketCapture(LabProcess tcpdump, string file, string description)
    {
        _tcpdump = tcpdump;
        _file = file;
        Description = description;
    }

    public string Description { get; }

    internal static async Task<PacketCapture> StartAsync(LabHost host, string interfaceName, string? filter, string file)
    {
        // --immediate-mode: hand each packet over at once (TPACKET_V3 otherwise holds packets in a block until
        // its timeout, and a capture stopped right after the traffic would miss them); -U: write each packet
        // as it arrives; -Z root: keep the right to write the file; -s 262144: whole packets.
        List<string> argv = ["tcpdump", "-i", interfaceName, "-n", "--immediate-mode", "-U", "-Z", "root", "-s", "262144", "-w", file];
        if (!string.IsNullOrWhiteSpace(filter))
        {
            argv.Add(filter);
        }

        var tcpdump = host.Start(argv);
        await tcpdump.WaitForOutputAsync("listening on", TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        return new PacketCapture(tcpdump, file, $"{interfaceName} of {host}{(filter is null ? "" : $" [{filter}]")}");
    }

    /// <summary>The packets written so far, while the capture runs.</summary>
    public IReadOnlyList<CapturedPacket> Current() =>
        File.Exists(_file) && new FileInfo(_file).Length >= 24 ? PcapReader.ReadPrefix(File.ReadAllBytes(_file)) : [];

    /// <summary>Waits until a packet matching <paramref name="match"/> has been captured and returns it.</summary>
    public async Task<CapturedPacket> WaitForAsync(Func<CapturedPacket, bool> match, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var seen = Current();
            if (seen.FirstOrDefault(match) is { } packet)
            {
                return packet;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new LabException($"no {what} on {Description} within {timeout.TotalSeconds:0.#} s; saw:\n{CapturedPacket.Describe(seen)}");
            }

            await Task.Delay(20, TestContext.Current.CancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Stops tcpdump and parses everything it saw. It first lets the capture settle (the file has not
    /// grown for 200 ms, 2 s at most), so packets of traffic that just ended are not lost to the stop.
    /// </summary>
    public async Task<IReadOnlyList<CapturedPacket>> StopAsync()
    {
        var settleDeadline = DateTime.UtcNow + TimeSpan.FromSeconds(2);
        var lastLength = -1L;
        var stableSince = DateTime.UtcNow;
        while (!_tcpdump.HasExited && DateTime.UtcNow < settleDeadline)
        {
            var length = File.Exists(_file) ? new FileInfo(_file).Length : 0;
            if (length != lastLength)
            {
                lastLength = length;
                stableSince = DateTime.UtcNow;
            }
            else if (DateTime.UtcNow - stableSince >= TimeSpan.FromMilliseconds(200))
            {
                break;
            }

            await Task.Delay(25, CancellationToken.None).ConfigureAwait(false);
        }

        await _tcpdump.StopAsync(LabNative.SigInt, TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        if (!File.Exists(_file))
        {
            throw new LabException($"capture on {Description} wrote no file; {_tcpdump.Output()}");
        }

        return PcapReader.Read(await File.ReadAllBytesAsync(_file).ConfigureAwait(false));
    }
}
