#pragma once
// A push interface for streamed bytes: downloads write into decompressors, decompressors write
// into the parser's queue. A non-OK status from Write() asks the writer to stop (the consumer
// failed or was cancelled); the writer returns that status.

#include <cstddef>

#include "absl/status/status.h"

namespace mm::netblocks {

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual absl::Status Write(const char* data, size_t size) = 0;
  // No data for a while (a download that waits on the network calls this about once a second,
  // on the writer's thread): a sink that holds finished output hands it on now.
  virtual absl::Status Idle() { return absl::OkStatus(); }
};

}  // namespace mm::netblocks
