// History rows are written in the caller's transaction, so a run's history and its artifacts are
// stored together or not at all.
#include "runner/state/run_history.h"

#include <map>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

namespace kubedbt::runner {
namespace {

double epoch_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

std::chrono::system_clock::time_point from_epoch_seconds(double s) {
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::duration<double>(s)));
}

}  // namespace

RunRecord run_record(const RunSpec& spec, const RunStatus& status, const ResultBook& book,
                     const std::string& invocation_id) {
  RunRecord r;
  r.project = spec.project;
  r.target = spec.target.name;
  if (spec.run) {
    r.run_namespace = spec.run->namespace_name;
    r.run_name = spec.run->name;
  }
  r.run_schema = spec.schema;
  r.invocation_id = invocation_id;
  r.phase = to_string(status.phase);
  r.started_at = status.start_time;
  r.finished_at = status.completion_time.value_or(std::chrono::system_clock::now());
  r.duration_seconds = std::chrono::duration<double>(r.finished_at - r.started_at).count();
  r.rows_affected = status.summary.rows_affected;
  r.dbt_version = status.dbt_version;
  r.commit_sha = status.commit_sha;
  r.message = status.message;
  for (const auto& [id, node] : book.nodes()) {
    NodeRecord n{id, node.resource_type, node.status, node.execution_seconds, std::nullopt};
    if (node.rows_affected >= 0) n.rows_affected = node.rows_affected;
    r.nodes.push_back(std::move(n));
  }
  return r;
}

int64_t insert_run(pqxx::transaction_base& tx, const std::string& schema, const RunRecord& run) {
  const std::string s = tx.quote_name(schema);
  auto id = tx.exec_params1(
                  "insert into " + s +
                      ".runs (project, target, run_namespace, run_name, run_schema, "
                      "invocation_id, phase, started_at, finished_at, duration_seconds, "
                      "rows_affected, dbt_version, commit_sha, message) values ($1, $2, $3, $4, "
                      "$5, $6, $7, to_timestamp($8), to_timestamp($9), $10, $11, $12, $13, $14) "
                      "returning id",
                  run.project, run.target, run.run_namespace, run.run_name, run.run_schema,
                  run.invocation_id, run.phase, epoch_seconds(run.started_at),
                  epoch_seconds(run.finished_at), run.duration_seconds, run.rows_affected,
                  run.dbt_version, run.commit_sha, run.message)[0]
                .as<int64_t>();
  nlohmann::json nodes = nlohmann::json::array();
  for (const auto& n : run.nodes) {
    nodes.push_back({{"unique_id", n.unique_id},
                     {"resource_type", n.resource_type},
                     {"status", n.status},
                     {"execution_seconds", n.execution_seconds},
                     {"rows_affected", n.rows_affected ? nlohmann::json(*n.rows_affected)
                                                       : nlohmann::json(nullptr)}});
  }
  tx.exec_params("insert into " + s +
                     ".run_nodes (run_id, unique_id, resource_type, status, execution_seconds, "
                     "rows_affected) select $1, unique_id, resource_type, status, "
                     "execution_seconds, rows_affected from jsonb_to_recordset($2::jsonb) as "
                     "n(unique_id text, resource_type text, status text, execution_seconds double "
                     "precision, rows_affected bigint)",
                 id, nodes.dump());
  return id;
}

std::vector<RunRecord> recent_successful_runs(pqxx::transaction_base& tx, const std::string& schema,
                                              const std::string& project, const std::string& target,
                                              int limit, int64_t except_id) {
  const std::string s = tx.quote_name(schema);
  std::vector<RunRecord> runs;
  std::map<int64_t, size_t> index;
  auto rows = tx.exec_params(
      "select id, invocation_id, extract(epoch from started_at), extract(epoch from finished_at), "
      "duration_seconds, rows_affected, dbt_version, commit_sha from " +
          s +
          ".runs where project = $1 and target = $2 and run_schema is null and phase = "
          "'Succeeded' and id <> $3 order by finished_at desc, id desc limit $4",
      project, target, except_id, limit);
  for (const auto& row : rows) {
    RunRecord r;
    r.id = row[0].as<int64_t>();
    r.project = project;
    r.target = target;
    r.invocation_id = row[1].as<std::string>();
    r.phase = "Succeeded";
    r.started_at = from_epoch_seconds(row[2].as<double>());
    r.finished_at = from_epoch_seconds(row[3].as<double>());
    r.duration_seconds = row[4].as<double>();
    r.rows_affected = row[5].as<int64_t>();
    r.dbt_version = row[6].as<std::string>();
    r.commit_sha = row[7].as<std::string>();
    index[r.id] = runs.size();
    runs.push_back(std::move(r));
  }
  if (runs.empty()) return runs;
  std::string ids;
  for (const auto& [id, at] : index) ids += (ids.empty() ? "" : ",") + std::to_string(id);
  for (const auto& row : tx.exec("select run_id, unique_id, resource_type, status, "
                                 "execution_seconds, rows_affected from " +
                                 s + ".run_nodes where run_id in (" + ids + ")")) {
    NodeRecord n{row[1].as<std::string>(), row[2].as<std::string>(), row[3].as<std::string>(),
                 row[4].as<double>(), std::nullopt};
    if (!row[5].is_null()) n.rows_affected = row[5].as<int64_t>();
    runs[index.at(row[0].as<int64_t>())].nodes.push_back(std::move(n));
  }
  return runs;
}

}  // namespace kubedbt::runner
