// mm2-demo-mirror --listen HOST:PORT --root DIR: a static HTTP file server for the demo's local
// mirrors (GET and HEAD with Content-Length, directory URLs answer 200 with a listing). Loopback
// use only; not a production web server.
#include <dirent.h>
#include <sys/stat.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include <httplib.h>

#include "services/common/admin_http.h"
#include "services/common/arg_parser.h"
#include "services/common/log.h"
#include "services/common/shutdown.h"

namespace {

bool SafePath(const std::string& p) { return p.find("..") == std::string::npos; }

}  // namespace

int main(int argc, char** argv) {
  mm::common::BlockShutdownSignals();
  mm::common::ArgParser args("mm2-demo-mirror", "Serve a directory over HTTP (demo mirrors).");
  args.Option("--listen", "HOST:PORT", "Listen address.").Option("--root", "DIR", "Directory to serve.");
  absl::Status parsed = args.Parse(argc, argv);
  if (!parsed.ok() || args.help_requested() || !args.value("--listen") || !args.value("--root")) {
    std::cerr << args.Usage();
    return parsed.ok() && args.help_requested() ? 0 : 2;
  }
  std::string host;
  int port = 0;
  if (!mm::common::SplitHostPort(*args.value("--listen"), &host, &port).ok()) return 2;
  std::string root = *args.value("--root");
  httplib::Server server;
  server.Get(R"(/(.*))", [&](const httplib::Request& req, httplib::Response& res) {
    std::string rel = req.matches[1];
    if (!SafePath(rel)) {
      res.status = 403;
      return;
    }
    std::string path = root + "/" + rel;
    struct stat st;
    if (stat(path.c_str(), &st) != 0) {
      res.status = 404;
      res.set_content("Not Found\n", "text/plain");
      return;
    }
    if (S_ISDIR(st.st_mode)) {
      std::ostringstream listing;
      if (DIR* d = opendir(path.c_str())) {
        while (dirent* e = readdir(d)) listing << e->d_name << "\n";
        closedir(d);
      }
      res.set_content(listing.str(), "text/plain");
      return;
    }
    std::ifstream in(path, std::ios::binary);
    std::stringstream body;
    body << in.rdbuf();
    res.set_content(body.str(), "application/octet-stream");
  });
  if (!server.bind_to_port(host.c_str(), port)) {
    std::cerr << "cannot listen on " << *args.value("--listen") << "\n";
    return 1;
  }
  std::thread t([&] { server.listen_after_bind(); });
  MM_LOG(INFO) << "serving " << root << " on " << *args.value("--listen");
  mm::common::WaitForShutdownSignal();
  server.stop();
  t.join();
  return 0;
}
