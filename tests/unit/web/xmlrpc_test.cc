#include "services/web-gateway/xmlrpc.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mm::web::xmlrpc {
namespace {

using ::testing::HasSubstr;

TEST(XmlRpcTest, ParsesEveryType) {
  auto call = ParseMethodCall(R"(<?xml version="1.0"?>
<methodCall><methodName> checkin </methodName><params>
<param><value>untyped</value></param>
<param><value><string>a &amp; b</string></value></param>
<param><value><int>-5</int></value></param>
<param><value><i4>7</i4></value></param>
<param><value><boolean>1</boolean></value></param>
<param><value><double>1.5</double></value></param>
<param><value><nil/></value></param>
<param><value><base64>aGk=</base64></value></param>
<param><value><array><data><value><int>1</int></value><value>x</value></data></array></value></param>
<param><value><struct><member><name>k</name><value><string>v</string></value></member></struct></value></param>
</params></methodCall>)", {});
  ASSERT_TRUE(call.ok()) << call.status();
  EXPECT_EQ(call->method, "checkin");
  ASSERT_EQ(call->params.size(), 10u);
  EXPECT_EQ(call->params[0].str(), "untyped");
  EXPECT_EQ(call->params[1].str(), "a & b");
  EXPECT_EQ(std::get<int64_t>(call->params[2].v), -5);
  EXPECT_EQ(std::get<int64_t>(call->params[3].v), 7);
  EXPECT_TRUE(std::get<bool>(call->params[4].v));
  EXPECT_EQ(std::get<double>(call->params[5].v), 1.5);
  EXPECT_TRUE(std::holds_alternative<Nil>(call->params[6].v));
  EXPECT_EQ(std::get<Base64>(call->params[7].v).bytes, "hi");
  EXPECT_EQ(std::get<Array>(call->params[8].v).size(), 2u);
  EXPECT_EQ(std::get<Struct>(call->params[9].v)[0].first, "k");
}

TEST(XmlRpcTest, RoundTrips) {
  MethodCall call{"checkin", {Value("<&>"), Value(int64_t{3}), Value(Array{Value(true)})}};
  auto parsed = ParseMethodCall(WriteMethodCall(call), {});
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->params[0].str(), "<&>");
  auto resp = ParseMethodResponse(WriteResponse(Value("ok")), {});
  ASSERT_TRUE(resp.ok());
  EXPECT_FALSE(resp->is_fault);
  EXPECT_EQ(resp->value.str(), "ok");
  auto fault = ParseMethodResponse(WriteFault({1, "<class 'X'>:y"}), {});
  ASSERT_TRUE(fault.ok());
  EXPECT_TRUE(fault->is_fault);
  EXPECT_EQ(fault->fault.code, 1);
  EXPECT_EQ(fault->fault.message, "<class 'X'>:y");
}

TEST(XmlRpcTest, RefusesWhatIsOutOfBounds) {
  Limits small;
  small.max_bytes = 100;
  EXPECT_THAT(ParseMethodCall(std::string(101, ' '), small).status().message(),
              HasSubstr("request body exceeds 100 bytes"));
  std::string deep = "<methodCall><methodName>m</methodName><params><param>";
  for (int i = 0; i < 40; ++i) deep += "<value><array><data>";
  EXPECT_FALSE(ParseMethodCall(deep, {}).ok());
  std::string nested = "<methodCall><methodName>m</methodName><params><param>";
  for (int i = 0; i < 20; ++i) nested += "<value><array><data>";
  for (int i = 0; i < 20; ++i) nested += "</data></array></value>";
  nested += "</param></params></methodCall>";
  EXPECT_THAT(ParseMethodCall(nested, {}).status().message(), HasSubstr("nested too deep"));
  EXPECT_FALSE(ParseMethodCall("<!DOCTYPE x><methodCall/>", {}).ok());
  EXPECT_FALSE(ParseMethodCall("<methodCall><params/></methodCall>", {}).ok());
  EXPECT_FALSE(ParseMethodCall("<methodCall><methodName>m</methodName><params><param><value><int>x</int>"
                               "</value></param></params></methodCall>", {}).ok());
  EXPECT_FALSE(ParseMethodCall("<methodCall><methodName>m</methodName><params><param><value><blob/>"
                               "</value></param></params></methodCall>", {}).ok());
}

}  // namespace
}  // namespace mm::web::xmlrpc
