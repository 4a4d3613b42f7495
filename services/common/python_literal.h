#pragma once
// A parser for the subset of Python that MirrorManager2 configuration files use:
// `KEY = value` statements whose values are Python literals (str in every quote style, bytes,
// int, float, True/False/None, list, tuple, dict, set), `+`/`*` on them, references to keys
// assigned earlier, and a few harmless calls (timedelta, dict(), os.path.join, os.environ.get).
// `import`/`from ... import` lines are accepted and ignored. Anything else is an error that names
// file and line. Input size and nesting depth are bounded, so any byte string is safe to parse.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace mm::common {

class PyValue {
 public:
  enum class Kind { kNone, kBool, kInt, kFloat, kString, kList, kTuple, kDict };
  using List = std::vector<PyValue>;
  using Dict = std::vector<std::pair<PyValue, PyValue>>;  // insertion order, unique keys

  PyValue() = default;  // None
  static PyValue None() { return PyValue(); }
  static PyValue Bool(bool b);
  static PyValue Int(int64_t i);
  static PyValue Float(double d);
  static PyValue String(std::string s);
  static PyValue MakeList(List items);
  static PyValue MakeTuple(List items);
  static PyValue MakeDict(Dict items);

  Kind kind() const { return kind_; }
  bool is_none() const { return kind_ == Kind::kNone; }
  bool is_sequence() const { return kind_ == Kind::kList || kind_ == Kind::kTuple; }
  bool as_bool() const { return bool_; }
  int64_t as_int() const { return int_; }
  double as_float() const { return float_; }
  const std::string& as_string() const { return string_; }
  const List& items() const { return items_; }
  const Dict& dict() const { return dict_; }
  // Dict lookup by string key; nullptr when absent or not a dict.
  const PyValue* Get(std::string_view key) const;

  // Python truthiness (empty containers, 0, "" and None are false).
  bool Truthy() const;
  // Python's repr(), used in messages and tests.
  std::string Repr() const;
  static const char* KindName(Kind kind);

  friend bool operator==(const PyValue& a, const PyValue& b);

 private:
  Kind kind_ = Kind::kNone;
  bool bool_ = false;
  int64_t int_ = 0;
  double float_ = 0;
  std::string string_;
  List items_;
  Dict dict_;
};

struct PyAssignment {
  std::string key;
  PyValue value;
  int line = 0;  // 1-based line of the key
};

struct PyParseLimits {
  size_t max_input_bytes = 8 << 20;
  int max_depth = 64;
  size_t max_string_bytes = 1 << 20;
};

// Resolves a bare name used on the right-hand side (an earlier key). nullptr = undefined.
using PyNameLookup = std::function<const PyValue*(std::string_view name)>;
// Reads an environment variable for os.environ.get / os.getenv; nullopt-like empty = unset.
using PyEnvLookup = std::function<const char*(const std::string& name)>;

// Parses a whole config file. Errors read "<filename>:<line>: <message>".
absl::StatusOr<std::vector<PyAssignment>> ParsePythonAssignments(
    std::string_view text, std::string_view filename, const PyNameLookup& names = nullptr,
    const PyEnvLookup& env = nullptr, const PyParseLimits& limits = PyParseLimits());

// Parses a single expression (used for MM2_<KEY> environment overrides).
absl::StatusOr<PyValue> ParsePythonExpression(std::string_view text,
                                              const PyParseLimits& limits = PyParseLimits());

}  // namespace mm::common
