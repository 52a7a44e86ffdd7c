using System.Collections.Immutable;
using System.Text;

namespace Galaxy.Agent.Portal;

/// <summary>One file of a rendering: its path under the portal folder (with '/'), its bytes, and whether it is executable.</summary>
internal sealed record RenderedFile(string Path, ImmutableArray<byte> Content, bool Executable)
{
    public static RenderedFile Text(string path, string text, bool executable = false) =>
        new(path, [.. Encoding.UTF8.GetBytes(text)], executable);
}

/// <summary>What <c>portal render</c> produces: every file of the portal folder, sorted by path (deterministic).</summary>
internal sealed record RenderedTree(ImmutableArray<RenderedFile> Files)
{
    /// <summary>Writes every file under <paramref name="root"/> (which should be empty), with its executable bit.</summary>
    public void WriteTo(string root)
    {
        foreach (var file in Files)
        {
            var target = System.IO.Path.Combine(root, file.Path);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
            File.WriteAllBytes(target, file.Content.AsSpan());
            File.SetUnixFileMode(target, file.Executable
                ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute
                : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }
    }
}
