// CRD installation and kubectl helpers shared by the api integration suites.
#include "tests/integration/api/crd_fixture.h"

#include <mutex>
#include <sstream>
#include <stdexcept>

namespace kubedbt::testing {

namespace {

std::string describe(const CommandResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\nstdout: " + r.out + "\nstderr: " + r.err;
}

void install_crds_now() {
  const TestCluster& cluster = TestCluster::get();
  CommandResult applied =
      cluster.kubectl({"apply", "--server-side", "--force-conflicts",
                       "--field-manager=kubedbt-tests", "-f", source_path("crds")});
  if (applied.exit_code != 0) {
    throw std::runtime_error("installing crds/ failed: " + describe(applied));
  }
  CommandResult established = cluster.kubectl(
      {"wait", "--for=condition=Established", "--timeout=60s", "crd/dbtprojects.kubedbt.io",
       "crd/dbtschedules.kubedbt.io", "crd/dbtruns.kubedbt.io"});
  if (established.exit_code != 0) {
    throw std::runtime_error("the kubedbt CRDs did not become Established: " +
                             describe(established));
  }
}

}  // namespace

void install_crds() {
  static std::once_flag once;
  std::call_once(once, install_crds_now);
}

std::string source_path(const std::string& relative) {
  return std::string(KUBEDBT_SOURCE_DIR) + "/" + relative;
}

CommandResult apply_yaml(const std::string& ns, const std::string& yaml) {
  return TestCluster::get().kubectl({"-n", ns, "apply", "-f", "-"}, yaml);
}

nlohmann::json get_json(const std::string& ns, const std::string& resource,
                        const std::string& name) {
  CommandResult r = TestCluster::get().kubectl({"-n", ns, "get", resource, name, "-o", "json"});
  if (r.exit_code != 0) {
    throw std::runtime_error("kubectl get " + resource + "/" + name + ": " + describe(r));
  }
  return nlohmann::json::parse(r.out);
}

std::vector<std::pair<std::string, std::string>> get_row(
    const std::string& ns, const std::string& resource, const std::string& name,
    const std::vector<std::string>& extra_args) {
  std::vector<std::string> args{"-n", ns, "get", resource, name};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  CommandResult r = TestCluster::get().kubectl(args);
  if (r.exit_code != 0) throw std::runtime_error("kubectl get: " + describe(r));
  std::istringstream lines(r.out);
  std::string header, values;
  std::getline(lines, header);
  std::getline(lines, values);
  // Headers are separated by at least two spaces ("LAST RUN" is one header).
  std::vector<std::pair<std::string, std::size_t>> columns;
  for (std::size_t i = 0; i < header.size();) {
    std::size_t end = header.find("  ", i);
    if (end == std::string::npos) end = header.size();
    columns.emplace_back(header.substr(i, end - i), i);
    i = header.find_first_not_of(' ', end);
    if (i == std::string::npos) break;
  }
  std::vector<std::pair<std::string, std::string>> row;
  for (std::size_t c = 0; c < columns.size(); ++c) {
    std::size_t start = columns[c].second;
    std::size_t end = c + 1 < columns.size() ? columns[c + 1].second : std::string::npos;
    std::string value = start < values.size()
                            ? values.substr(start, end == std::string::npos ? end : end - start)
                            : "";
    value.erase(value.find_last_not_of(' ') + 1);
    value.erase(0, value.find_first_not_of(' ') == std::string::npos
                       ? value.size()
                       : value.find_first_not_of(' '));
    row.emplace_back(columns[c].first, value);
  }
  return row;
}

std::string cell(const std::vector<std::pair<std::string, std::string>>& row,
                 const std::string& header) {
  for (const auto& [h, v] : row) {
    if (h == header) return v;
  }
  std::string headers;
  for (const auto& [h, v] : row) headers += "[" + h + "]";
  throw std::runtime_error("no column " + header + " in " + headers);
}

}  // namespace kubedbt::testing
