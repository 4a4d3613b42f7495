#include "tests/unit/netblocks/bgpdump_reference.h"

#include <map>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "services/netblocks/netblock_table.h"
#include "services/netblocks/prefix.h"
#include "tests/testing/subprocess.h"
#include "tests/unit/netblocks/mrt_writer.h"

namespace mm::netblocks::testing {

bool OriginFromText(const std::string& as_path, uint32_t* origin) {
  bool in_bracket = false;
  bool in_run = false;
  bool found = false;
  for (absl::string_view tok : absl::StrSplit(as_path, ' ', absl::SkipEmpty())) {
    bool plain = !in_bracket && tok[0] != '{' && tok[0] != '(' && tok[0] != '[';
    if (!in_bracket && (tok[0] == '(' || tok[0] == '[')) in_bracket = true;
    if (in_bracket && (tok.back() == ')' || tok.back() == ']')) {
      in_bracket = false;
      plain = false;
    }
    if (plain) {
      if (found && !in_run) break;  // a second run: the first one decided
      uint32_t v;
      if (!absl::SimpleAtoi(tok, &v)) return false;
      *origin = v;
      found = in_run = true;
    } else if (in_run) {
      in_run = false;
    }
  }
  return found;
}

ReferenceTable BgpdumpOrigins(const std::string& path) {
  ReferenceTable t;
  auto r = mm::testing::RunProcess(kBgpdump, {"-m", path});
  if (!r.ok()) {
    t.error = std::string(r.status().message());
    return t;
  }
  std::map<std::string, size_t> index;
  std::vector<std::pair<std::string, uint32_t>> lines;
  std::string previous;  // prefix text of the previous TABLE_DUMP2 line
  for (absl::string_view line : absl::StrSplit(r->out, '\n', absl::SkipEmpty())) {
    ++t.lines;
    std::vector<std::string> f = absl::StrSplit(line, '|');
    if (f.size() < 7 || (f[0] != "TABLE_DUMP" && f[0] != "TABLE_DUMP2")) {
      previous.clear();
      continue;
    }
    if (f[0] == "TABLE_DUMP2") {
      if (f[5] == previous) continue;  // a later entry of the same record
      previous = f[5];
    } else {
      previous.clear();
    }
    Prefix p;
    if (!ParsePrefix(f[5], &p)) {
      t.error = "unparsable prefix in bgpdump output: " + std::string(line);
      return t;
    }
    std::string prefix = FormatPrefix(p);
    uint32_t origin;
    if (p.length == 0 || !OriginFromText(f[6], &origin)) continue;
    auto [it, inserted] = index.emplace(prefix, lines.size());
    if (inserted) {
      lines.emplace_back(prefix, origin);
    } else {
      lines[it->second].second = origin;
    }
  }
  for (const auto& [prefix, origin] : lines) {
    if (!NetblockTable::Excluded(prefix + " " + std::to_string(origin))) {
      t.entries.emplace_back(prefix, origin);
    }
  }
  return t;
}

std::vector<std::pair<std::string, uint32_t>> ReadNetblocksFile(const std::string& path) {
  std::vector<std::pair<std::string, uint32_t>> out;
  std::istringstream in(ReadFile(path));
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f = absl::StrSplit(line, ' ');
    uint32_t v = 0;
    if (f.size() != 2 || !absl::SimpleAtoi(f[1], &v)) {
      out.emplace_back("BAD LINE: " + line, 0);
      continue;
    }
    out.emplace_back(f[0], v);
  }
  return out;
}

}  // namespace mm::netblocks::testing
