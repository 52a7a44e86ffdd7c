namespace Galaxy.Netlink.Core.Interop;

/// <summary>The errno values this library reacts to or names (Linux, all architectures Galaxy runs on).</summary>
internal static class Errno
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int ESRCH = 3;
    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int EBUSY = 16;
    public const int EEXIST = 17;
    public const int ENODEV = 19;
    public const int EINVAL = 22;
    public const int ERANGE = 34;
    public const int ERESTART = 85;
    public const int EMSGSIZE = 90;
    public const int EPROTONOSUPPORT = 93;
    public const int EOPNOTSUPP = 95;
    public const int ENOBUFS = 105;
    public const int ETIMEDOUT = 110;
    public const int ENETUNREACH = 101;

    /// <summary>The symbolic name (<c>EEXIST</c>) of an errno, or <c>errno N</c>.</summary>
    public static string Name(int errno) => errno switch
    {
        EPERM => "EPERM",
        ENOENT => "ENOENT",
        ESRCH => "ESRCH",
        EINTR => "EINTR",
        EAGAIN => "EAGAIN",
        EBUSY => "EBUSY",
        EEXIST => "EEXIST",
        ENODEV => "ENODEV",
        EINVAL => "EINVAL",
        ERANGE => "ERANGE",
        ERESTART => "ERESTART",
        EMSGSIZE => "EMSGSIZE",
        EPROTONOSUPPORT => "EPROTONOSUPPORT",
        EOPNOTSUPP => "EOPNOTSUPP",
        ENOBUFS => "ENOBUFS",
        ETIMEDOUT => "ETIMEDOUT",
        ENETUNREACH => "ENETUNREACH",
        _ => $"errno {errno}",
    };
}
