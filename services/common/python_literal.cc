#include "services/common/python_literal.h"

#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace mm::common {

// ---------------------------------------------------------------------------------------------
// PyValue

PyValue PyValue::Bool(bool b) {
  PyValue v;
  v.kind_ = Kind::kBool;
  v.bool_ = b;
  return v;
}
PyValue PyValue::Int(int64_t i) {
  PyValue v;
  v.kind_ = Kind::kInt;
  v.int_ = i;
  return v;
}
PyValue PyValue::Float(double d) {
  PyValue v;
  v.kind_ = Kind::kFloat;
  v.float_ = d;
  return v;
}
PyValue PyValue::String(std::string s) {
  PyValue v;
  v.kind_ = Kind::kString;
  v.string_ = std::move(s);
  return v;
}
PyValue PyValue::MakeList(List items) {
  PyValue v;
  v.kind_ = Kind::kList;
  v.items_ = std::move(items);
  return v;
}
PyValue PyValue::MakeTuple(List items) {
  PyValue v;
  v.kind_ = Kind::kTuple;
  v.items_ = std::move(items);
  return v;
}
PyValue PyValue::MakeDict(Dict items) {
  PyValue v;
  v.kind_ = Kind::kDict;
  v.dict_ = std::move(items);
  return v;
}

const PyValue* PyValue::Get(std::string_view key) const {
  if (kind_ != Kind::kDict) return nullptr;
  for (const auto& [k, val] : dict_) {
    if (k.kind_ == Kind::kString && k.string_ == key) return &val;
  }
  return nullptr;
}

bool PyValue::Truthy() const {
  switch (kind_) {
    case Kind::kNone:
      return false;
    case Kind::kBool:
      return bool_;
    case Kind::kInt:
      return int_ != 0;
    case Kind::kFloat:
      return float_ != 0;
    case Kind::kString:
      return !string_.empty();
    case Kind::kList:
    case Kind::kTuple:
      return !items_.empty();
    case Kind::kDict:
      return !dict_.empty();
  }
  return false;
}

const char* PyValue::KindName(Kind kind) {
  switch (kind) {
    case Kind::kNone:
      return "None";
    case Kind::kBool:
      return "bool";
    case Kind::kInt:
      return "int";
    case Kind::kFloat:
      return "float";
    case Kind::kString:
      return "str";
    case Kind::kList:
      return "list";
    case Kind::kTuple:
      return "tuple";
    case Kind::kDict:
      return "dict";
  }
  return "?";
}

namespace {

std::string ReprString(const std::string& s) {
  std::string out = "'";
  for (unsigned char c : s) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\'':
        out += "\\'";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          static const char kHex[] = "0123456789abcdef";
          out += "\\x";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "'";
}

}  // namespace

std::string PyValue::Repr() const {
  switch (kind_) {
    case Kind::kNone:
      return "None";
    case Kind::kBool:
      return bool_ ? "True" : "False";
    case Kind::kInt:
      return absl::StrCat(int_);
    case Kind::kFloat: {
      std::string s = absl::StrCat(float_);
      if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
      return s;
    }
    case Kind::kString:
      return ReprString(string_);
    case Kind::kList:
    case Kind::kTuple: {
      std::vector<std::string> parts;
      for (const auto& i : items_) parts.push_back(i.Repr());
      std::string inner = absl::StrJoin(parts, ", ");
      if (kind_ == Kind::kList) return "[" + inner + "]";
      if (items_.size() == 1) inner += ",";
      return "(" + inner + ")";
    }
    case Kind::kDict: {
      std::vector<std::string> parts;
      for (const auto& [k, v] : dict_) parts.push_back(k.Repr() + ": " + v.Repr());
      return "{" + absl::StrJoin(parts, ", ") + "}";
    }
  }
  return "?";
}

bool operator==(const PyValue& a, const PyValue& b) {
  using K = PyValue::Kind;
  // Python: 1 == 1.0 == True; keep it simple but consistent for dict keys.
  auto numeric = [](const PyValue& v) {
    return v.kind_ == K::kInt || v.kind_ == K::kFloat || v.kind_ == K::kBool;
  };
  if (numeric(a) && numeric(b)) {
    auto as_double = [](const PyValue& v) {
      return v.kind_ == K::kFloat ? v.float_
             : v.kind_ == K::kInt ? double(v.int_)
                                  : double(v.bool_);
    };
    if (a.kind_ != K::kFloat && b.kind_ != K::kFloat) {
      int64_t ai = a.kind_ == K::kInt ? a.int_ : a.bool_;
      int64_t bi = b.kind_ == K::kInt ? b.int_ : b.bool_;
      return ai == bi;
    }
    return as_double(a) == as_double(b);
  }
  if (a.kind_ != b.kind_) return false;
  switch (a.kind_) {
    case K::kNone:
      return true;
    case K::kString:
      return a.string_ == b.string_;
    case K::kList:
    case K::kTuple:
      return a.items_ == b.items_;
    case K::kDict:
      return a.dict_ == b.dict_;
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Lexer

namespace {

enum class TokType { kEnd, kNewline, kName, kInt, kFloat, kString, kBytes, kOp };

struct Token {
  TokType type = TokType::kEnd;
  std::string text;  // name, operator, or decoded string contents
  int64_t int_value = 0;
  double float_value = 0;
  int line = 1;
  bool at_line_start = false;  // first token of a logical line
  int column = 0;
};

class ParseError {
 public:
  ParseError(int line, std::string message) : line(line), message(std::move(message)) {}
  int line;
  std::string message;
};

void AppendUtf8(std::string& out, uint32_t cp, int line) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    throw ParseError(line, "invalid Unicode code point in string escape");
  }
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class Lexer {
 public:
  Lexer(std::string_view text, const PyParseLimits& limits) : s_(text), limits_(limits) {}

  std::vector<Token> Run() {
    std::vector<Token> out;
    bool line_start = true;
    int line_start_pos = 0;
    while (true) {
      // Skip blanks, comments, continuations and (inside brackets) newlines.
      while (pos_ < s_.size()) {
        char c = s_[pos_];
        if (c == ' ' || c == '\t' || c == '\f' || c == '\r') {
          ++pos_;
        } else if (c == '#') {
          while (pos_ < s_.size() && s_[pos_] != '\n') ++pos_;
        } else if (c == '\\' && pos_ + 1 < s_.size() &&
                   (s_[pos_ + 1] == '\n' ||
                    (s_[pos_ + 1] == '\r' && pos_ + 2 < s_.size() && s_[pos_ + 2] == '\n'))) {
          pos_ += s_[pos_ + 1] == '\n' ? 2 : 3;
          ++line_;
          if (pos_ >= s_.size()) throw ParseError(line_ - 1, "unexpected end of file after '\\'");
        } else if (c == '\n') {
          ++pos_;
          ++line_;
          if (depth_ == 0) {
            if (!line_start) {
              Token t;
              t.type = TokType::kNewline;
              t.line = line_ - 1;
              out.push_back(t);
            }
            line_start = true;
            line_start_pos = static_cast<int>(pos_);
          }
        } else {
          break;
        }
      }
      if (pos_ >= s_.size()) break;
      Token t = Next();
      t.at_line_start = line_start;
      t.column = static_cast<int>(t.at_line_start ? start_ - line_start_pos : 0);
      line_start = false;
      out.push_back(std::move(t));
    }
    if (depth_ > 0) throw ParseError(open_line_, "unclosed bracket");
    if (!out.empty() && out.back().type != TokType::kNewline) {
      Token t;
      t.type = TokType::kNewline;
      t.line = line_;
      out.push_back(t);
    }
    Token end;
    end.type = TokType::kEnd;
    end.line = line_;
    out.push_back(end);
    return out;
  }

 private:
  Token Next() {
    start_ = pos_;
    Token t;
    t.line = line_;
    char c = s_[pos_];
    // String prefixes: r, b, u, f and two-letter combinations, immediately followed by a quote.
    size_t p = pos_;
    std::string prefix;
    while (p < s_.size() && prefix.size() < 2 &&
           std::string_view("rRbBuUfF").find(s_[p]) != std::string_view::npos) {
      prefix += static_cast<char>(absl::ascii_tolower(s_[p]));
      ++p;
    }
    if (p < s_.size() && (s_[p] == '\'' || s_[p] == '"') &&
        (prefix.empty() || prefix == "r" || prefix == "b" || prefix == "u" || prefix == "rb" ||
         prefix == "br" || prefix.find('f') != std::string::npos)) {
      if (prefix.find('f') != std::string::npos) {
        throw ParseError(line_, "f-strings are not supported in configuration files");
      }
      pos_ = p;
      return LexString(prefix.find('r') != std::string::npos,
                       prefix.find('b') != std::string::npos);
    }
    if (absl::ascii_isalpha(static_cast<unsigned char>(c)) || c == '_') {
      while (pos_ < s_.size() &&
             (absl::ascii_isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_')) {
        ++pos_;
      }
      t.type = TokType::kName;
      t.text = std::string(s_.substr(start_, pos_ - start_));
      return t;
    }
    if (absl::ascii_isdigit(static_cast<unsigned char>(c)) ||
        (c == '.' && pos_ + 1 < s_.size() &&
         absl::ascii_isdigit(static_cast<unsigned char>(s_[pos_ + 1])))) {
      return LexNumber();
    }
    if (static_cast<unsigned char>(c) >= 0x80) {
      throw ParseError(line_, "unexpected non-ASCII character outside a string");
    }
    // Longest first, so that "//=" is not read as "//" then "=".
    static const char* kMultiChar[] = {
        "//=", "**=", ">>=", "<<=", "==", "!=", "<=", ">=", "//", "**", "+=",
        "-=",  "*=",  "/=",  "%=",  "|=", "&=", "^=", "@=", "->", ">>", "<<"};
    for (const char* op : kMultiChar) {
      std::string_view o(op);
      if (s_.substr(pos_, o.size()) == o) {
        pos_ += o.size();
        t.type = TokType::kOp;
        t.text = op;
        return t;
      }
    }
    if (std::string_view("=()[]{},:.+-*/%;<>@|&^~!").find(c) == std::string_view::npos) {
      throw ParseError(line_, absl::StrCat("unexpected character ", ReprString(std::string(1, c))));
    }
    ++pos_;
    if (c == '(' || c == '[' || c == '{') {
      if (depth_ == 0) open_line_ = line_;
      ++depth_;
      if (depth_ > limits_.max_depth) throw ParseError(line_, "brackets nested too deeply");
    } else if (c == ')' || c == ']' || c == '}') {
      if (depth_ == 0) throw ParseError(line_, absl::StrCat("unmatched '", std::string(1, c), "'"));
      --depth_;
    }
    t.type = TokType::kOp;
    t.text = std::string(1, c);
    return t;
  }

  Token LexNumber() {
    Token t;
    t.line = line_;
    std::string digits;
    int base = 10;
    bool is_float = false;
    if (s_[pos_] == '0' && pos_ + 1 < s_.size() &&
        std::string_view("xXoObB").find(s_[pos_ + 1]) != std::string_view::npos) {
      char b = absl::ascii_tolower(s_[pos_ + 1]);
      base = b == 'x' ? 16 : b == 'o' ? 8 : 2;
      pos_ += 2;
      while (pos_ < s_.size() &&
             (absl::ascii_isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_')) {
        if (s_[pos_] != '_') digits += s_[pos_];
        ++pos_;
      }
      if (digits.empty()) throw ParseError(line_, "invalid number literal");
    } else {
      auto take_digits = [&] {
        while (pos_ < s_.size() &&
               (absl::ascii_isdigit(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_')) {
          if (s_[pos_] != '_') digits += s_[pos_];
          ++pos_;
        }
      };
      take_digits();
      if (pos_ < s_.size() && s_[pos_] == '.') {
        is_float = true;
        digits += '.';
        ++pos_;
        take_digits();
      }
      if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
        is_float = true;
        digits += 'e';
        ++pos_;
        if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) digits += s_[pos_++];
        size_t before = digits.size();
        take_digits();
        if (digits.size() == before) throw ParseError(line_, "invalid float exponent");
      }
      if (pos_ < s_.size() && (s_[pos_] == 'j' || s_[pos_] == 'J')) {
        throw ParseError(line_, "complex numbers are not supported");
      }
      if (pos_ < s_.size() &&
          (absl::ascii_isalpha(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_')) {
        throw ParseError(line_, "invalid number literal");
      }
      if (!is_float && digits.size() > 1 && digits[0] == '0' &&
          digits.find_first_not_of('0') != std::string::npos) {
        throw ParseError(line_, "leading zeros in decimal integer literals are not permitted");
      }
    }
    if (is_float) {
      t.type = TokType::kFloat;
      char* end = nullptr;
      t.float_value = std::strtod(digits.c_str(), &end);
      if (end == nullptr || *end != '\0') throw ParseError(line_, "invalid float literal");
      return t;
    }
    t.type = TokType::kInt;
    uint64_t value = 0;
    for (char d : digits) {
      int v = HexValue(d);
      if (v < 0 || v >= base) throw ParseError(line_, "invalid digit in number literal");
      if (value > (static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) - v) / base) {
        throw ParseError(line_, "integer literal too large");
      }
      value = value * base + v;
    }
    t.int_value = static_cast<int64_t>(value);
    return t;
  }

  Token LexString(bool raw, bool bytes) {
    Token t;
    t.line = line_;
    t.type = bytes ? TokType::kBytes : TokType::kString;
    char q = s_[pos_];
    bool triple = s_.substr(pos_, 3) == std::string(3, q);
    pos_ += triple ? 3 : 1;
    std::string out;
    while (true) {
      if (pos_ >= s_.size()) {
        throw ParseError(t.line, triple ? "unterminated triple-quoted string literal"
                                        : "unterminated string literal");
      }
      char c = s_[pos_];
      if (triple) {
        if (s_.substr(pos_, 3) == std::string(3, q)) {
          pos_ += 3;
          break;
        }
      } else if (c == q) {
        ++pos_;
        break;
      } else if (c == '\n') {
        throw ParseError(t.line, "unterminated string literal");
      }
      if (out.size() > limits_.max_string_bytes)
        throw ParseError(t.line, "string literal too long");
      if (c == '\n') ++line_;
      if (c != '\\') {
        if (bytes && static_cast<unsigned char>(c) >= 0x80) {
          throw ParseError(line_, "bytes can only contain ASCII literal characters");
        }
        out += c;
        ++pos_;
        continue;
      }
      // Backslash.
      if (pos_ + 1 >= s_.size()) {
        throw ParseError(t.line, triple ? "unterminated triple-quoted string literal"
                                        : "unterminated string literal");
      }
      char e = s_[pos_ + 1];
      if (raw) {
        // Raw strings keep the backslash; it only stops the quote from ending the string.
        out += '\\';
        out += e;
        if (e == '\n') ++line_;
        pos_ += 2;
        continue;
      }
      pos_ += 2;
      switch (e) {
        case '\n':
          ++line_;
          break;
        case '\\':
          out += '\\';
          break;
        case '\'':
          out += '\'';
          break;
        case '"':
          out += '"';
          break;
        case 'a':
          out += '\a';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'v':
          out += '\v';
          break;
        case 'x': {
          if (pos_ + 2 > s_.size() || HexValue(s_[pos_]) < 0 || HexValue(s_[pos_ + 1]) < 0) {
            throw ParseError(line_, "truncated \\xXX escape");
          }
          uint32_t v = HexValue(s_[pos_]) * 16 + HexValue(s_[pos_ + 1]);
          pos_ += 2;
          if (bytes) {
            out += static_cast<char>(v);
          } else {
            AppendUtf8(out, v, line_);
          }
          break;
        }
        case 'u':
        case 'U': {
          if (bytes) {
            out += '\\';
            out += e;
            break;
          }
          size_t n = e == 'u' ? 4 : 8;
          uint32_t v = 0;
          for (size_t i = 0; i < n; ++i) {
            if (pos_ + i >= s_.size() || HexValue(s_[pos_ + i]) < 0) {
              throw ParseError(line_, absl::StrCat("truncated \\", std::string(1, e), " escape"));
            }
            v = v * 16 + HexValue(s_[pos_ + i]);
          }
          pos_ += n;
          AppendUtf8(out, v, line_);
          break;
        }
        case 'N':
          throw ParseError(line_, "\\N{...} escapes are not supported");
        default:
          if (e >= '0' && e <= '7') {
            uint32_t v = e - '0';
            for (int i = 0; i < 2 && pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '7'; ++i) {
              v = v * 8 + (s_[pos_++] - '0');
            }
            if (bytes) {
              out += static_cast<char>(v & 0xFF);
            } else {
              AppendUtf8(out, v, line_);
            }
          } else {
            out += '\\';
            out += e;
          }
      }
    }
    t.text = std::move(out);
    return t;
  }

  std::string_view s_;
  const PyParseLimits& limits_;
  size_t pos_ = 0;
  size_t start_ = 0;
  int line_ = 1;
  int depth_ = 0;
  int open_line_ = 1;
};

// ---------------------------------------------------------------------------------------------
// Parser / evaluator

class Parser {
 public:
  Parser(std::vector<Token> tokens, const PyNameLookup& names, const PyEnvLookup& env,
         const PyParseLimits& limits)
      : toks_(std::move(tokens)), names_(names), env_(env), limits_(limits) {}

  std::vector<PyAssignment> ParseFile() {
    std::vector<PyAssignment> out;
    while (Peek().type != TokType::kEnd) {
      if (Peek().type == TokType::kNewline) {
        ++i_;
        continue;
      }
      const Token& first = Peek();
      if (first.column != 0) throw ParseError(first.line, "unexpected indent");
      if (first.type == TokType::kName && (first.text == "import" || first.text == "from")) {
        while (Peek().type != TokType::kNewline && Peek().type != TokType::kEnd) ++i_;
        continue;
      }
      // KEY = value, KEY = OTHER = value (chained), or KEY += value (augmented).
      std::vector<Token> keys{TakeTarget()};
      PyValue value;
      if (Peek().type == TokType::kOp && IsAugmentedOp(Peek().text)) {
        Token op = Take();
        const PyValue* current = Lookup(keys[0].text);
        if (current == nullptr) {
          throw ParseError(op.line, absl::StrCat("name '", keys[0].text, "' is not defined"));
        }
        PyValue rhs = ParseExprList(0);
        value = Augment(*current, rhs, op);
      } else {
        if (!IsOp("=")) {
          throw ParseError(keys[0].line, absl::StrCat("expected '=' after ", keys[0].text));
        }
        ++i_;
        while (Peek().type == TokType::kName && IsOp("=", 1)) {
          keys.push_back(TakeTarget());
          ++i_;
        }
        value = ParseExprList(0);
      }
      if (IsOp(";")) {
        ++i_;  // another statement may follow on the same line
      } else if (Peek().type != TokType::kNewline && Peek().type != TokType::kEnd) {
        throw ParseError(Peek().line, absl::StrCat("unexpected '", Describe(Peek()),
                                                   "' after the value of ", keys.back().text));
      }
      for (const Token& key : keys) {
        locals_.emplace_back(key.text, value);
        out.push_back(PyAssignment{key.text, value, key.line});
      }
    }
    return out;
  }

  PyValue ParseSingleExpression() {
    while (Peek().type == TokType::kNewline) ++i_;
    PyValue v = ParseExprList(0);
    while (Peek().type == TokType::kNewline) ++i_;
    if (Peek().type != TokType::kEnd) {
      throw ParseError(Peek().line, absl::StrCat("unexpected '", Describe(Peek()), "'"));
    }
    return v;
  }

 private:
  static bool IsKeyword(const std::string& s) {
    static const char* kKeywords[] = {"if",    "else", "elif",   "for",    "while",  "def",
                                      "class", "with", "try",    "except", "return", "lambda",
                                      "del",   "pass", "global", "assert", "raise",  "async"};
    for (const char* k : kKeywords) {
      if (s == k) return true;
    }
    return false;
  }

  static std::string Describe(const Token& t) {
    switch (t.type) {
      case TokType::kEnd:
        return "end of file";
      case TokType::kNewline:
        return "end of line";
      case TokType::kString:
      case TokType::kBytes:
        return "string";
      case TokType::kInt:
      case TokType::kFloat:
        return "number";
      default:
        return t.text;
    }
  }

  const Token& Peek(size_t ahead = 0) const {
    size_t j = std::min(i_ + ahead, toks_.size() - 1);
    return toks_[j];
  }
  Token Take() { return toks_[std::min(i_++, toks_.size() - 1)]; }
  bool IsOp(std::string_view op, size_t ahead = 0) const {
    return Peek(ahead).type == TokType::kOp && Peek(ahead).text == op;
  }
  void Expect(std::string_view op) {
    if (!IsOp(op)) {
      throw ParseError(Peek().line, absl::StrCat("expected '", std::string(op), "' but found '",
                                                 Describe(Peek()), "'"));
    }
    ++i_;
  }

  void Enter(int depth, int line) const {
    if (depth > limits_.max_depth) throw ParseError(line, "expression nested too deeply");
  }

  // A plain name on the left of '='.
  Token TakeTarget() {
    const Token& t = Peek();
    if (t.type != TokType::kName) throw ParseError(t.line, "expected 'KEY = value'");
    if (IsKeyword(t.text)) {
      throw ParseError(t.line, absl::StrCat("'", t.text,
                                            "' statements are not supported; use "
                                            "plain 'KEY = value' assignments"));
    }
    if (t.text == "True" || t.text == "False" || t.text == "None") {
      throw ParseError(t.line, absl::StrCat("cannot assign to ", t.text));
    }
    Token key = Take();
    if (IsOp(".") || IsOp("[")) {
      throw ParseError(key.line,
                       absl::StrCat("only plain 'KEY = value' assignments are supported, not "
                                    "assignments to attributes or items of ",
                                    key.text));
    }
    return key;
  }

  static bool IsAugmentedOp(const std::string& op) {
    return op.size() >= 2 && op.back() == '=' && op != "==" && op != "<=" && op != ">=" &&
           op != "!=";
  }

  // The value of a name: this file's earlier assignments, then the caller's (defaults, earlier
  // files).
  const PyValue* Lookup(const std::string& name) const {
    for (auto it = locals_.rbegin(); it != locals_.rend(); ++it) {
      if (it->first == name) return &it->second;
    }
    return names_ ? names_(name) : nullptr;
  }

  bool AtStatementEnd() const {
    return Peek().type == TokType::kNewline || Peek().type == TokType::kEnd || IsOp(";");
  }

  // The right-hand side of an assignment: an expression, or a bare tuple ("a", "b" / "a",).
  PyValue ParseExprList(int depth) {
    PyValue first = ParseExpr(depth);
    if (!IsOp(",")) return first;
    PyValue::List items{std::move(first)};
    while (IsOp(",")) {
      ++i_;
      if (AtStatementEnd()) break;
      items.push_back(ParseExpr(depth));
    }
    return PyValue::MakeTuple(std::move(items));
  }

  // The items of an iterable (list(x), list += x).
  static PyValue::List Iterate(const PyValue& a, int line) {
    PyValue::List items;
    if (a.is_sequence()) {
      items = a.items();
    } else if (a.kind() == PyValue::Kind::kDict) {
      for (const auto& kv : a.dict()) items.push_back(kv.first);
    } else if (a.kind() == PyValue::Kind::kString) {
      for (char c : a.as_string()) items.push_back(PyValue::String(std::string(1, c)));
    } else {
      throw ParseError(line,
                       absl::StrCat("'", PyValue::KindName(a.kind()), "' object is not iterable"));
    }
    return items;
  }

  // KEY op= value.
  PyValue Augment(const PyValue& current, const PyValue& rhs, const Token& op) const {
    const std::string& o = op.text;
    if (o == "+=") {
      if (current.kind() == PyValue::Kind::kList && rhs.kind() != PyValue::Kind::kList) {
        // list += iterable extends the list (tuples, strings, dict keys), unlike list + tuple.
        PyValue::List items = current.items();
        PyValue::List more = Iterate(rhs, op.line);
        if (items.size() + more.size() > limits_.max_string_bytes)
          throw ParseError(op.line, "list too long");
        items.insert(items.end(), more.begin(), more.end());
        return PyValue::MakeList(std::move(items));
      }
      return Add(current, rhs, op.line);
    }
    if (o == "-=") return Subtract(current, rhs, op.line);
    if (o == "*=" || o == "/=" || o == "//=" || o == "%=") {
      return Multiply(current, rhs, o.substr(0, o.size() - 1), op.line);
    }
    throw ParseError(op.line, absl::StrCat("augmented assignment '", o, "' is not supported"));
  }

  PyValue ParseExpr(int depth) {
    Enter(depth, Peek().line);
    PyValue left = ParseTerm(depth + 1);
    while (IsOp("+") || IsOp("-")) {
      Token op = Take();
      PyValue right = ParseTerm(depth + 1);
      left = op.text == "+" ? Add(left, right, op.line) : Subtract(left, right, op.line);
    }
    return left;
  }

  PyValue ParseTerm(int depth) {
    Enter(depth, Peek().line);
    PyValue left = ParseUnary(depth + 1);
    while (IsOp("*") || IsOp("/") || IsOp("//") || IsOp("%")) {
      Token op = Take();
      PyValue right = ParseUnary(depth + 1);
      left = Multiply(left, right, op.text, op.line);
    }
    return left;
  }

  PyValue ParseUnary(int depth) {
    Enter(depth, Peek().line);
    if (IsOp("-") || IsOp("+")) {
      Token op = Take();
      PyValue v = ParseUnary(depth + 1);
      if (op.text == "+") {
        if (!IsNumber(v)) throw ParseError(op.line, "bad operand type for unary +");
        return v;
      }
      if (v.kind() == PyValue::Kind::kInt) {
        if (v.as_int() == std::numeric_limits<int64_t>::min()) {
          throw ParseError(op.line, "integer overflow");
        }
        return PyValue::Int(-v.as_int());
      }
      if (v.kind() == PyValue::Kind::kBool) return PyValue::Int(-int64_t{v.as_bool()});
      if (v.kind() == PyValue::Kind::kFloat) return PyValue::Float(-v.as_float());
      throw ParseError(op.line, absl::StrCat("bad operand type for unary -: '",
                                             PyValue::KindName(v.kind()), "'"));
    }
    return ParsePostfix(depth + 1);
  }

  PyValue ParseAtom(int depth) {
    Enter(depth, Peek().line);
    const Token& t = Peek();
    switch (t.type) {
      case TokType::kInt:
        ++i_;
        return PyValue::Int(t.int_value);
      case TokType::kFloat:
        ++i_;
        return PyValue::Float(t.float_value);
      case TokType::kString:
      case TokType::kBytes: {
        TokType kind = t.type;
        std::string s;
        while (Peek().type == TokType::kString || Peek().type == TokType::kBytes) {
          if (Peek().type != kind)
            throw ParseError(Peek().line, "cannot mix bytes and str literals");
          s += Take().text;
          if (s.size() > limits_.max_string_bytes) throw ParseError(t.line, "string too long");
        }
        return PyValue::String(std::move(s));
      }
      case TokType::kName:
        return ParseName(depth + 1);
      case TokType::kOp:
        if (t.text == "[") return ParseList(depth + 1);
        if (t.text == "(") return ParseParen(depth + 1);
        if (t.text == "{") return ParseBrace(depth + 1);
        break;
      default:
        break;
    }
    throw ParseError(t.line, absl::StrCat("expected a value but found '", Describe(t), "'"));
  }

  // Comma-separated items until `close`; returns whether a comma was seen.
  bool ParseItems(std::string_view close, int depth, PyValue::List& items) {
    bool comma = false;
    while (!IsOp(close)) {
      items.push_back(ParseExpr(depth));
      if (Peek().type == TokType::kName && Peek().text == "for") {
        throw ParseError(Peek().line, "comprehensions are not supported");
      }
      if (IsOp(",")) {
        comma = true;
        ++i_;
      } else if (!IsOp(close)) {
        throw ParseError(Peek().line, absl::StrCat("expected ',' or '", std::string(close),
                                                   "' but found '", Describe(Peek()), "'"));
      }
    }
    ++i_;
    return comma;
  }

  PyValue ParseList(int depth) {
    Expect("[");
    PyValue::List items;
    ParseItems("]", depth, items);
    return PyValue::MakeList(std::move(items));
  }

  PyValue ParseParen(int depth) {
    Expect("(");
    PyValue::List items;
    bool comma = ParseItems(")", depth, items);
    if (items.size() == 1 && !comma) return std::move(items[0]);
    return PyValue::MakeTuple(std::move(items));
  }

  PyValue ParseBrace(int depth) {
    int line = Peek().line;
    Expect("{");
    if (IsOp("}")) {
      ++i_;
      return PyValue::MakeDict({});
    }
    PyValue first = ParseExpr(depth);
    if (IsOp(":")) {
      PyValue::Dict dict;
      ++i_;
      PyValue value = ParseExpr(depth);
      SetDictItem(dict, std::move(first), std::move(value), line);
      while (IsOp(",")) {
        ++i_;
        if (IsOp("}")) break;
        PyValue k = ParseExpr(depth);
        Expect(":");
        PyValue v = ParseExpr(depth);
        SetDictItem(dict, std::move(k), std::move(v), line);
      }
      Expect("}");
      return PyValue::MakeDict(std::move(dict));
    }
    // A set literal: kept as a list (order as written, duplicates removed).
    PyValue::List items{std::move(first)};
    if (IsOp(",")) {
      ++i_;
      ParseItems("}", depth, items);
    } else {
      Expect("}");
    }
    PyValue::List unique;
    for (auto& item : items) {
      bool seen = false;
      for (const auto& u : unique) seen = seen || u == item;
      if (!seen) unique.push_back(std::move(item));
    }
    return PyValue::MakeList(std::move(unique));
  }

  static void SetDictItem(PyValue::Dict& dict, PyValue key, PyValue value, int line) {
    if (key.kind() == PyValue::Kind::kList || key.kind() == PyValue::Kind::kDict) {
      throw ParseError(line,
                       absl::StrCat("unhashable type: '", PyValue::KindName(key.kind()), "'"));
    }
    for (auto& [k, v] : dict) {
      if (k == key) {
        v = std::move(value);
        return;
      }
    }
    dict.emplace_back(std::move(key), std::move(value));
  }

  PyValue ParseName(int depth) {
    Token first = Take();
    if (first.text == "True") return PyValue::Bool(true);
    if (first.text == "False") return PyValue::Bool(false);
    if (first.text == "None") return PyValue::None();
    std::string name = first.text;
    // Module paths (os.path.join, os.environ.get, datetime.timedelta) are read whole; a dot
    // after any other name is a method of its value (ParsePostfix).
    if (name == "os" || name == "datetime") {
      while (IsOp(".") && Peek(1).type == TokType::kName) {
        i_ += 2;
        name += "." + toks_[i_ - 1].text;
      }
    }
    if (IsOp("(")) {
      KwArgs kwargs;
      PyValue::List args = ParseArgs(name, depth, kwargs);
      return Call(name, args, kwargs, first.line);
    }
    if (name == "os.environ") return ParseEnvironSubscript(first.line, depth);
    if (name.find('.') == std::string::npos) {
      if (const PyValue* v = Lookup(name)) return *v;
    }
    throw ParseError(first.line, absl::StrCat("name '", name, "' is not defined"));
  }

  // os.environ['NAME']: like Python, an unset variable is an error (KeyError).
  PyValue ParseEnvironSubscript(int line, int depth) {
    if (!IsOp("[")) {
      throw ParseError(line,
                       "os.environ can only be read as os.environ['NAME'] or os.environ.get(...)");
    }
    ++i_;
    PyValue key = ParseExpr(depth);
    Expect("]");
    if (key.kind() != PyValue::Kind::kString)
      throw ParseError(line, "environment variable name must be str");
    const char* v = env_ ? env_(key.as_string()) : nullptr;
    if (v == nullptr) {
      throw ParseError(line, absl::StrCat("environment variable ", key.Repr(),
                                          " is not set (use os.environ.get() for a default)"));
    }
    return PyValue::String(v);
  }

  using KwArgs = std::vector<std::pair<std::string, PyValue>>;

  // "(args, kw=args)" of a call to `name`; returns the positional arguments.
  PyValue::List ParseArgs(const std::string& name, int depth, KwArgs& kwargs) {
    int line = Peek().line;
    Expect("(");
    PyValue::List args;
    while (!IsOp(")")) {
      if (Peek().type == TokType::kName && IsOp("=", 1)) {
        std::string kw = Take().text;
        ++i_;
        kwargs.emplace_back(kw, ParseExpr(depth));
      } else {
        if (!kwargs.empty()) throw ParseError(line, "positional argument follows keyword argument");
        args.push_back(ParseExpr(depth));
      }
      if (IsOp(",")) {
        ++i_;
      } else if (!IsOp(")")) {
        throw ParseError(Peek().line, absl::StrCat("expected ',' or ')' in call to ", name));
      }
    }
    ++i_;
    return args;
  }

  // value[index] and value.method(...) after an atom.
  PyValue ParsePostfix(int depth) {
    PyValue v = ParseAtom(depth);
    while (true) {
      if (IsOp("[")) {
        int line = Take().line;
        if (IsOp(":")) throw ParseError(line, "slices are not supported");
        PyValue key = ParseExpr(depth);
        if (IsOp(":")) throw ParseError(line, "slices are not supported");
        Expect("]");
        v = Subscript(v, key, line);
      } else if (IsOp(".") && Peek(1).type == TokType::kName) {
        int line = Take().line;
        std::string method = Take().text;
        if (!IsOp("(")) {
          throw ParseError(line,
                           absl::StrCat("attribute access ('.", method, "') is not supported"));
        }
        KwArgs kwargs;
        PyValue::List args = ParseArgs(method, depth, kwargs);
        if (v.kind() != PyValue::Kind::kString || method != "format") {
          throw ParseError(line, absl::StrCat(PyValue::KindName(v.kind()), ".", method,
                                              "() is not supported (only str.format() is)"));
        }
        v = StrFormat(v.as_string(), args, kwargs, line);
      } else {
        return v;
      }
    }
  }

  static PyValue Subscript(const PyValue& v, const PyValue& key, int line) {
    if (v.kind() == PyValue::Kind::kDict) {
      for (const auto& [k, val] : v.dict()) {
        if (k == key) return val;
      }
      throw ParseError(line, absl::StrCat("key ", key.Repr(), " is not in the dict"));
    }
    if (v.is_sequence() || v.kind() == PyValue::Kind::kString) {
      if (key.kind() != PyValue::Kind::kInt && key.kind() != PyValue::Kind::kBool) {
        throw ParseError(line,
                         absl::StrCat(PyValue::KindName(v.kind()), " indices must be integers"));
      }
      int64_t n = static_cast<int64_t>(v.kind() == PyValue::Kind::kString ? v.as_string().size()
                                                                          : v.items().size());
      int64_t i = AsInt(key);
      if (i < 0) i += n;
      if (i < 0 || i >= n)
        throw ParseError(line, absl::StrCat(PyValue::KindName(v.kind()), " index out of range"));
      if (v.kind() == PyValue::Kind::kString) return PyValue::String(v.as_string().substr(i, 1));
      return v.items()[i];
    }
    throw ParseError(
        line, absl::StrCat("'", PyValue::KindName(v.kind()), "' object is not subscriptable"));
  }

  // Python's str(): strings as they are, everything else as repr().
  static std::string Str(const PyValue& v) {
    return v.kind() == PyValue::Kind::kString ? v.as_string() : v.Repr();
  }

  void CheckLength(size_t n, int line) const {
    if (n > limits_.max_string_bytes) throw ParseError(line, "string too long");
  }

  // printf-style "%s" % value / "%s %d" % (a, b) / "%(name)s" % {...}: conversions s, r, d, i.
  PyValue PercentFormat(const std::string& fmt, const PyValue& arg, int line) const {
    const bool mapping = arg.kind() == PyValue::Kind::kDict;
    PyValue::List single;
    const PyValue::List* args = &single;
    if (arg.kind() == PyValue::Kind::kTuple) {
      args = &arg.items();
    } else {
      single.push_back(arg);
    }
    size_t next = 0;
    std::string out;
    for (size_t i = 0; i < fmt.size(); ++i) {
      if (fmt[i] != '%') {
        out += fmt[i];
        continue;
      }
      if (++i >= fmt.size()) throw ParseError(line, "incomplete format");
      if (fmt[i] == '%') {
        out += '%';
        continue;
      }
      const PyValue* value = nullptr;
      if (fmt[i] == '(') {
        size_t close = fmt.find(')', i);
        if (close == std::string::npos) throw ParseError(line, "incomplete format key");
        if (!mapping) throw ParseError(line, "format requires a mapping");
        std::string key = fmt.substr(i + 1, close - i - 1);
        value = arg.Get(key);
        if (value == nullptr)
          throw ParseError(line,
                           absl::StrCat("format key ", ReprString(key), " is not in the dict"));
        i = close + 1;
        if (i >= fmt.size()) throw ParseError(line, "incomplete format");
      } else {
        if (next >= args->size()) throw ParseError(line, "not enough arguments for format string");
        value = &(*args)[next++];
      }
      char conv = fmt[i];
      if (conv == 's') {
        out += Str(*value);
      } else if (conv == 'r') {
        out += value->Repr();
      } else if (conv == 'd' || conv == 'i') {
        if (!IsNumber(*value)) {
          throw ParseError(line, absl::StrCat("%", std::string(1, conv),
                                              " format: a real number is required, not ",
                                              PyValue::KindName(value->kind())));
        }
        if (value->kind() == PyValue::Kind::kFloat) {
          double d = value->as_float();
          if (!std::isfinite(d) || std::fabs(d) >= 9.2e18)
            throw ParseError(line, "cannot convert float to int");
          out += absl::StrCat(static_cast<int64_t>(d));
        } else {
          out += absl::StrCat(AsInt(*value));
        }
      } else {
        throw ParseError(line,
                         absl::StrCat("unsupported format ", ReprString(std::string("%") + conv),
                                      " (supported: %s, %r, %d, %i, %(name)s and %%)"));
      }
      CheckLength(out.size(), line);
    }
    if (!mapping && next < args->size()) {
      throw ParseError(line, "not all arguments converted during string formatting");
    }
    return PyValue::String(std::move(out));
  }

  // str.format() with "{}", "{0}" and "{name}" fields; no format specs or conversions.
  PyValue StrFormat(const std::string& fmt, const PyValue::List& args, const KwArgs& kwargs,
                    int line) const {
    std::string out;
    size_t auto_index = 0;
    for (size_t i = 0; i < fmt.size(); ++i) {
      char c = fmt[i];
      if (c == '}') {
        if (i + 1 < fmt.size() && fmt[i + 1] == '}') {
          out += '}';
          ++i;
          continue;
        }
        throw ParseError(line, "single '}' encountered in format string");
      }
      if (c != '{') {
        out += c;
        continue;
      }
      if (i + 1 < fmt.size() && fmt[i + 1] == '{') {
        out += '{';
        ++i;
        continue;
      }
      size_t close = fmt.find('}', i);
      if (close == std::string::npos)
        throw ParseError(line, "single '{' encountered in format string");
      std::string field = fmt.substr(i + 1, close - i - 1);
      i = close;
      if (field.find_first_of(":!.[{") != std::string::npos) {
        throw ParseError(line, absl::StrCat("format field ", ReprString(field),
                                            " is not supported (only {}, {0} and {name})"));
      }
      const PyValue* value = nullptr;
      if (field.empty() || absl::ascii_isdigit(static_cast<unsigned char>(field[0]))) {
        size_t index = auto_index++;
        if (!field.empty()) {
          if (!absl::SimpleAtoi(field, &index))
            throw ParseError(line, "invalid format field index");
        }
        if (index >= args.size()) {
          throw ParseError(line, absl::StrCat("replacement index ", index, " out of range"));
        }
        value = &args[index];
      } else {
        for (const auto& [k, v] : kwargs) {
          if (k == field) value = &v;
        }
        if (value == nullptr)
          throw ParseError(line, absl::StrCat("format key ", ReprString(field), " not given"));
      }
      out += Str(*value);
      CheckLength(out.size(), line);
    }
    return PyValue::String(std::move(out));
  }

  PyValue Call(const std::string& name, const PyValue::List& args, const KwArgs& kwargs, int line) {
    auto no_kwargs = [&] {
      if (!kwargs.empty())
        throw ParseError(line, absl::StrCat(name, "() takes no keyword arguments"));
    };
    auto arity = [&](size_t lo, size_t hi) {
      if (args.size() < lo || args.size() > hi) {
        throw ParseError(line, absl::StrCat(name, "() got ", args.size(), " arguments"));
      }
    };
    if (name == "timedelta" || name == "datetime.timedelta") {
      static const std::pair<const char*, double> kUnits[] = {
          {"days", 86400}, {"seconds", 1},  {"microseconds", 1e-6}, {"milliseconds", 1e-3},
          {"minutes", 60}, {"hours", 3600}, {"weeks", 604800}};
      if (args.size() > 7) throw ParseError(line, "timedelta() takes at most 7 arguments");
      double total = 0;
      auto add = [&](const PyValue& v, double unit) {
        if (!IsNumber(v)) throw ParseError(line, "timedelta() arguments must be numbers");
        total += AsDouble(v) * unit;
      };
      for (size_t a = 0; a < args.size(); ++a) add(args[a], kUnits[a].second);
      for (const auto& [k, v] : kwargs) {
        bool found = false;
        for (const auto& [unit_name, unit] : kUnits) {
          if (k == unit_name) {
            add(v, unit);
            found = true;
          }
        }
        if (!found)
          throw ParseError(line, absl::StrCat("timedelta() got an unexpected keyword '", k, "'"));
      }
      if (!std::isfinite(total)) throw ParseError(line, "timedelta() overflow");
      if (total == std::floor(total) && std::fabs(total) < 9e18) {
        return PyValue::Int(static_cast<int64_t>(total));
      }
      return PyValue::Float(total);
    }
    if (name == "dict") {
      PyValue::Dict dict;
      if (args.size() > 1) throw ParseError(line, "dict() takes at most 1 positional argument");
      if (args.size() == 1) {
        if (args[0].kind() != PyValue::Kind::kDict)
          throw ParseError(line, "dict() argument must be a dict");
        dict = args[0].dict();
      }
      for (const auto& [k, v] : kwargs) SetDictItem(dict, PyValue::String(k), v, line);
      return PyValue::MakeDict(std::move(dict));
    }
    if (name == "list" || name == "tuple" || name == "set" || name == "frozenset") {
      no_kwargs();
      arity(0, 1);
      PyValue::List items;
      if (!args.empty()) items = Iterate(args[0], line);
      return name == "tuple" ? PyValue::MakeTuple(std::move(items))
                             : PyValue::MakeList(std::move(items));
    }
    if (name == "os.path.join") {
      no_kwargs();
      if (args.empty()) throw ParseError(line, "os.path.join() needs at least one argument");
      std::string out;
      for (const auto& a : args) {
        if (a.kind() != PyValue::Kind::kString)
          throw ParseError(line, "os.path.join() arguments must be str");
        const std::string& part = a.as_string();
        if (!part.empty() && part[0] == '/') {
          out = part;
        } else if (out.empty() || out.back() == '/') {
          out += part;
        } else {
          out += "/" + part;
        }
      }
      return PyValue::String(out);
    }
    if (name == "os.environ.get" || name == "os.getenv") {
      no_kwargs();
      arity(1, 2);
      if (args[0].kind() != PyValue::Kind::kString)
        throw ParseError(line, "environment variable name must be str");
      const char* v = env_ ? env_(args[0].as_string()) : nullptr;
      if (v != nullptr) return PyValue::String(v);
      return args.size() > 1 ? args[1] : PyValue::None();
    }
    if (name == "int" || name == "float" || name == "str" || name == "bool") {
      no_kwargs();
      arity(0, 1);
      if (args.empty()) {
        if (name == "int") return PyValue::Int(0);
        if (name == "float") return PyValue::Float(0);
        if (name == "str") return PyValue::String("");
        return PyValue::Bool(false);
      }
      const PyValue& a = args[0];
      if (name == "bool") return PyValue::Bool(a.Truthy());
      if (name == "str")
        return PyValue::String(a.kind() == PyValue::Kind::kString ? a.as_string() : a.Repr());
      if (name == "int") {
        if (a.kind() == PyValue::Kind::kString) {
          auto v = ParsePythonExpression(std::string(absl::StripAsciiWhitespace(a.as_string())));
          if (!v.ok() || v->kind() != PyValue::Kind::kInt) {
            throw ParseError(line, absl::StrCat("invalid literal for int(): ", a.Repr()));
          }
          return *v;
        }
        if (!IsNumber(a)) throw ParseError(line, "int() argument must be a string or a number");
        if (a.kind() == PyValue::Kind::kFloat) {
          if (!std::isfinite(a.as_float()) || std::fabs(a.as_float()) >= 9.2e18) {
            throw ParseError(line, "cannot convert float to int");
          }
          return PyValue::Int(static_cast<int64_t>(a.as_float()));
        }
        return PyValue::Int(a.kind() == PyValue::Kind::kBool ? a.as_bool() : a.as_int());
      }
      // float
      if (a.kind() == PyValue::Kind::kString) {
        char* end = nullptr;
        std::string s(absl::StripAsciiWhitespace(a.as_string()));
        double d = std::strtod(s.c_str(), &end);
        if (s.empty() || end == nullptr || *end != '\0') {
          throw ParseError(line, absl::StrCat("could not convert string to float: ", a.Repr()));
        }
        return PyValue::Float(d);
      }
      if (!IsNumber(a)) throw ParseError(line, "float() argument must be a string or a number");
      return PyValue::Float(AsDouble(a));
    }
    throw ParseError(line, absl::StrCat("call to unsupported function '", name, "'"));
  }

  static bool IsNumber(const PyValue& v) {
    return v.kind() == PyValue::Kind::kInt || v.kind() == PyValue::Kind::kFloat ||
           v.kind() == PyValue::Kind::kBool;
  }
  static double AsDouble(const PyValue& v) {
    if (v.kind() == PyValue::Kind::kFloat) return v.as_float();
    if (v.kind() == PyValue::Kind::kBool) return v.as_bool();
    return static_cast<double>(v.as_int());
  }
  static int64_t AsInt(const PyValue& v) {
    return v.kind() == PyValue::Kind::kBool ? v.as_bool() : v.as_int();
  }
  static bool BothInts(const PyValue& a, const PyValue& b) {
    return IsNumber(a) && IsNumber(b) && a.kind() != PyValue::Kind::kFloat &&
           b.kind() != PyValue::Kind::kFloat;
  }

  static std::string TypeError(const char* op, const PyValue& a, const PyValue& b) {
    return absl::StrCat("unsupported operand types for ", op, ": '", PyValue::KindName(a.kind()),
                        "' and '", PyValue::KindName(b.kind()), "'");
  }

  PyValue Add(const PyValue& a, const PyValue& b, int line) const {
    if (BothInts(a, b)) {
      int64_t r;
      if (__builtin_add_overflow(AsInt(a), AsInt(b), &r))
        throw ParseError(line, "integer overflow");
      return PyValue::Int(r);
    }
    if (IsNumber(a) && IsNumber(b)) return PyValue::Float(AsDouble(a) + AsDouble(b));
    if (a.kind() == PyValue::Kind::kString && b.kind() == PyValue::Kind::kString) {
      if (a.as_string().size() + b.as_string().size() > limits_.max_string_bytes) {
        throw ParseError(line, "string too long");
      }
      return PyValue::String(a.as_string() + b.as_string());
    }
    if (a.kind() == b.kind() && a.is_sequence()) {
      if (a.items().size() + b.items().size() > limits_.max_string_bytes)
        throw ParseError(line, "list too long");
      PyValue::List items = a.items();
      items.insert(items.end(), b.items().begin(), b.items().end());
      return a.kind() == PyValue::Kind::kList ? PyValue::MakeList(std::move(items))
                                              : PyValue::MakeTuple(std::move(items));
    }
    throw ParseError(line, TypeError("+", a, b));
  }

  PyValue Subtract(const PyValue& a, const PyValue& b, int line) const {
    if (BothInts(a, b)) {
      int64_t r;
      if (__builtin_sub_overflow(AsInt(a), AsInt(b), &r))
        throw ParseError(line, "integer overflow");
      return PyValue::Int(r);
    }
    if (IsNumber(a) && IsNumber(b)) return PyValue::Float(AsDouble(a) - AsDouble(b));
    throw ParseError(line, TypeError("-", a, b));
  }

  PyValue Multiply(const PyValue& a, const PyValue& b, const std::string& op, int line) const {
    if (op == "%" && a.kind() == PyValue::Kind::kString)
      return PercentFormat(a.as_string(), b, line);
    if (op == "*") {
      if (BothInts(a, b)) {
        int64_t r;
        if (__builtin_mul_overflow(AsInt(a), AsInt(b), &r))
          throw ParseError(line, "integer overflow");
        return PyValue::Int(r);
      }
      if (IsNumber(a) && IsNumber(b)) return PyValue::Float(AsDouble(a) * AsDouble(b));
      const PyValue* seq = nullptr;
      const PyValue* count = nullptr;
      if (BothIntLike(a, b, seq, count)) {
        int64_t n = std::max<int64_t>(0, AsInt(*count));
        size_t unit =
            seq->kind() == PyValue::Kind::kString ? seq->as_string().size() : seq->items().size();
        if (unit != 0 && static_cast<uint64_t>(n) > limits_.max_string_bytes / unit) {
          throw ParseError(line, "repetition result too large");
        }
        if (seq->kind() == PyValue::Kind::kString) {
          std::string out;
          for (int64_t k = 0; k < n; ++k) out += seq->as_string();
          return PyValue::String(out);
        }
        PyValue::List items;
        for (int64_t k = 0; k < n; ++k)
          items.insert(items.end(), seq->items().begin(), seq->items().end());
        return seq->kind() == PyValue::Kind::kList ? PyValue::MakeList(std::move(items))
                                                   : PyValue::MakeTuple(std::move(items));
      }
      throw ParseError(line, TypeError("*", a, b));
    }
    if (!IsNumber(a) || !IsNumber(b)) throw ParseError(line, TypeError(op.c_str(), a, b));
    if (AsDouble(b) == 0) throw ParseError(line, "division by zero");
    if (op == "/") return PyValue::Float(AsDouble(a) / AsDouble(b));
    if (BothInts(a, b)) {
      int64_t x = AsInt(a), y = AsInt(b);
      if (x == std::numeric_limits<int64_t>::min() && y == -1)
        throw ParseError(line, "integer overflow");
      int64_t q = x / y, r = x % y;
      if (r != 0 && ((r < 0) != (y < 0))) {
        q -= 1;
        r += y;
      }
      return op == "//" ? PyValue::Int(q) : PyValue::Int(r);
    }
    double x = AsDouble(a), y = AsDouble(b);
    double q = std::floor(x / y);
    return op == "//" ? PyValue::Float(q) : PyValue::Float(x - q * y);
  }

  static bool BothIntLike(const PyValue& a, const PyValue& b, const PyValue*& seq,
                          const PyValue*& count) {
    auto is_seq = [](const PyValue& v) {
      return v.kind() == PyValue::Kind::kString || v.is_sequence();
    };
    auto is_int = [](const PyValue& v) {
      return v.kind() == PyValue::Kind::kInt || v.kind() == PyValue::Kind::kBool;
    };
    if (is_seq(a) && is_int(b)) {
      seq = &a;
      count = &b;
      return true;
    }
    if (is_int(a) && is_seq(b)) {
      seq = &b;
      count = &a;
      return true;
    }
    return false;
  }

  std::vector<Token> toks_;
  size_t i_ = 0;
  const PyNameLookup& names_;
  const PyEnvLookup& env_;
  const PyParseLimits& limits_;
  std::vector<std::pair<std::string, PyValue>> locals_;
};

// Messages end up on one terminal line: control bytes (a NUL or newline from the input) are
// shown as \xNN.
std::string EscapeControlBytes(std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<std::vector<PyAssignment>> ParsePythonAssignments(std::string_view text,
                                                                 std::string_view filename,
                                                                 const PyNameLookup& names,
                                                                 const PyEnvLookup& env,
                                                                 const PyParseLimits& limits) {
  if (text.size() > limits.max_input_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        std::string(filename), ":1: file is larger than ", limits.max_input_bytes, " bytes"));
  }
  // A UTF-8 byte order mark is allowed at the start, as in Python.
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  try {
    Lexer lexer(text, limits);
    Parser parser(lexer.Run(), names, env, limits);
    return parser.ParseFile();
  } catch (const ParseError& e) {
    return absl::InvalidArgumentError(
        EscapeControlBytes(absl::StrCat(std::string(filename), ":", e.line, ": ", e.message)));
  }
}

absl::StatusOr<PyValue> ParsePythonExpression(std::string_view text, const PyParseLimits& limits) {
  if (text.size() > limits.max_input_bytes) return absl::InvalidArgumentError("value too long");
  try {
    Lexer lexer(text, limits);
    PyNameLookup no_names;
    PyEnvLookup no_env;
    Parser parser(lexer.Run(), no_names, no_env, limits);
    return parser.ParseSingleExpression();
  } catch (const ParseError& e) {
    return absl::InvalidArgumentError(EscapeControlBytes(e.message));
  }
}

}  // namespace mm::common
