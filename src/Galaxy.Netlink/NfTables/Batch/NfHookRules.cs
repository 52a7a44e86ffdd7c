namespace Galaxy.Netlink.NfTables;

/// <summary>
/// Which expressions the kernel accepts in which hooks (its *_validate callbacks). The kernel reports a
/// wrong-hook expression as EOPNOTSUPP with no ext-ack offset (measured: tproxy in output), so this
/// names the expression it most likely refused.
/// </summary>
internal static class NfHookRules
{
    /// <summary>
    /// The index of the first expression not allowed in <paramref name="chain"/>; when the chain is unknown
    /// (not added in this batch), the first hook-restricted expression; -1 when none.
    /// </summary>
    public static int Suspect(IReadOnlyList<NfExpression> expressions, NfBaseChain? chain)
    {
        var firstRestricted = -1;
        for (var i = 0; i < expressions.Count; i++)
        {
            var allowed = Allowed(expressions[i], chain);
            if (allowed is null)
            {
                continue;
            }

            if (firstRestricted < 0)
            {
                firstRestricted = i;
            }

            if (chain is not null && allowed == false)
            {
                return i;
            }
        }

        return chain is null ? firstRestricted : -1;
    }

    /// <summary>null: the expression is not hook-restricted; else whether <paramref name="chain"/> allows it.</summary>
    private static bool? Allowed(NfExpression expression, NfBaseChain? chain)
    {
        var hook = chain?.Hook;
        return expression switch
        {
            TproxyExpression => hook == NfHook.Prerouting,                    // nft_tproxy_validate
            MasqueradeExpression => hook == NfHook.Postrouting && chain!.Type == NfChainType.Nat, // nft_masq_validate
            SocketExpression => hook is NfHook.Prerouting or NfHook.Input or NfHook.Output, // nft_socket_validate
            RejectExpression => hook is NfHook.Input or NfHook.Forward or NfHook.Output or NfHook.Prerouting, // nft_reject_validate
            _ => null,
        };
    }
}
