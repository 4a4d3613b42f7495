#include "services/common/fedora_messaging.h"

#include <amqp.h>
#include <amqp_ssl_socket.h>
#include <amqp_tcp_socket.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/common/config.h"
#include "services/common/log.h"
#include "services/common/status_macros.h"
#include "services/common/version.h"

namespace mm::common {
namespace {

constexpr size_t kShortStringMax = 255;  // AMQP shortstr: exchange, routing key, header names

absl::Status Invalid(const std::string& what) { return absl::InvalidArgumentError(what); }

}  // namespace

absl::StatusOr<WireMessage> BuildWireMessage(const BusMessage& m, const std::string& exchange,
                                             const std::string& topic_prefix, absl::Time now,
                                             std::string message_id) {
  if (m.topic.empty()) return Invalid("a message needs a topic");
  if (m.schema.empty()) return Invalid("a message needs a schema name");
  // fedora-messaging validates every body against at least its base schema: a JSON object.
  nlohmann::json body = nlohmann::json::parse(m.body_json, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return Invalid(absl::StrCat("the body of ", m.topic, " is not a JSON object"));
  }
  WireMessage w;
  w.exchange = exchange;
  w.routing_key = m.topic;
  if (!topic_prefix.empty()) {
    const size_t end = topic_prefix.find_last_not_of('.');  // prefix.rstrip(".")
    w.routing_key =
        absl::StrCat(topic_prefix.substr(0, end == std::string::npos ? 0 : end + 1), ".", m.topic);
  }
  if (w.routing_key.size() > kShortStringMax || w.exchange.size() > kShortStringMax) {
    return Invalid(absl::StrCat("routing key or exchange longer than 255 bytes: ", w.routing_key));
  }
  w.body = m.body_json;
  w.message_id = std::move(message_id);
  w.headers.emplace_back("fedora_messaging_schema", m.schema);
  w.headers.emplace_back("sent-at",
                         absl::FormatTime("%Y-%m-%dT%H:%M:%S+00:00", now, absl::UTCTimeZone()));
  w.headers.emplace_back("fedora_messaging_severity", static_cast<int32_t>(m.severity));
  w.headers.emplace_back("priority", static_cast<int32_t>(w.priority));
  // Message._filter_headers: one flag per affected user, for notification filters.
  std::set<std::string> seen;
  for (const auto& user : m.usernames) {
    std::string name = absl::StrCat("fedora_messaging_user_", user);
    if (user.empty() || name.size() > kShortStringMax || !seen.insert(name).second) continue;
    w.headers.emplace_back(std::move(name), true);
  }
  return w;
}

std::string NewMessageId() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) {
    // No entropy from OpenSSL: an id only has to be unique, not secret.
    std::random_device rd;
    for (auto& c : b) c = static_cast<unsigned char>(rd());
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  std::string hex;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) hex += '-';
    absl::StrAppendFormat(&hex, "%02x", b[i]);
  }
  return hex;
}

absl::StatusOr<std::optional<AmqpSettings>> AmqpSettingsFromConfig(const Config& c) {
  std::optional<std::string> url;
  MM_ASSIGN_OR_RETURN(url, c.GetOptionalString("FEDORA_MESSAGING_AMQP_URL"));
  if (!url) return std::optional<AmqpSettings>();
  AmqpSettings s;
  s.url = *url;
  MM_ASSIGN_OR_RETURN(s.exchange, c.GetString("FEDORA_MESSAGING_EXCHANGE"));
  MM_ASSIGN_OR_RETURN(s.topic_prefix, c.GetString("FEDORA_MESSAGING_TOPIC_PREFIX"));
  std::optional<std::string> opt;
  MM_ASSIGN_OR_RETURN(opt, c.GetOptionalString("FEDORA_MESSAGING_CA_CERT"));
  s.ca_cert = opt.value_or("");
  MM_ASSIGN_OR_RETURN(opt, c.GetOptionalString("FEDORA_MESSAGING_CERT"));
  s.client_cert = opt.value_or("");
  MM_ASSIGN_OR_RETURN(opt, c.GetOptionalString("FEDORA_MESSAGING_KEY"));
  s.client_key = opt.value_or("");
  double timeout = 0;
  MM_ASSIGN_OR_RETURN(timeout, c.GetFloat("FEDORA_MESSAGING_TIMEOUT"));
  if (!(timeout > 0) || timeout > 3600) {
    return Invalid(absl::StrCat(c.Origin("FEDORA_MESSAGING_TIMEOUT"),
                                ": FEDORA_MESSAGING_TIMEOUT must be in (0, 3600] seconds"));
  }
  s.timeout = absl::Seconds(timeout);
  return std::optional<AmqpSettings>(std::move(s));
}

// --- the librabbitmq adapter ----------------------------------------------------------------

struct AmqpPublisher::Target {
  std::string host, user, password, vhost;
  int port = 0;
  bool tls = false;
};

namespace {

timeval Timeval(absl::Duration d) { return absl::ToTimeval(std::max(d, absl::ZeroDuration())); }

amqp_bytes_t Bytes(const std::string& s) {
  return amqp_bytes_t{s.size(), const_cast<char*>(s.data())};
}

std::string Text(amqp_bytes_t b) { return std::string(static_cast<const char*>(b.bytes), b.len); }

// A librabbitmq status (negative) as an absl::Status; retried statuses are UNAVAILABLE and
// DEADLINE_EXCEEDED.
absl::Status LibraryError(int code, const std::string& doing) {
  std::string text = absl::StrCat(doing, ": ", amqp_error_string2(code));
  switch (code) {
    case AMQP_STATUS_TIMEOUT:
    case AMQP_STATUS_HEARTBEAT_TIMEOUT:
      return absl::DeadlineExceededError(text);
    case AMQP_STATUS_SSL_HOSTNAME_VERIFY_FAILED:
    case AMQP_STATUS_SSL_PEER_VERIFY_FAILED:
      return absl::FailedPreconditionError(text);  // a retry meets the same certificate
    case AMQP_STATUS_BROKER_UNSUPPORTED_SASL_METHOD:
    case AMQP_STATUS_INCOMPATIBLE_AMQP_VERSION:
      return absl::FailedPreconditionError(text);
    default:
      return absl::UnavailableError(text);
  }
}

// A broker's connection.close / channel.close reply code (AMQP 0-9-1 constants).
absl::Status BrokerError(uint16_t code, const std::string& reply, const std::string& doing) {
  std::string text = absl::StrCat(doing, ": the broker answered ", code, " ", reply);
  switch (code) {
    case 403:  // ACCESS_REFUSED
    case 530:  // NOT_ALLOWED (e.g. an unknown vhost)
      return absl::PermissionDeniedError(text);
    case 404:  // NOT_FOUND (the exchange)
      return absl::NotFoundError(text);
    case 320:  // CONNECTION_FORCED (the broker is shutting down)
      return absl::UnavailableError(text);
    default:
      return absl::InternalError(text);
  }
}

absl::Status ReplyStatus(const amqp_rpc_reply_t& r, const std::string& doing) {
  switch (r.reply_type) {
    case AMQP_RESPONSE_NORMAL:
      return absl::OkStatus();
    case AMQP_RESPONSE_NONE:
      return absl::UnavailableError(absl::StrCat(doing, ": no reply from the broker"));
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
      return LibraryError(r.library_error, doing);
    case AMQP_RESPONSE_SERVER_EXCEPTION:
      if (r.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
        auto* m = static_cast<amqp_connection_close_t*>(r.reply.decoded);
        return BrokerError(m->reply_code, Text(m->reply_text), doing);
      }
      if (r.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
        auto* m = static_cast<amqp_channel_close_t*>(r.reply.decoded);
        return BrokerError(m->reply_code, Text(m->reply_text), doing);
      }
      return absl::InternalError(absl::StrCat(doing, ": unexpected broker method ", r.reply.id));
  }
  return absl::InternalError(doing);
}

// One AMQP connection, closed (politely while it is healthy) on destruction.
class Connection {
 public:
  Connection() : state_(amqp_new_connection()) {}
  ~Connection() {
    if (healthy_) {
      if (channel_open_) amqp_channel_close(state_, 1, AMQP_REPLY_SUCCESS);
      amqp_connection_close(state_, AMQP_REPLY_SUCCESS);
    }
    amqp_destroy_connection(state_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  amqp_connection_state_t state() const { return state_; }
  void set_healthy(bool healthy) { healthy_ = healthy; }
  void set_channel_open(bool open) { channel_open_ = open; }

 private:
  amqp_connection_state_t state_;
  bool healthy_ = false;
  bool channel_open_ = false;
};

}  // namespace

absl::StatusOr<std::unique_ptr<AmqpPublisher>> AmqpPublisher::Create(AmqpSettings settings) {
  std::string url = settings.url;
  // pika's connection options (?heartbeat=...) do not apply here.
  url = url.substr(0, url.find('?'));
  if (!absl::StartsWith(url, "amqp://") && !absl::StartsWith(url, "amqps://")) {
    return Invalid("FEDORA_MESSAGING_AMQP_URL must start with amqp:// or amqps://");
  }
  std::vector<char> buf(url.begin(), url.end());
  buf.push_back('\0');
  amqp_connection_info info;
  amqp_default_connection_info(&info);
  if (amqp_parse_url(buf.data(), &info) != AMQP_STATUS_OK) {
    return Invalid("FEDORA_MESSAGING_AMQP_URL is not a valid AMQP URL");
  }
  auto target = std::make_unique<Target>();
  target->host = info.host;
  target->port = info.port;
  target->user = info.user;
  target->password = info.password;
  target->vhost = info.vhost;
  if (target->vhost.empty()) target->vhost = "/";  // "amqp://host/" means the default vhost
  target->tls = info.ssl != 0;
  if (settings.client_cert.empty() != settings.client_key.empty()) {
    return Invalid("FEDORA_MESSAGING_CERT and FEDORA_MESSAGING_KEY go together");
  }
  const bool tls_files = !settings.ca_cert.empty() || !settings.client_cert.empty();
  if (tls_files && !target->tls) {
    return Invalid("FEDORA_MESSAGING_CA_CERT/CERT/KEY need an amqps:// FEDORA_MESSAGING_AMQP_URL");
  }
  for (const std::string* f : {&settings.ca_cert, &settings.client_cert, &settings.client_key}) {
    if (!f->empty() && access(f->c_str(), R_OK) != 0) {
      return Invalid(absl::StrCat("cannot read ", *f));
    }
  }
  settings.attempts = std::max(1, settings.attempts);
  return std::unique_ptr<AmqpPublisher>(new AmqpPublisher(std::move(settings), std::move(target)));
}

AmqpPublisher::AmqpPublisher(AmqpSettings settings, std::unique_ptr<Target> target)
    : settings_(std::move(settings)), target_(std::move(target)) {}

AmqpPublisher::~AmqpPublisher() = default;

std::string AmqpPublisher::broker() const {
  return absl::StrCat(target_->host, ":", target_->port);
}

absl::StatusOr<std::string> AmqpPublisher::Publish(const BusMessage& message) {
  MM_ASSIGN_OR_RETURN(WireMessage wire,
                      BuildWireMessage(message, settings_.exchange, settings_.topic_prefix,
                                       absl::Now(), NewMessageId()));
  thread_local std::mt19937_64 rng{std::random_device{}()};
  absl::Status last;
  for (int attempt = 1; attempt <= settings_.attempts; ++attempt) {
    last = PublishOnce(wire);
    if (last.ok()) return wire.message_id;
    const bool retry = absl::IsUnavailable(last) || absl::IsDeadlineExceeded(last);
    MM_LOG(WARNING) << "fedora-messaging: publishing " << wire.routing_key << " to " << broker()
                    << " failed (attempt " << attempt << " of " << settings_.attempts
                    << "): " << last.message();
    if (!retry || attempt == settings_.attempts) break;
    // backoff.expo with full jitter: uniform in [0, initial * 2^(attempt-1)].
    const absl::Duration cap = settings_.initial_backoff * (int64_t{1} << (attempt - 1));
    std::uniform_int_distribution<int64_t> wait(0, absl::ToInt64Microseconds(cap));
    std::this_thread::sleep_for(std::chrono::microseconds(wait(rng)));
  }
  return last;
}

absl::Status AmqpPublisher::PublishOnce(const WireMessage& w) const {
  const Target& t = *target_;
  const std::string where = absl::StrCat(t.tls ? "amqps://" : "amqp://", t.host, ":", t.port);
  Connection conn;
  amqp_connection_state_t c = conn.state();
  if (c == nullptr) return absl::ResourceExhaustedError("amqp_new_connection failed");
  amqp_socket_t* socket = t.tls ? amqp_ssl_socket_new(c) : amqp_tcp_socket_new(c);
  if (socket == nullptr) return absl::InternalError("cannot create an AMQP socket");
  if (t.tls) {
    amqp_ssl_socket_set_verify_peer(socket, 1);
    amqp_ssl_socket_set_verify_hostname(socket, 1);
    if (!settings_.ca_cert.empty()) {
      if (amqp_ssl_socket_set_cacert(socket, settings_.ca_cert.c_str()) != AMQP_STATUS_OK) {
        return absl::FailedPreconditionError(
            absl::StrCat("cannot load the CA file ", settings_.ca_cert));
      }
    } else {
      SSL_CTX_set_default_verify_paths(static_cast<SSL_CTX*>(amqp_ssl_socket_get_context(socket)));
    }
    if (!settings_.client_cert.empty() &&
        amqp_ssl_socket_set_key(socket, settings_.client_cert.c_str(),
                                settings_.client_key.c_str()) != AMQP_STATUS_OK) {
      return absl::FailedPreconditionError(absl::StrCat("cannot load the client certificate ",
                                                        settings_.client_cert, " and its key"));
    }
  }
  timeval tv = Timeval(settings_.timeout);
  if (int rc = amqp_socket_open_noblock(socket, t.host.c_str(), t.port, &tv); rc != 0) {
    return LibraryError(rc, absl::StrCat("connecting to ", where));
  }
  amqp_set_handshake_timeout(c, &tv);
  amqp_set_rpc_timeout(c, &tv);

  amqp_table_entry_t props[1];
  props[0].key = amqp_cstring_bytes("connection_name");
  props[0].value.kind = AMQP_FIELD_KIND_UTF8;
  const std::string name = settings_.connection_name.empty()
                               ? std::string("MirrorManager ") + kVersion
                               : settings_.connection_name;
  props[0].value.value.bytes = Bytes(name);
  amqp_table_t client_properties{1, props};
  MM_RETURN_IF_ERROR(
      ReplyStatus(amqp_login_with_properties(c, t.vhost.c_str(), 0, AMQP_DEFAULT_FRAME_SIZE, 0,
                                             &client_properties, AMQP_SASL_METHOD_PLAIN,
                                             t.user.c_str(), t.password.c_str()),
                  absl::StrCat("logging in to ", where, " as ", t.user)));
  conn.set_healthy(true);
  amqp_channel_open(c, 1);
  if (absl::Status s = ReplyStatus(amqp_get_rpc_reply(c), "opening a channel"); !s.ok()) {
    conn.set_healthy(false);
    return s;
  }
  conn.set_channel_open(true);
  amqp_confirm_select(c, 1);
  if (absl::Status s = ReplyStatus(amqp_get_rpc_reply(c), "enabling publisher confirms"); !s.ok()) {
    conn.set_healthy(false);
    return s;
  }

  std::vector<amqp_table_entry_t> headers(w.headers.size());
  for (size_t i = 0; i < w.headers.size(); ++i) {
    headers[i].key = Bytes(w.headers[i].first);
    const WireHeaderValue& v = w.headers[i].second;
    if (const auto* s = std::get_if<std::string>(&v)) {
      headers[i].value.kind = AMQP_FIELD_KIND_UTF8;
      headers[i].value.value.bytes = Bytes(*s);
    } else if (const auto* n = std::get_if<int32_t>(&v)) {
      headers[i].value.kind = AMQP_FIELD_KIND_I32;
      headers[i].value.value.i32 = *n;
    } else {
      headers[i].value.kind = AMQP_FIELD_KIND_BOOLEAN;
      headers[i].value.value.boolean = std::get<bool>(v) ? 1 : 0;
    }
  }
  amqp_basic_properties_t p;
  p._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_CONTENT_ENCODING_FLAG |
             AMQP_BASIC_HEADERS_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_PRIORITY_FLAG |
             AMQP_BASIC_MESSAGE_ID_FLAG;
  p.content_type = Bytes(w.content_type);
  p.content_encoding = Bytes(w.content_encoding);
  p.headers = amqp_table_t{static_cast<int>(headers.size()), headers.data()};
  p.delivery_mode = w.delivery_mode;
  p.priority = w.priority;
  p.message_id = Bytes(w.message_id);
  if (int rc = amqp_basic_publish(c, 1, Bytes(w.exchange), Bytes(w.routing_key), 0, 0, &p,
                                  Bytes(w.body));
      rc != AMQP_STATUS_OK) {
    conn.set_healthy(false);
    return LibraryError(rc, "publishing");
  }

  // Publisher confirms: the broker acknowledges (basic.ack) once the message is routed (and
  // persisted by durable queues), refuses it (basic.nack), or closes the channel (no such
  // exchange, no permission).
  const absl::Time deadline = absl::Now() + settings_.timeout;
  while (true) {
    timeval left = Timeval(deadline - absl::Now());
    amqp_frame_t frame;
    if (int rc = amqp_simple_wait_frame_noblock(c, &frame, &left); rc != AMQP_STATUS_OK) {
      conn.set_healthy(false);
      return LibraryError(rc, "waiting for the broker's confirmation");
    }
    if (frame.frame_type != AMQP_FRAME_METHOD) continue;  // a returned message's content
    const amqp_method_number_t id = frame.payload.method.id;
    void* decoded = frame.payload.method.decoded;
    if (id == AMQP_BASIC_ACK_METHOD) return absl::OkStatus();
    if (id == AMQP_BASIC_NACK_METHOD) {
      return absl::AbortedError("the broker refused the message (basic.nack)");
    }
    if (id == AMQP_CHANNEL_CLOSE_METHOD) {
      auto* m = static_cast<amqp_channel_close_t*>(decoded);
      absl::Status s = BrokerError(m->reply_code, Text(m->reply_text), "publishing");
      amqp_channel_close_ok_t ok{};
      amqp_send_method(c, 1, AMQP_CHANNEL_CLOSE_OK_METHOD, &ok);
      conn.set_channel_open(false);
      return s;
    }
    if (id == AMQP_CONNECTION_CLOSE_METHOD) {
      auto* m = static_cast<amqp_connection_close_t*>(decoded);
      absl::Status s = BrokerError(m->reply_code, Text(m->reply_text), "publishing");
      amqp_connection_close_ok_t ok{};
      amqp_send_method(c, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &ok);
      conn.set_healthy(false);
      return s;
    }
    // Anything else (basic.return, connection.blocked while the broker is short of memory or
    // disk) keeps us waiting until the deadline.
  }
}

}  // namespace mm::common
