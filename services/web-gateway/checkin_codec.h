#pragma once
// The report_mirror payload (mm2-web-and-data.md §3.2-3.4): JSON -> bz2 -> URL-safe base64, and
// back. Decoding is bounded (payload size, decompressed size, JSON nesting, directory count) and
// never unpickles. Validation reproduces upstream's messages and order exactly.
//
// Errors are returned as CodecError with upstream's XML-RPC fault text ("<class 'T'>:message"),
// so the gateway can answer with fault code 1 like the Python dispatcher did.
//
// Thread-safety: pure functions.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace mm::web {

struct CheckinLimits {
  size_t max_payload_bytes = 16u << 20;       // CHECKIN_MAX_PAYLOAD_BYTES
  size_t max_decompressed_bytes = 64u << 20;  // CHECKIN_MAX_DECOMPRESSED_BYTES
  size_t max_directories = 250000;            // CHECKIN_MAX_DIRECTORIES
  int max_json_depth = 32;
};

enum class CodecErrorKind { kBase64, kBz2, kJson, kLimit };

struct CodecError {
  CodecErrorKind kind;
  std::string fault;  // "<class 'binascii.Error'>:Incorrect padding"
};

// Python's base64.urlsafe_b64decode (non-strict: characters outside the alphabet are skipped).
std::optional<std::string> UrlSafeBase64Decode(std::string_view in, std::string* error);
std::string UrlSafeBase64Encode(std::string_view in);

// bz2 (multi-stream, like Python's bz2.decompress); stops with an error past `max_output` bytes.
absl::StatusOr<std::string> Bz2Decompress(std::string_view in, size_t max_output);
absl::StatusOr<std::string> Bz2Compress(std::string_view in);

// Result of DecodeCheckinPayload: the JSON document and the order of its top-level keys (Python
// dicts keep insertion order; upstream's messages follow it), or an error. The document itself
// is a plain (sorted) json: nlohmann's ordered_json inserts in O(n) per key, far too slow for a
// dirtree of many thousand directories.
struct DecodedPayload {
  std::optional<nlohmann::json> config;
  std::vector<std::string> key_order;
  std::optional<CodecError> error;
};
DecodedPayload DecodeCheckinPayload(std::string_view payload, const CheckinLimits& limits);

// Upstream's validate_config: "" when valid; otherwise the message (already followed by
// "Invalid config file provided, please check your report_mirror.conf."). Sections are visited
// in `key_order` (keys missing from it follow in sorted order).
std::string ValidateCheckinConfig(const nlohmann::json& config,
                                  const std::vector<std::string>& key_order = {});

// What catalog needs from a valid config.
struct CheckinData {
  std::string site_name, site_password, host_name;
  bool credentials_are_strings = true;  // site name and password; false: authentication fails
  bool host_name_is_string = true;      // false: no host matches (after authentication)
  std::optional<bool> user_active;
  struct Category {
    std::string name;
    std::vector<std::string> dirtree;
  };
  std::vector<Category> categories;  // payload order; disabled ones ("enabled" != "1") left out
  size_t directories = 0;
};
// `config` must have passed ValidateCheckinConfig. Fails (kLimit) past limits.max_directories.
std::variant<CheckinData, CodecError> ExtractCheckinData(
    const nlohmann::json& config, const CheckinLimits& limits,
    const std::vector<std::string>& key_order = {});

// JSON text -> bz2 -> URL-safe base64 (the client side).
absl::StatusOr<std::string> EncodeCheckinPayload(const nlohmann::json& config);
absl::StatusOr<std::string> EncodeCheckinPayload(const nlohmann::ordered_json& config);

}  // namespace mm::web
