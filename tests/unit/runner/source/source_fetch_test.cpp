// Source helpers that need no repository: URL redaction, whether `dbt deps` must run, baked paths.
#include "runner/source/source_fetch.h"

#include <gtest/gtest.h>

#include <fstream>

#include "runner/dbt/packages.h"

namespace kubedbt::runner {
namespace {

TEST(SourceFetchTest, RedactsCredentialsInUrls) {
  EXPECT_EQ(redact_url("https://user:ghp_secret@github.com/acme/shop.git"),
            "https://github.com/acme/shop.git");
  EXPECT_EQ(redact_url("https://github.com/acme/shop.git"), "https://github.com/acme/shop.git");
  EXPECT_EQ(redact_url("git@github.com:acme/shop.git"), "git@github.com:acme/shop.git");
  EXPECT_EQ(redact_url("https://github.com/a@b/shop.git"), "https://github.com/a@b/shop.git");
}

class ProjectDirTest : public ::testing::Test {
 protected:
  std::filesystem::path dir;
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "kubedbt-src-XXXXXX").string();
    ASSERT_TRUE(mkdtemp(pattern.data()));
    dir = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir); }
  void touch(const std::string& name) { std::ofstream(dir / name) << "x\n"; }
};

TEST_F(ProjectDirTest, DepsRunOnlyWhenPackagesAreDeclaredAndMissing) {
  EXPECT_FALSE(needs_deps(dir));
  touch("packages.yml");
  EXPECT_TRUE(needs_deps(dir));
  std::filesystem::create_directory(dir / "dbt_packages");
  EXPECT_FALSE(needs_deps(dir));
  std::filesystem::remove_all(dir / "dbt_packages");
  std::filesystem::remove(dir / "packages.yml");
  touch("dependencies.yml");
  EXPECT_TRUE(needs_deps(dir));
}

TEST_F(ProjectDirTest, ABakedPathMustHoldADbtProject) {
  SourceSpec source;
  source.baked_path = dir.string();
  EXPECT_THROW(fetch_source(source, "", current_environment()), SourceError);
  touch("dbt_project.yml");
  auto fetched = fetch_source(source, "", current_environment());
  EXPECT_EQ(fetched.project_dir, dir);
  EXPECT_EQ(fetched.commit_sha, "");
}

}  // namespace
}  // namespace kubedbt::runner
