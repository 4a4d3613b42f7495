#include "services/cachegen/cli.h"

#include <memory>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "prometheus/registry.h"
#include "services/cachegen/catalog_client.h"
#include "services/cachegen/generator.h"
#include "services/cachegen/inspect.h"
#include "services/cachegen/legacy_config.h"
#include "services/cachegen/metrics.h"
#include "services/cachegen/resolver.h"
#include "services/common/arg_parser.h"
#include "services/common/config.h"
#include "services/common/file_util.h"
#include "services/common/log.h"
#include "services/common/shutdown.h"
#include "services/common/worker_metrics.h"
#include "services/common/worker_setup.h"

namespace mm::cachegen {
namespace {

constexpr char kProgram[] = "generate-mirrorlist-cache";

struct CachegenConfig {
  std::string outfile;  // CACHEGEN_OUTFILE
  absl::Duration dns_timeout;
  int dns_parallelism = 16;
  absl::Duration stream_timeout;
  int batch_rows = 0;
  bool verify = true;
};

absl::StatusOr<CachegenConfig> ReadCachegenConfig(const common::Config& config) {
  CachegenConfig c;
  auto outfile = config.GetString("CACHEGEN_OUTFILE");
  auto dns_timeout = config.GetFloat("CACHEGEN_DNS_TIMEOUT");
  auto dns_parallelism = config.GetInt("CACHEGEN_DNS_PARALLELISM");
  auto stream_timeout = config.GetFloat("CACHEGEN_STREAM_TIMEOUT");
  auto batch_rows = config.GetInt("CACHEGEN_BATCH_ROWS");
  auto verify = config.GetBool("CACHEGEN_VERIFY");
  for (const absl::Status& s : {outfile.status(), dns_timeout.status(), dns_parallelism.status(),
                                stream_timeout.status(), batch_rows.status(), verify.status()}) {
    if (!s.ok()) return s;
  }
  if (*dns_timeout <= 0 || *stream_timeout <= 0 || *dns_parallelism < 1 || *batch_rows < 0) {
    return absl::InvalidArgumentError(
        "CACHEGEN_DNS_TIMEOUT, CACHEGEN_STREAM_TIMEOUT and CACHEGEN_DNS_PARALLELISM must be "
        "positive, CACHEGEN_BATCH_ROWS not negative");
  }
  c.outfile = *outfile;
  c.dns_timeout = absl::Seconds(*dns_timeout);
  c.dns_parallelism = static_cast<int>(std::min<int64_t>(*dns_parallelism, 256));
  c.stream_timeout = absl::Seconds(*stream_timeout);
  c.batch_rows = static_cast<int>(std::min<int64_t>(*batch_rows, 50000));
  c.verify = *verify;
  return c;
}

// SetUpWorker, falling back to upstream's dotenv file format for -c (see legacy_config.h).
absl::StatusOr<common::WorkerSetup> LoadSetup(const common::WorkerSetupOptions& options) {
  auto setup = common::SetUpWorker(options);
  if (setup.ok() || options.config_path.empty()) return setup;
  auto text = common::ReadFileToString(options.config_path, common::PyParseLimits().max_input_bytes,
                                       "configuration file");
  if (!text.ok() || !LooksLikeDotenv(*text)) return setup.status();
  MM_LOG(WARNING) << options.config_path
                  << " is an upstream dotenv configuration; DB_URL is not used (the cache is "
                     "read through catalog at CATALOG_ADDRESS)";
  common::WorkerSetupOptions fallback_options = options;
  fallback_options.config_path.clear();
  auto fallback = common::SetUpWorker(fallback_options);
  if (!fallback.ok()) return fallback.status();
  for (const auto& [key, value] : ParseDotenv(*text)) {
    if (key == "DB_URL") continue;
    if (!common::IsKnownConfigKey(key)) {
      MM_LOG(WARNING) << options.config_path << ": unknown key " << key << " ignored";
      continue;
    }
    auto parsed = common::ParsePythonExpression(value);
    fallback->config.Set(key, parsed.ok() ? *parsed : common::PyValue::String(value),
                         options.config_path);
  }
  if (options.catalog_override.empty()) {
    auto address = fallback->config.GetString("CATALOG_ADDRESS");
    if (!address.ok()) return address.status();
    fallback->catalog_address = *address;
  }
  auto rpc = common::RpcOptionsFromConfig(fallback->config);
  if (!rpc.ok()) return rpc.status();
  fallback->rpc = *rpc;
  return fallback;
}

int Generate(const common::ArgParser& args, std::ostream& err) {
  auto setup = LoadSetup(
      {args.value_or("--config", ""), args.flag("--debug"), args.value_or("--catalog", "")});
  if (!setup.ok()) {
    err << "Error: " << setup.status().message() << "\n";
    return 2;
  }
  auto cfg = ReadCachegenConfig(setup->config);
  if (!cfg.ok()) {
    err << "Error: " << cfg.status().message() << "\n";
    return 2;
  }
  GenerateOptions options;
  options.outfile = args.value_or("--outfile", cfg->outfile);
  options.dns_timeout = cfg->dns_timeout;
  options.attempts = setup->rpc.max_attempts;
  options.backoff = CatalogRetryBackoff(setup->rpc);
  options.verify = cfg->verify;

  auto registry = std::make_shared<prometheus::Registry>();
  common::WorkerMetrics worker_metrics(kProgram, registry);
  if (absl::Status s = worker_metrics.Start(setup->config); !s.ok()) {
    err << "Error: " << s.message() << "\n";
    return 2;
  }
  CachegenMetrics metrics(*registry);
  SystemResolver resolver(cfg->dns_parallelism);
  std::unique_ptr<SnapshotSource> source =
      ConnectCatalog(setup->catalog_address, cfg->stream_timeout, cfg->batch_rows);
  Generator generator(options, *source, resolver, &metrics);
  MM_LOG(DEBUG) << "generating " << options.outfile << " from catalog at "
                << setup->catalog_address;
  absl::StatusOr<GenerateResult> result;
  {
    common::ShutdownWatcher watcher([&](int sig) {
      MM_LOG(WARNING) << "signal " << sig << ": stopping, the previous cache stays in place";
      generator.Stop();
    });
    result = generator.Run();
  }
  if (absl::Status s = worker_metrics.Push(); !s.ok()) {
    MM_LOG(WARNING) << "pushing metrics failed: " << s.message();
  }
  if (!result.ok()) {
    MM_LOG(ERROR) << "Error writing " << options.outfile << ": " << result.status()
                  << " (the previous cache, if any, is unchanged)";
    return 1;
  }
  return 0;
}

int Inspect(const std::vector<std::string>& rest, std::ostream& out, std::ostream& err) {
  common::ArgParser sub(absl::StrCat(kProgram, " inspect"),
                        "Summarise a cache file, or show one directory's hosts per tier.");
  sub.Positional("FILE", "Cache file.")
      .Option("--directory", "DIR", "Show this MirrorListCache directory.")
      .Option("--repo", "REPO", "With --arch: show the directory the server picks.")
      .Option("--arch", "ARCH", "With --repo.")
      .Option("--limit", "N", "Examples printed per problem kind.", "20");
  absl::Status parsed = sub.Parse(rest);
  if (sub.help_requested()) {
    out << sub.Usage();
    return 0;
  }
  InspectOptions o;
  o.directory = sub.value_or("--directory", "");
  o.repo = sub.value_or("--repo", "");
  o.arch = sub.value_or("--arch", "");
  if (parsed.ok() && !absl::SimpleAtoi(sub.value_or("--limit", "20"), &o.limit)) {
    parsed = absl::InvalidArgumentError("--limit must be a number");
  }
  if (parsed.ok() && !o.directory.empty() && !o.repo.empty()) {
    parsed = absl::InvalidArgumentError("--directory and --repo/--arch exclude each other");
  }
  if (!parsed.ok()) {
    err << sub.Usage() << "\nError: " << parsed.message() << "\n";
    return 2;
  }
  auto r = InspectCache(*sub.positional("FILE"), o, out);
  if (!r.ok()) {
    err << "Error: " << r.status().message() << "\n";
    return 2;
  }
  return *r;
}

int Diff(const std::vector<std::string>& rest, std::ostream& out, std::ostream& err) {
  common::ArgParser sub(absl::StrCat(kProgram, " diff"),
                        "Compare two cache files: hosts gained/lost per directory, repositories "
                        "added/removed, and entry counts per field.");
  sub.Positional("OLD", "The cache in service.")
      .Positional("NEW", "The candidate cache.")
      .Option("--limit", "N", "Lines printed per section.", "50");
  absl::Status parsed = sub.Parse(rest);
  if (sub.help_requested()) {
    out << sub.Usage();
    return 0;
  }
  DiffOptions o;
  if (parsed.ok() && !absl::SimpleAtoi(sub.value_or("--limit", "50"), &o.limit)) {
    parsed = absl::InvalidArgumentError("--limit must be a number");
  }
  if (!parsed.ok()) {
    err << sub.Usage() << "\nError: " << parsed.message() << "\n";
    return 2;
  }
  auto r = DiffCaches(*sub.positional("OLD"), *sub.positional("NEW"), o, out);
  if (!r.ok()) {
    err << "Error: " << r.status().message() << "\n";
    return 2;
  }
  return *r;
}

}  // namespace

int RunCli(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err) {
  common::ArgParser args(kProgram,
                         "Write the mirrorlist-server cache (a protobuf MirrorList) from one "
                         "consistent catalog snapshot.");
  args.Option("-o,--outfile", "FILE",
              "Cache file to write [default: CACHEGEN_OUTFILE, "
              "/var/lib/mirrormanager/mirrorlist_cache.proto].")
      .Option("-c,--config", "FILE",
              "Configuration file (default: $MM2_CONFIG, then "
              "/etc/mirrormanager/mirrormanager2.cfg).")
      .Flag("-d,--debug", "Log at DEBUG level (queries, DNS errors).")
      .Option("--catalog", "HOST:PORT", "Catalog address (default: CATALOG_ADDRESS).")
      .StopAtFirstPositional()
      .Epilog(
          "Commands:\n"
          "  (none)                              Generate the cache.\n"
          "  inspect FILE [--directory DIR | --repo REPO --arch ARCH]\n"
          "                                      Summarise a cache / show one directory.\n"
          "  diff OLD NEW                        What changed between two caches.");
  absl::Status parsed = args.Parse(argv);
  if (args.help_requested()) {
    out << args.Usage();
    return 0;
  }
  if (!parsed.ok()) {
    err << args.Usage() << "\nError: " << parsed.message() << "\n";
    return 2;
  }
  if (args.flag("--debug")) common::SetLogLevel(common::LogLevel::kDebug);
  if (args.rest().empty()) return Generate(args, err);
  const std::string& command = args.rest().front();
  std::vector<std::string> rest(args.rest().begin() + 1, args.rest().end());
  if (command == "inspect") return Inspect(rest, out, err);
  if (command == "diff") return Diff(rest, out, err);
  err << args.Usage() << "\nError: no such command: " << command << "\n";
  return 2;
}

}  // namespace mm::cachegen
