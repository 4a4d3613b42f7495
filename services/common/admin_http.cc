#include "services/common/admin_http.h"

#include <dirent.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include <httplib.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"
#include "prometheus/collectable.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"
#include "prometheus/text_serializer.h"
#include "services/common/log.h"
#include "services/common/version.h"

namespace mm::common {

HttpResult LivenessResponse() {
  return HttpResult{200, "application/json", R"({"status": 200, "title": "OK"})"};
}

HttpResult ReadinessResponse(const absl::Status& ready) {
  if (ready.ok()) return LivenessResponse();
  nlohmann::json body = {{"status", 503},
                         {"title", "Service Unavailable"},
                         {"message", std::string(ready.message())}};
  return HttpResult{503, "application/json", body.dump()};
}

std::string ProcessMetricsText();

HttpResult MetricsResponse(const prometheus::Registry& registry) {
  prometheus::TextSerializer serializer;
  return HttpResult{200, "text/plain; version=0.0.4; charset=utf-8",
                    serializer.Serialize(registry.Collect()) + ProcessMetricsText()};
}

namespace {

// Reads the Linux process figures Prometheus' client libraries conventionally export.
class ProcessCollector final : public prometheus::Collectable {
 public:
  ProcessCollector() {
    start_time_ = static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count());
  }

  std::vector<prometheus::MetricFamily> Collect() const override {
    std::vector<prometheus::MetricFamily> out;
    auto gauge = [&](const char* name, const char* help, prometheus::MetricType type,
                     double value) {
      prometheus::MetricFamily f;
      f.name = name;
      f.help = help;
      f.type = type;
      prometheus::ClientMetric m;
      if (type == prometheus::MetricType::Counter) {
        m.counter.value = value;
      } else {
        m.gauge.value = value;
      }
      f.metric.push_back(m);
      out.push_back(std::move(f));
    };
    std::ifstream stat("/proc/self/stat");
    std::string content((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    size_t close = content.rfind(')');
    if (close != std::string::npos) {
      std::vector<std::string> fields = absl::StrSplit(content.substr(close + 2), ' ');
      // Fields after the command: state(0) ... utime(11) stime(12) ... rss(21).
      double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
      double utime = 0, stime = 0, rss = 0;
      if (fields.size() > 21 && absl::SimpleAtod(fields[11], &utime) &&
          absl::SimpleAtod(fields[12], &stime) && absl::SimpleAtod(fields[21], &rss)) {
        gauge("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
              prometheus::MetricType::Counter, (utime + stime) / ticks);
        gauge("process_resident_memory_bytes", "Resident memory size in bytes.",
              prometheus::MetricType::Gauge, rss * static_cast<double>(sysconf(_SC_PAGESIZE)));
      }
    }
    int fds = 0;
    if (DIR* d = opendir("/proc/self/fd")) {
      while (readdir(d) != nullptr) ++fds;
      closedir(d);
      fds -= 2;  // . and ..
    }
    gauge("process_open_fds", "Number of open file descriptors.", prometheus::MetricType::Gauge,
          fds);
    gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
          prometheus::MetricType::Gauge, start_time_);
    return out;
  }

 private:
  double start_time_;
};

}  // namespace

void RegisterBuildInfo(prometheus::Registry& registry, const std::string& component) {
  auto& info = prometheus::BuildGauge()
                   .Name("mm_build_info")
                   .Help("MirrorManager component and version; the value is always 1.")
                   .Register(registry);
  info.Add({{"component", component}, {"version", kVersion}}).Set(1);
}

std::string ProcessMetricsText() {
  ProcessCollector collector;
  prometheus::TextSerializer serializer;
  return serializer.Serialize(collector.Collect());
}

absl::Status SplitHostPort(const std::string& address, std::string* host, int* port) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat("address '", address, "' is not HOST:PORT"));
  }
  std::string h = address.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  if (h.empty()) h = "0.0.0.0";
  int p = 0;
  if (!absl::SimpleAtoi(address.substr(colon + 1), &p) || p < 0 || p > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("address '", address, "' has a bad port"));
  }
  *host = h;
  *port = p;
  return absl::OkStatus();
}

AdminHttpServer::AdminHttpServer(std::shared_ptr<prometheus::Registry> registry,
                                 ReadinessCheck readiness)
    : registry_(std::move(registry)), readiness_(std::move(readiness)) {}

AdminHttpServer::~AdminHttpServer() { Stop(); }

absl::Status AdminHttpServer::Start(const std::string& listen) {
  std::string host;
  int port = 0;
  if (absl::Status s = SplitHostPort(listen, &host, &port); !s.ok()) return s;
  server_ = std::make_unique<httplib::Server>();
  // cpp-httplib sets SO_REUSEPORT by default; without it a port already in use fails to bind
  // instead of being shared with another process.
  server_->set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  auto send = [](httplib::Response& res, const HttpResult& r) {
    res.status = r.status;
    res.set_content(r.body, r.content_type.c_str());
  };
  server_->Get("/healthz/live", [send](const httplib::Request&, httplib::Response& res) {
    send(res, LivenessResponse());
  });
  server_->Get("/healthz/ready", [this, send](const httplib::Request&, httplib::Response& res) {
    send(res, ReadinessResponse(readiness_ ? readiness_() : absl::OkStatus()));
  });
  server_->Get("/metrics", [this, send](const httplib::Request&, httplib::Response& res) {
    send(res, MetricsResponse(*registry_));
  });
  if (port == 0) {
    port_ = server_->bind_to_any_port(host.c_str());
    if (port_ <= 0) return absl::UnavailableError(absl::StrCat("cannot listen on ", listen));
  } else {
    if (!server_->bind_to_port(host.c_str(), port)) {
      return absl::UnavailableError(absl::StrCat("cannot listen on ", listen));
    }
    port_ = port;
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // Until the accept loop runs, httplib's stop() is a no-op; wait so Stop() cannot be lost.
  for (int i = 0; i < 5000 && !server_->is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return absl::OkStatus();
}

void AdminHttpServer::Stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

}  // namespace mm::common
