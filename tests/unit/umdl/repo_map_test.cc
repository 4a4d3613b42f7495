// Repository prefixes (mm2-backend.md §1.8.1, upstream repomap.py) and the version / arch
// guesses of §1.8.
#include "services/umdl/repo_map.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mm::umdl {
namespace {

struct PrefixCase {
  const char* category;
  const char* path;
  std::optional<std::string> version;
  std::optional<std::string> prefix;
};

class RepoPrefixTest : public ::testing::TestWithParam<PrefixCase> {};

TEST_P(RepoPrefixTest, MatchesUpstream) {
  const PrefixCase& c = GetParam();
  EXPECT_EQ(RepoPrefix(c.path, c.category, c.version), c.prefix) << c.category << " " << c.path;
}

const std::optional<std::string> kNone;

INSTANTIATE_TEST_SUITE_P(
    Table, RepoPrefixTest,
    ::testing::Values(
        // Fedora Linux / Secondary / Archive
        PrefixCase{"Fedora Linux", "releases/40/Everything/x86_64/os", "40", "fedora-40"},
        PrefixCase{"Fedora Linux", "releases/40/Everything/x86_64/debug/tree", "40",
                   "fedora-debug-40"},
        PrefixCase{"Fedora Linux", "releases/40/Everything/source/tree", "40", "fedora-source-40"},
        PrefixCase{"Fedora Linux", "development/rawhide/Everything/x86_64/os", "development",
                   "rawhide"},
        PrefixCase{"Fedora Linux", "development/rawhide/Everything/x86_64/debug/tree",
                   "development", "rawhide-debug"},
        PrefixCase{"Fedora Linux", "development/rawhide/Everything/source/tree", "development",
                   "rawhide-source"},
        PrefixCase{"Fedora Linux", "development/41/Everything/x86_64/os", "development",
                   "fedora-41"},
        PrefixCase{"Fedora Linux", "releases/20/Fedora/x86_64/os", "20", "fedora-install-20"},
        PrefixCase{"Fedora Linux", "releases/20/Fedora/x86_64/debug", "20", kNone},
        PrefixCase{"Fedora Linux", "releases/20/Fedora/source/SRPMS", "20", kNone},
        PrefixCase{"Fedora Linux", "development/22/x86_64/os", "22", kNone},
        PrefixCase{"Fedora Linux", "releases/28/Modular/x86_64/os", "28", "fedora-modular-28"},
        PrefixCase{"Fedora Linux", "releases/28/Modular/x86_64/debug/tree", "28",
                   "fedora-modular-debug-28"},
        PrefixCase{"Fedora Linux", "releases/28/Modular/source/tree", "28",
                   "fedora-modular-source-28"},
        PrefixCase{"Fedora Linux", "updates/28/Modular/x86_64", "28",
                   "updates-released-modular-f28"},
        PrefixCase{"Fedora Linux", "updates/28/Modular/x86_64/debug", "28",
                   "updates-released-modular-debug-f28"},
        PrefixCase{"Fedora Linux", "updates/28/Modular/SRPMS", "28",
                   "updates-released-modular-source-f28"},
        PrefixCase{"Fedora Linux", "updates/testing/28/Modular/x86_64", "28",
                   "updates-testing-modular-f28"},
        PrefixCase{"Fedora Linux", "updates/testing/28/Modular/x86_64/debug", "28",
                   "updates-testing-modular-debug-f28"},
        PrefixCase{"Fedora Linux", "updates/testing/28/Modular/source/tree", "28",
                   "updates-testing-modular-source-f28"},
        PrefixCase{"Fedora Linux", "rawhide/Modular/x86_64", kNone, "rawhide-modular"},
        PrefixCase{"Fedora Linux", "rawhide/Modular/x86_64/debug", kNone, "rawhide-modular-debug"},
        PrefixCase{"Fedora Linux", "rawhide/Modular/source", kNone, "rawhide-modular-source"},
        PrefixCase{"Fedora Linux", "other/Modular/x86_64", "30", "fedora-modular-30"},
        PrefixCase{"Fedora Linux", "atomic/28", "28", "atomic-28"},
        PrefixCase{"Fedora Linux", "updates/40/Everything/x86_64", "40", "updates-released-f40"},
        PrefixCase{"Fedora Linux", "updates/40/Everything/x86_64/debug", "40",
                   "updates-released-debug-f40"},
        PrefixCase{"Fedora Linux", "updates/40/Everything/source/tree", "40",
                   "updates-released-source-f40"},
        PrefixCase{"Fedora Linux", "updates/testing/40/Everything/x86_64", "40",
                   "updates-testing-f40"},
        PrefixCase{"Fedora Linux", "updates/testing/40/Everything/x86_64/debug", "40",
                   "updates-testing-debug-f40"},
        PrefixCase{"Fedora Linux", "updates/testing/40/Everything/SRPMS", "40",
                   "updates-testing-source-f40"},
        PrefixCase{"Fedora Linux", "updates/40/x86_64", "40", kNone},
        PrefixCase{"Fedora Linux", "rawhide/x86_64", kNone, "rawhide"},
        PrefixCase{"Fedora Linux", "test/40_Beta/Everything/x86_64/os", "40_Beta", kNone},
        PrefixCase{"Fedora Linux", "releases/test/40_Beta/Everything/x86_64/os", "40_Beta", kNone},
        PrefixCase{"Fedora Secondary Arches", "releases/40/Everything/s390x/os", "40", "fedora-40"},
        PrefixCase{"Fedora Archive", "updates/20/x86_64", "20", kNone},
        PrefixCase{"Fedora Archive", "releases/20/Fedora/x86_64/os", "20", "fedora-install-20"},
        PrefixCase{"Fedora Linux", "releases/40/Everything/x86_64/os", kNone, "fedora-unknown"},
        // EPEL
        PrefixCase{"Fedora EPEL", "9/Everything/x86_64", "9", "epel-9"},
        PrefixCase{"Fedora EPEL", "9/Everything/x86_64/debug", "9", "epel-debug-9"},
        PrefixCase{"Fedora EPEL", "9/Everything/source/tree", "9", "epel-source-9"},
        PrefixCase{"Fedora EPEL", "8/Modular/x86_64", "8", "epel-modular-8"},
        PrefixCase{"Fedora EPEL", "8/Modular/x86_64/debug", "8", "epel-modular-debug-8"},
        PrefixCase{"Fedora EPEL", "8/Modular/SRPMS", "8", "epel-modular-source-8"},
        PrefixCase{"Fedora EPEL", "testing/9/Everything/x86_64", "9", "testing-epel9"},
        PrefixCase{"Fedora EPEL", "testing/9/Everything/x86_64/debug", "9", "testing-debug-epel9"},
        PrefixCase{"Fedora EPEL", "testing/9/Everything/source/tree", "9", "testing-source-epel9"},
        PrefixCase{"Fedora EPEL", "testing/8/Modular/x86_64", "8", "testing-modular-epel8"},
        PrefixCase{"Fedora EPEL", "playground/8/Everything/x86_64", "8", "playground-epel8"},
        PrefixCase{"Fedora EPEL", "playground/8/Everything/x86_64/debug", "8",
                   "playground-debug-epel8"},
        PrefixCase{"Fedora EPEL", "playground/8/Everything/SRPMS", "8", "playground-source-epel8"},
        PrefixCase{"Fedora EPEL", "playground/8/Modular/x86_64", "8", "playground-modular-epel8"},
        // RPM Fusion
        PrefixCase{"RPMFUSION free EL", "el/releases/9/Everything/x86_64/os", "9", "free-el-9"},
        PrefixCase{"RPMFUSION free EL", "el/releases/9/Everything/x86_64/debug", "9",
                   "free-el-debug-9"},
        PrefixCase{"RPMFUSION free EL", "el/releases/9/Everything/source/SRPMS", "9",
                   "free-el-source-9"},
        PrefixCase{"RPMFUSION free EL", "el/releases/9/Server/x86_64/os", "9", kNone},
        PrefixCase{"RPMFUSION free EL", "el/updates/9/x86_64", "9", "free-el-updates-released-9"},
        PrefixCase{"RPMFUSION free EL", "el/updates/9/x86_64/debug", "9",
                   "free-el-updates-released-debug-9"},
        PrefixCase{"RPMFUSION free EL", "el/updates/9/SRPMS", "9",
                   "free-el-updates-released-source-9"},
        PrefixCase{"RPMFUSION free EL", "el/updates/testing/9/x86_64", "9",
                   "free-el-updates-testing-9"},
        PrefixCase{"RPMFUSION free EL", "el/updates/testing/9/x86_64/debug", "9",
                   "free-el-updates-testing-debug-9"},
        PrefixCase{"RPMFUSION free EL", "el/rawhide/x86_64", kNone, kNone},
        PrefixCase{"RPMFUSION nonfree EL", "el/releases/9/Everything/x86_64/os", "9",
                   "nonfree-el-9"},
        PrefixCase{"RPMFUSION nonfree EL", "el/updates/testing/9/SRPMS", "9",
                   "nonfree-el-updates-testing-source-9"},
        PrefixCase{"RPMFUSION free Fedora", "fedora/releases/40/Everything/x86_64/os", "40",
                   "free-fedora-40"},
        PrefixCase{"RPMFUSION free Fedora", "fedora/updates/40/x86_64", "40",
                   "free-fedora-updates-released-40"},
        PrefixCase{"RPMFUSION free Fedora", "fedora/updates/testing/40/x86_64/debug", "40",
                   "free-fedora-updates-testing-debug-40"},
        PrefixCase{"RPMFUSION free Fedora", "fedora/development/rawhide/Everything/x86_64/os",
                   "development", "free-fedora-rawhide"},
        PrefixCase{"RPMFUSION free Fedora", "fedora/rawhide/x86_64/debug", kNone,
                   "free-fedora-rawhide-debug"},
        PrefixCase{"RPMFUSION free Fedora", "fedora/rawhide/SRPMS", kNone,
                   "free-fedora-rawhide-source"},
        PrefixCase{"RPMFUSION nonfree Fedora", "fedora/rawhide/x86_64", kNone,
                   "nonfree-fedora-rawhide"},
        PrefixCase{"RPMFUSION nonfree Fedora", "fedora/releases/40/Everything/source/SRPMS", "40",
                   "nonfree-fedora-source-40"},
        // RHEL
        PrefixCase{"RHEL", "rhel/7/ClusteredStorage/x86_64", "7", "rhel-7-clusteredstorage"},
        PrefixCase{"RHEL", "rhel/7/HighAvailability/x86_64", "7", "rhel-7-highavailability"},
        PrefixCase{"RHEL", "rhel/7/LargeFileSystem/x86_64", "7", "rhel-7-largefilesystem"},
        PrefixCase{"RHEL", "rhel/7/LoadBalance/x86_64", "7", "rhel-7-loadbalance"},
        PrefixCase{"RHEL", "rhel/7/optional/x86_64", "7", "rhel-optional-7"},
        PrefixCase{"RHEL", "rhel/7/optional/debug/source", "7", "rhel-optional-source-7"},
        PrefixCase{"RHEL", "rhel/7/optional/x86_64/debug", "7", "rhel-optional-debug-7"},
        PrefixCase{"RHEL", "rhel/7/os/x86_64", "7", "rhel-7"},
        PrefixCase{"RHEL", "rhel/7/os/x86_64/debug", "7", "rhel-debug-7"},
        PrefixCase{"RHEL", "rhel/7/os/SRPMS", "7", "rhel-source-7"},
        PrefixCase{"RHEL", "rhel/beta/8/os/x86_64", "8", "rhel-8-beta"},
        PrefixCase{"RHEL", "rhel/beta/8/HighAvailability/x86_64", "8",
                   "rhel-8-highavailability-beta"},
        // CentOS
        PrefixCase{"CentOS", "7/os/x86_64", "7", "os"},
        PrefixCase{"CentOS", "7/updates/x86_64", "7", "updates"},
        PrefixCase{"CentOS", "7/centosplus/x86_64", "7", "centosplus"},
        PrefixCase{"CentOS", "7/xen4/x86_64", "7", "xen4"},
        PrefixCase{"CentOS", "7/sclo/x86_64", "7", kNone},
        // Codecs and anything else
        PrefixCase{"Fedora Codecs", "openh264/40/x86_64", "40", "fedora-cisco-openh264-40"},
        PrefixCase{"Fedora Codecs", "openh264/40/x86_64/debug", "40",
                   "fedora-cisco-openh264-debug-40"},
        PrefixCase{"Fedora Other", "releases/40/Everything/x86_64/os", "40", kNone}));

TEST(VersionFromPathTest, UpstreamRules) {
  EXPECT_EQ(VersionFromPath("releases/20/Fedora/x86_64/os"), "20");
  EXPECT_EQ(VersionFromPath("development/22/x86_64/os"), "22");
  EXPECT_EQ(VersionFromPath("releases/test/40_Beta/Everything/x86_64/os"), "40_Beta");
  EXPECT_EQ(VersionFromPath("releases/9.4-RC1/x86_64/"), "9.4-RC1");
  EXPECT_EQ(VersionFromPath("updates/testing/41/Everything/x86_64"), "41");
  EXPECT_EQ(VersionFromPath("ubuntu/dists/noble/main/"), "noble");
  // A path starting with the version (EPEL's "9/x86_64") does not match: slashes on both sides.
  EXPECT_EQ(VersionFromPath("9/Everything/x86_64"), std::nullopt);
  EXPECT_EQ(VersionFromPath("development/rawhide/Everything/x86_64/os"), "development");
  EXPECT_EQ(VersionFromPath("nothing/here"), std::nullopt);
  EXPECT_EQ(VersionFromPath("a/9.4-/b"), std::nullopt);
  EXPECT_TRUE(IsTestPath("releases/test/40_Beta/"));
  EXPECT_TRUE(IsTestPath("alt/stage/40/"));
  EXPECT_FALSE(IsTestPath("updates/testing/40/"));
}

TEST(GuessArchTest, SourceThenFirstComponentByName) {
  std::vector<std::string> arches = {"aarch64", "i386", "ppc", "source", "x86_64"};
  EXPECT_EQ(GuessArch("releases/20/Fedora/source/SRPMS", arches), "source");
  EXPECT_EQ(GuessArch("releases/20/Fedora/x86_64/os", arches), "x86_64");
  EXPECT_EQ(GuessArch("releases/20/Everything/aarch64/os", arches), "aarch64");
  EXPECT_EQ(GuessArch("releases/20/Everything/x86_64-v2/os", arches), std::nullopt);
  EXPECT_EQ(GuessArch("releases/20/Everything/ppc64le/os", arches), std::nullopt);
  EXPECT_EQ(GuessArch("a/SRPMS", {"x86_64"}), std::nullopt);
  EXPECT_TRUE(HasPathComponent("a/20/b", "20"));
  EXPECT_TRUE(HasPathComponent("20", "20"));
  EXPECT_FALSE(HasPathComponent("a/200/b", "20"));
  EXPECT_TRUE(IsSkippedRepoDir("releases/40/Server/x86_64/os"));
  EXPECT_TRUE(IsSkippedRepoDir("releases/40/Cloud/x86_64/images"));
  EXPECT_TRUE(IsSkippedRepoDir("releases/40/Workstation/x86_64/os"));
  EXPECT_FALSE(IsSkippedRepoDir("releases/40/Everything/x86_64/os"));
}

}  // namespace
}  // namespace mm::umdl
