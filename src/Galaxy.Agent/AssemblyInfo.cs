// Galaxy runs on Linux only: netlink, TPROXY, splice, SO_PEERCRED. Said once here instead of at every call site.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
