#include "services/umdl/repomd.h"

#include <cstring>
#include <limits>
#include <pugixml.hpp>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace mm::umdl {
namespace {

std::string_view LocalName(const char* name) {
  const char* colon = std::strrchr(name, ':');
  return colon ? std::string_view(colon + 1) : std::string_view(name);
}

}  // namespace

std::optional<int64_t> ParsePythonInt(std::string_view s) {
  while (!s.empty() && absl::ascii_isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && absl::ascii_isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  bool negative = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return std::nullopt;
  // Digits, with single underscores between them (PEP 515).
  uint64_t v = 0;
  constexpr uint64_t kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '_') {
      if (i == 0 || i + 1 == s.size() || s[i - 1] == '_') return std::nullopt;
      continue;
    }
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    if (v > (kMax - (c - '0')) / 10) return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return negative ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
}

absl::StatusOr<int64_t> RepomdTimestamp(std::string_view xml) {
  pugi::xml_document doc;
  // No DOCTYPE/entity processing beyond the predefined entities (pugixml never fetches).
  pugi::xml_parse_result parsed =
      doc.load_buffer(xml.data(), xml.size(), pugi::parse_default & ~pugi::parse_doctype);
  if (!parsed) {
    return absl::InvalidArgumentError(
        absl::StrCat("not XML: ", parsed.description(), " at offset ", parsed.offset));
  }
  pugi::xml_node root = doc.document_element();
  if (!root || LocalName(root.name()) != "repomd") {
    return absl::InvalidArgumentError("the root element is not <repomd>");
  }
  // rpmmd's RepoMD starts at 0 and takes every <data> element of the document (iterparse).
  struct Walker : pugi::xml_tree_walker {
    int64_t best = 0;
    bool for_each(pugi::xml_node& node) override {
      if (node.type() != pugi::node_element || LocalName(node.name()) != "data") return true;
      const char* text = nullptr;  // RepoData keeps the last <timestamp> child's text
      for (pugi::xml_node ts : node.children()) {
        if (ts.type() == pugi::node_element && LocalName(ts.name()) == "timestamp") {
          text = ts.child_value();
        }
      }
      if (text == nullptr) return true;
      std::optional<int64_t> v = ParsePythonInt(text);
      if (v && *v > best) best = *v;
      return true;
    }
  } walker;
  root.traverse(walker);
  return walker.best;
}

}  // namespace mm::umdl
