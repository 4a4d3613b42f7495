#include "services/crawler/crawler_app.h"

#include <iostream>
#include <map>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "prometheus/registry.h"
#include "services/common/arg_parser.h"
#include "services/common/log.h"
#include "services/common/shutdown.h"
#include "services/common/worker_metrics.h"
#include "services/common/worker_setup.h"
#include "services/crawler/bodhi.h"
#include "services/crawler/catalog_client.h"
#include "services/crawler/continents.h"
#include "services/crawler/crawl_runner.h"
#include "services/crawler/crawler_metrics.h"
#include "services/crawler/curl_session.h"
#include "services/crawler/host_log.h"
#include "services/crawler/propagation.h"

namespace mm::crawler {
namespace {

int Usage(const common::ArgParser& p, const std::string& error) {
  std::cerr << p.Usage() << "\nError: " << error << "\n";
  return 2;
}

void PrintPropagation(const RunSummary& s, const std::vector<PropagationRepo>& repos,
                      std::ostream& out) {
  std::map<int64_t, std::array<int, 5>> counts;
  for (const auto& r : s.results) {
    for (const auto& [repo, state] : r.propagation) {
      if (state >= 0 && state < 5) ++counts[repo][state];
    }
  }
  out << "Propagation results\n";
  out << absl::StrFormat("%-40s %9s %9s %9s %9s %9s\n", "Repository", "same_day", "one_day",
                         "two_day", "older", "no_info");
  for (const auto& repo : repos) {
    auto it = counts.find(repo.id);
    if (it == counts.end()) continue;
    const auto& c = it->second;
    out << absl::StrFormat("%-40s %9d %9d %9d %9d %9d\n",
                           absl::StrCat(repo.name, " (", repo.id, ")"), c[1], c[2], c[3], c[4],
                           c[0]);
  }
}

}  // namespace

int CrawlerMain(int argc, char** argv) {
  common::BlockShutdownSignals();
  EnsureCurlGlobalInit();
  common::ArgParser group("mm2_crawler", "Crawl the public mirrors and record what they carry.");
  AddCrawlerFlags(group);
  if (absl::Status s = group.Parse(argc, argv); !s.ok())
    return Usage(group, std::string(s.message()));
  if (group.help_requested()) {
    std::cout << group.Usage();
    return 0;
  }
  auto options = OptionsFromFlags(group);
  if (!options.ok()) return Usage(group, std::string(options.status().message()));
  std::string command = group.positional("command").value_or("");
  common::ArgParser sub(absl::StrCat("mm2_crawler ", command), "");
  if (command == "crawl") {
    sub.Flag("--canary", "only check that the mirrors answer")
        .Flag("--repodata", "only check repodata directories");
  } else if (command == "propagation") {
    sub.Option("--product", "P", "product (Fedora, EPEL)")
        .Option("--version", "V", "version (needs --product)");
  } else {
    return Usage(group, absl::StrCat("No such command '", command, "' (crawl, propagation)"));
  }
  if (absl::Status s = sub.Parse(group.rest()); !s.ok())
    return Usage(sub, std::string(s.message()));
  if (sub.help_requested()) {
    std::cout << sub.Usage();
    return 0;
  }
  if (command == "crawl") {
    if (sub.flag("--canary") && sub.flag("--repodata"))
      return Usage(sub, "--canary and --repodata exclude each other");
    options->mode = sub.flag("--canary")     ? CrawlMode::kCanary
                    : sub.flag("--repodata") ? CrawlMode::kRepodata
                                             : CrawlMode::kFull;
  } else {
    options->mode = CrawlMode::kPropagation;
    options->product = sub.value_or("--product", "");
    options->version = sub.value_or("--version", "");
    if (!options->version.empty() && options->product.empty()) {
      return Usage(sub, "--version requires --product");
    }
  }

  // Console lines carry "hostname (hostid): " (worker threads) or this (upstream's MasterFilter).
  common::ScopedLogContext master_context("master (0): ");
  auto setup = common::SetUpWorker(
      {group.value_or("--config", ""), options->debug, group.value_or("--catalog", "")});
  if (!setup.ok()) {
    std::cerr << setup.status().message() << "\n";
    return 2;
  }
  if (absl::Status s = ApplyConfig(setup->config, *options); !s.ok()) {
    std::cerr << s.message() << "\n";
    return 2;
  }
  GrpcCrawlCatalog catalog(setup->catalog_address, setup->rpc);

  if (!options->categories.empty()) {
    auto names = catalog.CategoryNames();
    if (!names.ok()) {
      std::cerr << "Cannot reach catalog: " << names.status() << "\n";
      return 1;
    }
    for (const auto& c : options->categories) {
      if (std::find(names->begin(), names->end(), c) == names->end()) {
        return Usage(group, absl::StrCat("Category ", c, " does not exist. Available categories: ",
                                         absl::StrJoin(*names, ", ")));
      }
    }
  }

  auto registry = std::make_shared<prometheus::Registry>();
  common::WorkerMetrics worker_metrics("mm2_crawler", registry);
  if (absl::Status s = worker_metrics.Start(setup->config); !s.ok()) {
    std::cerr << s.message() << "\n";
    return 2;
  }
  CrawlerMetrics metrics(*registry);

  std::unique_ptr<ContinentFilter> continents;
  if (!options->continents.empty() || options->check_embargo) {
    auto redirects = catalog.ContinentRedirects();
    if (!redirects.ok()) {
      std::cerr << "Cannot reach catalog: " << redirects.status() << "\n";
      return 1;
    }
    std::string csv;
    if (!options->continent_csv.empty()) {
      FILE* f = fopen(options->continent_csv.c_str(), "rb");
      if (f == nullptr) {
        std::cerr << "Cannot read " << options->continent_csv << "\n";
        return 2;
      }
      char buf[4096];
      size_t n;
      while ((n = fread(buf, 1, sizeof buf, f)) > 0 && csv.size() < (1 << 20)) csv.append(buf, n);
      fclose(f);
    } else {
      csv = std::string(BuiltinCountryContinentCsv());
    }
    auto filter =
        ContinentFilter::Create(options->geoip_database, ParseCountryContinentCsv(csv), *redirects,
                                options->continents, options->embargoed_countries);
    if (!filter.ok()) {
      std::cerr << filter.status().message() << "\n";
      return 2;
    }
    continents = std::move(*filter);
  }
  std::shared_ptr<HostLogRouter> logs;
  if (!options->log_dir.empty() && options->log_dir != "-" &&
      options->mode != CrawlMode::kPropagation) {
    logs = std::make_shared<HostLogRouter>(options->log_dir);
    common::AddLogSink(logs);
  }

  std::atomic<bool> stop{false};
  common::ShutdownWatcher watcher([&](int sig) {
    MM_LOG(WARNING) << "Signal " << sig << " received: reporting what was crawled and stopping";
    stop = true;
  });
  std::unique_ptr<common::AmqpPublisher> publisher;
  if (options->mode != CrawlMode::kPropagation) {  // propagation never disables a host
    if (options->messaging) {
      auto p = common::AmqpPublisher::Create(*options->messaging);
      if (!p.ok()) {
        std::cerr << p.status().message() << "\n";
        return 2;
      }
      publisher = std::move(*p);
      MM_LOG(INFO) << "HostCrawlerDisabledV1 messages go to " << publisher->broker()
                   << ", exchange " << options->messaging->exchange;
    } else {
      MM_LOG(INFO) << "FEDORA_MESSAGING_AMQP_URL is not set: HostCrawlerDisabledV1 events are "
                      "logged, not published";
    }
  }
  common::RealClock clock;
  CrawlRunner runner(*options, &catalog, &clock, &stop);
  runner.set_metrics(&metrics);
  runner.set_publisher(publisher.get());
  runner.set_continent_filter(continents.get());
  runner.set_log_router(logs.get());

  std::vector<PropagationRepo> repos;
  std::unique_ptr<PropagationChecker> checker;
  if (options->mode == CrawlMode::kPropagation) {
    Deadline deadline(&clock, clock.Now() + options->global_timeout, std::nullopt, &stop);
    std::vector<PropagationTargetKey> releases;
    if (!options->version.empty()) {
      releases.push_back({options->product, options->version,
                          PropagationPrefix(options->product, options->version)});
    } else {
      auto bodhi = FetchBodhiReleases(*options, deadline);
      if (!bodhi.ok()) {
        std::cerr << bodhi.status().message() << "\n";
        return 1;
      }
      for (auto& r : *bodhi) {
        if (options->product.empty() || r.product == options->product) releases.push_back(r);
      }
    }
    auto targets = catalog.PropagationTargets(releases);
    if (!targets.ok()) {
      std::cerr << "Cannot reach catalog: " << targets.status() << "\n";
      return 1;
    }
    repos = *targets;
    MM_LOG(INFO) << "Propagation: " << releases.size() << " releases, " << repos.size()
                 << " repositories";
    checker = std::make_unique<PropagationChecker>(*options, releases, repos);
    runner.set_job([&](const HostInfo& host, const Deadline& d, const RunSummary&) {
      return checker->CheckHost(host, d);
    });
  }

  auto summary = runner.Run();
  if (logs) common::RemoveLogSink(logs.get());
  if (!summary.ok()) {
    std::cerr << "Crawler failed: " << summary.status() << "\n";
    return 1;
  }
  if (options->mode == CrawlMode::kPropagation) {
    PrintPropagation(*summary, repos, std::cout);
  }
  PrintSummary(*summary, *options, std::cout);
  std::cout.flush();
  if (absl::Status s = worker_metrics.Push(); !s.ok()) {
    MM_LOG(WARNING) << s;
  }
  return ExitCode(*summary, *options);
}

}  // namespace mm::crawler
