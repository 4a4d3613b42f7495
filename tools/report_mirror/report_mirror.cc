#include "tools/report_mirror/report_mirror.h"

#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <deque>
#include <functional>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "services/web-gateway/checkin_codec.h"
#include "services/web-gateway/xmlrpc.h"

namespace mm::report_mirror {

namespace {

// Python's repr() of a str, for configparser's messages.
std::string PyRepr(const std::string& s) {
  char quote = s.find('\'') != std::string::npos && s.find('"') == std::string::npos ? '"' : '\'';
  std::string out(1, quote);
  for (char c : s) {
    if (c == '\\' || c == quote) {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      out += c;
    }
  }
  return out + quote;
}

// "%2d" of configparser's "[line %2d]".
std::string LineNo(int n) { return n < 10 ? absl::StrCat(" ", n) : absl::StrCat(n); }

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

constexpr size_t kMaxIniBytes = 1u << 20;
constexpr int kMaxIniLines = 100000;
constexpr int kMaxInterpolationDepth = 10;  // configparser.MAX_INTERPOLATION_DEPTH

}  // namespace

const std::string* IniSection::Raw(const std::string& key) const {
  for (const auto& [k, v] : options) {
    if (k == key) return &v;
  }
  return nullptr;
}

const IniSection* Ini::Find(const std::string& section) const {
  for (const auto& s : sections) {
    if (s.name == section) return &s;
  }
  return nullptr;
}

bool Ini::Has(const std::string& section, const std::string& option) const {
  const IniSection* s = Find(section);
  return s != nullptr && (s->Raw(option) != nullptr || defaults.Raw(option) != nullptr);
}

absl::StatusOr<std::string> Ini::Get(const std::string& section, const std::string& option) const {
  const IniSection* s = Find(section);
  if (s == nullptr) return absl::NotFoundError(absl::StrCat("No section: ", PyRepr(section)));
  auto lookup = [&](const std::string& key) -> const std::string* {
    const std::string* v = s->Raw(key);
    return v != nullptr ? v : defaults.Raw(key);
  };
  const std::string* raw = lookup(option);
  if (raw == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("No option ", PyRepr(option), " in section: ", PyRepr(section)));
  }
  // BasicInterpolation._interpolate_some().
  std::string out;
  std::function<absl::Status(const std::string&, int)> expand = [&](const std::string& value,
                                                                    int depth) -> absl::Status {
    if (depth > kMaxInterpolationDepth) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Recursion limit exceeded in value substitution: option ", PyRepr(option), " in section ",
          PyRepr(section), " contains an interpolation key which cannot be substituted in ",
          kMaxInterpolationDepth, " steps. Raw value: ", PyRepr(*raw)));
    }
    std::string_view rest = value;
    while (!rest.empty()) {
      size_t p = rest.find('%');
      if (p == std::string_view::npos) {
        out.append(rest);
        return absl::OkStatus();
      }
      out.append(rest.substr(0, p));
      rest.remove_prefix(p);
      char c = rest.size() > 1 ? rest[1] : '\0';
      if (c == '%') {
        out += '%';
        rest.remove_prefix(2);
      } else if (c == '(') {
        // _KEYCRE: %\(([^)]+)\)s
        size_t close = rest.find(')', 2);
        if (close == std::string_view::npos || close == 2 || close + 1 >= rest.size() ||
            rest[close + 1] != 's') {
          return absl::InvalidArgumentError(
              absl::StrCat("bad interpolation variable reference ", PyRepr(std::string(rest))));
        }
        std::string var = absl::AsciiStrToLower(std::string(rest.substr(2, close - 2)));
        rest.remove_prefix(close + 2);
        const std::string* v = lookup(var);
        if (v == nullptr) {
          return absl::InvalidArgumentError(
              absl::StrCat("Bad value substitution: option ", PyRepr(option), " in section ",
                           PyRepr(section), " contains an interpolation key ", PyRepr(var),
                           " which is not a valid option name. Raw value: ", PyRepr(*raw)));
        }
        if (v->find('%') != std::string::npos) {
          if (absl::Status st = expand(*v, depth + 1); !st.ok()) return st;
        } else {
          out += *v;
        }
      } else {
        return absl::InvalidArgumentError(
            absl::StrCat("'%' must be followed by '%' or '(', found: ", PyRepr(std::string(rest))));
      }
    }
    return absl::OkStatus();
  };
  if (absl::Status st = expand(*raw, 1); !st.ok()) return st;
  return out;
}

// configparser.RawConfigParser._read() with ConfigParser()'s defaults: comment prefixes '#'
// and ';' (whole lines only), delimiters '=' and ':', empty lines allowed inside values, strict.
absl::StatusOr<Ini> ParseIni(const std::string& text, const std::string& filename) {
  if (text.size() > kMaxIniBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(filename, " is larger than ", kMaxIniBytes, " bytes"));
  }
  struct Section {
    std::string name;
    std::vector<std::pair<std::string, std::vector<std::string>>> options;
  };
  std::vector<Section> sections;
  Section defaults{"DEFAULT", {}};
  Section* cur = nullptr;
  std::vector<std::string>* value = nullptr;  // lines of the option being read (optname)
  size_t indent_level = 0;
  std::set<std::string> sections_added;
  std::set<std::pair<std::string, std::string>> options_added;
  std::string errors;  // ParsingError's lines
  int lineno = 0;
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();  // no line after the last '\n'
  for (std::string& line : lines) {
    if (++lineno > kMaxIniLines) {
      return absl::InvalidArgumentError(
          absl::StrCat(filename, " has more than ", kMaxIniLines, " lines"));
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::string stripped(absl::StripAsciiWhitespace(line));
    bool comment = !stripped.empty() && (stripped[0] == '#' || stripped[0] == ';');
    if (stripped.empty() || comment) {
      // empty_lines_in_values: a blank (not a comment) line belongs to the current value.
      if (!comment && value != nullptr) value->push_back("");
      continue;
    }
    size_t indent = 0;
    while (indent < line.size() && IsSpace(line[indent])) ++indent;
    if (cur != nullptr && value != nullptr && indent > indent_level) {
      value->push_back(stripped);  // continuation line
      continue;
    }
    indent_level = indent;
    // SECTCRE: \[(?P<header>.+)\] (greedy: up to the last ']').
    size_t close = stripped[0] == '[' ? stripped.rfind(']') : std::string::npos;
    if (close != std::string::npos && close >= 2) {
      std::string name = stripped.substr(1, close - 1);
      if (name == "DEFAULT") {
        cur = &defaults;
      } else {
        if (!sections_added.insert(name).second) {
          return absl::InvalidArgumentError(absl::StrCat("While reading from ", PyRepr(filename),
                                                         " [line ", LineNo(lineno), "]: section ",
                                                         PyRepr(name), " already exists"));
        }
        sections.push_back({name, {}});
        cur = &sections.back();
      }
      value = nullptr;
      continue;
    }
    if (cur == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("File contains no section headers.\nfile: ", PyRepr(filename),
                       ", line: ", lineno, "\n", PyRepr(line + "\n")));
    }
    size_t sep = stripped.find_first_of("=:");
    if (sep == std::string::npos) {
      absl::StrAppend(&errors, "\n\t[line ", LineNo(lineno), "]: ", PyRepr(line + "\n"));
      continue;  // non-fatal: reported after the whole file was read
    }
    std::string key(absl::StripTrailingAsciiWhitespace(stripped.substr(0, sep)));
    if (key.empty())
      absl::StrAppend(&errors, "\n\t[line ", LineNo(lineno), "]: ", PyRepr(line + "\n"));
    key = absl::AsciiStrToLower(key);
    if (!options_added.insert({cur->name, key}).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          "While reading from ", PyRepr(filename), " [line ", LineNo(lineno), "]: option ",
          PyRepr(key), " in section ", PyRepr(cur->name), " already exists"));
    }
    cur->options.emplace_back(key, std::vector<std::string>{std::string(
                                       absl::StripAsciiWhitespace(stripped.substr(sep + 1)))});
    value = &cur->options.back().second;
  }
  if (!errors.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("Source contains parsing errors: ", PyRepr(filename), errors));
  }
  // _join_multiline_values(): lines joined by "\n", trailing whitespace (blank lines) removed.
  auto join = [](const Section& in) {
    IniSection out{in.name, {}};
    for (const auto& [k, v] : in.options) {
      out.options.emplace_back(
          k, std::string(absl::StripTrailingAsciiWhitespace(absl::StrJoin(v, "\n"))));
    }
    return out;
  };
  Ini ini;
  ini.filename = filename;
  for (const Section& sec : sections) ini.sections.push_back(join(sec));
  ini.defaults = join(defaults);
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
                                                         const WalkLimits& limits,
                                                         std::vector<std::string>* warnings) {
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
    std::string abs = rel.empty() ? root : root + "/" + rel;
    DIR* d = opendir(abs.c_str());
    if (d == nullptr) {
      // A path too long to open is a tree we cannot report correctly: say so instead of
      // dropping it.
      if (errno == ENAMETOOLONG) {
        return absl::OutOfRangeError(
            absl::StrCat("path too long to walk: ", abs.substr(0, 200), "..."));
      }
      // Unreadable or vanished: left out with its subtree, as os.walk does. Reporting it would
      // have the server mark it up to date, and send clients to content we never saw.
      if (warnings != nullptr) {
        warnings->push_back(absl::StrCat("warning: cannot read ", abs, ": ", strerror(errno),
                                         "; not reported, nor anything below it"));
      }
      continue;
    }
    out.push_back(rel);
    if (out.size() > limits.max_directories) {
      closedir(d);
      return absl::ResourceExhaustedError(
          absl::StrCat("more than ", limits.max_directories, " directories below ", root));
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

using ordered_json = nlohmann::ordered_json;

// configparser values: a multi-line value is sent as a list of its whitespace-separated words.
ordered_json OptionValue(const std::string& v) {
  if (v.find('\n') == std::string::npos) return v;
  ordered_json list = ordered_json::array();
  for (absl::string_view w : absl::StrSplit(v, absl::ByAnyChar(" \t\n\r\f\v"), absl::SkipEmpty())) {
    list.push_back(std::string(w));
  }
  return list;
}

// Appends to an object whose keys are known to be new: ordered_json's operator[] searches the
// keys linearly, which is quadratic for a dirtree of many thousand directories.
void AppendNew(ordered_json& object, std::string key, ordered_json value) {
  auto& items = static_cast<std::vector<std::pair<const std::string, ordered_json>>&>(
      *object.get_ptr<ordered_json::object_t*>());
  items.emplace_back(std::move(key), std::move(value));
}

// A (sorted, fast to parse) json as an ordered_json, without the quadratic insertion.
ordered_json ToOrdered(const nlohmann::json& in) {
  if (in.is_object()) {
    ordered_json out = ordered_json::object();
    for (const auto& [k, v] : in.items()) AppendNew(out, k, ToOrdered(v));
    return out;
  }
  if (in.is_array()) {
    ordered_json out = ordered_json::array();
    for (const auto& v : in) out.push_back(ToOrdered(v));
    return out;
  }
  return ordered_json::parse(in.dump());
}

std::string MissingOption(const std::string& option, const std::string& section) {
  return absl::StrCat("missing required option ", option, " in config [", section,
                      "]\nInvalid configuration - Exiting");
}

}  // namespace

absl::StatusOr<ordered_json> PayloadFromInput(const std::string& text) {
  // Parsed as a plain (sorted) json: fast for a large dirtree; upstream's first keys go first.
  auto parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return absl::InvalidArgumentError("the input file is not JSON");
  if (!parsed.is_object()) return absl::InvalidArgumentError("the input file is not a JSON object");
  ordered_json out = ordered_json::object();
  for (const char* first : {"version", "global", "site", "host", "stats"}) {
    if (parsed.contains(first)) AppendNew(out, first, ToOrdered(parsed[first]));
  }
  for (const auto& [k, v] : parsed.items()) {
    if (!out.contains(k)) AppendNew(out, k, ToOrdered(v));
  }
  return out;
}

absl::StatusOr<ordered_json> BuildPayload(const Ini& config,
                                          const std::vector<std::string>& excludes,
                                          const std::optional<ordered_json>& input,
                                          std::vector<std::string>* notes,
                                          std::vector<std::string>* warnings) {
  auto note = [&](const std::string& n) {
    if (notes != nullptr) notes->push_back(n);
  };
  ordered_json payload;
  if (input) {
    payload = *input;  // json.load(): the saved dict as it is, then the config on top
    if (!payload.is_object())
      return absl::InvalidArgumentError("the input file is not a JSON object");
  } else {
    payload = {{"version", 0},
               {"global", ordered_json::object()},
               {"site", ordered_json::object()},
               {"host", ordered_json::object()},
               {"stats", ordered_json::object()}};
  }
  // parse_section(): a disabled section that is in the payload is removed (false); otherwise the
  // required options must exist, and they and the optional ones present are copied.
  auto parse_section = [&](const std::string& name, std::initializer_list<const char*> required,
                           std::initializer_list<const char*> optional) -> absl::StatusOr<bool> {
    std::string key = absl::AsciiStrToLower(name);
    if (config.Has(name, "enabled")) {
      auto enabled = config.Get(name, "enabled");
      if (!enabled.ok()) return enabled.status();
      if (*enabled != "1" && payload.contains(key)) {
        note("removing disabled section " + name);
        payload.erase(key);
        return false;
      }
    }
    for (const char* o : required) {
      if (!config.Has(name, o)) return absl::InvalidArgumentError(MissingOption(o, name));
    }
    if (!payload.contains(key) || !payload[key].is_object()) payload[key] = ordered_json::object();
    for (const auto& list : {required, optional}) {
      for (const char* o : list) {
        if (!config.Has(name, o)) continue;
        auto v = config.Get(name, o);
        if (!v.ok()) return v.status();
        payload[key][o] = OptionValue(*v);
      }
    }
    return true;
  };
  for (const char* section : {"global", "site", "host"}) {
    if (config.Find(section) == nullptr) {
      return absl::NotFoundError(
          absl::StrCat("Invalid configuration - missing section [", section, "]"));
    }
    absl::StatusOr<bool> parsed =
        std::string(section) == "global" ? parse_section(section, {"enabled", "server"}, {})
        : std::string(section) == "site"
            ? parse_section(section, {"enabled", "name", "password"}, {})
            : parse_section(section, {"enabled", "name"}, {"user_active"});
    if (!parsed.ok()) return parsed.status();
    // A disabled [site] stays out of the payload and the server refuses the check-in (spec
    // §3.1); a disabled [global] or [host] ends the run, as upstream.
    if (!*parsed && std::string(section) == "global") {
      return absl::FailedPreconditionError(
          "missing required options (server AND enabled) in [global] section");
    }
    if (!*parsed && std::string(section) == "host") {
      return absl::FailedPreconditionError("[host] is not enabled: nothing is sent");
    }
  }
  for (const IniSection& s : config.sections) {
    if (s.name == "global" || s.name == "site" || s.name == "host" || s.name == "stats") continue;
    std::string key = absl::AsciiStrToLower(s.name);
    // `enabled` is required in every category section (upstream exits on its absence).
    if (!config.Has(s.name, "enabled")) {
      return absl::InvalidArgumentError(MissingOption("enabled", s.name));
    }
    auto enabled = config.Get(s.name, "enabled");
    if (!enabled.ok()) return enabled.status();
    if (*enabled != "1") {
      // Never sent (upstream walked and sent it unless -i, deleting the host's directories).
      if (payload.contains(key)) {
        note("removing disabled section " + s.name);
        payload.erase(key);
      }
      continue;
    }
    if (!config.Has(s.name, "path"))
      return absl::InvalidArgumentError(MissingOption("path", s.name));
    auto path = config.Get(s.name, "path");
    if (!path.ok()) return path.status();
    if (!payload.contains(key) || !payload[key].is_object()) payload[key] = ordered_json::object();
    payload[key]["enabled"] = *enabled;
    if (input) continue;  // -i: the saved dirtree is used as it is
    auto dirs = WalkDirectories(*path, excludes, {}, warnings);
    if (!dirs.ok()) return dirs.status();
    ordered_json tree = ordered_json::object();
    for (const auto& d : *dirs) AppendNew(tree, d, ordered_json::object());
    payload[key]["dirtree"] = std::move(tree);
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
                                           const nlohmann::ordered_json& payload,
                                           long timeout_seconds) {
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
