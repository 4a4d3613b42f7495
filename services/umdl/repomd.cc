#include "services/umdl/repomd.h"

#include <cstring>
#include <pugixml.hpp>
#include <string>

#include "absl/strings/str_cat.h"
#include "services/umdl/python_int.h"

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
