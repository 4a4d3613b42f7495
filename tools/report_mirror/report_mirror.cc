#include "tools/report_mirror/report_mirror.h"

#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

#include <deque>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/web-gateway/checkin_codec.h"
#include "services/web-gateway/xmlrpc.h"

namespace mm::report_mirror {

std::optional<std::string> IniSection::Get(const std::string& key) const {
  for (const auto& [k, v] : options) {
    if (k == key) return v;
  }
  return std::nullopt;
}

const IniSection* FindSection(const Ini& ini, const std::string& name) {
  for (const auto& s : ini) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

absl::StatusOr<Ini> ParseIni(const std::string& text, const std::string& filename) {
  Ini ini;
  std::string* last_value = nullptr;
  int line_no = 0;
  for (absl::string_view raw : absl::StrSplit(text, '\n')) {
    ++line_no;
    std::string line(raw);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::string stripped(absl::StripAsciiWhitespace(line));
    bool indented = !line.empty() && (line[0] == ' ' || line[0] == '\t');
    if (stripped.empty()) {
      last_value = nullptr;  // a blank line ends a multi-line value
      continue;
    }
    if (stripped[0] == '#' || stripped[0] == ';') continue;
    if (indented && last_value != nullptr) {
      absl::StrAppend(last_value, "\n", stripped);
      continue;
    }
    if (stripped.front() == '[') {
      if (stripped.back() != ']') {
        return absl::InvalidArgumentError(
            absl::StrCat(filename, ":", line_no, ": bad section header"));
      }
      ini.push_back({stripped.substr(1, stripped.size() - 2), {}});
      last_value = nullptr;
      continue;
    }
    size_t sep = stripped.find_first_of("=:");
    if (sep == std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat(filename, ":", line_no, ": expected 'key = value'"));
    }
    if (ini.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(filename, ":", line_no, ": option outside a section"));
    }
    std::string key = absl::AsciiStrToLower(absl::StripAsciiWhitespace(stripped.substr(0, sep)));
    std::string value(absl::StripAsciiWhitespace(stripped.substr(sep + 1)));
    auto& opts = ini.back().options;
    auto it =
        std::find_if(opts.begin(), opts.end(), [&](const auto& kv) { return kv.first == key; });
    if (it != opts.end()) {
      it->second = value;  // the last one wins
      last_value = &it->second;
    } else {
      opts.emplace_back(key, value);
      last_value = &opts.back().second;
    }
  }
  return ini;
}

std::vector<std::string> ParseExcludes(const std::string& text) {
  std::vector<std::string> out;
  for (absl::string_view raw : absl::StrSplit(text, '\n')) {
    std::string line(absl::StripAsciiWhitespace(raw));  // line.strip(), as upstream
    if (line.empty() || line[0] == '#') continue;
    out.push_back(line);
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> WalkDirectories(const std::string& root_in,
                                                         const std::vector<std::string>& excludes,
                                                         const WalkLimits& limits) {
  std::string root = root_in;
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  std::vector<std::string> out;
  struct stat st;
  if (stat(root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return out;
  // Top-down, breadth-first within the bound; relative paths.
  std::deque<std::pair<std::string, int>> queue{{"", 0}};
  while (!queue.empty()) {
    auto [rel, depth] = queue.front();
    queue.pop_front();
    out.push_back(rel);
    if (out.size() > limits.max_directories) {
      return absl::ResourceExhaustedError(
          absl::StrCat("more than ", limits.max_directories, " directories below ", root));
    }
    std::string abs = rel.empty() ? root : root + "/" + rel;
    DIR* d = opendir(abs.c_str());
    if (d == nullptr) {
      // Unreadable or vanished: reported, not descended (os.walk ignores such errors). A path
      // too long to open is a tree we cannot report correctly: say so instead of dropping it.
      if (errno == ENAMETOOLONG) {
        return absl::OutOfRangeError(
            absl::StrCat("path too long to walk: ", abs.substr(0, 200), "..."));
      }
      continue;
    }
    std::vector<std::string> children;
    while (dirent* e = readdir(d)) {
      std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      std::string child = abs + "/" + name;
      struct stat cs;
      if (lstat(child.c_str(), &cs) != 0 || !S_ISDIR(cs.st_mode)) continue;  // no symlinks
      bool excluded = false;
      for (const auto& pattern : excludes) {
        if ((child + "/").find(pattern) != std::string::npos) {
          excluded = true;
          break;
        }
      }
      if (!excluded) children.push_back(name);
    }
    closedir(d);
    std::sort(children.begin(), children.end());
    if (!children.empty() && depth + 1 > limits.max_depth) {
      return absl::OutOfRangeError(absl::StrCat("directory tree below ", root, " is deeper than ",
                                                limits.max_depth, " levels (at ", rel, ")"));
    }
    for (const auto& c : children) queue.emplace_back(rel.empty() ? c : rel + "/" + c, depth + 1);
  }
  std::sort(out.begin(), out.end());
  return out;
}

namespace {

bool Enabled(const IniSection& s) { return s.Get("enabled").value_or("") == "1"; }

// configparser values: a multi-line value is sent as a list of its whitespace-separated words.
nlohmann::json OptionValue(const std::string& v) {
  if (v.find('\n') == std::string::npos) return v;
  nlohmann::json list = nlohmann::json::array();
  for (absl::string_view w : absl::StrSplit(v, absl::ByAnyChar(" \t\n"), absl::SkipEmpty())) {
    list.push_back(std::string(w));
  }
  return list;
}

nlohmann::json SectionDict(const IniSection& s) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [k, v] : s.options) out[k] = OptionValue(v);
  return out;
}

bool IsReserved(const std::string& name) {
  return name == "global" || name == "site" || name == "host" || name == "stats";
}

}  // namespace

absl::StatusOr<nlohmann::json> BuildPayload(const Ini& config,
                                            const std::vector<std::string>& excludes,
                                            const std::optional<nlohmann::json>& input) {
  // Upstream's checks and messages (check_required_options / config()).
  for (const char* required : {"global", "site", "host"}) {
    if (FindSection(config, required) == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("Invalid configuration - missing section [", required, "]"));
    }
  }
  auto require = [](const IniSection& s,
                    std::initializer_list<const char*> options) -> absl::Status {
    for (const char* o : options) {
      if (!s.Get(o)) {
        return absl::InvalidArgumentError(
            absl::StrCat("missing required option ", o, " in config [", s.name, "]"));
      }
    }
    return absl::OkStatus();
  };
  const IniSection& global = *FindSection(config, "global");
  if (!require(global, {"enabled", "server"}).ok()) {
    return absl::InvalidArgumentError(
        "missing required options (server AND enabled) in [global] section");
  }
  const IniSection& site = *FindSection(config, "site");
  if (absl::Status st = require(site, {"enabled", "name", "password"}); !st.ok()) return st;
  const IniSection& host = *FindSection(config, "host");
  if (absl::Status st = require(host, {"enabled", "name"}); !st.ok()) return st;
  nlohmann::json payload;
  if (input) {
    payload = *input;
    if (!payload.is_object())
      return absl::InvalidArgumentError("the input file is not a JSON object");
  } else {
    payload = nlohmann::json::object();
  }
  payload["version"] = 0;
  payload["global"] = SectionDict(global);
  if (Enabled(site)) {
    payload["site"] = SectionDict(site);
  } else {
    payload.erase("site");  // the server then refuses the check-in as missing [site]
  }
  payload["host"] = SectionDict(host);
  payload["stats"] = nlohmann::json::object();
  for (const IniSection& s : config) {
    if (IsReserved(s.name)) continue;
    std::string key = absl::AsciiStrToLower(s.name);
    // `enabled` is required in every category section (upstream exits on its absence).
    if (absl::Status st = require(s, {"enabled"}); !st.ok()) return st;
    if (!Enabled(s)) {
      payload.erase(key);  // disabled categories are never sent
      continue;
    }
    if (absl::Status st = require(s, {"path"}); !st.ok()) return st;
    if (input) continue;  // -i: the saved dirtree is used as it is
    auto path = s.Get("path");
    auto dirs = WalkDirectories(*path, excludes);
    if (!dirs.ok()) return dirs.status();
    nlohmann::json tree = nlohmann::json::object();
    for (const auto& d : *dirs) tree[d] = nlohmann::json::object();
    nlohmann::json cat = nlohmann::json::object();
    for (const auto& [k, v] : s.options) {
      if (k != "path") cat[k] = OptionValue(v);
    }
    cat["dirtree"] = std::move(tree);
    payload[key] = std::move(cat);
  }
  return payload;
}

namespace {
size_t Collect(char* data, size_t size, size_t n, void* out) {
  auto* s = static_cast<std::string*>(out);
  if (s->size() + size * n > (64u << 20)) return 0;  // bounded answer
  s->append(data, size * n);
  return size * n;
}
}  // namespace

absl::StatusOr<CheckinOutcome> SendCheckin(const std::string& server_url,
                                           const nlohmann::json& payload, long timeout_seconds) {
  auto encoded = web::EncodeCheckinPayload(payload);
  if (!encoded.ok()) return encoded.status();
  std::string body = web::xmlrpc::WriteMethodCall({"checkin", {web::xmlrpc::Value(*encoded)}});
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return absl::InternalError("curl_easy_init failed");
  std::string answer;
  struct curl_slist* headers = curl_slist_append(nullptr, "Content-Type: text/xml");
  headers = curl_slist_append(headers, "User-Agent: report_mirror (mirrormanager-cpp)");
  curl_easy_setopt(curl, CURLOPT_URL, server_url.c_str());
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, timeout_seconds);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 30L);
  // No redirects: libcurl would turn the POST into a GET on 301/302/303, and Python's xmlrpc
  // client never followed them either (a redirect is a ProtocolError there).
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  CURLcode rc = curl_easy_perform(curl);
  long code = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) return absl::UnavailableError(curl_easy_strerror(rc));
  if (code != 200) {
    return absl::UnavailableError(absl::StrCat("HTTP status ", code,
                                               code >= 300 && code < 400
                                                   ? " (redirects are not followed; "
                                                     "use the final URL as server)"
                                                   : ""));
  }
  web::xmlrpc::Limits limits;
  limits.max_bytes = 64u << 20;
  auto resp = web::xmlrpc::ParseMethodResponse(answer, limits);
  if (!resp.ok())
    return absl::UnavailableError(absl::StrCat("bad XML-RPC answer: ", resp.status().message()));
  if (resp->is_fault)
    return CheckinOutcome{true, absl::StrCat(resp->fault.code, ": ", resp->fault.message)};
  if (!resp->value.is_string())
    return CheckinOutcome{true, "the server answered with a non-string"};
  return CheckinOutcome{false, resp->value.str()};
}

}  // namespace mm::report_mirror
