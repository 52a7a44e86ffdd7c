namespace Galaxy.Agent.Provisioning.OpenVpn;

/// <summary>
/// <c>install.sh</c>: a POSIX sh script (Alpine has no bash) that installs the server on a Debian/Ubuntu
/// or Alpine host, as root, from the folder it sits in. It copies only what the server needs to
/// <c>/etc/openvpn/server</c> (never the CA key, never the client profile), turns on IPv4 forwarding,
/// masquerades the tunnel subnet out of the default-route interface with its own nftables table (loaded
/// by a small boot service of its own, so the distribution's firewall files stay untouched) and enables
/// the OpenVPN service. Running it again updates the same files.
/// </summary>
internal static class VpsInstallScript
{
    public const string FileName = "install.sh";

    public static string Render(VpsServerSpec spec) => $$"""
        #!/bin/sh
        # Installs the OpenVPN server "{{spec.Name}}" made by `galaxy vps openvpn` on a Debian/Ubuntu or Alpine host.
        # Run as root from the folder holding this script:  sh install.sh
        # The CA key (ca.key) stays here: keep it offline; the server does not need it.
        set -eu

        NAME='{{spec.Name}}'
        PORT={{spec.Endpoint.Port}}
        PROTO={{spec.ProtocolName}}
        SUBNET={{spec.Subnet}}
        CONF_DIR=/etc/openvpn/server
        NFT_FILE=/etc/galaxy-openvpn.nft

        die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

        [ "$(id -u)" -eq 0 ] || die "run me as root"
        cd "$(dirname "$0")"
        for file in {{VpsServerBundle.CaCertificate}} {{VpsServerBundle.ServerCertificate}} {{VpsServerBundle.ServerKey}} {{VpsServerBundle.TlsCryptKeyFile}} {{VpsServerConfig.FileName}}; do
          [ -f "$file" ] || die "$file is missing next to install.sh"
        done

        if [ -f /etc/alpine-release ]; then
          OS=alpine
        elif [ -f /etc/debian_version ]; then
          OS=debian
        else
          die "only Debian, Ubuntu and Alpine hosts are supported"
        fi

        echo "==> installing openvpn and nftables ($OS)"
        case $OS in
          debian)
            export DEBIAN_FRONTEND=noninteractive
            apt-get update -q
            apt-get install -y -q --no-install-recommends openvpn nftables iproute2
            ;;
          alpine)
            apk add --no-cache openvpn nftables iproute2
            modprobe tun 2>/dev/null || true
            grep -qx tun /etc/modules 2>/dev/null || echo tun >>/etc/modules
            ;;
        esac

        # server.conf drops privileges to nobody:nogroup (Debian has nogroup; Alpine may not).
        grep -q '^nogroup:' /etc/group || addgroup -S nogroup 2>/dev/null || groupadd -r nogroup

        echo "==> copying the server's files to $CONF_DIR"
        mkdir -p "$CONF_DIR"
        chmod 0755 "$CONF_DIR"
        for file in {{VpsServerBundle.CaCertificate}} {{VpsServerBundle.ServerCertificate}} {{VpsServerConfig.FileName}}; do
          cp "$file" "$CONF_DIR/$file" && chmod 0644 "$CONF_DIR/$file"
        done
        for file in {{VpsServerBundle.ServerKey}} {{VpsServerBundle.TlsCryptKeyFile}}; do
          (umask 077 && cp "$file" "$CONF_DIR/$file") && chmod 0600 "$CONF_DIR/$file"
        done

        echo "==> enabling IPv4 forwarding"
        mkdir -p /etc/sysctl.d
        echo 'net.ipv4.ip_forward = 1' >/etc/sysctl.d/99-galaxy-openvpn.conf
        sysctl -w net.ipv4.ip_forward=1 >/dev/null

        WAN=$(ip -4 route show default | awk '{ for (i = 1; i < NF; i++) if ($i == "dev") { print $(i + 1); exit } }')
        [ -n "$WAN" ] || die "no IPv4 default route: cannot tell which interface faces the internet"
        echo "==> masquerading $SUBNET out of $WAN"
        cat >"$NFT_FILE" <<EOF
        # Made by install.sh of galaxy vps openvpn ($NAME): the tunnel's clients leave through $WAN.
        table ip galaxy_openvpn
        delete table ip galaxy_openvpn
        table ip galaxy_openvpn {
        	chain postrouting {
        		type nat hook postrouting priority srcnat; policy accept;
        		ip saddr $SUBNET oifname "$WAN" masquerade
        	}
        }
        EOF
        nft -f "$NFT_FILE"

        echo "==> enabling the service"
        case $OS in
          debian)
            cat >/etc/systemd/system/galaxy-openvpn-nat.service <<EOF
        [Unit]
        Description=Masquerade for the OpenVPN server made by galaxy vps openvpn
        Before=openvpn-server@server.service

        [Service]
        Type=oneshot
        ExecStart=/usr/sbin/nft -f $NFT_FILE
        RemainAfterExit=yes

        [Install]
        WantedBy=multi-user.target
        EOF
            systemctl daemon-reload
            systemctl enable galaxy-openvpn-nat.service
            systemctl enable openvpn-server@server.service
            systemctl restart openvpn-server@server.service
            ;;
          alpine)
            mkdir -p /etc/local.d
            printf '#!/bin/sh\nexec nft -f %s\n' "$NFT_FILE" >/etc/local.d/galaxy-openvpn.start
            chmod 0755 /etc/local.d/galaxy-openvpn.start
            rc-update add local default >/dev/null
            # An OpenRC instance of the openvpn service reads /etc/openvpn/server.conf, which moves into
            # the server folder so that the files named there are found.
            printf 'cd %s\nconfig %s\n' "$CONF_DIR" {{VpsServerConfig.FileName}} >/etc/openvpn/server.conf
            ln -sf openvpn /etc/init.d/openvpn.server
            rc-update add openvpn.server default >/dev/null
            rc-service openvpn.server restart
            ;;
        esac

        echo "==> done: OpenVPN listens on $PORT/$PROTO."
        echo "    If this host or its provider has a firewall, allow $PROTO port $PORT in and forwarding from tun0."
        echo "    Give $NAME.ovpn to the client (galaxy ovpn check $NAME.ovpn)."

        """.Replace("\r\n", "\n", StringComparison.Ordinal);
}
