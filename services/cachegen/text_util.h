#pragma once
// Small text checks for values that go into the cache. mirrorlist-server (rust-protobuf)
// rejects the whole file when any string field holds invalid UTF-8, so every string the
// generator writes is checked first.

#include <string>
#include <string_view>

namespace mm::cachegen {

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
bool IsValidUtf8(std::string_view s);

// ASCII upper-casing (country codes); other bytes are kept.
std::string AsciiUpper(std::string_view s);

}  // namespace mm::cachegen
