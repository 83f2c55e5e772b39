// Partial-parse cache keys, the installed dbt version read from package metadata, and the file.
#include "runner/state/partial_parse_cache.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "runner/dbt/version.h"

namespace kubedbt::runner {
namespace {

class TempFolder {
 public:
  TempFolder() {
    char pattern[] = "/tmp/kubedbt-partial-parse-XXXXXX";
    if (!mkdtemp(pattern)) throw std::runtime_error("mkdtemp");
    path = pattern;
  }
  ~TempFolder() { std::filesystem::remove_all(path); }
  std::filesystem::path path;
};

void touch(const std::filesystem::path& file) {
  std::filesystem::create_directories(file.parent_path());
  std::ofstream(file) << "#!/bin/sh\n";
}

TEST(PartialParseCacheTest, KeyDependsOnVarsTargetSchemaAndVersionButNotVarOrder) {
  RunSpec spec;
  spec.project = "shop";
  spec.target.name = "prod";
  spec.vars = nlohmann::json::parse(R"({"b": 2, "a": 1})");
  auto key = partial_parse_key(spec, "1.11.16");
  EXPECT_EQ(key.project, "shop");
  EXPECT_EQ(key.target, "prod");
  EXPECT_EQ(key.run_schema, "");
  EXPECT_EQ(key.dbt_version, "1.11.16");
  EXPECT_EQ(key.vars_hash.size(), 64u);
  spec.vars = nlohmann::json::parse(R"({"a": 1, "b": 2})");
  EXPECT_EQ(partial_parse_key(spec, "1.11.16").vars_hash, key.vars_hash);
  spec.vars["a"] = 3;
  EXPECT_NE(partial_parse_key(spec, "1.11.16").vars_hash, key.vars_hash);
  spec.schema = "pr_7";
  EXPECT_EQ(partial_parse_key(spec, "1.11.16").run_schema, "pr_7");
}

TEST(PartialParseCacheTest, ReadsTheVersionOfTheDbtCoreInstallationBesideTheExecutable) {
  TempFolder venv;
  touch(venv.path / "bin/dbt");
  std::filesystem::create_directories(venv.path /
                                      "lib/python3.11/site-packages/dbt_core-1.11.16.dist-info");
  std::filesystem::create_directories(venv.path /
                                      "lib/python3.11/site-packages/dbt_postgres-1.11.0.dist-info");
  EXPECT_EQ(installed_dbt_version((venv.path / "bin/dbt").string(), ""), "1.11.16");
  EXPECT_EQ(installed_dbt_version("dbt", "/nowhere:" + (venv.path / "bin").string()), "1.11.16");
  EXPECT_EQ(installed_dbt_version("dbt", "/nowhere"), "");
  TempFolder bare;
  touch(bare.path / "bin/dbt");
  EXPECT_EQ(installed_dbt_version((bare.path / "bin/dbt").string(), ""), "");
}

TEST(PartialParseCacheTest, RestoresAndReadsTheFileInTarget) {
  TempFolder work;
  auto target = work.path / "target";
  EXPECT_FALSE(read_partial_parse(target));
  std::string content("\x82\xa7version\x00\xff", 11);
  restore_partial_parse(target, content);
  EXPECT_TRUE(std::filesystem::exists(target / "partial_parse.msgpack"));
  EXPECT_EQ(read_partial_parse(target), content);
}

}  // namespace
}  // namespace kubedbt::runner
