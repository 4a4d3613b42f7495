#pragma once
// A throwaway RabbitMQ broker on loopback (Debian's rabbitmq-server) for fedora-messaging tests,
// and a queue to read what was published to it.
//
// The broker is private to the test: its own epmd on a free port, a unique node name, data, log
// and configuration in a temporary directory, AMQP on a free loopback port and amqps on another
// (certificates from a test CA; clients must present one too). Both processes die with the
// thread that started them (PR_SET_PDEATHSIG), so a killed test leaves no broker behind.
// Starting takes several seconds: share one broker per test binary (see the messaging tests).

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/testing/subprocess.h"

namespace mm::testing {

class RabbitMqBroker {
 public:
  static absl::StatusOr<std::unique_ptr<RabbitMqBroker>> Start();
  // Stops the node (SIGTERM: a clean shutdown) and its epmd, and removes the directory.
  ~RabbitMqBroker();
  RabbitMqBroker(const RabbitMqBroker&) = delete;
  RabbitMqBroker& operator=(const RabbitMqBroker&) = delete;

  int port() const { return port_; }
  int tls_port() const { return tls_port_; }
  std::string url() const;      // amqp://guest:guest@127.0.0.1:<port>/%2F
  std::string tls_url() const;  // amqps://guest:guest@localhost:<tls_port>/%2F
  // The CA that signed the broker's certificate (for "localhost") and a client certificate the
  // broker accepts (it requires one on amqps).
  const std::string& ca_file() const { return ca_; }
  const std::string& client_cert_file() const { return client_cert_; }
  const std::string& client_key_file() const { return client_key_; }
  std::string log() const;  // the node's console log

 private:
  RabbitMqBroker() = default;
  absl::Status MakeCertificates();
  std::string dir_, ca_, client_cert_, client_key_;
  int port_ = 0, tls_port_ = 0;
  std::unique_ptr<BackgroundProcess> epmd_, node_;
};

// A message read back from the broker.
struct AmqpDelivery {
  std::string exchange, routing_key, body;
  std::string content_type, content_encoding, message_id;
  int delivery_mode = -1, priority = -1;  // -1: property absent
  // Header values as JSON text, so their AMQP type shows: "\"text\"", "20", "true".
  std::map<std::string, std::string> headers;
};

// A server-named, exclusive queue bound to `exchange` with `binding_key` on the broker at
// 127.0.0.1:port (as guest); it lives as long as this object.
class AmqpTestQueue {
 public:
  static absl::StatusOr<std::unique_ptr<AmqpTestQueue>> Bind(
      int port, const std::string& exchange = "amq.topic", const std::string& binding_key = "#");
  ~AmqpTestQueue();
  AmqpTestQueue(const AmqpTestQueue&) = delete;
  AmqpTestQueue& operator=(const AmqpTestQueue&) = delete;

  // Every message in the queue now (basic.get until empty); they are removed.
  absl::StatusOr<std::vector<AmqpDelivery>> Drain();

 private:
  struct Impl;
  explicit AmqpTestQueue(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mm::testing
