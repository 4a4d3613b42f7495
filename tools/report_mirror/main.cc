// report_mirror: reports the directories a private mirror carries to MirrorManager
// (XML-RPC checkin). Same configuration file and options as the upstream Python client.
#include <fstream>
#include <iostream>

#include "services/common/arg_parser.h"
#include "services/common/file_util.h"
#include "tools/report_mirror/report_mirror.h"

namespace {

// Bounded, so that a path naming a device (`-c /dev/zero`) is an error, not unbounded memory.
bool ReadFile(const std::string& path, std::string* out) {
  auto text = mm::common::ReadFileToString(path, 256 << 20);
  if (!text.ok()) return false;
  *out = *std::move(text);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  mm::common::ArgParser args("report_mirror",
                             "Report a private mirror's content to MirrorManager.");
  args.Option("-c,--config", "FILE", "Configuration file.",
              "/etc/mirrormanager-client/report_mirror.conf")
      .Option("-i,--input", "FILE", "Send this saved payload (JSON) instead of walking the disk.")
      .Option("-o,--output", "FILE", "Write the payload (JSON) to FILE.")
      .Flag("-n,--no-send", "Do not send anything.")
      .Flag("-d,--debug", "Print the payload.")
      .Option("--exclude-from", "FILE", "Exclusion patterns, one per line ('#' comments).");
  if (absl::Status s = args.Parse(argc, argv); !s.ok() || args.help_requested()) {
    std::cerr << args.Usage() << (s.ok() ? "" : "\nError: " + std::string(s.message()) + "\n");
    return s.ok() ? 0 : 2;
  }
  std::string config_path = args.value_or("--config", "");
  std::string text;
  if (!ReadFile(config_path, &text)) {
    std::cerr << "Configuration file " << config_path << " not found\n";
    return 1;
  }
  auto config = mm::report_mirror::ParseIni(text, config_path);
  if (!config.ok()) {
    std::cerr << config.status().message() << "\n";
    return 1;
  }
  std::vector<std::string> excludes;
  if (auto f = args.value("--exclude-from")) {
    std::string ex;
    if (!ReadFile(*f, &ex)) {
      std::cerr << "Cannot read exclude file " << *f << "\n";
      return 1;
    }
    excludes = mm::report_mirror::ParseExcludes(ex);
  }
  std::optional<nlohmann::ordered_json> input;
  if (auto f = args.value("--input")) {
    std::string in;
    if (!ReadFile(*f, &in)) {
      std::cerr << "Cannot read input file " << *f << "\n";
      return 1;
    }
    auto parsed = mm::report_mirror::PayloadFromInput(in);
    if (!parsed.ok()) {
      std::cerr << "Input file " << *f << ": " << parsed.status().message() << "\n";
      return 1;
    }
    input = std::move(*parsed);
  }
  std::vector<std::string> notes, warnings;
  auto payload = mm::report_mirror::BuildPayload(*config, excludes, input, &notes, &warnings);
  for (const auto& n : notes) std::cout << n << "\n";
  for (const auto& w : warnings) std::cerr << w << "\n";
  if (!payload.ok()) {
    std::cerr << payload.status().message() << "\n";
    return 1;
  }
  // Upstream's order: print (-d), save (-o), then stop unless [global] is enabled, then send
  // unless -n.
  if (args.flag("--debug")) std::cout << payload->dump(4) << "\n";
  if (auto f = args.value("--output")) {
    std::ofstream out(*f, std::ios::binary | std::ios::trunc);
    out << payload->dump() << "\n";
    if (!out) {
      std::cerr << "Cannot write " << *f << "\n";
      return 1;
    }
  }
  const auto& global = (*payload)["global"];
  if (!global.is_object() || global.value("enabled", nlohmann::ordered_json()) != "1") return 1;
  if (args.flag("--no-send")) return 0;
  if (!global.contains("server") || !global["server"].is_string()) {
    std::cerr << "[global] server must be one URL\n";
    return 1;
  }
  auto outcome = mm::report_mirror::SendCheckin(global["server"].get<std::string>(), *payload);
  if (!outcome.ok()) {
    std::cerr << "Error checking in: " << outcome.status().message()
              << ". Please try again later.\n";
    return 1;
  }
  if (outcome->fault) {
    std::cerr << "Error checking in: " << outcome->text << ". Please try again later.\n";
    return 1;
  }
  std::cout << outcome->text << "\n";
  return 0;
}
