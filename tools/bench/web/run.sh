#!/usr/bin/env bash
# Web gateway benchmark (issue 8): a private PostgreSQL cluster, catalog and web gateway on
# loopback, a seeded catalog (420 public + 200 private hosts, 2,000 directories), then
#   * wrk on /, /mirrors and /mirrors/Fedora/27/x86_64 (DURATION seconds each, default 30),
#   * a check-in storm: CHECKINS check-ins (default 1000) of 2,000 directories each.
# Usage: tools/bench/web/run.sh BUILD_DIR [DURATION]
# Environment: WRK_THREADS (2), WRK_CONNECTIONS (32), CHECKINS (1000), STORM_CONCURRENCY (8),
#              STORM_SITES (100) x STORM_HOSTS_PER_SITE (2) private hosts check in (STORM_SITES=500
#              makes every one of 1,000 check-ins a host's first: 2,000 inserts and, per site, one
#              argon2id verification), WEB_THREADS (2), KEEP=1 keeps the cluster and servers running.
set -euo pipefail
build=$(cd "${1:?build dir}" && pwd)
duration=${2:-30}
src=$(cd "$(dirname "$0")/../../.." && pwd)
bin=$build/bin
work=$(mktemp -d /tmp/mm_bench_web.XXXXXX)
state=$work/pg
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  bash "$src/tests/testing/pg_tmp.sh" stop "$state" || true
  rm -rf "$work"
}
[ "${KEEP:-0}" = 1 ] || trap cleanup EXIT
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }

source "$src/tests/testing/free_port.sh"

bash "$src/tests/testing/pg_tmp.sh" start "$state"
conninfo=$(cat "$state/conninfo")
pgport=$(sed 's/.*port=\([0-9]*\).*/\1/' <<<"$conninfo")
psql "$conninfo" -qc "CREATE DATABASE mm_bench" >/dev/null
grpc=$(free_port); chttp=$(free_port); web=$(free_port)
cat > "$work/mm.cfg" <<CFG
SQLALCHEMY_DATABASE_URI = "postgresql://postgres@127.0.0.1:$pgport/mm_bench"
CATALOG_LISTEN = "127.0.0.1:$grpc"
CATALOG_HTTP_LISTEN = "127.0.0.1:$chttp"
CATALOG_ADDRESS = "127.0.0.1:$grpc"
WEB_LISTEN = "127.0.0.1:$web"
WEB_THREADS = ${WEB_THREADS:-2}
WEB_ACCESS_LOG = True
CFG
"$bin/mm2-catalog" -c "$work/mm.cfg" migrate >"$work/migrate.log" 2>&1

echo "== seeding"
psql "$conninfo dbname=mm_bench" -q -v ON_ERROR_STOP=1 -v storm_sites="${STORM_SITES:-100}" \
  -v storm_hosts="${STORM_HOSTS_PER_SITE:-2}" <<'SQL'
INSERT INTO product (name) VALUES ('Fedora'), ('EPEL');
INSERT INTO arch (name) VALUES ('x86_64'), ('aarch64'), ('ppc64le'), ('s390x'), ('source');
UPDATE arch SET publiclist = false WHERE name = 'source';
INSERT INTO version (name, product_id) SELECT v::text, 1 FROM generate_series(25, 41) v;
INSERT INTO version (name, product_id) VALUES ('rawhide', 1), ('8', 2), ('9', 2);
INSERT INTO directory (name, ctime) VALUES ('pub/fedora/linux', 0), ('pub/epel', 0);
INSERT INTO category (name, product_id, topdir_id)
  SELECT 'Fedora Linux', 1, id FROM directory WHERE name = 'pub/fedora/linux';
INSERT INTO category (name, product_id, topdir_id)
  SELECT 'Fedora EPEL', 2, id FROM directory WHERE name = 'pub/epel';
INSERT INTO directory (name, ctime)
  SELECT 'pub/fedora/linux/releases/' || v.name || '/Everything/' || a.name || '/os', 1000
  FROM version v CROSS JOIN arch a WHERE v.product_id = 1;
INSERT INTO directory (name, ctime)
  SELECT 'pub/fedora/linux/storm/d' || g, 2000 FROM generate_series(1, 1999) g;
INSERT INTO category_directory (category_id, directory_id)
  SELECT 1, id FROM directory WHERE name LIKE 'pub/fedora/linux/%';
INSERT INTO repository (name, prefix, category_id, version_id, arch_id, directory_id)
  SELECT 'Fedora ' || v.name || ' ' || a.name, 'fedora-' || v.name, 1, v.id, a.id, d.id
  FROM version v CROSS JOIN arch a
  JOIN directory d ON d.name = 'pub/fedora/linux/releases/' || v.name || '/Everything/' || a.name || '/os'
  WHERE v.product_id = 1;
INSERT INTO country (code) VALUES ('US'), ('FR'), ('DE'), ('JP'), ('BR'), ('CN'), ('GB'), ('IN'), ('AU'), ('CA');
-- 210 public sites with 2 hosts each (420 public hosts), 100 private sites with 2 hosts each.
INSERT INTO site (name, org_url, created_by) SELECT 'Site ' || g, 'https://site' || g || '.example.org', 'bench'
  FROM generate_series(1, 210) g;
INSERT INTO site (name, password, private, created_by) SELECT 'Storm Site ' || g, 'pw', true, 'bench'
  FROM generate_series(1, :storm_sites) g;
INSERT INTO site_admin (site_id, username) SELECT id, 'admin' || id FROM site;
INSERT INTO host (site_id, name, country, bandwidth_int, internet2, latitude, longitude)
  SELECT s.id, 'mirror' || s.id || '-' || h || '.example.org',
         (ARRAY['US','FR','DE','JP','BR','CN','GB','IN','AU','CA'])[1 + (s.id * 2 + h) % 10],
         100 * h, (s.id % 7 = 0), -60 + (s.id * 7) % 120, -170 + (s.id * 13) % 340
  FROM site s CROSS JOIN generate_series(1, 2) h WHERE NOT s.private;
INSERT INTO host (site_id, name, country, private)
  SELECT s.id, 'storm-' || substr(s.name, 12) || '-' || h || '.example.org', 'US', true
  FROM site s CROSS JOIN generate_series(1, :storm_hosts) h WHERE s.private;
INSERT INTO host_category (host_id, category_id) SELECT id, 1 FROM host;
INSERT INTO host_category_url (host_category_id, url)
  SELECT hc.id, 'http://' || h.name || '/pub/fedora/linux' FROM host_category hc JOIN host h ON h.id = hc.host_id
  WHERE NOT h.private;
INSERT INTO host_category_url (host_category_id, url)
  SELECT hc.id, 'https://' || h.name || '/pub/fedora/linux' FROM host_category hc JOIN host h ON h.id = hc.host_id
  WHERE NOT h.private AND h.id % 2 = 0;
INSERT INTO host_category_dir (host_category_id, path, directory_id, up2date)
  SELECT hc.id, substr(d.name, 18), d.id, true
  FROM host_category hc JOIN host h ON h.id = hc.host_id
  JOIN directory d ON d.name LIKE 'pub/fedora/linux/releases/%'
  WHERE NOT h.private;
INSERT INTO host_country (host_id, country_id)
  SELECT h.id, c.id FROM host h JOIN country c ON c.code = h.country WHERE h.id % 5 = 0;
ANALYZE;
SQL
psql "$conninfo dbname=mm_bench" -Atc "SELECT 'hosts: ' || count(*) || ' (' || count(*) FILTER (WHERE NOT private) || ' public), directories: ' || (SELECT count(*) FROM directory) || ', host_category_dir: ' || (SELECT count(*) FROM host_category_dir) FROM host"

"$bin/mm2-catalog" -c "$work/mm.cfg" serve >"$work/catalog.log" 2>&1 & pids+=($!)
"$bin/mm2-web-gateway" -c "$work/mm.cfg" >"$work/web.log" 2>&1 & pids+=($!)
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$web/healthz/ready" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -sf "http://127.0.0.1:$web/healthz/ready" >/dev/null
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "== gateway http://127.0.0.1:$web (WEB_THREADS=${WEB_THREADS:-2}), catalog 127.0.0.1:$grpc"

for path in / /mirrors /mirrors/Fedora/27/x86_64; do
  curl -sf -o /dev/null "http://127.0.0.1:$web$path"
  echo "== wrk -t${WRK_THREADS:-2} -c${WRK_CONNECTIONS:-32} -d${duration}s --latency $path"
  wrk -t"${WRK_THREADS:-2}" -c"${WRK_CONNECTIONS:-32}" -d"${duration}s" --latency \
      "http://127.0.0.1:$web$path" | grep -E "Latency|Requests/sec|requests in|Non-2xx|Socket errors|  50%|  90%|  99%"
done

echo "== check-in storm: ${CHECKINS:-1000} check-ins x 2000 directories, concurrency ${STORM_CONCURRENCY:-8}"
"$bin/web_checkin_storm" --url "http://127.0.0.1:$web/xmlrpc" --sites "${STORM_SITES:-100}" \
  --hosts-per-site "${STORM_HOSTS_PER_SITE:-2}" \
  --checkins "${CHECKINS:-1000}" --directories 2000 --concurrency "${STORM_CONCURRENCY:-8}"
psql "$conninfo dbname=mm_bench" -Atc "SELECT 'storm host_category_dir rows: ' || count(*) FROM host_category_dir d JOIN host_category hc ON hc.id = d.host_category_id JOIN host h ON h.id = hc.host_id WHERE h.private"
curl -s "http://127.0.0.1:$web/metrics" | grep -E '^mm_web_checkins_total\{result="(ok|error|limit)"\}'
[ "${KEEP:-0}" = 1 ] && echo "kept: $work (gateway http://127.0.0.1:$web)"
exit 0
