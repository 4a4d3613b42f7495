# Sourced by tests/testing/pg_tmp.sh, tools/demo/run and the benchmark scripts.
# free_port: prints a TCP port that no socket uses, below the kernel's ephemeral range (so that
# outgoing connections of other programs cannot take it between this check and the bind).
free_port() {
  local low port
  low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  for _ in $(seq 1 100); do
    port=$(( 10000 + RANDOM % (low - 10000) ))
    if ! ss -Hatn "( sport = :$port or dport = :$port )" 2>/dev/null | grep -q .; then
      echo "$port"; return 0
    fi
  done
  echo "free_port: no free port" >&2
  return 1
}
