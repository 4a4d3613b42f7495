#include "services/web-gateway/checkin_codec.h"

#include <bzlib.h>

#include <set>
#include <variant>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace mm::web {
namespace {

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-' || c == '+') return 62;
  if (c == '_' || c == '/') return 63;
  return -1;
}

CodecError Error(CodecErrorKind kind, const std::string& type, const std::string& message) {
  return CodecError{kind, absl::StrCat("<class '", type, "'>:", message)};
}

// Python's str() of a JSON value, for "config file version is not 0, is X."
std::string PyStr(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "True" : "False";
  if (v.is_null()) return "None";
  if (v.is_number_float()) {
    std::string s = v.dump();
    if (s.find_first_of(".eE") == std::string::npos) s += ".0";
    return s;
  }
  if (v.is_number()) return v.dump();
  return v.dump();  // containers: JSON text is close enough to Python's repr
}

// Nesting depth of a JSON text (brackets outside strings); stops counting past `limit`.
int JsonDepth(std::string_view text, int limit) {
  int depth = 0, max_depth = 0;
  bool in_string = false, escape = false;
  for (char c : text) {
    if (in_string) {
      if (escape) {
        escape = false;
      } else if (c == '\\') {
        escape = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      max_depth = std::max(max_depth, ++depth);
      if (max_depth > limit) return max_depth;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return max_depth;
}

// The keys of a top-level JSON object in document order (the text is known to be valid JSON):
// strings at depth 1 followed by ':'.
std::vector<std::string> TopLevelKeyOrder(std::string_view text) {
  std::vector<std::string> keys;
  int depth = 0;
  for (size_t i = 0; i < text.size() && keys.size() < 10000; ++i) {
    char c = text[i];
    if (c == '"') {
      size_t start = i++;
      while (i < text.size() && text[i] != '"') i += text[i] == '\\' ? 2 : 1;
      if (depth != 1) continue;
      size_t j = i + 1;
      while (j < text.size() &&
             (text[j] == ' ' || text[j] == '\t' || text[j] == '\n' || text[j] == '\r'))
        ++j;
      if (j < text.size() && text[j] == ':') {
        auto key = nlohmann::json::parse(text.substr(start, i - start + 1), nullptr, false);
        if (key.is_string()) keys.push_back(key.get<std::string>());
      }
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return keys;
}

bool IsReserved(const std::string& key) {
  return key == "global" || key == "site" || key == "host" || key == "version" || key == "stats";
}

// The object's keys in `order` first (those present, once each), then any others.
std::vector<std::string> OrderedKeys(const nlohmann::json& config,
                                     const std::vector<std::string>& order) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& k : order) {
    if (config.contains(k) && seen.insert(k).second) out.push_back(k);
  }
  for (const auto& [k, v] : config.items()) {
    if (seen.insert(k).second) out.push_back(k);
  }
  return out;
}

}  // namespace

std::optional<std::string> UrlSafeBase64Decode(std::string_view in, std::string* error) {
  std::string out;
  out.reserve(in.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  size_t data_chars = 0, pad = 0;
  for (char c : in) {
    if (c == '=') {
      ++pad;
      continue;
    }
    int v = Base64Value(c);
    if (v < 0) continue;  // binascii skips characters outside the alphabet
    if (pad > 0) {
      // Data after padding: Python stops at the padding when it completes a quantum.
      if (data_chars % 4 == 0) break;
    }
    ++data_chars;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  size_t rem = data_chars % 4;
  if (rem == 1) {
    *error = absl::StrCat("Invalid base64-encoded string: number of data characters (", data_chars,
                          ") cannot be 1 more than a multiple of 4");
    return std::nullopt;
  }
  if (rem != 0 && pad < 4 - rem) {
    *error = "Incorrect padding";
    return std::nullopt;
  }
  return out;
}

std::string UrlSafeBase64Encode(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t n = (static_cast<uint8_t>(in[i]) << 16) | (static_cast<uint8_t>(in[i + 1]) << 8) |
                 static_cast<uint8_t>(in[i + 2]);
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(kAlphabet[(n >> 6) & 63]);
    out.push_back(kAlphabet[n & 63]);
  }
  if (i + 1 == in.size()) {
    uint32_t n = static_cast<uint8_t>(in[i]) << 16;
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t n = (static_cast<uint8_t>(in[i]) << 16) | (static_cast<uint8_t>(in[i + 1]) << 8);
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(kAlphabet[(n >> 6) & 63]);
    out.push_back('=');
  }
  return out;
}

absl::StatusOr<std::string> Bz2Decompress(std::string_view in, size_t max_output) {
  std::string out;
  size_t pos = 0;
  char buf[65536];
  bool any_stream = false;
  while (pos < in.size() || !any_stream) {
    bz_stream s{};
    if (BZ2_bzDecompressInit(&s, 0, 0) != BZ_OK) return absl::InternalError("bz2 init failed");
    s.next_in = const_cast<char*>(in.data() + pos);
    s.avail_in = static_cast<unsigned>(in.size() - pos);
    int rc = BZ_OK;
    while (rc == BZ_OK) {
      s.next_out = buf;
      s.avail_out = sizeof buf;
      rc = BZ2_bzDecompress(&s);
      size_t produced = sizeof buf - s.avail_out;
      if (out.size() + produced > max_output) {
        BZ2_bzDecompressEnd(&s);
        return absl::ResourceExhaustedError(
            absl::StrCat("decompressed payload exceeds ", max_output, " bytes"));
      }
      out.append(buf, produced);
      if (rc == BZ_OK && s.avail_in == 0 && produced == 0) {
        BZ2_bzDecompressEnd(&s);
        return absl::InvalidArgumentError(
            "Compressed data ended before the end-of-stream marker was reached");
      }
    }
    size_t consumed = (in.size() - pos) - s.avail_in;
    BZ2_bzDecompressEnd(&s);
    if (rc != BZ_STREAM_END) {
      if (any_stream) break;  // trailing garbage after a stream: ignored, as Python does
      if (rc == BZ_DATA_ERROR_MAGIC || rc == BZ_DATA_ERROR) {
        return absl::DataLossError("Invalid data stream");
      }
      return absl::InvalidArgumentError(
          "Compressed data ended before the end-of-stream marker was reached");
    }
    any_stream = true;
    pos += consumed;
  }
  return out;
}

absl::StatusOr<std::string> Bz2Compress(std::string_view in) {
  unsigned int size = static_cast<unsigned int>(in.size() + in.size() / 100 + 601);
  std::string out(size, '\0');
  int rc = BZ2_bzBuffToBuffCompress(out.data(), &size, const_cast<char*>(in.data()),
                                    static_cast<unsigned>(in.size()), 9, 0, 0);
  if (rc != BZ_OK) return absl::InternalError(absl::StrCat("bz2 compression failed: ", rc));
  out.resize(size);
  return out;
}

DecodedPayload DecodeCheckinPayload(std::string_view payload, const CheckinLimits& limits) {
  DecodedPayload r;
  if (payload.size() > limits.max_payload_bytes) {
    r.error = Error(CodecErrorKind::kLimit, "ValueError",
                    absl::StrCat("compressed payload is ", payload.size(), " bytes; the limit is ",
                                 limits.max_payload_bytes));
    return r;
  }
  std::string err;
  auto compressed = UrlSafeBase64Decode(payload, &err);
  if (!compressed) {
    r.error = Error(CodecErrorKind::kBase64, "binascii.Error", err);
    return r;
  }
  auto text = Bz2Decompress(*compressed, limits.max_decompressed_bytes);
  if (!text.ok()) {
    if (absl::IsResourceExhausted(text.status())) {
      r.error = Error(CodecErrorKind::kLimit, "ValueError", std::string(text.status().message()));
    } else if (absl::IsDataLoss(text.status())) {
      r.error = Error(CodecErrorKind::kBz2, "OSError", std::string(text.status().message()));
    } else {
      r.error = Error(CodecErrorKind::kBz2, "ValueError", std::string(text.status().message()));
    }
    return r;
  }
  if (JsonDepth(*text, limits.max_json_depth) > limits.max_json_depth) {
    r.error = Error(CodecErrorKind::kLimit, "ValueError",
                    absl::StrCat("payload JSON is nested deeper than ", limits.max_json_depth));
    return r;
  }
  // No parser callback: nlohmann's callback parser rescans the parent object after every child,
  // which is quadratic in the size of a dirtree.
  auto parsed = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    r.error = Error(CodecErrorKind::kJson, "ValueError",
                    "payload is not valid JSON (pickled payloads are not accepted)");
    return r;
  }
  if (parsed.is_object()) r.key_order = TopLevelKeyOrder(*text);
  r.config = std::move(parsed);
  return r;
}

std::string ValidateCheckinConfig(const nlohmann::json& config,
                                  const std::vector<std::string>& key_order) {
  constexpr char kInvalid[] = "Invalid config file provided, please check your report_mirror.conf.";
  auto fail = [&](std::string m) { return m + kInvalid; };
  if (!config.is_object()) {
    return fail("config file is not a dict.\nPlease update your copy of report_mirror.\n");
  }
  if (!config.contains("version")) return fail("config file has no version field.\n");
  const auto& version = config["version"];
  // Python's `config["version"] != 0`: 0, 0.0 and False pass; "0" does not.
  bool is_zero = (version.is_number() && version.get<double>() == 0) ||
                 (version.is_boolean() && !version.get<bool>());
  if (!is_zero)
    return fail(absl::StrCat("config file version is not 0, is ", PyStr(version), ".\n"));
  for (const char* section : {"global", "site", "host"}) {
    if (!config.contains(section)) {
      return fail(absl::StrCat("config file missing section ", section, ".\n"));
    }
  }
  const auto& global = config["global"];
  if (!global.is_object() || !global.contains("enabled") || global["enabled"] != "1") {
    return fail("config file section [global] not enabled.\n");
  }
  for (const char* opt : {"name", "password"}) {
    if (!config["site"].is_object() || !config["site"].contains(opt)) {
      return fail(absl::StrCat("config file [site] missing required option ", opt, ".\n"));
    }
  }
  if (!config["host"].is_object() || !config["host"].contains("name")) {
    return fail("section [host] missing required option name.\n");
  }
  for (const std::string& key : OrderedKeys(config, key_order)) {
    if (IsReserved(key)) continue;
    const auto& value = config[key];
    if (!value.is_object() || !value.contains("dirtree")) {
      return fail(absl::StrCat("section [", key, "] missing required option dirtree.\n"));
    }
  }
  return "";
}

std::variant<CheckinData, CodecError> ExtractCheckinData(
    const nlohmann::json& config, const CheckinLimits& limits,
    const std::vector<std::string>& key_order) {
  CheckinData d;
  const auto& site = config["site"];
  const auto& host = config["host"];
  d.credentials_are_strings = site["name"].is_string() && site["password"].is_string();
  d.host_name_is_string = host["name"].is_string();
  if (site["name"].is_string()) d.site_name = site["name"].get<std::string>();
  if (site["password"].is_string()) d.site_password = site["password"].get<std::string>();
  if (host["name"].is_string()) d.host_name = host["name"].get<std::string>();
  if (host.is_object() && host.contains("user_active")) {
    // Upstream: `value in ["true", "1", "t", "y", "yes"]`, case-sensitive and strings only, so
    // "Yes", JSON true and the number 1 all mean false.
    const auto& ua = host["user_active"];
    std::string v = ua.is_string() ? ua.get<std::string>() : "";
    d.user_active =
        ua.is_string() && (v == "true" || v == "1" || v == "t" || v == "y" || v == "yes");
  }
  for (const std::string& key : OrderedKeys(config, key_order)) {
    if (IsReserved(key)) continue;
    const auto& value = config[key];
    // Our fix of the client quirk, on the server too: a disabled category leaves the database
    // unchanged, as the sample configuration promises.
    if (value.contains("enabled") && value["enabled"] != "1" && value["enabled"] != 1) continue;
    CheckinData::Category c;
    c.name = key;
    const auto& tree = value["dirtree"];
    if (tree.is_object()) {
      for (const auto& [path, unused] : tree.items()) c.dirtree.push_back(path);
    } else if (tree.is_array()) {
      for (const auto& p : tree) {
        if (p.is_string()) c.dirtree.push_back(p.get<std::string>());
      }
    }
    d.directories += c.dirtree.size();
    if (d.directories > limits.max_directories) {
      return Error(
          CodecErrorKind::kLimit, "ValueError",
          absl::StrCat("check-in reports more than ", limits.max_directories, " directories"));
    }
    d.categories.push_back(std::move(c));
  }
  return d;
}

namespace {
absl::StatusOr<std::string> EncodeText(const std::string& text) {
  auto compressed = Bz2Compress(text);
  if (!compressed.ok()) return compressed.status();
  return UrlSafeBase64Encode(*compressed);
}
}  // namespace

absl::StatusOr<std::string> EncodeCheckinPayload(const nlohmann::json& config) {
  return EncodeText(config.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}
absl::StatusOr<std::string> EncodeCheckinPayload(const nlohmann::ordered_json& config) {
  return EncodeText(config.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
}

}  // namespace mm::web
