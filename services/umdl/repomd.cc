#include "services/umdl/repomd.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <pugixml.hpp>
#include <string>

#include "absl/strings/str_cat.h"

namespace mm::umdl {
namespace {

std::string_view LocalName(const char* name) {
  const char* colon = std::strrchr(name, ':');
  return colon ? std::string_view(colon + 1) : std::string_view(name);
}

}  // namespace

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
  int64_t best = 0;
  for (pugi::xml_node data : root.children()) {
    if (data.type() != pugi::node_element || LocalName(data.name()) != "data") continue;
    for (pugi::xml_node ts : data.children()) {
      if (ts.type() != pugi::node_element || LocalName(ts.name()) != "timestamp") continue;
      const char* text = ts.child_value();
      char* end = nullptr;
      double v = std::strtod(text, &end);
      while (end && *end && std::strchr(" \t\r\n", *end)) ++end;
      if (end == text || (end && *end) || !std::isfinite(v) || v < 0 || v > 9.0e15) continue;
      best = std::max(best, static_cast<int64_t>(v));
    }
  }
  return best;
}

}  // namespace mm::umdl
