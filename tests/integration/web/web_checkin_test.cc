// XML-RPC check-in against the real gateway, catalog and PostgreSQL: every validation message,
// every authentication failure, the private-only rule, user_active, the HCD reconciliation, the
// password upgrade, payload limits and malformed input.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "services/web-gateway/checkin_codec.h"
#include "services/web-gateway/xmlrpc.h"
#include "tests/integration/web/web_harness.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"

namespace mm::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using json = nlohmann::ordered_json;
namespace xmlrpc = ::mm::web::xmlrpc;

struct Answer {
  bool fault = false;
  std::string text;
  int64_t code = 0;
};

class WebCheckinTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto h = WebHarness::Start(
        "CHECKIN_MAX_PAYLOAD_BYTES = 20000\nCHECKIN_MAX_DECOMPRESSED_BYTES = 200000\n"
        "CHECKIN_MAX_DIRECTORIES = 500\n");
    ASSERT_OK(h.status());
    h_ = std::move(*h);
    FixtureBuilder f(h_->db());
    int64_t fedora = f.Product("Fedora");
    linux_ = f.Category("Fedora Linux", fedora, "pub/fedora/linux");
    epel_ = f.Category("Fedora EPEL", std::nullopt, "pub/epel");
    for (const char* d :
         {"releases", "releases/27", "releases/27/x86_64", "updates", "updates/27"}) {
      dirs_[d] = f.Directory(absl::StrCat("pub/fedora/linux/", d), {linux_});
    }
    dirs_["epel/7"] = f.Directory("pub/epel/7", {epel_});
    SiteOptions so;
    so.private_ = true;
    so.password = "s3cret";  // plain text, as upstream tooling writes it
    site_ = f.Site("Private Site", so);
    HostOptions ho;
    ho.private_ = true;
    host_ = f.Host(site_, "private.example.org", "US", ho);
    hc_ = f.HostCategory(host_, linux_);
    hc_epel_ = f.HostCategory(host_, epel_);
    // An existing, stale directory and one the check-in will not report.
    f.Hcd(hc_, dirs_["releases/27"], "releases/27", false);
    f.Hcd(hc_, dirs_["updates"], "updates", true);
    f.Hcd(hc_epel_, dirs_["epel/7"], "7", true);
    public_site_ = f.Site("Public Site", SiteOptions{.password = std::string("pub")});
    f.Host(public_site_, "public.example.org", "US");
  }

  json Config() {
    json c = json::object();
    c["version"] = 0;
    c["global"] = {{"enabled", "1"}, {"server", h_->url() + "/xmlrpc"}};
    c["site"] = {{"enabled", "1"}, {"name", "Private Site"}, {"password", "s3cret"}};
    c["host"] = {{"enabled", "1"}, {"name", "private.example.org"}};
    c["stats"] = json::object();
    c["fedora linux"] = {{"enabled", "1"},
                         {"dirtree",
                          {{"", json::object()},
                           {"releases", json::object()},
                           {"releases/27", json::object()},
                           {"releases/27/x86_64", json::object()},
                           {"not/in/db", json::object()}}}};
    return c;
  }

  Answer CallRaw(const std::string& xml) {
    HttpAnswer r = h_->Post("/xmlrpc", xml);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.content_type, "text/xml");
    auto resp = xmlrpc::ParseMethodResponse(r.body, {});
    EXPECT_TRUE(resp.ok()) << r.body;
    if (!resp.ok()) return {};
    if (resp->is_fault) return {true, resp->fault.message, resp->fault.code};
    return {false, resp->value.is_string() ? resp->value.str() : "<non-string>", 0};
  }
  Answer Call(const std::string& method, std::vector<xmlrpc::Value> params) {
    return CallRaw(xmlrpc::WriteMethodCall({method, std::move(params)}));
  }
  Answer Checkin(const std::string& payload) { return Call("checkin", {xmlrpc::Value(payload)}); }
  Answer Checkin(const json& config) {
    auto p = web::EncodeCheckinPayload(config);
    EXPECT_TRUE(p.ok());
    return Checkin(*p);
  }
  std::string Hcds(int64_t hc) {
    return h_->db().QueryValue(absl::StrCat(
        "SELECT string_agg(path || ':' || up2date, ',' ORDER BY path) FROM host_category_dir "
        "WHERE host_category_id = ",
        hc));
  }

  std::unique_ptr<WebHarness> h_;
  int64_t linux_ = 0, epel_ = 0, site_ = 0, host_ = 0, hc_ = 0, hc_epel_ = 0, public_site_ = 0;
  std::map<std::string, int64_t> dirs_;
};

constexpr char kInvalid[] =
    "Invalid config file provided, please check your report_mirror.conf.error checking in";

TEST_F(WebCheckinTest, ReconcilesDirectoriesAndUpgradesThePassword) {
  Answer a = Checkin(Config());
  ASSERT_FALSE(a.fault) << a.text;
  EXPECT_EQ(a.text,
            "Category Fedora Linux directories updated: 1  added: 3  deleted 1\n"
            "checked in successful");
  // "" (the topdir), releases and releases/27/x86_64 added; releases/27 marked up to date;
  // updates deleted; not/in/db skipped (no such directory).
  EXPECT_EQ(Hcds(hc_), ":true,releases:true,releases/27:true,releases/27/x86_64:true");
  EXPECT_EQ(Hcds(hc_epel_), "7:true") << "a category not in the payload is left alone";
  // Logged with the host name, as upstream.
  EXPECT_THAT(h_->GatewayLog(), HasSubstr("check-in of host private.example.org (site Private "
                                          "Site): 1 categories, 5 directories"));
  EXPECT_EQ(h_->db().QueryValue(
                absl::StrCat("SELECT last_checked_in IS NOT NULL FROM host WHERE id = ", host_)),
            "t");
  // The plain-text password was accepted once and replaced by its argon2id hash.
  EXPECT_EQ(
      h_->db().QueryValue(absl::StrCat("SELECT password IS NULL FROM site WHERE id = ", site_)),
      "t");
  EXPECT_THAT(
      h_->db().QueryValue(absl::StrCat("SELECT password_hash FROM site WHERE id = ", site_)),
      StartsWith("$argon2id$"));
  // Again: everything exists now; the hash (and then the verification cache) is used.
  Answer b = Checkin(Config());
  EXPECT_EQ(b.text,
            "Category Fedora Linux directories updated: 4  added: 0  deleted 0\n"
            "checked in successful");
  Answer c = Checkin(Config());
  EXPECT_EQ(c.text, b.text);
  json wrong = Config();
  wrong["site"]["password"] = "s3cret!";
  EXPECT_EQ(Checkin(wrong).text, "Config file site name or password incorrect.\nerror checking in");
  // Upstream tooling writes a new plain password: it wins over the stale hash, once.
  h_->db().Exec(absl::StrCat("UPDATE site SET password = 'n3w' WHERE id = ", site_));
  EXPECT_EQ(Checkin(Config()).text,
            "Config file site name or password incorrect.\nerror checking in");
  json renewed = Config();
  renewed["site"]["password"] = "n3w";
  EXPECT_THAT(Checkin(renewed).text, HasSubstr("checked in successful"));
  EXPECT_EQ(
      h_->db().QueryValue(absl::StrCat("SELECT password IS NULL FROM site WHERE id = ", site_)),
      "t");
  EXPECT_THAT(Checkin(renewed).text, HasSubstr("checked in successful"));
}

TEST_F(WebCheckinTest, CategoryMatchingAndDisabledCategories) {
  json c = Config();
  c["FEDORA EPEL"] = {{"enabled", "1"},
                      {"dirtree", {{"7", json::object()}, {"8", json::object()}}}};
  c["Unknown Category"] = {{"enabled", "1"}, {"dirtree", json::object()}};
  Answer a = Checkin(c);
  EXPECT_EQ(a.text,
            "Category Fedora Linux directories updated: 1  added: 3  deleted 1\n"
            "Category Fedora EPEL directories updated: 1  added: 0  deleted 0\n"
            "checked in successful");
  // A disabled category leaves the database unchanged (the sample configuration's promise).
  json d = Config();
  d["fedora epel"] = {{"enabled", "0"}, {"dirtree", json::object()}};
  d.erase("fedora linux");
  EXPECT_EQ(Checkin(d).text, "checked in successful");
  EXPECT_EQ(Hcds(hc_epel_), "7:true");
}

TEST_F(WebCheckinTest, SlashesAroundReportedPathsAreIgnored) {
  // Upstream strips the slashes for its lookups but compares the raw keys when it deletes, so
  // "/releases/27/" was marked up to date and then deleted; one form everywhere (DESIGN.md §5).
  json c = Config();
  c["fedora linux"]["dirtree"] = {{"/releases/27/", json::object()}, {"releases/", json::object()}};
  EXPECT_EQ(Checkin(c).text,
            "Category Fedora Linux directories updated: 1  added: 1  deleted 1\n"
            "checked in successful");
  EXPECT_EQ(Hcds(hc_), "releases:true,releases/27:true");
}

TEST_F(WebCheckinTest, LastCheckedInOnlyWhenACategoryWasProcessed) {
  auto last = [&] {
    return h_->db().QueryValue(
        absl::StrCat("SELECT last_checked_in IS NOT NULL FROM host WHERE id = ", host_));
  };
  json c = Config();
  c.erase("fedora linux");
  c["unknown category"] = {{"enabled", "1"}, {"dirtree", json::object()}};
  EXPECT_EQ(Checkin(c).text, "checked in successful");
  EXPECT_EQ(last(), "f") << "no host category matched";
  EXPECT_THAT(Checkin(Config()).text, HasSubstr("checked in successful"));
  EXPECT_EQ(last(), "t");
}

TEST_F(WebCheckinTest, UserActiveToggle) {
  json c = Config();
  c["host"]["user_active"] = "0";
  EXPECT_THAT(Checkin(c).text, HasSubstr("checked in successful"));
  EXPECT_EQ(h_->db().QueryValue(absl::StrCat("SELECT user_active FROM host WHERE id = ", host_)),
            "f");
  auto user_active = [&] {
    return h_->db().QueryValue(absl::StrCat("SELECT user_active FROM host WHERE id = ", host_));
  };
  // Upstream: `value in ["true", "1", "t", "y", "yes"]`, case-sensitive, strings only.
  for (const char* yes : {"true", "1", "t", "y", "yes"}) {
    c["host"]["user_active"] = "0";
    Checkin(c);
    c["host"]["user_active"] = yes;
    Checkin(c);
    EXPECT_EQ(user_active(), "t") << yes;
  }
  for (json no : {json("Yes"), json("TRUE"), json(true), json(1), json(nullptr), json("on")}) {
    c["host"]["user_active"] = "1";
    Checkin(c);
    c["host"]["user_active"] = no;
    Checkin(c);
    EXPECT_EQ(user_active(), "f") << no.dump();
  }
  c["host"]["user_active"] = "1";
  Checkin(c);
  ASSERT_EQ(user_active(), "t");
  c.erase("fedora linux");
  c["host"]["user_active"] = "false";
  EXPECT_EQ(Checkin(c).text, "checked in successful");
  EXPECT_EQ(h_->db().QueryValue(absl::StrCat("SELECT user_active FROM host WHERE id = ", host_)),
            "f")
      << "applied even when no category matched";
}

TEST_F(WebCheckinTest, AuthenticationFailures) {
  json c = Config();
  c["site"]["name"] = "No Such Site";
  EXPECT_EQ(Checkin(c).text, "Config file site name or password incorrect.\nerror checking in");
  c = Config();
  c["site"]["password"] = "wrong";
  EXPECT_EQ(Checkin(c).text, "Config file site name or password incorrect.\nerror checking in");
  EXPECT_EQ(h_->db().QueryValue(absl::StrCat("SELECT password FROM site WHERE id = ", site_)),
            "s3cret")
      << "a failed check-in changes nothing";
  c = Config();
  c["site"]["password"] = 12345;
  EXPECT_EQ(Checkin(c).text, "Config file site name or password incorrect.\nerror checking in");
  c = Config();
  c["host"]["name"] = "other.example.org";
  EXPECT_EQ(Checkin(c).text, "Config file host name for site not found.\nerror checking in");
  // A host name that is not a string matches no host (upstream compares with ==), but only
  // after the site was authenticated.
  c["host"]["name"] = 12345;
  EXPECT_EQ(Checkin(c).text, "Config file host name for site not found.\nerror checking in");
  c["site"]["password"] = "wrong";
  EXPECT_EQ(Checkin(c).text, "Config file site name or password incorrect.\nerror checking in");
  c = Config();
  c["site"]["name"] = "Public Site";
  c["site"]["password"] = "pub";
  c["host"]["name"] = "public.example.org";
  EXPECT_EQ(Checkin(c).text,
            "Only private mirrors are allowed to use report_mirror.\nerror checking in");
  EXPECT_EQ(Hcds(hc_), "releases/27:false,updates:true") << "nothing applied";
  std::string metrics = h_->Get("/metrics").body;
  EXPECT_THAT(metrics, HasSubstr("mm_web_checkins_total{result=\"auth_failed\"} 4"));
  EXPECT_THAT(metrics, HasSubstr("mm_web_checkins_total{result=\"host_not_found\"} 2"));
  EXPECT_THAT(metrics, HasSubstr("mm_web_checkins_total{result=\"not_private\"} 1"));
}

TEST_F(WebCheckinTest, ValidationMessages) {
  EXPECT_EQ(Checkin(json::array({1, 2})).text,
            std::string("config file is not a dict.\nPlease update your copy of report_mirror.\n") +
                kInvalid);
  json c = Config();
  c.erase("version");
  EXPECT_EQ(Checkin(c).text, std::string("config file has no version field.\n") + kInvalid);
  c = Config();
  c["version"] = 1;
  EXPECT_EQ(Checkin(c).text, std::string("config file version is not 0, is 1.\n") + kInvalid);
  c["version"] = "0";
  EXPECT_EQ(Checkin(c).text, std::string("config file version is not 0, is 0.\n") + kInvalid)
      << "the string \"0\" is not the integer 0";
  for (const char* section : {"global", "site", "host"}) {
    c = Config();
    c.erase(section);
    EXPECT_EQ(Checkin(c).text,
              absl::StrCat("config file missing section ", section, ".\n", kInvalid));
  }
  c = Config();
  c["global"]["enabled"] = "0";
  EXPECT_EQ(Checkin(c).text, std::string("config file section [global] not enabled.\n") + kInvalid);
  for (const char* opt : {"name", "password"}) {
    c = Config();
    c["site"].erase(opt);
    EXPECT_EQ(Checkin(c).text,
              absl::StrCat("config file [site] missing required option ", opt, ".\n", kInvalid));
  }
  c = Config();
  c["host"].erase("name");
  EXPECT_EQ(Checkin(c).text,
            std::string("section [host] missing required option name.\n") + kInvalid);
  c = Config();
  c["fedora linux"].erase("dirtree");
  EXPECT_EQ(Checkin(c).text,
            std::string("section [fedora linux] missing required option dirtree.\n") + kInvalid);
  EXPECT_EQ(Hcds(hc_), "releases/27:false,updates:true");
}

TEST_F(WebCheckinTest, MalformedPayloadsAreFaults) {
  Answer a = Checkin(std::string("not base64!"));
  EXPECT_TRUE(a.fault);
  EXPECT_EQ(a.code, 1);
  EXPECT_EQ(a.text,
            "<class 'binascii.Error'>:Invalid base64-encoded string: number of data "
            "characters (9) cannot be 1 more than a multiple of 4");
  EXPECT_EQ(Checkin(std::string("QUJD")).text, "<class 'OSError'>:Invalid data stream");
  auto truncated = web::Bz2Compress("{\"version\": 0}");
  ASSERT_OK(truncated.status());
  EXPECT_EQ(
      Checkin(web::UrlSafeBase64Encode(truncated->substr(0, truncated->size() - 4))).text,
      "<class 'ValueError'>:Compressed data ended before the end-of-stream marker was reached");
  auto not_json = web::Bz2Compress("(dp0\nS'version'\np1\nI0\ns.");  // a pickle
  EXPECT_EQ(Checkin(web::UrlSafeBase64Encode(*not_json)).text,
            "<class 'ValueError'>:payload is not valid JSON (pickled payloads are not accepted)");
  Answer xml = CallRaw("<methodCall><methodName>checkin</methodName><params>");
  EXPECT_TRUE(xml.fault);
  EXPECT_THAT(xml.text, StartsWith("<class 'xml.parsers.expat.ExpatError'>:"));
  EXPECT_TRUE(CallRaw("<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><methodCall/>").fault);
  EXPECT_EQ(
      Call("checkin", {xmlrpc::Value(int64_t{5})}).text,
      "<class 'TypeError'>:argument should be a bytes-like object or ASCII string, not 'int'");
  // Python's TypeError for upstream's `def checkin(pickledata)`.
  EXPECT_EQ(Call("checkin", {}).text,
            "<class 'TypeError'>:checkin() missing 1 required positional argument: 'pickledata'");
  EXPECT_EQ(Call("checkin", {"a", "b"}).text,
            "<class 'TypeError'>:checkin() takes 1 positional argument but 2 were given");
  EXPECT_EQ(Call("pickle.loads", {}).text,
            "<class 'Exception'>:method \"pickle.loads\" is not supported");
  EXPECT_THAT(h_->Get("/metrics").body,
              HasSubstr("mm_web_checkins_total{result=\"decode_error\"} 9"));
}

TEST_F(WebCheckinTest, PayloadLimits) {
  // Compressed payload.
  std::string big(20001, 'A');
  EXPECT_EQ(Checkin(big).text,
            "<class 'ValueError'>:compressed payload is 20001 bytes; the limit is 20000");
  // Decompressed size: a bz2 bomb (small compressed, large decompressed).
  std::string bomb_text = "{\"version\": 0, \"x\": \"" + std::string(1'000'000, 'a') + "\"}";
  auto bomb = web::Bz2Compress(bomb_text);
  ASSERT_LT(web::UrlSafeBase64Encode(*bomb).size(), 20000u);
  EXPECT_EQ(Checkin(web::UrlSafeBase64Encode(*bomb)).text,
            "<class 'ValueError'>:decompressed payload exceeds 200000 bytes");
  // Directory count.
  json c = Config();
  json tree = json::object();
  for (int i = 0; i < 501; ++i) tree[absl::StrCat("d", i)] = json::object();
  c["fedora linux"]["dirtree"] = tree;
  EXPECT_EQ(Checkin(c).text, "<class 'ValueError'>:check-in reports more than 500 directories");
  EXPECT_EQ(Hcds(hc_), "releases/27:false,updates:true");
  // Request body beyond what the server accepts at all.
  std::string huge =
      xmlrpc::WriteMethodCall({"checkin", {xmlrpc::Value(std::string(200000, 'A'))}});
  HttpAnswer r = h_->Post("/xmlrpc", huge);
  EXPECT_EQ(r.status, 413);
  EXPECT_THAT(h_->Get("/metrics").body, HasSubstr("mm_web_checkins_total{result=\"limit\"} 3"));
}

TEST_F(WebCheckinTest, ConcurrentCheckinsOfOneHostAreAtomic) {
  // Two reporters with different trees race; each check-in is one transaction serialised on the
  // host row, so the result is exactly one of the two trees, never a mix.
  Checkin(Config());  // upgrade the password first, so both threads take the same path
  json a = Config(), b = Config();
  a["fedora linux"]["dirtree"] = {{"releases", json::object()}, {"releases/27", json::object()}};
  b["fedora linux"]["dirtree"] = {{"updates", json::object()},
                                  {"updates/27", json::object()},
                                  {"releases/27/x86_64", json::object()}};
  std::atomic<int> ok{0};
  auto run = [&](const json& c) {
    for (int i = 0; i < 6; ++i) {
      if (Checkin(c).text.find("checked in successful") != std::string::npos) ++ok;
    }
  };
  std::thread t1(run, a), t2(run, b);
  t1.join();
  t2.join();
  EXPECT_EQ(ok.load(), 12);
  std::string final_state = Hcds(hc_);
  EXPECT_TRUE(final_state == "releases:true,releases/27:true" ||
              final_state == "releases/27/x86_64:true,updates:true,updates/27:true")
      << final_state;
}

TEST_F(WebCheckinTest, Introspection) {
  Answer methods = CallRaw(xmlrpc::WriteMethodCall({"system.listMethods", {}}));
  HttpAnswer raw = h_->Post("/xmlrpc", xmlrpc::WriteMethodCall({"system.listMethods", {}}));
  auto resp = xmlrpc::ParseMethodResponse(raw.body, {});
  ASSERT_OK(resp.status());
  const auto& list = std::get<xmlrpc::Array>(resp->value.v);
  ASSERT_EQ(list.size(), 4u);
  EXPECT_EQ(list[0].str(), "checkin");
  EXPECT_EQ(list[1].str(), "system.listMethods");
  EXPECT_EQ(list[2].str(), "system.methodHelp");
  EXPECT_EQ(list[3].str(), "system.methodSignature");
  EXPECT_THAT(Call("system.methodHelp", {"checkin"}).text,
              StartsWith("checkin(payload) -> string"));
  // Python's SimpleXMLRPCDispatcher: no signatures, an empty help for unknown names, its own
  // docstrings, and TypeErrors for a wrong argument count.
  Answer sig = Call("system.methodSignature", {"checkin"});
  EXPECT_FALSE(sig.fault);
  EXPECT_EQ(sig.text, "signatures not supported");
  EXPECT_EQ(Call("system.methodSignature", {"nope"}).text, "signatures not supported");
  Answer unknown = Call("system.methodHelp", {"nope"});
  EXPECT_FALSE(unknown.fault);
  EXPECT_EQ(unknown.text, "");
  EXPECT_EQ(Call("system.methodHelp", {"system.listMethods"}).text,
            "system.listMethods() => ['add', 'subtract', 'multiple']\n\n"
            "Returns a list of the methods supported by the server.");
  EXPECT_EQ(Call("system.methodHelp", {"system.methodSignature"}).text,
            "system.methodSignature('add') => [double, int, int]\n\n"
            "Returns a list describing the signature of the method. In the\n"
            "above example, the add method takes two integers as arguments\n"
            "and returns a double result.\n\n"
            "This server does NOT support system.methodSignature.");
  EXPECT_EQ(Call("system.methodHelp", {}).text,
            "<class 'TypeError'>:SimpleXMLRPCDispatcher.system_methodHelp() missing 1 required "
            "positional argument: 'method_name'");
  EXPECT_EQ(Call("system.listMethods", {"x"}).text,
            "<class 'TypeError'>:SimpleXMLRPCDispatcher.system_listMethods() takes 1 positional "
            "argument but 2 were given");
  EXPECT_EQ(Call("system.methodHelp", {xmlrpc::Value(xmlrpc::Array{})}).text,
            "<class 'TypeError'>:unhashable type: 'list'");
  // system.multicall is not registered (Flask-XML-RPC-Re does not add it).
  Answer multicall = Call("system.multicall", {xmlrpc::Value(xmlrpc::Array{})});
  EXPECT_TRUE(multicall.fault);
  EXPECT_EQ(multicall.code, 1);
  EXPECT_EQ(multicall.text, "<class 'Exception'>:method \"system.multicall\" is not supported");
}

}  // namespace
}  // namespace mm::testing
