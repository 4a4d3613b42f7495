#pragma once
// A small command-line parser for the upstream-compatible CLIs: short and long options
// ("-c FILE", "-cFILE", "--config FILE", "--config=FILE"), flags, "--x/--no-x" pairs, repeatable
// options, positionals, and sub-commands (parsing stops at the first positional when
// `StopAtFirstPositional` is set; the rest is handed to the sub-command's parser).
// For single-valued options the last occurrence wins, as with click.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace mm::common {

class ArgParser {
 public:
  ArgParser(std::string program, std::string description);

  // `names` is a comma-separated list such as "-c,--config".
  ArgParser& Flag(const std::string& names, const std::string& help);
  // A flag with a "--no-" twin; `default_value` applies when neither is given.
  ArgParser& BoolFlag(const std::string& name, const std::string& negative_name, bool default_value,
                      const std::string& help);
  ArgParser& Option(const std::string& names, const std::string& metavar, const std::string& help,
                    std::optional<std::string> default_value = std::nullopt);
  ArgParser& Repeated(const std::string& names, const std::string& metavar,
                      const std::string& help);
  ArgParser& Positional(const std::string& name, const std::string& help, bool required = true);
  ArgParser& StopAtFirstPositional();
  ArgParser& Epilog(std::string text);

  // `args` excludes the program name. "--help"/"-h" sets help_requested().
  absl::Status Parse(const std::vector<std::string>& args);
  absl::Status Parse(int argc, char** argv);

  bool help_requested() const { return help_; }
  bool flag(const std::string& name) const;                   // by long name, e.g. "--debug"
  std::optional<std::string> value(const std::string& name) const;
  std::string value_or(const std::string& name, const std::string& fallback) const;
  std::vector<std::string> values(const std::string& name) const;
  std::optional<std::string> positional(const std::string& name) const;
  const std::vector<std::string>& rest() const { return rest_; }
  bool was_given(const std::string& name) const;

  std::string Usage() const;
  const std::string& program() const { return program_; }

 private:
  enum class Kind { kFlag, kBoolFlag, kOption, kRepeated };
  struct Spec {
    Kind kind;
    std::vector<std::string> names;
    std::string metavar;
    std::string help;
    std::optional<std::string> default_value;
    std::string negative_name;
    bool bool_default = false;
  };
  struct PositionalSpec {
    std::string name;
    std::string help;
    bool required;
  };

  const Spec* FindSpec(const std::string& name, bool* negative) const;
  static std::string Key(const Spec& spec);

  std::string program_;
  std::string description_;
  std::string epilog_;
  std::vector<Spec> specs_;
  std::vector<PositionalSpec> positional_specs_;
  bool stop_at_positional_ = false;

  bool help_ = false;
  std::map<std::string, std::vector<std::string>> given_;  // key = first long name
  std::map<std::string, std::string> positionals_;
  std::vector<std::string> rest_;
};

}  // namespace mm::common
