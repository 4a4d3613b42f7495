// Replay driver for libFuzzer targets when the compiler is not clang: runs every file of the
// given corpus directories (or files) through LLVMFuzzerTestOneInput, then a bounded number of
// deterministic mutations of them (bit flips, truncations, splices, repeated bytes), so each
// target's entry point runs in the ordinary test suite. Exit status 0 unless the target
// crashes (which aborts the process and fails the test).
#include <dirent.h>
#include <sys/stat.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <algorithm>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

void Collect(const std::string& path, std::vector<std::string>& out) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return;
  if (S_ISDIR(st.st_mode)) {
    DIR* d = opendir(path.c_str());
    if (d == nullptr) return;
    std::vector<std::string> names;
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] != '.') names.push_back(path + "/" + e->d_name);
    }
    closedir(d);
    std::sort(names.begin(), names.end());
    for (const auto& n : names) Collect(n, out);
    return;
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  out.push_back(ss.str());
}

void Run(const std::string& input) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

}  // namespace

int main(int argc, char** argv) {
  long mutations = 1000;
  std::vector<std::string> corpus;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--mutations=", 12) == 0) {
      mutations = std::strtol(argv[i] + 12, nullptr, 10);
    } else {
      Collect(argv[i], corpus);
    }
  }
  corpus.push_back("");
  for (const auto& c : corpus) Run(c);
  std::mt19937_64 rng(20261125);
  for (long m = 0; m < mutations; ++m) {
    std::string s = corpus[rng() % corpus.size()];
    int edits = 1 + static_cast<int>(rng() % 8);
    for (int e = 0; e < edits; ++e) {
      switch (rng() % 6) {
        case 0:
          if (!s.empty()) s[rng() % s.size()] ^= static_cast<char>(1 << (rng() % 8));
          break;
        case 1:
          if (!s.empty()) s.resize(rng() % s.size());
          break;
        case 2: {
          const std::string& other = corpus[rng() % corpus.size()];
          if (!other.empty()) {
            size_t from = rng() % other.size();
            s.insert(s.empty() ? 0 : rng() % s.size(), other.substr(from, rng() % 64));
          }
          break;
        }
        case 3:
          s.insert(s.empty() ? 0 : rng() % s.size(), std::string(1 + rng() % 300, static_cast<char>(rng() % 256)));
          break;
        case 4:
          if (!s.empty()) s[rng() % s.size()] = static_cast<char>(rng() % 256);
          break;
        case 5:
          if (s.size() > 1) {
            size_t a = rng() % s.size();
            s.erase(a, rng() % (s.size() - a));
          }
          break;
      }
    }
    Run(s);
  }
  std::printf("replayed %zu corpus inputs and %ld mutations\n", corpus.size(), mutations);
  return 0;
}
