#include "services/web-gateway/templates.h"

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <unordered_map>

#include "absl/strings/match.h"
#include "services/common/embedded_file.h"

namespace mm::web {
extern const ::mm::common::EmbeddedFile kWebTemplates[];
extern const int kWebTemplatesCount;
extern const ::mm::common::EmbeddedFile kWebStatic[];
extern const int kWebStaticCount;

namespace {

std::atomic<int> next_id{1};

struct Compiled {
  std::map<std::string, std::unique_ptr<kainjow::mustache::mustache>> templates;
  kainjow::mustache::data partials;
};

}  // namespace

TemplateSet::TemplateSet() : id_(next_id.fetch_add(1)) {
  for (int i = 0; i < kWebTemplatesCount; ++i) {
    std::string name = kWebTemplates[i].name;
    if (absl::EndsWith(name, ".mustache")) name.resize(name.size() - 9);
    sources_[name] = kWebTemplates[i].contents;
    kainjow::mustache::mustache check(sources_[name]);
    if (!check.is_valid()) {
      std::cerr << "template " << name << " does not compile: " << check.error_message() << "\n";
      std::abort();
    }
  }
  for (int i = 0; i < kWebStaticCount; ++i) static_[kWebStatic[i].name] = kWebStatic[i].contents;
}

std::string TemplateSet::Render(const std::string& name, kainjow::mustache::data& data) const {
  thread_local std::unordered_map<int, std::unique_ptr<Compiled>> per_thread;
  auto& compiled = per_thread[id_];
  if (!compiled) {
    compiled = std::make_unique<Compiled>();
    for (const auto& [n, src] : sources_) {
      compiled->templates[n] = std::make_unique<kainjow::mustache::mustache>(src);
      std::string text = src;
      compiled->partials.set(n, kainjow::mustache::partial([text] { return text; }));
    }
  }
  auto it = compiled->templates.find(name);
  if (it == compiled->templates.end()) return "";
  // Partials are looked up by name in the context; add them without overriding page values.
  for (const auto& [n, src] : sources_) {
    if (!data.get(n)) data.set(n, *compiled->partials.get(n));
  }
  return it->second->render(data);
}

std::optional<TemplateSet::Asset> TemplateSet::StaticAsset(const std::string& name) const {
  if (name == "map/f-dot.png") return Asset{MapIconPng(), "image/png"};
  auto it = static_.find(name);
  if (it == static_.end()) return std::nullopt;
  std::string type = "application/octet-stream";
  if (absl::EndsWith(name, ".css")) type = "text/css; charset=utf-8";
  if (absl::EndsWith(name, ".svg")) type = "image/svg+xml";
  return Asset{it->second, type};
}

}  // namespace mm::web
