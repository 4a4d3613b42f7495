#pragma once
// Publishing fedora-messaging messages, as MirrorManager2 does through the fedora-messaging
// library (its events are the classes of the mirrormanager-messages package): the conventions
// of fedora_messaging.message.Message on the wire (a JSON body; content type, encoding,
// persistence, a UUID message id; headers naming the schema, the send time, the severity, the
// priority and the users the message concerns), sent over AMQP 0-9-1 to a topic exchange with
// publisher confirms. Connection and timeout errors are retried (3 attempts, exponential
// back-off with full jitter, like MirrorManager2's fedmsg_publish).
//
// BuildWireMessage is the plain logic (tested without a broker); AmqpPublisher is the thin
// librabbitmq adapter. Each Publish opens its own connection: these events are rare (a host
// disabled, added, deleted), and no idle connection has to be kept alive.
//
// Thread-safety: BuildWireMessage is pure; AmqpPublisher::Publish may run on several threads.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace mm::common {

class Config;

// fedora_messaging.message severities.
inline constexpr int kMessageSeverityDebug = 10;
inline constexpr int kMessageSeverityInfo = 20;
inline constexpr int kMessageSeverityWarning = 30;
inline constexpr int kMessageSeverityError = 40;

// One message, as its mirrormanager-messages class describes it.
struct BusMessage {
  std::string topic;      // the class's topic, e.g. "mirrormanager.crawler.host.disabled.v1"
  std::string schema;     // the class's entry-point name (header fedora_messaging_schema)
  std::string body_json;  // a JSON object
  int severity = kMessageSeverityInfo;
  // The class's `usernames` (a header fedora_messaging_user_<name> each, for notification
  // filters); duplicates are dropped.
  std::vector<std::string> usernames;
};

// Sends messages somewhere (AMQP here; tests may record them).
class MessagePublisher {
 public:
  virtual ~MessagePublisher() = default;
  // Publishes `message`, confirmed by the broker; returns the message id.
  virtual absl::StatusOr<std::string> Publish(const BusMessage& message) = 0;
};

// A header value: AMQP long string, signed 32-bit integer or boolean (what pika sends for
// Python str, int and bool).
using WireHeaderValue = std::variant<std::string, int32_t, bool>;

// What goes on the wire for one message.
struct WireMessage {
  std::string exchange;
  std::string routing_key;  // topic prefix + topic
  std::string body;
  std::string content_type = "application/json";
  std::string content_encoding = "utf-8";
  uint8_t delivery_mode = 2;  // persistent
  uint8_t priority = 0;
  std::string message_id;
  std::vector<std::pair<std::string, WireHeaderValue>> headers;  // in this order
};

// fedora_messaging.message.Message._build_properties for `message` sent at `now` (the routing
// key is ".".join((topic_prefix.rstrip("."), topic)) with a prefix). INVALID_ARGUMENT when the
// body is not a JSON object or a name does not fit AMQP's 255-byte short strings (user headers
// that do not fit are left out instead).
absl::StatusOr<WireMessage> BuildWireMessage(const BusMessage& message, const std::string& exchange,
                                             const std::string& topic_prefix, absl::Time now,
                                             std::string message_id);

// A random (version 4) UUID, as Python's str(uuid.uuid4()).
std::string NewMessageId();

struct AmqpSettings {
  std::string url;  // amqp://user:password@host:port/vhost, or amqps:// for TLS
  std::string exchange = "amq.topic";
  std::string topic_prefix;
  // amqps://: the CA file the broker's certificate is verified against (empty: the system
  // store) and the client certificate and key (PEM files; both or neither).
  std::string ca_cert, client_cert, client_key;
  // Connecting (TCP and TLS), logging in, and each wait for the broker (channel, confirm).
  absl::Duration timeout = absl::Seconds(10);
  int attempts = 3;
  absl::Duration initial_backoff = absl::Seconds(1);  // doubled per retry, full jitter
  std::string connection_name;                        // shown by the broker (the program's name)
};

// The FEDORA_MESSAGING_* keys; nullopt when FEDORA_MESSAGING_AMQP_URL is None (no broker).
absl::StatusOr<std::optional<AmqpSettings>> AmqpSettingsFromConfig(const Config& config);

class AmqpPublisher : public MessagePublisher {
 public:
  // Checks the URL and that the TLS files are readable (INVALID_ARGUMENT); connects only when
  // publishing.
  static absl::StatusOr<std::unique_ptr<AmqpPublisher>> Create(AmqpSettings settings);
  ~AmqpPublisher() override;

  // UNAVAILABLE / DEADLINE_EXCEEDED after `attempts` failed connections or timeouts (each one
  // logged); PERMISSION_DENIED (credentials, vhost), NOT_FOUND (exchange), ABORTED (the broker
  // refused the message) and TLS verification failures are not retried.
  absl::StatusOr<std::string> Publish(const BusMessage& message) override;

  // "host:port" of the broker (for log lines).
  std::string broker() const;

 private:
  struct Target;
  AmqpPublisher(AmqpSettings settings, std::unique_ptr<Target> target);
  absl::Status PublishOnce(const WireMessage& wire) const;

  AmqpSettings settings_;
  std::unique_ptr<Target> target_;
};

}  // namespace mm::common
