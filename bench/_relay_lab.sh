# shellcheck shell=bash
# shellcheck disable=SC2154  # client, router, server, work, SERVER, WEB_PORT: set by the sourcing script
# The relay benchmarks' lab, shared by bench/relay.sh and bench/relay-profile.sh (sourced, not run):
#   client (198.51.100.2) — lan0 [router 198.51.100.1 | 203.0.113.1] wan0 — server ($SERVER)
# The caller sets client, router, server (namespace names with its unique prefix), work (a temporary
# folder), SERVER and WEB_PORT, and traps relay_lab_cleanup on EXIT.

in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# Kills every process in the lab's namespaces, deletes them and the work folder.
relay_lab_cleanup() {
  local ns
  for ns in "$client" "$router" "$server"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns delete "$ns" 2>/dev/null || true
  done
  rm -rf "$work"
}

# Three namespaces on two veth pairs, the router's "fwmark 0x1 → local" table for TPROXY, and room for
# many short connections in each.
relay_lab_topology() {
  local ns
  three_hop_lab "$client" "$router" "$server"
  ip -n "$client" address add 198.51.100.2/24 dev eth0
  ip -n "$router" address add 198.51.100.1/24 dev lan0
  ip -n "$router" address add 203.0.113.1/24 dev wan0
  ip -n "$server" address add "$SERVER/24" dev eth0
  ip -n "$client" route add default via 198.51.100.1
  ip -n "$server" route add default via 203.0.113.1
  ip -n "$router" rule add fwmark 0x1 lookup 100 priority 100
  ip -n "$router" route add local default dev lo table 100
  for ns in "$client" "$router" "$server"; do
    in_ns "$ns" sysctl -qw net.ipv4.ip_local_port_range="1024 65535" net.ipv4.tcp_tw_reuse=1 net.core.somaxconn=8192
  done
}

# Drops every TIME_WAIT socket in the lab's namespaces (sock_diag destroy, as `ss -K`), so that each short-connection
# run starts from the same state: otherwise the tens of thousands a run leaves behind (for 60 s) slow the next
# run, whichever path it measures, and the order of the paths would decide part of their figures.
relay_lab_forget_time_wait() {
  [[ -n ${KEEP_TIME_WAIT:-} ]] && return 0 # to compare with runs that keep them
  local ns
  for ns in "$client" "$router" "$server"; do in_ns "$ns" ss -K state time-wait >/dev/null 2>&1 || true; done
}

# The server's iperf3 and nginx (2 workers, no keepalive, a 100-byte file at /tiny.html on $SERVER:$WEB_PORT).
relay_lab_servers() {
  in_ns "$server" iperf3 -s -D >/dev/null
  mkdir -p "$work/www" "$work/nginx"
  chmod 755 "$work" "$work/www"  # nginx workers run unprivileged
  head -c 100 /dev/zero | tr '\0' 'g' >"$work/www/tiny.html"
  cat >"$work/nginx.conf" <<CONF
daemon on;
worker_processes 2;
worker_rlimit_nofile 20000;
pid $work/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 10000; }
http {
  access_log off;
  keepalive_timeout 0;
  client_body_temp_path $work/nginx/body; proxy_temp_path $work/nginx/proxy; fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi; scgi_temp_path $work/nginx/scgi;
  server { listen $SERVER:$WEB_PORT; root $work/www; }
}
CONF
  in_ns "$server" nginx -c "$work/nginx.conf" -p "$work/nginx" -e "$work/nginx/error.log"
}
