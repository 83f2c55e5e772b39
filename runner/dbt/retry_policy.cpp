// Transient: dbt exit 2 (it could not finish), a dropped connection, a node's runtime error.
// Final: success, a data-test failure, a stale source, or an error no retry can fix (bad
// credentials, compilation and parsing errors, a missing env var).
#include "runner/dbt/retry_policy.h"

#include <algorithm>
#include <array>

namespace kubedbt::runner {
namespace {

constexpr std::array kPermanentErrors = {"password authentication failed",
                                         "Compilation Error",
                                         "Parsing Error",
                                         "Env var required but not provided",
                                         "Credentials in profile",
                                         "Could not find profile",
                                         "Not a dbt project",
                                         "no dbt_project.yml",
                                         "FATAL:  database",
                                         "FATAL:  role"};

bool mentions_permanent_error(const std::string& text) {
  return std::any_of(kPermanentErrors.begin(), kPermanentErrors.end(),
                     [&](const char* p) { return text.find(p) != std::string::npos; });
}

RetryDecision final_decision(std::string reason) {
  return {RetryDecision::Verdict::Final, false, std::move(reason)};
}

}  // namespace

RetryDecision decide_retry(const AttemptOutcome& o, const RetrySpec& spec, int retries_done) {
  if (o.exit_code == 0) return {RetryDecision::Verdict::Succeeded, false, "dbt succeeded"};
  int test_failures = 0;
  int stale_sources = 0;
  bool node_errors = false;
  if (o.results) {
    for (const auto& n : o.results->nodes) {
      if ((n.resource_type == "test" || n.resource_type == "unit_test") && n.status == "fail") {
        ++test_failures;
      }
      if (n.resource_type == "source" && n.status == "error") ++stale_sources;
      if (n.status == "error" || n.status == "runtime error") node_errors = true;
      if (n.status == "error" && mentions_permanent_error(n.message)) {
        return final_decision("a node failed with an error no retry can fix");
      }
    }
  }
  if (test_failures > 0 && !spec.on_test_failure) {
    return final_decision("data tests failed; a data-test failure is final");
  }
  if (stale_sources > 0) return final_decision("sources are stale; a freshness error is final");
  if (mentions_permanent_error(o.fatal_error)) {
    return final_decision("dbt stopped on an error no retry can fix");
  }
  if (retries_done >= spec.limit) {
    return final_decision(spec.limit == 0
                              ? "retries are not enabled"
                              : "the retry limit (" + std::to_string(spec.limit) + ") is reached");
  }
  RetryDecision d;
  d.verdict = RetryDecision::Verdict::Retry;
  // `dbt retry` needs this attempt's run_results.json; freshness has no retry of its own.
  d.use_dbt_retry = spec.strategy == RetrySpec::Strategy::FromFailure && o.results && !o.freshness;
  d.reason = o.exit_code == 2 ? "dbt could not finish (exit 2)"
             : node_errors    ? "nodes failed with runtime errors"
                              : "dbt failed (exit " + std::to_string(o.exit_code) + ")";
  return d;
}

std::chrono::seconds backoff_before(int retry, const RetrySpec& spec) {
  constexpr std::chrono::seconds kCap{300};
  auto wait = spec.backoff;
  for (int i = 1; i < retry && wait < kCap; ++i) wait *= 2;
  return std::min(wait, kCap);
}

}  // namespace kubedbt::runner
