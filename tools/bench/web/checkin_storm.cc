// web_checkin_storm: sends N report_mirror check-ins (each reporting D directories) to a web
// gateway from C concurrent clients and prints throughput and latency percentiles.
//   web_checkin_storm --url http://127.0.0.1:8080/xmlrpc --sites 100 --hosts-per-site 2 \
//       --checkins 1000 --directories 2000 --concurrency 8
// Site i is "Storm Site i" (password "pw"), its hosts "storm-i-j.example.org"; the directories
// are storm/d1..storm/dD of category "Fedora Linux" (see run.sh for the seed).
#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/common/arg_parser.h"
#include "services/web-gateway/checkin_codec.h"
#include "services/web-gateway/xmlrpc.h"

namespace {

size_t Collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

}  // namespace

int main(int argc, char** argv) {
  mm::common::ArgParser args("web_checkin_storm", "Check-in storm against a web gateway.");
  args.Option("--url", "URL", "XML-RPC endpoint.", "http://127.0.0.1:8080/xmlrpc")
      .Option("--sites", "N", "Private sites.", "100")
      .Option("--hosts-per-site", "N", "Private hosts per site.", "2")
      .Option("--checkins", "N", "Check-ins to send.", "1000")
      .Option("--directories", "N", "Directories per check-in.", "2000")
      .Option("--concurrency", "N", "Concurrent clients.", "8");
  if (absl::Status s = args.Parse(argc, argv); !s.ok() || args.help_requested()) {
    std::cerr << args.Usage();
    return s.ok() ? 0 : 2;
  }
  int sites = std::stoi(args.value_or("--sites", "100"));
  int per_site = std::stoi(args.value_or("--hosts-per-site", "2"));
  int checkins = std::stoi(args.value_or("--checkins", "1000"));
  int dirs = std::stoi(args.value_or("--directories", "2000"));
  int concurrency = std::max(1, std::stoi(args.value_or("--concurrency", "8")));
  std::string url = args.value_or("--url", "");

  // One request body per host, built before the clock starts.
  std::vector<std::string> bodies;
  nlohmann::json tree = nlohmann::json::object();
  tree[""] = nlohmann::json::object();
  for (int d = 1; d < dirs; ++d) tree[absl::StrCat("storm/d", d)] = nlohmann::json::object();
  for (int s = 1; s <= sites; ++s) {
    for (int h = 1; h <= per_site; ++h) {
      nlohmann::json c = nlohmann::json::object();
      c["version"] = 0;
      c["global"] = {{"enabled", "1"}, {"server", url}};
      c["site"] = {{"enabled", "1"}, {"name", absl::StrCat("Storm Site ", s)}, {"password", "pw"}};
      c["host"] = {{"enabled", "1"}, {"name", absl::StrCat("storm-", s, "-", h, ".example.org")}};
      c["stats"] = nlohmann::json::object();
      c["fedora linux"] = {{"enabled", "1"}, {"dirtree", tree}};
      auto payload = mm::web::EncodeCheckinPayload(c);
      if (!payload.ok()) return 1;
      bodies.push_back(mm::web::xmlrpc::WriteMethodCall({"checkin", {mm::web::xmlrpc::Value(*payload)}}));
    }
  }
  curl_global_init(CURL_GLOBAL_ALL);
  std::atomic<int> next{0}, ok{0}, refused{0}, failed{0};
  std::mutex mu;
  std::vector<double> latencies;
  std::string sample_answer;
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < concurrency; ++t) {
    threads.emplace_back([&] {
      CURL* curl = curl_easy_init();
      struct curl_slist* headers = curl_slist_append(nullptr, "Content-Type: text/xml");
      for (int i = next++; i < checkins; i = next++) {
        const std::string& body = bodies[i % bodies.size()];
        std::string answer;
        curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Collect);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
        curl_easy_setopt(curl, CURLOPT_TIMEOUT, 120L);
        auto t0 = std::chrono::steady_clock::now();
        CURLcode rc = curl_easy_perform(curl);
        double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        auto resp = mm::web::xmlrpc::ParseMethodResponse(answer, {});
        bool success = rc == CURLE_OK && resp.ok() && !resp->is_fault && resp->value.is_string() &&
                       resp->value.str().find("checked in successful") != std::string::npos;
        if (success) {
          ++ok;
        } else if (rc == CURLE_OK && resp.ok() && !resp->is_fault) {
          ++refused;
        } else {
          ++failed;
        }
        std::lock_guard<std::mutex> lock(mu);
        latencies.push_back(ms);
        if (sample_answer.empty() || !success) sample_answer = answer.substr(0, 400);
      }
      curl_slist_free_all(headers);
      curl_easy_cleanup(curl);
    });
  }
  for (auto& t : threads) t.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) {
    return latencies.empty() ? 0.0 : latencies[std::min(latencies.size() - 1, size_t(p * latencies.size()))];
  };
  std::printf("checkins=%d directories_each=%d concurrency=%d hosts=%zu\n", checkins, dirs, concurrency,
              bodies.size());
  std::printf("ok=%d refused=%d failed=%d seconds=%.2f rate=%.1f/s\n", ok.load(), refused.load(),
              failed.load(), seconds, checkins / seconds);
  std::printf("latency_ms p50=%.1f p90=%.1f p99=%.1f max=%.1f\n", pct(0.5), pct(0.9), pct(0.99),
              latencies.empty() ? 0.0 : latencies.back());
  if (ok.load() != checkins) std::printf("sample answer: %s\n", sample_answer.c_str());
  return ok.load() == checkins ? 0 : 1;
}
