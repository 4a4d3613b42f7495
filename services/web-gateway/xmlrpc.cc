#include "services/web-gateway/xmlrpc.h"

#include <pugixml.hpp>

#include <cmath>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/web-gateway/checkin_codec.h"

namespace mm::web::xmlrpc {
namespace {

class Parser {
 public:
  explicit Parser(const Limits& limits) : limits_(limits) {}

  absl::StatusOr<Value> ParseValue(const pugi::xml_node& node, int depth) {
    if (depth > limits_.max_depth) return absl::InvalidArgumentError("XML-RPC value nested too deep");
    if (++count_ > limits_.max_values) return absl::InvalidArgumentError("too many XML-RPC values");
    pugi::xml_node typed;
    for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
      if (c.type() == pugi::node_element) {
        if (typed) return absl::InvalidArgumentError("<value> holds more than one element");
        typed = c;
      }
    }
    if (!typed) return Value(std::string(node.text().get()));  // untyped = string
    std::string name = typed.name();
    const char* text = typed.text().get();
    if (name == "string") return Value(std::string(text));
    if (name == "int" || name == "i4" || name == "i8") {
      int64_t v = 0;
      if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(text), &v)) {
        return absl::InvalidArgumentError(absl::StrCat("bad <", name, "> value"));
      }
      return Value(v);
    }
    if (name == "boolean") {
      std::string t(absl::StripAsciiWhitespace(text));
      if (t == "1") return Value(true);
      if (t == "0") return Value(false);
      return absl::InvalidArgumentError("bad <boolean> value");
    }
    if (name == "double") {
      double v = 0;
      if (!absl::SimpleAtod(absl::StripAsciiWhitespace(text), &v)) {
        return absl::InvalidArgumentError("bad <double> value");
      }
      return Value(v);
    }
    if (name == "nil") return Value(Nil{});
    if (name == "dateTime.iso8601") return Value(std::string(text));
    if (name == "base64") {
      std::string err;
      auto bytes = UrlSafeBase64Decode(text, &err);
      if (!bytes) return absl::InvalidArgumentError(absl::StrCat("bad <base64>: ", err));
      return Value(Base64{*bytes});
    }
    if (name == "array") {
      pugi::xml_node data = typed.child("data");
      Array out;
      if (!data) return Value(out);
      for (pugi::xml_node v = data.child("value"); v; v = v.next_sibling("value")) {
        auto item = ParseValue(v, depth + 1);
        if (!item.ok()) return item.status();
        out.push_back(std::move(*item));
      }
      return Value(std::move(out));
    }
    if (name == "struct") {
      Struct out;
      for (pugi::xml_node m = typed.child("member"); m; m = m.next_sibling("member")) {
        pugi::xml_node v = m.child("value");
        if (!v) return absl::InvalidArgumentError("<member> without <value>");
        auto item = ParseValue(v, depth + 1);
        if (!item.ok()) return item.status();
        out.emplace_back(m.child("name").text().get(), std::move(*item));
      }
      return Value(std::move(out));
    }
    return absl::InvalidArgumentError(absl::StrCat("unknown XML-RPC type <", name, ">"));
  }

 private:
  const Limits& limits_;
  size_t count_ = 0;
};

absl::Status Load(pugi::xml_document& doc, std::string_view xml, const Limits& limits) {
  if (xml.size() > limits.max_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("request body exceeds ", limits.max_bytes, " bytes"));
  }
  // No DTDs: they are the door to entity expansion. pugixml does not expand custom entities,
  // but refusing them outright keeps the parser's contract simple.
  if (xml.find("<!DOCTYPE") != std::string_view::npos ||
      xml.find("<!ENTITY") != std::string_view::npos) {
    return absl::InvalidArgumentError("DOCTYPE is not allowed");
  }
  // Element nesting is bounded before pugixml builds its tree (it parses iteratively, but the
  // tree walk below is recursive).
  int depth = 0, max_depth = 0;
  for (size_t i = 0; i + 1 < xml.size(); ++i) {
    if (xml[i] != '<') continue;
    char n = xml[i + 1];
    if (n == '/') {
      --depth;
    } else if (n != '?' && n != '!') {
      size_t close = xml.find('>', i);
      if (close == std::string_view::npos) break;
      if (xml[close - 1] != '/') max_depth = std::max(max_depth, ++depth);
    }
  }
  if (max_depth > 4 * limits.max_depth + 8) return absl::InvalidArgumentError("XML nested too deep");
  pugi::xml_parse_result r =
      doc.load_buffer(xml.data(), xml.size(), pugi::parse_default & ~pugi::parse_doctype,
                      pugi::encoding_utf8);
  if (!r) {
    return absl::InvalidArgumentError(
        absl::StrCat("syntax error: ", r.description(), " at offset ", r.offset));
  }
  return absl::OkStatus();
}

std::string Escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

void Write(const Value& value, std::string& out) {
  out += "<value>";
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, Nil>) {
          out += "<nil/>";
        } else if constexpr (std::is_same_v<T, bool>) {
          out += x ? "<boolean>1</boolean>" : "<boolean>0</boolean>";
        } else if constexpr (std::is_same_v<T, int64_t>) {
          out += absl::StrCat("<int>", x, "</int>");
        } else if constexpr (std::is_same_v<T, double>) {
          out += absl::StrFormat("<double>%.17g</double>", x);
        } else if constexpr (std::is_same_v<T, std::string>) {
          out += "<string>" + Escape(x) + "</string>";
        } else if constexpr (std::is_same_v<T, Base64>) {
          std::string b = UrlSafeBase64Encode(x.bytes);
          for (char& c : b) {
            if (c == '-') c = '+';
            if (c == '_') c = '/';
          }
          out += "<base64>" + b + "</base64>";
        } else if constexpr (std::is_same_v<T, Array>) {
          out += "<array><data>\n";
          for (const auto& item : x) Write(item, out), out += "\n";
          out += "</data></array>";
        } else if constexpr (std::is_same_v<T, Struct>) {
          out += "<struct>\n";
          for (const auto& [k, v] : x) {
            out += "<member>\n<name>" + Escape(k) + "</name>\n";
            Write(v, out);
            out += "\n</member>\n";
          }
          out += "</struct>";
        }
      },
      value.v);
  out += "</value>";
}

constexpr char kHeader[] = "<?xml version='1.0'?>\n";

}  // namespace

std::string Value::TypeName() const {
  switch (v.index()) {
    case 0: return "nil";
    case 1: return "boolean";
    case 2: return "int";
    case 3: return "double";
    case 4: return "string";
    case 5: return "base64";
    case 6: return "array";
    default: return "struct";
  }
}

absl::StatusOr<MethodCall> ParseMethodCall(std::string_view xml, const Limits& limits) {
  pugi::xml_document doc;
  if (absl::Status s = Load(doc, xml, limits); !s.ok()) return s;
  pugi::xml_node call = doc.child("methodCall");
  if (!call) return absl::InvalidArgumentError("not an XML-RPC <methodCall>");
  MethodCall out;
  out.method = std::string(absl::StripAsciiWhitespace(call.child("methodName").text().get()));
  if (out.method.empty()) return absl::InvalidArgumentError("<methodName> is missing");
  Parser parser(limits);
  for (pugi::xml_node p = call.child("params").child("param"); p; p = p.next_sibling("param")) {
    auto v = parser.ParseValue(p.child("value"), 0);
    if (!v.ok()) return v.status();
    out.params.push_back(std::move(*v));
  }
  return out;
}

absl::StatusOr<MethodResponse> ParseMethodResponse(std::string_view xml, const Limits& limits) {
  pugi::xml_document doc;
  if (absl::Status s = Load(doc, xml, limits); !s.ok()) return s;
  pugi::xml_node resp = doc.child("methodResponse");
  if (!resp) return absl::InvalidArgumentError("not an XML-RPC <methodResponse>");
  Parser parser(limits);
  MethodResponse out;
  if (pugi::xml_node fault = resp.child("fault")) {
    auto v = parser.ParseValue(fault.child("value"), 0);
    if (!v.ok()) return v.status();
    out.is_fault = true;
    if (const auto* members = std::get_if<Struct>(&v->v)) {
      for (const auto& [k, m] : *members) {
        if (k == "faultCode" && std::holds_alternative<int64_t>(m.v)) {
          out.fault.code = std::get<int64_t>(m.v);
        }
        if (k == "faultString" && m.is_string()) out.fault.message = m.str();
      }
    }
    return out;
  }
  pugi::xml_node value = resp.child("params").child("param").child("value");
  if (!value) return absl::InvalidArgumentError("<methodResponse> without a value");
  auto v = parser.ParseValue(value, 0);
  if (!v.ok()) return v.status();
  out.value = std::move(*v);
  return out;
}

std::string WriteMethodCall(const MethodCall& call) {
  std::string out = kHeader;
  out += "<methodCall>\n<methodName>" + Escape(call.method) + "</methodName>\n<params>\n";
  for (const auto& p : call.params) {
    out += "<param>\n";
    Write(p, out);
    out += "\n</param>\n";
  }
  out += "</params>\n</methodCall>\n";
  return out;
}

std::string WriteResponse(const Value& value) {
  std::string out = kHeader;
  out += "<methodResponse>\n<params>\n<param>\n";
  Write(value, out);
  out += "\n</param>\n</params>\n</methodResponse>\n";
  return out;
}

std::string WriteFault(const Fault& fault) {
  std::string out = kHeader;
  out += "<methodResponse>\n<fault>\n";
  Write(Value(Struct{{"faultCode", Value(fault.code)}, {"faultString", Value(fault.message)}}), out);
  out += "\n</fault>\n</methodResponse>\n";
  return out;
}

}  // namespace mm::web::xmlrpc
