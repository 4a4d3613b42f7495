#include "tests/integration/messaging/shared_broker.h"

#include <gtest/gtest.h>

#include <mutex>

namespace mm::testing {
namespace {

std::unique_ptr<RabbitMqBroker>& Slot() {
  static std::unique_ptr<RabbitMqBroker> broker;
  return broker;
}

// Stops the broker after the last test (a gtest Environment's TearDown runs on the main thread,
// before the program's static destructors).
class BrokerEnvironment : public ::testing::Environment {
 public:
  void TearDown() override { Slot().reset(); }
};

[[maybe_unused]] const auto* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new BrokerEnvironment);

}  // namespace

RabbitMqBroker* SharedBroker() {
  static bool tried = false;
  if (!tried) {
    tried = true;
    auto b = RabbitMqBroker::Start();
    EXPECT_TRUE(b.ok()) << b.status();
    if (b.ok()) Slot() = std::move(*b);
  }
  EXPECT_NE(Slot(), nullptr) << "no RabbitMQ broker";
  return Slot().get();
}

class CapturedLog::Sink : public common::LogSink {
 public:
  void Write(const common::LogRecord& r) override {
    std::lock_guard<std::mutex> lock(mu_);
    lines_.push_back(r.message);
  }
  std::vector<std::string> Lines() const {
    std::lock_guard<std::mutex> lock(mu_);
    return lines_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

CapturedLog::CapturedLog() : sink_(std::make_shared<Sink>()) { common::AddLogSink(sink_); }
CapturedLog::~CapturedLog() { common::RemoveLogSink(sink_.get()); }
std::vector<std::string> CapturedLog::Lines() const { return sink_->Lines(); }

int CapturedLog::Count(const std::string& text) const {
  int n = 0;
  for (const auto& l : Lines()) n += l.find(text) != std::string::npos;
  return n;
}

}  // namespace mm::testing
