#pragma once
// The four digests MirrorManager2 stores in file_detail, as lower-case hex (OpenSSL EVP).

#include <string>
#include <string_view>

namespace mm::umdl {

struct FileHashes {
  std::string md5, sha1, sha256, sha512;
};

FileHashes HashAll(std::string_view data);

}  // namespace mm::umdl
