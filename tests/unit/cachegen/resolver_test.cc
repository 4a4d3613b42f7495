#include "services/cachegen/resolver.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/time/clock.h"

namespace mm::cachegen {
namespace {

using ::testing::Contains;
using ::testing::IsEmpty;

// Only names that resolve locally (/etc/hosts): tests never touch the network.
TEST(SystemResolverTest, ResolvesLocalhost) {
  SystemResolver resolver(4);
  ResolveResults r = resolver.ResolveAll({"localhost"}, absl::Seconds(10));
  ASSERT_EQ(r.addresses.count("localhost"), 1u) << r.errors["localhost"];
  EXPECT_THAT(r.addresses["localhost"], Contains("127.0.0.1"));
  EXPECT_THAT(r.errors, IsEmpty());
}

TEST(SystemResolverTest, NothingToResolveReturnsAtOnce) {
  SystemResolver resolver(4);
  absl::Time start = absl::Now();
  ResolveResults r = resolver.ResolveAll({}, absl::Seconds(10));
  EXPECT_THAT(r.addresses, IsEmpty());
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
}

TEST(SystemResolverTest, ManyNamesInParallel) {
  SystemResolver resolver(8);
  std::vector<std::string> names(20, "localhost");
  ResolveResults r = resolver.ResolveAll(names, absl::Seconds(10));
  EXPECT_EQ(r.addresses.size(), 1u);
  EXPECT_TRUE(r.errors.empty());
}

// A name that cannot resolve on this offline machine (.invalid is reserved, RFC 6761): the
// call returns within the timeout whatever the configured name server does, and names that
// did resolve are kept.
TEST(SystemResolverTest, UnresolvableNameIsReportedWithinTheTimeout) {
  SystemResolver resolver(4);
  absl::Time start = absl::Now();
  ResolveResults r =
      resolver.ResolveAll({"localhost", "mm-unresolvable.invalid"}, absl::Seconds(1));
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(1300));
  EXPECT_EQ(r.addresses.count("localhost"), 1u);
  EXPECT_EQ(r.addresses.count("mm-unresolvable.invalid"), 0u);
  EXPECT_EQ(r.errors.count("mm-unresolvable.invalid"), 1u);
}

}  // namespace
}  // namespace mm::cachegen
