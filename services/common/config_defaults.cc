// The defaults every MirrorManager component starts from, written in the configuration syntax
// itself. Upstream keys keep upstream's names and values (mm2-web-and-data.md §5,
// mm2-backend.md §0.2); keys this project adds are at the end. Add new keys here: a key that is
// not listed is reported as unknown when a configuration file sets it.
namespace mm::common {

extern const char kConfigDefaults[] = R"mmcfg(
# ---- MirrorManager2 (mirrormanager2/default_config.py) ----
PERMANENT_SESSION_LIFETIME = timedelta(hours=1)
SQLALCHEMY_DATABASE_URI = "sqlite:////var/tmp/mirrormanager2_dev.sqlite"
DB_MODELS_LOCATION = "mirrormanager2.lib.model"
DB_ALEMBIC_LOCATION = "mirrormanager2/lib/migrations"
ITEMS_PER_PAGE = 20
SECRET_KEY = "<insert here your own key>"
PASSWORD_SEED = "You'd better change it and keep it secret"
THEME_FOLDER = "fedora"
MM_AUTHENTICATION = "fas"
OIDC_CLIENT_SECRETS = "client_secrets.json"
OIDC_SCOPES = [
    "openid",
    "email",
    "profile",
    "https://id.fedoraproject.org/scope/groups",
    "https://id.fedoraproject.org/scope/agreements",
]
ADMIN_GROUP = ["sysadmin-main"]
ADMIN_EMAIL = "admin@fedoraproject.org"
EMAIL_FROM = "nobody@fedoraproject.org"
SMTP_SERVER = "localhost"
SMTP_USERNAME = None          # not in upstream's defaults
SMTP_PASSWORD = None          # not in upstream's defaults
MAIL_ADMIN = None             # not in upstream's defaults; code falls back to admin@fedoraproject.org
ACCESS_STATS_KEEP_DAYS = 30
EMBARGOED_COUNTRIES = ["CU", "IR", "KP", "SD", "SY"]
SHOW_MAPS = True
STATIC_MAP = "map.png"
INTERACTIVE_MAP = "mirrors.html"
SHOW_PROPAGATION = True
PROPAGATION_BASE = "/var/lib/mirrormanager/statistics/data/propagation"
PROPAGATION_KEEP_DAYS = 7
GEOIP_BASE = "/usr/share/GeoIP"
MASTER_RSYNC_ACL = False
MM_COOKIE_REQUIRES_HTTPS = True
MM_COOKIE_NAME = "MirrorManager"
MM_LOG_DIR = "/var/log/mirrormanager"
MM_PROTOCOL_REGEX = "^(?!ftp)(.*)$"
MM_IPV4_NETBLOCK_SIZE = "/16"
MM_IPV6_NETBLOCK_SIZE = "/32"
APPLICATION_URL = None
CHECK_SESSION_IP = True
CRAWLER_RSYNC_PARAMETERS = "--no-motd --timeout 14400"
CRAWLER_AUTO_DISABLE = 4
CRAWLER_SEND_EMAIL = False    # not in upstream's defaults; absent means False
CRAWLER_LOG_DIR = None        # legacy key of older configs; MM_LOG_DIR/crawler is used
SKIP_PATHS_FOR_VERSION = ["pub/alt"]
BODHI_URL = "https://bodhi.fedoraproject.org"
USE_FEDORA_MESSAGING = True
MAX_STALE_DAYS = 4
UMDL_PREFIX = ""
UMDL_MASTER_DIRECTORIES = []
HEALTHZ = {
    "live": "mirrormanager2.health_checks.liveness",
    "ready": "mirrormanager2.health_checks.readiness",
}

# ---- Flask / Flask-WTF / flask-oidc keys that deployments set (library defaults) ----
DEBUG = False
TESTING = False
SERVER_NAME = None
PREFERRED_URL_SCHEME = "http"
APPLICATION_ROOT = "/"
SESSION_COOKIE_NAME = "session"
SESSION_COOKIE_SECURE = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = None
WTF_CSRF_ENABLED = True
WTF_CSRF_TIME_LIMIT = 3600
OIDC_ID_TOKEN_COOKIE_SECURE = True

# ---- mirrormanager-cpp additions ----
# Where workers and the web gateway reach the catalog gRPC API.
CATALOG_ADDRESS = "127.0.0.1:50051"
# catalog serve: gRPC and HTTP (healthz, metrics) listen addresses.
CATALOG_LISTEN = "127.0.0.1:50051"
CATALOG_HTTP_LISTEN = "127.0.0.1:8081"
# Connections catalog keeps open to PostgreSQL.
CATALOG_DB_POOL_SIZE = 8
# catalog's PostgreSQL timeouts, in seconds (0 = no limit). CONNECT_TIMEOUT bounds opening a
# connection; with KEEPALIVES_IDLE, TCP keepalives start after that much idleness and a dead
# server is given up after KEEPALIVES_IDLE + 30 (0 = keepalives off). A connect_timeout or
# keepalives* in SQLALCHEMY_DATABASE_URI wins. STATEMENT_TIMEOUT is every statement's limit;
# the long transactions (cachegen's snapshot export, UMDL's per-category apply) run under
# BULK_STATEMENT_TIMEOUT instead, and migrations under none.
CATALOG_DB_CONNECT_TIMEOUT = 10
CATALOG_DB_KEEPALIVES_IDLE = 30
CATALOG_DB_STATEMENT_TIMEOUT = 60
CATALOG_DB_BULK_STATEMENT_TIMEOUT = 1800
# Client side of every catalog call: per-attempt deadline (seconds) and attempts on UNAVAILABLE.
CATALOG_RPC_TIMEOUT = 60
CATALOG_RPC_ATTEMPTS = 5
# Batch workers: serve /metrics on this address while running (None = not served) and/or push
# to a Prometheus Pushgateway at the end of a run (None = no push).
METRICS_LISTEN = None
PUSHGATEWAY_URL = None
# Netblocks sources for mm2_get-netblocks (http://, https://, file:// or an absolute path; None
# skips a global source). {year}, {month} and {day} become yesterday's date (UTC) and {router}
# each of NETBLOCKS_INTERNET2_ROUTERS. A URL ending in "/" is a directory index: the newest
# rib.<digits>.<digits>.bz2 listed there is read (upstream's rule). bzip2, gzip or plain MRT.
NETBLOCKS_GLOBAL_IPV4_URL = "http://ftp.routeviews.org/dnszones/rib.bz2"
NETBLOCKS_GLOBAL_IPV6_URL = "http://archive.routeviews.org/route-views6/bgpdata/{year}.{month}/RIBS/"
NETBLOCKS_INTERNET2_URL = "http://routes.net.internet2.edu/bgp/RIBS/{router}/{year}/{month}/{day}/"
NETBLOCKS_INTERNET2_ROUTERS = ["ATLA", "CHIC", "HOUS", "KANS", "LOSA", "NEWY", "SALT", "SEAT", "WASH"]
# Largest decompressed size accepted per RIB dump, in bytes (bz2 bomb guard).
NETBLOCKS_MAX_BYTES = 68719476736
# Most distinct prefixes accepted in one table (a full routing table has about 1.3 million);
# more means the input is not a plausible RIB, and the run fails instead of growing its memory.
NETBLOCKS_MAX_PREFIXES = 5000000
# CA bundle (PEM file) trusted for https:// netblocks sources and EC2_IP_RANGES_URL
# (None = the system store). Certificates are always verified.
NETBLOCKS_CA_BUNDLE = None
# Threads decoding bzip2 blocks in parallel (0 = one per available CPU, 1 = sequential libbz2).
NETBLOCKS_THREADS = 0
# mm2_update-EC2-netblocks: the AWS ranges document (http://, https://, file:// or a path).
EC2_IP_RANGES_URL = "https://ip-ranges.amazonaws.com/ip-ranges.json"
# Crawler (mm2_crawler). Processes given the same crawl id share one crawl through leases (for
# example the Kubernetes Job name via MM2_CRAWLER_CRAWL_ID); None = each process crawls alone.
CRAWLER_CRAWL_ID = None
# Lease duration (seconds); leases are renewed while a host is crawled, and a crashed crawler's
# hosts are taken over by the others once their lease expired.
CRAWLER_LEASE_SECONDS = 300
# Network timeout (seconds), like upstream's socket timeout: for connecting (HTTP(S), FTP,
# rsync) and for a transfer that receives nothing; a transfer that keeps receiving may take
# longer (a large fullfiletimelist on a slow link), up to the host/global deadline.
CRAWLER_HTTP_TIMEOUT = 10
# The master's directory tree of a category is fetched from catalog again when the copy in hand
# is older than this (seconds), so a long crawl follows the UMDL runs that happen meanwhile.
CRAWLER_TREE_REFRESH_SECONDS = 600
# "Try later" answers (timeouts, FTP 421/425/500/530) are retried this often with capped
# exponential back-off and full jitter (maximum wait in seconds), then the next URL is used.
CRAWLER_RETRY_ATTEMPTS = 10
CRAWLER_RETRY_MAX_WAIT = 10
# Decide a category from the mirror's own fullfiletimelist-* when it has one (one request).
CRAWLER_USE_FULLFILETIMELIST = True
CRAWLER_FFT_MAX_BYTES = 1073741824
CRAWLER_RSYNC_BINARY = "rsync"
# CA bundle for HTTPS mirrors and the SMTP server's STARTTLS (None = the system store).
CRAWLER_CA_BUNDLE = None
# Per-category crawl history (mm_crawl_history) and finished crawl leases are kept this long.
CRAWLER_HISTORY_KEEP_DAYS = 7
# GeoIP country database for --continent and embargo checks
# (None = GEOIP_BASE/GeoLite2-Country.mmdb), the country -> continent table (None = built in),
# and whether embargoed countries are checked on every crawl instead of only with --continent.
CRAWLER_GEOIP_DATABASE = None
CRAWLER_COUNTRY_CONTINENT_CSV = None
CRAWLER_CHECK_EMBARGO = False
# fedora-messaging (MirrorManager2 publishes through the fedora-messaging library, configured in
# its own config.toml): the broker (amqp://user:password@host:port/vhost, or amqps:// for TLS;
# None = no broker: the crawler logs its HostCrawlerDisabledV1 events instead), the topic
# exchange, a prefix put before every topic (fedora-messaging's topic_prefix), for amqps:// the
# CA file to verify the broker against (None = the system store) and a client certificate and
# key (PEM files), and the time limit (seconds) of connecting and of each wait for the broker.
# A message gets 3 attempts on connection errors and timeouts.
FEDORA_MESSAGING_AMQP_URL = None
FEDORA_MESSAGING_EXCHANGE = "amq.topic"
FEDORA_MESSAGING_TOPIC_PREFIX = ""
FEDORA_MESSAGING_CA_CERT = None
FEDORA_MESSAGING_CERT = None
FEDORA_MESSAGING_KEY = None
FEDORA_MESSAGING_TIMEOUT = 10
# web-gateway listen address.
WEB_LISTEN = "127.0.0.1:8080"
# web-gateway: HTTP worker threads; seconds the public snapshot (products, versions, arches,
# categories, countries, public mirrors) is kept before it is fetched again (0 = every request);
# one structured access-log line per request.
WEB_THREADS = 2
WEB_CACHE_SECONDS = 10
WEB_ACCESS_LOG = True
# web-gateway /crawler/<id>.log: most bytes of a crawler log served; a longer log is served from
# its last WEB_CRAWLER_LOG_MAX_BYTES bytes (from the first whole line), after a one-line note.
WEB_CRAWLER_LOG_MAX_BYTES = 8388608
# web-gateway /xmlrpc limits: compressed payload (bytes of the base64 argument; the XML body may
# be 64 KiB larger), bz2-decompressed payload
# (bytes; a bz2 bomb stops there) and directories per check-in (all categories together).
CHECKIN_MAX_PAYLOAD_BYTES = 16777216
CHECKIN_MAX_DECOMPRESSED_BYTES = 67108864
CHECKIN_MAX_DIRECTORIES = 250000
# catalog: seconds a successful site-password verification is remembered (0 = always run
# argon2id). Keyed by site id and a keyed digest of the password; a new hash invalidates it.
CHECKIN_AUTH_CACHE_SECONDS = 600
# generate-mirrorlist-cache: the cache file (-o/--outfile wins), the deadline of one catalog
# snapshot stream (seconds), rows per streamed chunk (0 = catalog's default), the time budget
# for resolving all host-name netblocks together (seconds) and how many lookups run at once,
# and whether the new file is read back (as mirrorlist-server would) before it replaces the old.
CACHEGEN_OUTFILE = "/var/lib/mirrormanager/mirrorlist_cache.proto"
CACHEGEN_STREAM_TIMEOUT = 1800
CACHEGEN_BATCH_ROWS = 0
CACHEGEN_DNS_TIMEOUT = 10
CACHEGEN_DNS_PARALLELISM = 16
CACHEGEN_VERIFY = True
# UMDL: longest run of one `rsync` listing (seconds; the process is killed after it), and the
# deadline of one category's catalog transaction (seconds).
UMDL_RSYNC_TIMEOUT = 14400
UMDL_APPLY_TIMEOUT = 1800
)mmcfg";

}  // namespace mm::common
