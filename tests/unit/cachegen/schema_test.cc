// proto/mirrormanager/cache/mirrormanager.proto against the schema facts of
// cache-wire-format.md §1-§2, field by field (name, number, label, type), so that a parser built
// from upstream's schema reads our files without loss.
#include <gmock/gmock.h>
#include <google/protobuf/descriptor.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "mirrormanager/cache/mirrormanager.pb.h"

namespace mm::cachegen {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using ::testing::UnorderedElementsAreArray;

// "number label type name" as in cache-wire-format.md §2 (req/opt/rep; message types by name).
const std::map<std::string, std::vector<std::string>>& Expected() {
  static const auto* kSchema = new std::map<std::string, std::vector<std::string>>{
      {"MirrorList",
       {"1 req uint64 Time", "2 rep StringStringMap NetblockCountryCache",
        "3 rep StringRepeatedIntMap LocationCache", "4 rep IntStringMap HCUrlCache",
        "5 rep FileDetailsCacheDirectoryType FileDetailsCache",
        "6 rep StringBoolMap DisabledRepositoryCache",
        "7 rep StringStringMap CountryContinentRedirectCache",
        "8 rep StringStringMap RepositoryRedirectCache",
        "9 rep StringStringMap RepoArchToDirectoryName", "10 rep IntRepeatedIntMap HostAsnCache",
        "11 rep IntIntMap HostMaxConnectionCache", "12 rep IntStringMap HostCountryCache",
        "13 rep IntIntMap HostBandwidthCache",
        "14 rep IntRepeatedStringMap HostCountryAllowedCache",
        "15 rep StringRepeatedIntMap HostNetblockCache",
        "16 rep MirrorListCacheType MirrorListCache"}},
      {"MirrorListCacheType",
       {"1 req string directory", "2 rep int64 Global", "3 opt string Subpath",
        "4 rep StringRepeatedIntMap ByCountry", "5 rep StringRepeatedIntMap ByCountryInternet2",
        "6 rep IntRepeatedIntMap ByHostId", "7 opt bool OrderedMirrorList"}},
      {"FileDetailsCacheDirectoryType",
       {"1 req string directory", "2 rep FileDetailsCacheFilesType FileDetailsCacheFiles"}},
      {"FileDetailsCacheFilesType", {"1 req string filename", "2 rep FileDetailsType FileDetails"}},
      {"FileDetailsType",
       {"1 req uint64 TimeStamp", "2 req uint64 Size", "3 opt string SHA1", "4 opt string MD5",
        "5 opt string SHA256", "6 opt string SHA512"}},
      {"StringStringMap", {"1 req string key", "2 req string value"}},
      {"StringRepeatedIntMap", {"1 req string key", "2 rep int64 value"}},
      {"IntRepeatedStringMap", {"1 req int64 key", "2 rep string value"}},
      {"IntStringMap", {"1 req int64 key", "2 req string value"}},
      {"IntIntMap", {"1 req int64 key", "2 req int64 value"}},
      {"IntRepeatedIntMap", {"1 req int64 key", "2 rep int64 value"}},
      {"StringBoolMap", {"1 req string key", "2 req bool value"}},
  };
  return *kSchema;
}

std::string Describe(const FieldDescriptor& f) {
  const char* label = f.is_required() ? "req" : f.is_repeated() ? "rep" : "opt";
  std::string type =
      f.type() == FieldDescriptor::TYPE_MESSAGE ? f.message_type()->name() : f.type_name();
  return absl::StrCat(f.number(), " ", label, " ", type, " ", f.name());
}

TEST(CacheSchemaTest, FileLevelFacts) {
  const auto* file = ::mirrormanager::MirrorList::descriptor()->file();
  EXPECT_EQ(file->syntax(), google::protobuf::FileDescriptor::SYNTAX_PROTO2);
  EXPECT_EQ(file->package(), "mirrormanager");
  EXPECT_EQ(file->dependency_count(), 0);
  EXPECT_EQ(file->enum_type_count(), 0);
  EXPECT_EQ(file->service_count(), 0);
  EXPECT_EQ(file->extension_count(), 0);
  EXPECT_EQ(file->message_type_count(), 12);
}

TEST(CacheSchemaTest, EveryMessageAndFieldAsUpstream) {
  const auto* file = ::mirrormanager::MirrorList::descriptor()->file();
  for (const auto& [name, fields] : Expected()) {
    const Descriptor* m = file->FindMessageTypeByName(name);
    ASSERT_NE(m, nullptr) << name;
    EXPECT_EQ(m->oneof_decl_count(), 0) << name;
    EXPECT_EQ(m->nested_type_count(), 0) << name;
    EXPECT_EQ(m->extension_range_count(), 0) << name;
    std::vector<std::string> got;
    for (int i = 0; i < m->field_count(); ++i) {
      const FieldDescriptor* f = m->field(i);
      got.push_back(Describe(*f));
      // Not packed (the Rust generator writes one tag per element) and no defaults.
      EXPECT_FALSE(f->is_packed()) << name << "." << f->name();
      EXPECT_FALSE(f->has_default_value()) << name << "." << f->name();
    }
    EXPECT_THAT(got, UnorderedElementsAreArray(fields)) << name;
  }
}

}  // namespace
}  // namespace mm::cachegen
