#pragma once
// The Mustache templates and static assets compiled into the binary (so it runs from anywhere).
// Templates escape every {{value}} for HTML by default; triple mustaches are used only for markup
// the gateway builds itself (rendered page bodies, SVG charts that escape their labels).
//
// Thread-safety: Render() is thread-safe (each thread compiles its own copy once, because
// kainjow's renderer is not documented as safe for concurrent use of one template object).

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <kainjow/mustache.hpp>

namespace mm::web {

class TemplateSet {
 public:
  // Loads the embedded templates; aborts on a template that does not compile (a build defect).
  TemplateSet();

  // Renders template `name` (without ".mustache") with every template available as a partial
  // (added to `data`).
  std::string Render(const std::string& name, kainjow::mustache::data& data) const;

  // Static assets: contents and content type, or nullopt.
  struct Asset {
    std::string_view body;
    std::string content_type;
  };
  std::optional<Asset> StaticAsset(const std::string& name) const;

 private:
  std::map<std::string, std::string> sources_;
  std::map<std::string, std::string> static_;
  int id_;
};

std::string_view MapIconPng();

}  // namespace mm::web
