#pragma once
// The one RabbitMQ broker of the messaging test binary: started by the first test that asks for
// it, stopped when the test program ends.

#include <memory>
#include <string>
#include <vector>

#include "services/common/log.h"
#include "tests/testing/rabbitmq_broker.h"

namespace mm::testing {

// Null (with a test failure) when the broker cannot start.
RabbitMqBroker* SharedBroker();

// Collects the log lines written while it exists (the publisher logs every failed attempt).
class CapturedLog {
 public:
  CapturedLog();
  ~CapturedLog();
  std::vector<std::string> Lines() const;
  // Lines that contain `text`.
  int Count(const std::string& text) const;

 private:
  class Sink;
  std::shared_ptr<Sink> sink_;
};

}  // namespace mm::testing
