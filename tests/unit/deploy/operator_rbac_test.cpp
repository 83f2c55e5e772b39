// deploy/rbac/operator.yaml grants exactly the verbs the operator's headers declare in their
// "RBAC:" comments, so the two cannot drift: a verb granted and used by no one, or used and not
// granted, fails here naming the file and the resource.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using Grants = std::map<std::string, std::set<std::string>>;  // resource -> verbs

const fs::path kSource{KUBEDBT_SOURCE_DIR};

std::string trim(std::string s) {
  auto start = s.find_first_not_of(" \t");
  auto end = s.find_last_not_of(" \t.");
  return start == std::string::npos ? "" : s.substr(start, end - start + 1);
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, sep);) out.push_back(item);
  return out;
}

// The text of a header's "// RBAC:" paragraph, continuation lines joined; "" when it has none.
std::string rbac_paragraph(const fs::path& header) {
  std::ifstream in(header);
  std::string text;
  bool inside = false;
  for (std::string line; std::getline(in, line);) {
    if (!inside && line.rfind("// RBAC:", 0) == 0) {
      inside = true;
      text = line.substr(8);
    } else if (inside && line.rfind("// ", 0) == 0) {
      text += " " + line.substr(3);
    } else if (inside) {
      break;
    }
  }
  return text;
}

// "dbtruns get/list/watch, dbtruns/status patch; dbtprojects, dbtschedules get/list/watch":
// groups split by ';', items by ','; an item without verbs shares the next item's verbs.
// Parenthesised remarks are ignored.
Grants parse_declaration(std::string text) {
  text = std::regex_replace(text, std::regex(R"(\([^)]*\))"), "");
  Grants grants;
  for (const auto& group : split(text, ';')) {
    std::vector<std::string> waiting;
    for (const auto& raw : split(group, ',')) {
      std::istringstream words(trim(raw));
      std::string resource, verbs;
      words >> resource >> verbs;
      if (resource.empty()) continue;
      waiting.push_back(resource);
      if (verbs.empty()) continue;
      for (const auto& r : waiting) {
        for (const auto& verb : split(verbs, '/')) grants[r].insert(verb);
      }
      waiting.clear();
    }
    EXPECT_TRUE(waiting.empty()) << "no verbs after " << waiting.front() << " in: " << group;
  }
  return grants;
}

// Every "RBAC:" paragraph under operator/, by header.
std::map<fs::path, Grants> declared_by_headers() {
  std::map<fs::path, Grants> out;
  for (const auto& entry : fs::recursive_directory_iterator(kSource / "operator")) {
    if (entry.path().extension() != ".h") continue;
    auto text = rbac_paragraph(entry.path());
    if (!text.empty()) out[fs::relative(entry.path(), kSource)] = parse_declaration(text);
  }
  return out;
}

// The ClusterRole and Role rules of deploy/rbac/operator.yaml.
Grants granted_by_manifest() {
  Grants grants;
  for (const auto& doc : YAML::LoadAllFromFile((kSource / "deploy/rbac/operator.yaml").string())) {
    auto kind = doc["kind"].as<std::string>("");
    if (kind != "ClusterRole" && kind != "Role") continue;
    for (const auto& rule : doc["rules"]) {
      for (const auto& resource : rule["resources"]) {
        for (const auto& verb : rule["verbs"]) {
          grants[resource.as<std::string>()].insert(verb.as<std::string>());
        }
      }
    }
  }
  return grants;
}

TEST(OperatorRbac, TheDeclarationsParse) {
  auto grants = parse_declaration(
      " dbtruns get/list, dbtruns/status patch; dbtprojects, dbtschedules get (informers); "
      "events create.");
  EXPECT_EQ(grants, (Grants{{"dbtruns", {"get", "list"}},
                            {"dbtruns/status", {"patch"}},
                            {"dbtprojects", {"get"}},
                            {"dbtschedules", {"get"}},
                            {"events", {"create"}}}));
}

TEST(OperatorRbac, EveryReconcilerAndTheLeaderElectionDeclareTheirs) {
  auto declared = declared_by_headers();
  for (const char* header :
       {"operator/project/project_reconciler.h", "operator/schedule/schedule_reconciler.h",
        "operator/run/run_reconciler.h", "operator/run/schema_cleanup.h",
        "operator/runtime/leader_election.h"}) {
    EXPECT_TRUE(declared.count(header)) << header << " has no \"// RBAC:\" paragraph";
  }
}

TEST(OperatorRbac, TheManifestGrantsExactlyWhatTheHeadersDeclare) {
  Grants declared;
  std::map<std::string, std::string> declared_where;  // "resource verb" -> header
  for (const auto& [header, grants] : declared_by_headers()) {
    for (const auto& [resource, verbs] : grants) {
      for (const auto& verb : verbs) {
        declared[resource].insert(verb);
        declared_where.emplace(resource + " " + verb, header.string());
      }
    }
  }
  auto granted = granted_by_manifest();
  for (const auto& [resource, verbs] : declared) {
    for (const auto& verb : verbs) {
      EXPECT_TRUE(granted[resource].count(verb))
          << declared_where[resource + " " + verb] << " declares " << resource << " " << verb
          << ", which deploy/rbac/operator.yaml does not grant: add it there, or drop it from "
             "the header if the code no longer needs it";
    }
  }
  for (const auto& [resource, verbs] : granted) {
    for (const auto& verb : verbs) {
      EXPECT_TRUE(declared[resource].count(verb))
          << "deploy/rbac/operator.yaml grants " << resource << " " << verb
          << ", which no operator header declares: remove it (least privilege), or declare it in "
             "the \"// RBAC:\" paragraph of the reconciler that uses it";
    }
  }
}

}  // namespace
