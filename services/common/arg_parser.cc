#include "services/common/arg_parser.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace mm::common {

ArgParser::ArgParser(std::string program, std::string description)
    : program_(std::move(program)), description_(std::move(description)) {}

namespace {
std::vector<std::string> SplitNames(const std::string& names) {
  std::vector<std::string> out;
  for (absl::string_view n : absl::StrSplit(names, ',', absl::SkipEmpty())) {
    out.emplace_back(n);
  }
  return out;
}
}  // namespace

std::string ArgParser::Key(const Spec& spec) {
  for (const auto& n : spec.names) {
    if (absl::StartsWith(n, "--")) return n;
  }
  return spec.names.front();
}

ArgParser& ArgParser::Flag(const std::string& names, const std::string& help) {
  specs_.push_back(Spec{Kind::kFlag, SplitNames(names), "", help});
  return *this;
}

ArgParser& ArgParser::BoolFlag(const std::string& name, const std::string& negative_name,
                               bool default_value, const std::string& help) {
  Spec s{Kind::kBoolFlag, SplitNames(name), "", help};
  s.negative_name = negative_name;
  s.bool_default = default_value;
  specs_.push_back(std::move(s));
  return *this;
}

ArgParser& ArgParser::Option(const std::string& names, const std::string& metavar,
                             const std::string& help, std::optional<std::string> default_value) {
  specs_.push_back(Spec{Kind::kOption, SplitNames(names), metavar, help, std::move(default_value)});
  return *this;
}

ArgParser& ArgParser::Repeated(const std::string& names, const std::string& metavar,
                               const std::string& help) {
  specs_.push_back(Spec{Kind::kRepeated, SplitNames(names), metavar, help});
  return *this;
}

ArgParser& ArgParser::Positional(const std::string& name, const std::string& help, bool required) {
  positional_specs_.push_back(PositionalSpec{name, help, required});
  return *this;
}

ArgParser& ArgParser::StopAtFirstPositional() {
  stop_at_positional_ = true;
  return *this;
}

ArgParser& ArgParser::Epilog(std::string text) {
  epilog_ = std::move(text);
  return *this;
}

const ArgParser::Spec* ArgParser::FindSpec(const std::string& name, bool* negative) const {
  *negative = false;
  for (const auto& s : specs_) {
    for (const auto& n : s.names) {
      if (n == name) return &s;
    }
    if (s.kind == Kind::kBoolFlag && s.negative_name == name) {
      *negative = true;
      return &s;
    }
  }
  return nullptr;
}

absl::Status ArgParser::Parse(int argc, char** argv) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  return Parse(args);
}

absl::Status ArgParser::Parse(const std::vector<std::string>& args) {
  size_t next_positional = 0;
  bool only_positionals = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    bool is_option = !only_positionals && arg.size() > 1 && arg[0] == '-';
    if (is_option && arg == "--") {
      only_positionals = true;
      continue;
    }
    if (is_option && (arg == "-h" || arg == "--help")) {
      help_ = true;
      continue;
    }
    if (!is_option) {
      if (stop_at_positional_ && positional_specs_.empty()) {
        rest_.assign(args.begin() + i, args.end());
        break;
      }
      if (next_positional < positional_specs_.size()) {
        positionals_[positional_specs_[next_positional++].name] = arg;
        if (stop_at_positional_ && next_positional == positional_specs_.size()) {
          rest_.assign(args.begin() + i + 1, args.end());
          break;
        }
        continue;
      }
      return absl::InvalidArgumentError(absl::StrCat("unexpected argument '", arg, "'"));
    }
    std::string name = arg;
    std::optional<std::string> inline_value;
    if (absl::StartsWith(arg, "--")) {
      size_t eq = arg.find('=');
      if (eq != std::string::npos) {
        name = arg.substr(0, eq);
        inline_value = arg.substr(eq + 1);
      }
    } else if (arg.size() > 2) {
      // "-cFILE": short option with attached value.
      name = arg.substr(0, 2);
      inline_value = arg.substr(2);
    }
    bool negative = false;
    const Spec* spec = FindSpec(name, &negative);
    if (spec == nullptr) return absl::InvalidArgumentError(absl::StrCat("no such option: ", name));
    std::string key = Key(*spec);
    switch (spec->kind) {
      case Kind::kFlag:
      case Kind::kBoolFlag:
        if (inline_value) {
          return absl::InvalidArgumentError(absl::StrCat("option ", name, " does not take a value"));
        }
        given_[key] = {negative ? "0" : "1"};
        break;
      case Kind::kOption:
      case Kind::kRepeated: {
        std::string v;
        if (inline_value) {
          v = *inline_value;
        } else if (i + 1 < args.size()) {
          v = args[++i];
        } else {
          return absl::InvalidArgumentError(absl::StrCat("option ", name, " requires an argument"));
        }
        if (spec->kind == Kind::kOption) {
          given_[key] = {v};
        } else {
          given_[key].push_back(v);
        }
        break;
      }
    }
  }
  if (help_) return absl::OkStatus();
  for (size_t p = next_positional; p < positional_specs_.size(); ++p) {
    if (positional_specs_[p].required) {
      return absl::InvalidArgumentError(
          absl::StrCat("missing argument '", positional_specs_[p].name, "'"));
    }
  }
  return absl::OkStatus();
}

bool ArgParser::flag(const std::string& name) const {
  bool negative = false;
  const Spec* spec = FindSpec(name, &negative);
  if (spec == nullptr) return false;
  auto it = given_.find(Key(*spec));
  if (it == given_.end()) return spec->kind == Kind::kBoolFlag && spec->bool_default;
  return it->second.back() == "1";
}

bool ArgParser::was_given(const std::string& name) const {
  bool negative = false;
  const Spec* spec = FindSpec(name, &negative);
  return spec != nullptr && given_.count(Key(*spec)) > 0;
}

std::optional<std::string> ArgParser::value(const std::string& name) const {
  bool negative = false;
  const Spec* spec = FindSpec(name, &negative);
  if (spec == nullptr) return std::nullopt;
  auto it = given_.find(Key(*spec));
  if (it == given_.end() || it->second.empty()) return spec->default_value;
  return it->second.back();
}

std::string ArgParser::value_or(const std::string& name, const std::string& fallback) const {
  return value(name).value_or(fallback);
}

std::vector<std::string> ArgParser::values(const std::string& name) const {
  bool negative = false;
  const Spec* spec = FindSpec(name, &negative);
  if (spec == nullptr) return {};
  auto it = given_.find(Key(*spec));
  return it == given_.end() ? std::vector<std::string>{} : it->second;
}

std::optional<std::string> ArgParser::positional(const std::string& name) const {
  auto it = positionals_.find(name);
  if (it == positionals_.end()) return std::nullopt;
  return it->second;
}

std::string ArgParser::Usage() const {
  std::string out = absl::StrCat("Usage: ", program_, " [OPTIONS]");
  for (const auto& p : positional_specs_) {
    out += p.required ? absl::StrCat(" ", p.name) : absl::StrCat(" [", p.name, "]");
  }
  if (stop_at_positional_ && positional_specs_.empty()) out += " COMMAND [ARGS]...";
  out += "\n";
  if (!description_.empty()) out += "\n  " + description_ + "\n";
  out += "\nOptions:\n";
  for (const auto& s : specs_) {
    std::string names = absl::StrJoin(s.names, ", ");
    if (s.kind == Kind::kBoolFlag && !s.negative_name.empty()) names += " / " + s.negative_name;
    if (!s.metavar.empty()) names += " " + s.metavar;
    std::string help = s.help;
    if (s.default_value) help += absl::StrCat(" [default: ", *s.default_value, "]");
    out += absl::StrCat("  ", names, std::string(names.size() < 30 ? 30 - names.size() : 1, ' '),
                        help, "\n");
  }
  out += "  -h, --help                    Show this message and exit.\n";
  if (!epilog_.empty()) out += "\n" + epilog_ + "\n";
  return out;
}

}  // namespace mm::common
