#pragma once
// A small, bounded XML-RPC codec (https://xmlrpc.com/spec.md) for /xmlrpc and the report_mirror
// client: method calls and responses with the usual scalar types, arrays and structs. Input is
// limited in size, nesting depth and element count before anything is built; DOCTYPEs (and so
// entity expansion) are refused.
//
// Thread-safety: pure functions.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"

namespace mm::web::xmlrpc {

struct Value;
using Array = std::vector<Value>;
using Struct = std::vector<std::pair<std::string, Value>>;  // member order kept

struct Nil {};
struct Base64 {
  std::string bytes;
};

struct Value {
  std::variant<Nil, bool, int64_t, double, std::string, Base64, Array, Struct> v;

  Value() = default;
  template <typename T>
    requires(!std::is_same_v<std::decay_t<T>, Value>)
  Value(T x) : v(std::move(x)) {}  // NOLINT: implicit by design
  Value(const char* s) : v(std::string(s)) {}  // NOLINT
  Value(int i) : v(static_cast<int64_t>(i)) {}  // NOLINT

  bool is_string() const { return std::holds_alternative<std::string>(v); }
  const std::string& str() const { return std::get<std::string>(v); }
  // XML-RPC type name: "string", "int", "array", ...
  std::string TypeName() const;
};

struct Limits {
  size_t max_bytes = 16u << 20;
  int max_depth = 16;
  size_t max_values = 100000;
};

struct MethodCall {
  std::string method;
  std::vector<Value> params;
};

struct Fault {
  int64_t code = 0;
  std::string message;
};

struct MethodResponse {
  bool is_fault = false;
  Value value;
  Fault fault;
};

// INVALID_ARGUMENT with a message like "syntax error: line 1, column 0" or "nesting too deep".
absl::StatusOr<MethodCall> ParseMethodCall(std::string_view xml, const Limits& limits);
absl::StatusOr<MethodResponse> ParseMethodResponse(std::string_view xml, const Limits& limits);

std::string WriteMethodCall(const MethodCall& call);
std::string WriteResponse(const Value& value);
std::string WriteFault(const Fault& fault);

}  // namespace mm::web::xmlrpc
