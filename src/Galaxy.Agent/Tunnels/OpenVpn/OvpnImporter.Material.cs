namespace Galaxy.Agent.Tunnels.OpenVpn;

/// <summary>Key and certificate material: read from the profile's folder, checked, kept as inline blocks.</summary>
internal sealed partial class OvpnImporter
{
    /// <summary>Keeps a file-material directive as an inline block: its own block, or the file it names inside the folder.</summary>
    private void KeepMaterial(OvpnDirective directive, List<OvpnDirective> kept)
    {
        var shown = Shown(directive);
        var text = directive.Inline;
        if (text is null)
        {
            var reference = directive.Arguments[0];
            if (directive.Name == "tls-auth" && directive.Arguments.Length == 2)
            {
                if (ParseDirection(directive, directive.Arguments[1]) is not { } direction)
                {
                    return;
                }

                _tlsAuthDirection = (direction, directive.Location);
            }

            if (_folder is null)
            {
                Error(directive.Location, $"{shown}: names a file, and this profile has no folder to read it from");
                return;
            }

            var read = _folder.Read(reference);
            if (read.Content is null)
            {
                Error(directive.Location, $"{shown}: {read.Error}");
                return;
            }

            string? decodeProblem = null;
            text = directive.Name == "pkcs12" ? Base64Lines(read.Content) : DecodeMaterial(read.Content, out decodeProblem);
            if (text is null)
            {
                Error(directive.Location, $"{shown}: {decodeProblem}");
                return;
            }
        }

        if (CheckMaterial(directive, text) is { } problem)
        {
            Error(directive.Location, $"{shown}: {problem}");
            return;
        }

        kept.Add(new OvpnDirective(directive.Name, [], directive.Location) { Inline = text });
    }

    /// <summary>Material written between <c>&lt;name&gt;</c> and <c>&lt;/name&gt;</c> must read back as the same lines.</summary>
    private static string? CheckMaterial(OvpnDirective directive, string text)
    {
        var closeTag = $"</{directive.Name}>";
        var number = 0;
        foreach (var line in text.Split('\n'))
        {
            number++;
            if (OvpnQuoting.ByteLength(line) > OvpnParser.MaxLineBytes)
            {
                return $"line {number} of the material is longer than {OvpnParser.MaxLineBytes} bytes";
            }

            if (line.Any(c => char.IsControl(c) && c != '\t'))
            {
                return $"line {number} of the material holds a control character";
            }

            if (line.TrimStart(' ', '\t').StartsWith(closeTag, StringComparison.Ordinal))
            {
                return $"line {number} of the material would close the {closeTag} block";
            }
        }

        return null;
    }

    private static string? DecodeMaterial(byte[] content, out string? problem)
    {
        try
        {
            var text = new System.Text.UTF8Encoding(false, true).GetString(content).Replace("\r\n", "\n", StringComparison.Ordinal);
            problem = null;
            return text.Length == 0 || text.EndsWith('\n') ? text : text + "\n";
        }
        catch (System.Text.DecoderFallbackException)
        {
            problem = "the file is not text (binary key material is only accepted for pkcs12)";
            return null;
        }
    }

    /// <summary>An inline <c>&lt;pkcs12&gt;</c> holds the PKCS#12 file in base64.</summary>
    private static string Base64Lines(byte[] content)
    {
        var base64 = Convert.ToBase64String(content);
        var lines = new System.Text.StringBuilder();
        for (var i = 0; i < base64.Length; i += 64)
        {
            lines.Append(base64.AsSpan(i, Math.Min(64, base64.Length - i))).Append('\n');
        }

        return lines.ToString();
    }
}
