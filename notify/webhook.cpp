// The webhook body and headers.
#include "notify/webhook.h"

#include "notify/hmac.h"

namespace kubedbt::notify {

nlohmann::json webhook_payload(const RunOutcome& o, const std::vector<Event>& events,
                               const Message& m) {
  nlohmann::json names = nlohmann::json::array();
  for (Event e : events) names.push_back(to_string(e));
  nlohmann::json failures = nlohmann::json::array();
  for (const auto& f : m.failures) {
    failures.push_back({{"node", f.node}, {"name", f.name}, {"message", f.message}});
  }
  nlohmann::json anomalies = nlohmann::json::array();
  for (const auto& a : o.anomalies) {
    anomalies.push_back({{"kind", a.kind}, {"node", a.node}, {"message", a.message}});
  }
  const auto& c = o.counts;
  nlohmann::json run = nullptr;
  if (!o.run_name.empty()) run = {{"namespace", o.run_namespace}, {"name", o.run_name}};
  return {
      {"schema", kWebhookSchema},
      {"events", names},
      {"project", o.project},
      {"target", o.target},
      {"run", run},
      {"phase", o.phase},
      {"message", o.message},
      {"summary",
       {{"models",
         {{"success", c.models.success}, {"error", c.models.error}, {"skipped", c.models.skipped}}},
        {"tests",
         {{"pass", c.tests.pass},
          {"fail", c.tests.fail},
          {"warn", c.tests.warn},
          {"error", c.tests.error}}},
        {"freshness",
         {{"pass", c.freshness.pass}, {"warn", c.freshness.warn}, {"error", c.freshness.error}}},
        {"rowsAffected", c.rows_affected}}},
      {"failures", failures},
      {"failuresOmitted", m.failures_omitted},
      {"anomalies", anomalies},
      {"title", m.title},
      {"text", m.text},
      {"describeCommand", m.describe_command}};
}

std::vector<std::string> webhook_headers(const std::string& body, const std::string& hmac_key,
                                         const std::string& delivery_id,
                                         const std::string& timestamp) {
  std::vector<std::string> headers = {"X-Kubedbt-Delivery: " + delivery_id,
                                      "X-Kubedbt-Timestamp: " + timestamp};
  if (!hmac_key.empty()) {
    headers.push_back("X-Kubedbt-Signature: " + webhook_signature(hmac_key, timestamp, body));
  }
  return headers;
}

}  // namespace kubedbt::notify
