// The fedora-messaging publisher against a real RabbitMQ broker: what arrives (routing key,
// properties, headers, body), TLS with client certificates, and which failures are retried.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>

#include "absl/strings/str_cat.h"
#include "services/common/fedora_messaging.h"
#include "tests/integration/messaging/shared_broker.h"
#include "tests/testing/fake_servers.h"
#include "tests/testing/status_matchers.h"

namespace mm::testing {
namespace {

using common::AmqpPublisher;
using common::AmqpSettings;
using common::BusMessage;
using ::testing::HasSubstr;
using ::testing::SizeIs;

BusMessage Sample() {
  BusMessage m;
  m.topic = "mirrormanager.host.updated.v2";
  m.schema = "mirrormanager.host.updated.v2";
  m.body_json = R"({"agent": "alice", "host": {"id": 7, "name": "m\u00e9"}})";
  m.usernames = {"alice", "bob"};
  return m;
}

std::unique_ptr<AmqpPublisher> Publisher(AmqpSettings s) {
  s.initial_backoff = absl::Milliseconds(50);  // keeps the retry tests short
  auto p = AmqpPublisher::Create(std::move(s));
  EXPECT_OK(p.status());
  return p.ok() ? std::move(*p) : nullptr;
}

AmqpSettings Plain(const RabbitMqBroker& b) {
  AmqpSettings s;
  s.url = b.url();
  return s;
}

TEST(PublisherTest, MessageArrivesWithFedoraMessagingsPropertiesAndHeaders) {
  RabbitMqBroker* broker = SharedBroker();
  ASSERT_NE(broker, nullptr);
  auto queue = AmqpTestQueue::Bind(broker->port());
  ASSERT_OK(queue.status());
  AmqpSettings s = Plain(*broker);
  s.topic_prefix = "org.example.stg.";
  auto publisher = Publisher(s);
  const absl::Time before = absl::Now();
  auto id = publisher->Publish(Sample());
  ASSERT_OK(id.status());
  auto got = (*queue)->Drain();
  ASSERT_OK(got.status());
  ASSERT_THAT(*got, SizeIs(1));
  const AmqpDelivery& d = (*got)[0];
  EXPECT_EQ(d.exchange, "amq.topic");
  EXPECT_EQ(d.routing_key, "org.example.stg.mirrormanager.host.updated.v2");
  EXPECT_EQ(d.body, Sample().body_json);
  EXPECT_EQ(d.content_type, "application/json");
  EXPECT_EQ(d.content_encoding, "utf-8");
  EXPECT_EQ(d.delivery_mode, 2);
  EXPECT_EQ(d.priority, 0);
  EXPECT_EQ(d.message_id, *id);
  EXPECT_EQ(d.headers.at("fedora_messaging_schema"), "\"mirrormanager.host.updated.v2\"");
  EXPECT_EQ(d.headers.at("fedora_messaging_severity"), "20");
  EXPECT_EQ(d.headers.at("priority"), "0");
  EXPECT_EQ(d.headers.at("fedora_messaging_user_alice"), "true");
  EXPECT_EQ(d.headers.at("fedora_messaging_user_bob"), "true");
  EXPECT_EQ(d.headers.size(), 6u);
  const std::string sent_at = d.headers.at("sent-at");
  std::smatch m;
  ASSERT_TRUE(
      std::regex_match(sent_at, m, std::regex(R"re("(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\+00:00")re")))
      << sent_at;
  absl::Time t;
  ASSERT_TRUE(absl::ParseTime("%Y-%m-%dT%H:%M:%S", m[1].str(), absl::UTCTimeZone(), &t, nullptr));
  EXPECT_LE(absl::AbsDuration(t - before), absl::Seconds(5));
  // Another message gets another id.
  auto second = publisher->Publish(Sample());
  ASSERT_OK(second.status());
  EXPECT_NE(*second, *id);
  EXPECT_THAT(*(*queue)->Drain(), SizeIs(1));
}

TEST(PublisherTest, AnotherExchangeAndNoSuchExchange) {
  RabbitMqBroker* broker = SharedBroker();
  ASSERT_NE(broker, nullptr);
  auto queue = AmqpTestQueue::Bind(broker->port(), "amq.direct", "mirrormanager.host.updated.v2");
  ASSERT_OK(queue.status());
  AmqpSettings s = Plain(*broker);
  s.exchange = "amq.direct";
  ASSERT_OK(Publisher(s)->Publish(Sample()).status());
  EXPECT_THAT(*(*queue)->Drain(), SizeIs(1));
  // The broker closes the channel (404): a configuration error, not retried.
  CapturedLog log;
  s.exchange = "no.such.exchange";
  EXPECT_THAT(Publisher(s)->Publish(Sample()).status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("404")));
  EXPECT_EQ(log.Count("attempt 1 of 3"), 1);
  EXPECT_EQ(log.Count("attempt 2 of 3"), 0);
}

TEST(PublisherTest, WrongCredentialsAreRefusedWithoutRetries) {
  RabbitMqBroker* broker = SharedBroker();
  ASSERT_NE(broker, nullptr);
  CapturedLog log;
  AmqpSettings s;
  s.url = absl::StrCat("amqp://guest:wrong@127.0.0.1:", broker->port(), "/%2F");
  EXPECT_THAT(Publisher(s)->Publish(Sample()).status(),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("403")));
  EXPECT_EQ(log.Count("failed (attempt"), 1);
  s.url = absl::StrCat("amqp://guest:guest@127.0.0.1:", broker->port(), "/no-such-vhost");
  EXPECT_THAT(Publisher(s)->Publish(Sample()).status(),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_EQ(log.Count("failed (attempt"), 2);
}

TEST(PublisherTest, BrokerDownIsTriedThreeTimes) {
  CapturedLog log;
  AmqpSettings s;
  s.url = absl::StrCat("amqp://guest:guest@127.0.0.1:", FreePort(), "/");
  const absl::Time start = absl::Now();
  EXPECT_THAT(Publisher(s)->Publish(Sample()).status(),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("connecting to")));
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  EXPECT_EQ(log.Count("failed (attempt 1 of 3)"), 1);
  EXPECT_EQ(log.Count("failed (attempt 2 of 3)"), 1);
  EXPECT_EQ(log.Count("failed (attempt 3 of 3)"), 1);
}

TEST(PublisherTest, ASilentBrokerTimesOutWithinTheLimitOnEveryAttempt) {
  SilentTcpServer silent;  // accepts, then never answers the AMQP handshake
  AmqpSettings s;
  s.url = absl::StrCat("amqp://guest:guest@127.0.0.1:", silent.port(), "/");
  s.timeout = absl::Milliseconds(400);
  const absl::Time start = absl::Now();
  EXPECT_THAT(Publisher(s)->Publish(Sample()).status(),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  const absl::Duration took = absl::Now() - start;
  EXPECT_GE(took, absl::Milliseconds(1200));
  EXPECT_LT(took, absl::Seconds(4));
  EXPECT_EQ(silent.accepted(), 3);
}

TEST(PublisherTest, TlsWithACaFileAndAClientCertificate) {
  RabbitMqBroker* broker = SharedBroker();
  ASSERT_NE(broker, nullptr);
  auto queue = AmqpTestQueue::Bind(broker->port());
  ASSERT_OK(queue.status());
  AmqpSettings s;
  s.url = broker->tls_url();
  s.ca_cert = broker->ca_file();
  s.client_cert = broker->client_cert_file();
  s.client_key = broker->client_key_file();
  auto id = Publisher(s)->Publish(Sample());
  ASSERT_OK(id.status()) << broker->log().substr(std::max<size_t>(broker->log().size(), 4000) -
                                                 4000);
  auto got = (*queue)->Drain();
  ASSERT_OK(got.status());
  ASSERT_THAT(*got, SizeIs(1));
  EXPECT_EQ((*got)[0].message_id, *id);

  // Without a client certificate the broker ends the handshake (it requires one).
  CapturedLog log;
  s.client_cert = s.client_key = "";
  EXPECT_FALSE(Publisher(s)->Publish(Sample()).ok());
  // Without the CA file the broker's certificate is not trusted: not retried.
  s.client_cert = broker->client_cert_file();
  s.client_key = broker->client_key_file();
  s.ca_cert = "";
  const int before = log.Count("failed (attempt");
  EXPECT_THAT(Publisher(s)->Publish(Sample()).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(log.Count("failed (attempt"), before + 1);
  EXPECT_THAT(*(*queue)->Drain(), SizeIs(0));
}

}  // namespace
}  // namespace mm::testing
