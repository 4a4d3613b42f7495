// Fuzz target: streaming bzip2/gzip decompression followed by the MRT reader
// (services/netblocks/decompressor.h), i.e. a corrupt download end to end. The first input
// byte picks the bzip2 decoder: 1 thread (libbz2's streaming decoder) or 2-4 threads (the
// parallel block decoder, services/netblocks/bzip2_parallel.h); the rest is the download, fed
// in two writes. Output is capped so a decompression bomb in the corpus cannot make a run slow.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "services/netblocks/decompressor.h"
#include "services/netblocks/mrt_reader.h"
#include "services/netblocks/netblock_table.h"

namespace {

class ReaderSink final : public mm::netblocks::ByteSink {
 public:
  explicit ReaderSink(mm::netblocks::MrtReader& reader) : reader_(reader) {}
  absl::Status Write(const char* data, size_t size) override {
    return reader_.Consume(std::string_view(data, size));
  }

 private:
  mm::netblocks::MrtReader& reader_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const int threads = 1 + data[0] % 4;
  ++data;
  --size;
  mm::netblocks::NetblockTable table;
  mm::netblocks::MrtReader reader(table);
  ReaderSink sink(reader);
  mm::netblocks::Decompressor d(sink, 8 << 20, threads);
  const char* p = reinterpret_cast<const char*>(data);
  size_t half = size / 2;
  if (d.Write(p, half).ok() && d.Write(p + half, size - half).ok() && d.Finish().ok()) {
    (void)reader.Finish();
  }
  return 0;
}
