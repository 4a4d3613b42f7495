// fedora-messaging's message conventions without a broker (the broker tests are in
// tests/integration/messaging).
#include "services/common/fedora_messaging.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "services/common/config.h"
#include "tests/testing/status_matchers.h"

namespace mm::common {
namespace {

using ::mm::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

BusMessage Sample() {
  BusMessage m;
  m.topic = "mirrormanager.crawler.host.disabled.v1";
  m.schema = "mirrormanager.crawler.host.disabled.v1";
  m.body_json = R"({"host": {"id": 1}})";
  m.usernames = {"bob", "alice", "bob"};
  return m;
}

TEST(FedoraMessagingTest, WireMessageFollowsFedoraMessagingsMessageClass) {
  const absl::Time now = absl::FromUnixSeconds(1738281600) + absl::Milliseconds(750);
  auto w = BuildWireMessage(Sample(), "amq.topic", "", now, "the-id");
  ASSERT_OK(w.status());
  EXPECT_EQ(w->exchange, "amq.topic");
  EXPECT_EQ(w->routing_key, "mirrormanager.crawler.host.disabled.v1");
  EXPECT_EQ(w->body, R"({"host": {"id": 1}})");
  EXPECT_EQ(w->content_type, "application/json");
  EXPECT_EQ(w->content_encoding, "utf-8");
  EXPECT_EQ(w->delivery_mode, 2);
  EXPECT_EQ(w->priority, 0);
  EXPECT_EQ(w->message_id, "the-id");
  // sent-at: UTC, whole seconds, isoformat() with its "+00:00".
  EXPECT_THAT(
      w->headers,
      ElementsAre(Pair("fedora_messaging_schema",
                       WireHeaderValue(std::string("mirrormanager.crawler.host.disabled.v1"))),
                  Pair("sent-at", WireHeaderValue(std::string("2025-01-31T00:00:00+00:00"))),
                  Pair("fedora_messaging_severity", WireHeaderValue(int32_t{20})),
                  Pair("priority", WireHeaderValue(int32_t{0})),
                  Pair("fedora_messaging_user_bob", WireHeaderValue(true)),
                  Pair("fedora_messaging_user_alice", WireHeaderValue(true))));
}

TEST(FedoraMessagingTest, TopicPrefixIsJoinedWithOneDot) {
  for (const char* prefix : {"org.fedoraproject.prod", "org.fedoraproject.prod.", "p.."}) {
    auto w = BuildWireMessage(Sample(), "x", prefix, absl::UnixEpoch(), "id");
    ASSERT_OK(w.status());
    std::string want = std::string(prefix).substr(0, std::string(prefix).find_last_not_of('.') + 1);
    EXPECT_EQ(w->routing_key, want + ".mirrormanager.crawler.host.disabled.v1") << prefix;
  }
}

TEST(FedoraMessagingTest, BodyMustBeAJsonObjectAndNamesMustFitAmqpShortStrings) {
  BusMessage m = Sample();
  for (const char* body : {"[1]", "\"text\"", "{", ""}) {
    m.body_json = body;
    EXPECT_THAT(BuildWireMessage(m, "x", "", absl::UnixEpoch(), "id").status(),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not a JSON object")))
        << body;
  }
  m = Sample();
  m.topic = std::string(250, 't');
  EXPECT_OK(BuildWireMessage(m, "x", "", absl::UnixEpoch(), "id").status());
  EXPECT_THAT(BuildWireMessage(m, "x", "prefix", absl::UnixEpoch(), "id").status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  m = Sample();
  m.topic = "";
  EXPECT_THAT(BuildWireMessage(m, "x", "", absl::UnixEpoch(), "id").status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  // A user whose header name would not fit is left out, not the message.
  m = Sample();
  m.usernames = {std::string(240, 'u'), "ok", ""};
  auto w = BuildWireMessage(m, "x", "", absl::UnixEpoch(), "id");
  ASSERT_OK(w.status());
  ASSERT_EQ(w->headers.size(), 5u);
  EXPECT_EQ(w->headers.back().first, "fedora_messaging_user_ok");
}

TEST(FedoraMessagingTest, MessageIdsAreRandomVersion4Uuids) {
  const std::regex uuid4("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::set<std::string> ids;
  for (int i = 0; i < 100; ++i) {
    std::string id = NewMessageId();
    EXPECT_TRUE(std::regex_match(id, uuid4)) << id;
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 100u);
}

TEST(FedoraMessagingTest, SettingsComeFromTheConfiguration) {
  Config c = Config::WithDefaults();
  auto none = AmqpSettingsFromConfig(c);
  ASSERT_OK(none.status());
  EXPECT_FALSE(none->has_value());  // no broker configured
  ASSERT_OK(
      c.MergeText("FEDORA_MESSAGING_AMQP_URL = 'amqps://mm:secret@broker.example.org/%2Fpubsub'\n"
                  "FEDORA_MESSAGING_TOPIC_PREFIX = 'org.fedoraproject.prod'\n"
                  "FEDORA_MESSAGING_CA_CERT = '/etc/pki/ca.pem'\nFEDORA_MESSAGING_CERT = '/c.pem'\n"
                  "FEDORA_MESSAGING_KEY = '/k.pem'\nFEDORA_MESSAGING_TIMEOUT = 2.5\n",
                  "mm.cfg"));
  EXPECT_TRUE(c.warnings().empty());
  auto s = AmqpSettingsFromConfig(c);
  ASSERT_OK(s.status());
  ASSERT_TRUE(s->has_value());
  const AmqpSettings& a = **s;
  EXPECT_EQ(a.url, "amqps://mm:secret@broker.example.org/%2Fpubsub");
  EXPECT_EQ(a.exchange, "amq.topic");
  EXPECT_EQ(a.topic_prefix, "org.fedoraproject.prod");
  EXPECT_EQ(a.ca_cert, "/etc/pki/ca.pem");
  EXPECT_EQ(a.client_cert, "/c.pem");
  EXPECT_EQ(a.client_key, "/k.pem");
  EXPECT_EQ(a.timeout, absl::Milliseconds(2500));
  EXPECT_EQ(a.attempts, 3);
  ASSERT_OK(c.MergeText("FEDORA_MESSAGING_TIMEOUT = 0\n", "mm.cfg"));
  EXPECT_THAT(AmqpSettingsFromConfig(c).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("mm.cfg:1")));
}

TEST(FedoraMessagingTest, PublisherRejectsBadUrlsAndTlsFilesWithoutAmqps) {
  AmqpSettings s;
  s.url = "http://broker/";
  EXPECT_THAT(AmqpPublisher::Create(s).status(), StatusIs(absl::StatusCode::kInvalidArgument));
  s.url = "amqp://broker:notaport/";
  EXPECT_THAT(AmqpPublisher::Create(s).status(), StatusIs(absl::StatusCode::kInvalidArgument));
  s.url = "amqp://u:p@broker.example.org/%2Fpubsub?heartbeat=30";  // pika options are ignored
  auto p = AmqpPublisher::Create(s);
  ASSERT_OK(p.status());
  EXPECT_EQ((*p)->broker(), "broker.example.org:5672");
  s.url = "amqps://broker.example.org";
  p = AmqpPublisher::Create(s);
  ASSERT_OK(p.status());
  EXPECT_EQ((*p)->broker(), "broker.example.org:5671");
  s.url = "amqp://broker";
  s.ca_cert = "/etc/hostname";
  EXPECT_THAT(AmqpPublisher::Create(s).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("amqps://")));
  s.url = "amqps://broker";
  s.client_cert = "/etc/hostname";
  EXPECT_THAT(AmqpPublisher::Create(s).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("go together")));
  s.client_key = "/nonexistent/key.pem";
  EXPECT_THAT(AmqpPublisher::Create(s).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("cannot read")));
}

}  // namespace
}  // namespace mm::common
