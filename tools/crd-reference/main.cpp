// kubedbt-crd-reference: writes (or checks) docs/reference.md from the CRDs in crds/.
#include <yaml-cpp/yaml.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "tools/crd-reference/crd_reference.h"

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The first line where two texts differ, for a message a person can act on.
std::string first_difference(const std::string& expected, const std::string& actual) {
  std::istringstream a(expected), b(actual);
  std::string la, lb;
  for (int line = 1;; ++line) {
    bool more_a = static_cast<bool>(std::getline(a, la));
    bool more_b = static_cast<bool>(std::getline(b, lb));
    if (!more_a && !more_b) return "";
    if (!more_a || !more_b || la != lb) {
      return "line " + std::to_string(line) + ":\n  generated: " + (more_a ? la : "(end)") +
             "\n  in file:   " + (more_b ? lb : "(end)");
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"kubedbt-crd-reference: the resource reference (Markdown) from CRD manifests"};
  std::vector<std::string> crds;
  std::string output, check;
  app.add_option("crds", crds, "CustomResourceDefinition files, in the order of the document")
      ->required()
      ->check(CLI::ExistingFile);
  auto* out_opt =
      app.add_option("-o,--output", output, "write the reference here (default: stdout)");
  app.add_option("--check", check, "compare with this file instead; exit 1 when it is stale")
      ->excludes(out_opt);
  CLI11_PARSE(app, argc, argv);

  try {
    std::vector<kubedbt::tools::KindDoc> kinds;
    for (const auto& path : crds) {
      kinds.push_back(kubedbt::tools::document_crd(YAML::LoadFile(path), path));
    }
    const std::string reference = kubedbt::tools::render_reference(kinds);
    if (!check.empty()) {
      const std::string current = read_file(check);
      if (current == reference) return 0;
      std::cerr << check << " is stale against the CRDs (" << first_difference(reference, current)
                << ")\nregenerate it with: scripts/generate.sh (or ninja -C <build> generate)\n";
      return 1;
    }
    if (output.empty()) {
      std::cout << reference;
      return 0;
    }
    std::ofstream out(output);
    out << reference;
    if (!out) {
      std::cerr << "kubedbt-crd-reference: cannot write " << output << "\n";
      return 1;
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "kubedbt-crd-reference: " << e.what() << "\n";
    return 1;
  }
}
