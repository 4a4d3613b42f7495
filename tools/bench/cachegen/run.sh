#!/usr/bin/env bash
# Cache generator benchmark: a private PostgreSQL cluster (tests/testing/pg_tmp.sh), a
# Fedora-scale synthetic catalog (mm-gen-dataset), catalog serving it on a kernel-chosen
# loopback port, then generate-mirrorlist-cache RUNS times. Prints the load time, and per run
# the generation wall time, the output size and the peak RSS of cachegen; at the end catalog's
# peak RSS and the verdict against the targets (<= 15 s wall, <= 400 MB catalog + cachegen).
#
#   tools/bench/cachegen/run.sh BIN_DIR [--runs N] [--keep] [-- mm-gen-dataset options...]
#   ninja -C build bench_cachegen            (the same with the default options)
set -euo pipefail
bin=${1:?usage: run.sh BIN_DIR [--runs N] [--keep] [-- gen-dataset options]}
shift
runs=3
keep=0
gen_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    --) shift; gen_args=("$@"); break ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../../.." && pwd)
for b in mm2-catalog mm-gen-dataset generate-mirrorlist-cache; do
  [ -x "$bin/$b" ] || { echo "missing $bin/$b (build it first)" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "needs GNU time (/usr/bin/time, package 'time')" >&2; exit 2; }

work=$(mktemp -d /tmp/bench_cachegen.XXXXXX)
catalog_pid=""
cleanup() {
  if [ -n "$catalog_pid" ]; then kill "$catalog_pid" 2>/dev/null || true; wait "$catalog_pid" 2>/dev/null || true; fi
  bash "$src/tests/testing/pg_tmp.sh" stop "$work/pg" >/dev/null 2>&1 || true
  if [ "$keep" = 0 ]; then rm -rf "$work"; else echo "kept $work"; fi
}
trap cleanup EXIT

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
bash "$src/tests/testing/pg_tmp.sh" start "$work/pg"
port=$(cat "$work/pg/port")
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
"$PGBIN/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -c "CREATE DATABASE mm"
export MM2_CONFIG=/dev/null
export MM2_SQLALCHEMY_DATABASE_URI="postgresql://postgres@127.0.0.1:$port/mm"
"$bin/mm2-catalog" migrate 2>/dev/null

start=$(date +%s.%N)
"$bin/mm-gen-dataset" --db "$MM2_SQLALCHEMY_DATABASE_URI" "${gen_args[@]}" | tee "$work/load.txt" | grep -E "^(loading|rows (host|directory|file_detail|host_category_dir))"
calc() { awk "BEGIN { print $* }"; }
load=$(calc "$(date +%s.%N) - $start")
printf 'load time: %.1f s\n' "$load"

"$bin/mm2-catalog" serve --listen 127.0.0.1:0 --http-listen 127.0.0.1:0 >"$work/catalog.log" 2>&1 &
catalog_pid=$!
grpc_port=""
for _ in $(seq 1 100); do
  grpc_port=$(grep -o 'gRPC on port [0-9]*' "$work/catalog.log" | awk '{print $4}' || true)
  [ -n "$grpc_port" ] && break
  sleep 0.1
done
[ -n "$grpc_port" ] || { cat "$work/catalog.log" >&2; exit 1; }

best=""
peak=0
for i in $(seq 1 "$runs"); do
  /usr/bin/time -f '%e %M' -o "$work/time.txt" \
    "$bin/generate-mirrorlist-cache" --catalog "127.0.0.1:$grpc_port" -o "$work/mirrorlist_cache.proto" \
    2>"$work/cachegen.log" || { cat "$work/cachegen.log" >&2; exit 1; }
  read -r wall rss_kb <"$work/time.txt"
  size=$(stat -c %s "$work/mirrorlist_cache.proto")
  printf 'run %d: generation %.2f s wall, output %d bytes (%.1f MiB), cachegen peak RSS %.1f MiB\n' \
    "$i" "$wall" "$size" "$(calc "$size/1048576")" "$(calc "$rss_kb/1024")"
  if [ -z "$best" ] || [ "$(calc "$wall < $best")" = 1 ]; then best=$wall; fi
  [ "$rss_kb" -gt "$peak" ] && peak=$rss_kb
done
catalog_kb=$(awk '/VmHWM/ {print $2}' "/proc/$catalog_pid/status")
printf 'catalog peak RSS: %.1f MiB\n' "$(calc "$catalog_kb/1024")"
total_mb=$(calc "($catalog_kb + $peak)/1024")
printf 'best generation: %.2f s wall (target <= 15 s); peak RSS catalog + cachegen: %.1f MiB (target <= 400 MB)\n' \
  "$best" "$total_mb"
"$bin/generate-mirrorlist-cache" inspect "$work/mirrorlist_cache.proto" | sed -n '3,30p'
if [ "$(calc "$best <= 15")" = 1 ] && [ "$(calc "$total_mb * 1048576 <= 400000000")" = 1 ]; then
  echo "targets: met"
else
  echo "targets: NOT met"
fi
