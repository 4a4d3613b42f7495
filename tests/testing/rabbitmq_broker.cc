#include "tests/testing/rabbitmq_broker.h"

#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "tests/testing/fake_servers.h"

namespace mm::testing {
namespace {

constexpr char kRabbitServer[] = "/usr/lib/rabbitmq/bin/rabbitmq-server";
constexpr char kEpmd[] = "/usr/bin/epmd";
constexpr char kSetpriv[] = "/usr/bin/setpriv";

bool WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  return static_cast<bool>(out);
}

// Runs `program` so that it gets SIGKILL when the starting thread ends (a crashed or killed
// test), where setpriv is available.
absl::StatusOr<std::unique_ptr<BackgroundProcess>> StartTied(const std::string& program,
                                                             std::vector<std::string> args,
                                                             const ProcessOptions& options) {
  if (access(kSetpriv, X_OK) == 0) {
    args.insert(args.begin(), {"--pdeathsig", "KILL", program});
    return BackgroundProcess::Start(kSetpriv, args, options);
  }
  return BackgroundProcess::Start(program, args, options);
}

std::string Text(amqp_bytes_t b) {
  return b.bytes == nullptr ? "" : std::string(static_cast<const char*>(b.bytes), b.len);
}

std::string FieldJson(const amqp_field_value_t& v) {
  switch (v.kind) {
    case AMQP_FIELD_KIND_UTF8:
    case AMQP_FIELD_KIND_BYTES:
      return nlohmann::json(Text(v.value.bytes)).dump();
    case AMQP_FIELD_KIND_BOOLEAN:
      return v.value.boolean ? "true" : "false";
    case AMQP_FIELD_KIND_I8:
      return std::to_string(v.value.i8);
    case AMQP_FIELD_KIND_U8:
      return std::to_string(v.value.u8);
    case AMQP_FIELD_KIND_I16:
      return std::to_string(v.value.i16);
    case AMQP_FIELD_KIND_U16:
      return std::to_string(v.value.u16);
    case AMQP_FIELD_KIND_I32:
      return std::to_string(v.value.i32);
    case AMQP_FIELD_KIND_U32:
      return std::to_string(v.value.u32);
    case AMQP_FIELD_KIND_I64:
      return std::to_string(v.value.i64);
    case AMQP_FIELD_KIND_U64:
      return std::to_string(v.value.u64);
    default:
      return absl::StrCat("<field kind ", static_cast<int>(v.kind), ">");
  }
}

absl::Status Check(const amqp_rpc_reply_t& r, const std::string& doing) {
  if (r.reply_type == AMQP_RESPONSE_NORMAL) return absl::OkStatus();
  if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION) {
    return absl::UnavailableError(absl::StrCat(doing, ": ", amqp_error_string2(r.library_error)));
  }
  return absl::InternalError(absl::StrCat(doing, ": broker method ", r.reply.id));
}

}  // namespace

absl::StatusOr<std::unique_ptr<RabbitMqBroker>> RabbitMqBroker::Start() {
  for (const char* bin : {kRabbitServer, kEpmd}) {
    if (access(bin, X_OK) != 0) {
      return absl::FailedPreconditionError(absl::StrCat(bin, " is missing (tools/install-deps)"));
    }
  }
  auto b = std::unique_ptr<RabbitMqBroker>(new RabbitMqBroker());
  char tmpl[] = "/tmp/mm_rabbitmq_XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return absl::InternalError("mkdtemp failed");
  b->dir_ = tmpl;
  const std::string& d = b->dir_;
  if (absl::Status s = b->MakeCertificates(); !s.ok()) return s;
  b->port_ = FreePort();
  b->tls_port_ = FreePort();
  const int epmd_port = FreePort(), dist_port = FreePort();
  // Nothing from /etc/rabbitmq: an empty environment file, no plugins, our own configuration.
  bool ok =
      WriteText(d + "/rabbitmq-env.conf", "") && WriteText(d + "/enabled_plugins", "[].\n") &&
      WriteText(d + "/rabbitmq.conf",
                absl::StrCat("listeners.tcp.default = 127.0.0.1:", b->port_,
                             "\nlisteners.ssl.default = 127.0.0.1:", b->tls_port_,
                             "\nssl_options.cacertfile = ", b->ca_, "\nssl_options.certfile = ", d,
                             "/server.pem", "\nssl_options.keyfile = ", d, "/server.key",
                             "\nssl_options.verify = verify_peer"
                             "\nssl_options.fail_if_no_peer_cert = true\n"));
  if (!ok) return absl::InternalError("cannot write the broker's configuration");

  ProcessOptions po;
  po.env = {{"HOME", d}, {"ERL_EPMD_PORT", std::to_string(epmd_port)}};
  // Our own epmd, in the foreground, so that it is ours to stop.
  auto epmd = StartTied(kEpmd, {"-port", std::to_string(epmd_port), "-address", "127.0.0.1"}, po);
  if (!epmd.ok()) return epmd.status();
  b->epmd_ = std::move(*epmd);
  if (!WaitForPort(epmd_port, absl::Seconds(10))) {
    return absl::InternalError(absl::StrCat("epmd did not start: ", b->epmd_->ReadLog()));
  }
  po.env.insert({
      {"RUNNING_UNDER_SYSTEMD", "1"},  // exec the VM: the pid we hold is the node's
      {"RABBITMQ_NODENAME", absl::StrCat("mmtest", getpid(), "_", b->port_, "@localhost")},
      {"RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1"},
      {"RABBITMQ_NODE_PORT", std::to_string(b->port_)},
      {"RABBITMQ_DIST_PORT", std::to_string(dist_port)},
      {"RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "-kernel inet_dist_use_interface {127,0,0,1}"},
      {"RABBITMQ_CONF_ENV_FILE", d + "/rabbitmq-env.conf"},
      {"RABBITMQ_CONFIG_FILE", d + "/rabbitmq.conf"},
      {"RABBITMQ_ADVANCED_CONFIG_FILE", d + "/advanced.config"},
      {"RABBITMQ_ENABLED_PLUGINS_FILE", d + "/enabled_plugins"},
      {"RABBITMQ_MNESIA_BASE", d + "/mnesia"},
      {"RABBITMQ_LOG_BASE", d + "/log"},
      {"RABBITMQ_LOGS", "-"},
  });
  auto node = StartTied(kRabbitServer, {}, po);
  if (!node.ok()) return node.status();
  b->node_ = std::move(*node);
  // The AMQP listeners open last, once the broker is ready.
  if (!WaitForPort(b->port_, absl::Seconds(90)) || !WaitForPort(b->tls_port_, absl::Seconds(10))) {
    return absl::InternalError(absl::StrCat("rabbitmq-server did not start:\n", b->log()));
  }
  return b;
}

// A test CA, the broker's certificate for "localhost" (librabbitmq 0.11 verifies host names
// against DNS names only) and a client certificate, all signed by that CA.
absl::Status RabbitMqBroker::MakeCertificates() {
  const std::string& d = dir_;
  ca_ = d + "/ca.pem";
  client_cert_ = d + "/client.pem";
  client_key_ = d + "/client.key";
  if (!WriteText(d + "/server.ext",
                 "basicConstraints = CA:FALSE\nextendedKeyUsage = serverAuth\n"
                 "subjectAltName = DNS:localhost,IP:127.0.0.1\n") ||
      !WriteText(d + "/client.ext",
                 "basicConstraints = CA:FALSE\nextendedKeyUsage = clientAuth\n")) {
    return absl::InternalError("cannot write certificate extensions");
  }
  std::vector<std::vector<std::string>> steps = {{"req", "-x509", "-newkey", "rsa:2048", "-nodes",
                                                  "-keyout", d + "/ca.key", "-out", ca_, "-days",
                                                  "2", "-subj", "/CN=MirrorManager test CA"}};
  for (const char* who : {"server", "client"}) {
    const std::string base = absl::StrCat(d, "/", who);
    steps.push_back({"req", "-newkey", "rsa:2048", "-nodes", "-keyout", base + ".key", "-out",
                     base + ".csr", "-subj",
                     std::string(who) == "server" ? "/CN=localhost" : "/CN=mm-test-client"});
    steps.push_back({"x509", "-req", "-in", base + ".csr", "-CA", ca_, "-CAkey", d + "/ca.key",
                     "-CAcreateserial", "-days", "2", "-out", base + ".pem", "-extfile",
                     base + ".ext"});
  }
  for (const auto& args : steps) {
    auto r = RunProcess("/usr/bin/openssl", args);
    if (!r.ok() || r->exit_code != 0) {
      return absl::InternalError(
          absl::StrCat("openssl ", args[0], " failed: ", r.ok() ? r->err : r.status().ToString()));
    }
  }
  return absl::OkStatus();
}

RabbitMqBroker::~RabbitMqBroker() {
  if (node_) (void)node_->Stop(SIGTERM, absl::Seconds(30));
  if (epmd_) (void)epmd_->Stop(SIGTERM, absl::Seconds(5));
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

std::string RabbitMqBroker::url() const {
  return absl::StrCat("amqp://guest:guest@127.0.0.1:", port_, "/%2F");
}

std::string RabbitMqBroker::tls_url() const {
  return absl::StrCat("amqps://guest:guest@localhost:", tls_port_, "/%2F");
}

std::string RabbitMqBroker::log() const { return node_ ? node_->ReadLog() : ""; }

struct AmqpTestQueue::Impl {
  amqp_connection_state_t conn = nullptr;
  std::string queue;
  ~Impl() {
    if (conn == nullptr) return;
    amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(conn);
  }
};

AmqpTestQueue::AmqpTestQueue(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AmqpTestQueue::~AmqpTestQueue() = default;

absl::StatusOr<std::unique_ptr<AmqpTestQueue>> AmqpTestQueue::Bind(int port,
                                                                   const std::string& exchange,
                                                                   const std::string& binding_key) {
  auto impl = std::make_unique<Impl>();
  impl->conn = amqp_new_connection();
  amqp_connection_state_t c = impl->conn;
  amqp_socket_t* socket = amqp_tcp_socket_new(c);
  timeval tv{10, 0};
  if (int rc = amqp_socket_open_noblock(socket, "127.0.0.1", port, &tv); rc != 0) {
    amqp_destroy_connection(c);
    impl->conn = nullptr;
    return absl::UnavailableError(absl::StrCat("connect: ", amqp_error_string2(rc)));
  }
  amqp_set_rpc_timeout(c, &tv);
  if (absl::Status s = Check(amqp_login(c, "/", 0, AMQP_DEFAULT_FRAME_SIZE, 0,
                                        AMQP_SASL_METHOD_PLAIN, "guest", "guest"),
                             "login");
      !s.ok()) {
    amqp_destroy_connection(c);
    impl->conn = nullptr;
    return s;
  }
  amqp_channel_open(c, 1);
  if (absl::Status s = Check(amqp_get_rpc_reply(c), "channel.open"); !s.ok()) return s;
  amqp_queue_declare_ok_t* q =
      amqp_queue_declare(c, 1, amqp_empty_bytes, 0, 0, /*exclusive=*/1, 1, amqp_empty_table);
  if (absl::Status s = Check(amqp_get_rpc_reply(c), "queue.declare"); !s.ok()) return s;
  impl->queue = Text(q->queue);
  amqp_queue_bind(c, 1, amqp_cstring_bytes(impl->queue.c_str()),
                  amqp_cstring_bytes(exchange.c_str()), amqp_cstring_bytes(binding_key.c_str()),
                  amqp_empty_table);
  if (absl::Status s = Check(amqp_get_rpc_reply(c), "queue.bind"); !s.ok()) return s;
  return std::unique_ptr<AmqpTestQueue>(new AmqpTestQueue(std::move(impl)));
}

absl::StatusOr<std::vector<AmqpDelivery>> AmqpTestQueue::Drain() {
  amqp_connection_state_t c = impl_->conn;
  std::vector<AmqpDelivery> out;
  while (true) {
    amqp_rpc_reply_t r = amqp_basic_get(c, 1, amqp_cstring_bytes(impl_->queue.c_str()), 1);
    if (absl::Status s = Check(r, "basic.get"); !s.ok()) return s;
    if (r.reply.id == AMQP_BASIC_GET_EMPTY_METHOD) break;
    auto* ok = static_cast<amqp_basic_get_ok_t*>(r.reply.decoded);
    AmqpDelivery d;
    d.exchange = Text(ok->exchange);
    d.routing_key = Text(ok->routing_key);
    amqp_message_t m;
    if (absl::Status s = Check(amqp_read_message(c, 1, &m, 0), "reading a message"); !s.ok()) {
      return s;
    }
    d.body = Text(m.body);
    const amqp_basic_properties_t& p = m.properties;
    if (p._flags & AMQP_BASIC_CONTENT_TYPE_FLAG) d.content_type = Text(p.content_type);
    if (p._flags & AMQP_BASIC_CONTENT_ENCODING_FLAG) d.content_encoding = Text(p.content_encoding);
    if (p._flags & AMQP_BASIC_MESSAGE_ID_FLAG) d.message_id = Text(p.message_id);
    if (p._flags & AMQP_BASIC_DELIVERY_MODE_FLAG) d.delivery_mode = p.delivery_mode;
    if (p._flags & AMQP_BASIC_PRIORITY_FLAG) d.priority = p.priority;
    if (p._flags & AMQP_BASIC_HEADERS_FLAG) {
      for (int i = 0; i < p.headers.num_entries; ++i) {
        d.headers[Text(p.headers.entries[i].key)] = FieldJson(p.headers.entries[i].value);
      }
    }
    amqp_destroy_message(&m);
    amqp_maybe_release_buffers(c);
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace mm::testing
