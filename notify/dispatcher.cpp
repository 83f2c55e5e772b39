// The dispatcher: compose once per destination, send through its channel, log what happened.
#include "notify/dispatcher.h"

#include "common/log.h"
#include "notify/http_post.h"
#include "notify/message.h"
#include "notify/random_hex.h"
#include "notify/slack.h"
#include "notify/smtp.h"
#include "notify/webhook.h"

namespace kubedbt::notify {
namespace {

// One channel's delivery of `events`, with its retries.
class Sender {
 public:
  Sender(const RunOutcome& outcome, const std::vector<Event>& events, const Environment& env,
         const RetryPolicy& policy, const Timing& timing)
      : outcome_(outcome),
        events_(events),
        env_(env),
        policy_(policy),
        timing_(timing),
        message_(compose_message(outcome, events)) {}

  DeliveryResult operator()(const SlackDestination& d) const {
    HttpPost post{required_env(env_, d.url_env, "the Slack incoming-webhook URL from its Secret"),
                  {},
                  slack_payload(message_, d.channel).dump()};
    return deliver(post);
  }

  DeliveryResult operator()(const WebhookDestination& d) const {
    HttpPost post;
    post.url = required_env(env_, d.url_env, "the webhook URL from its Secret");
    std::string key =
        d.hmac_env.empty() ? "" : required_env(env_, d.hmac_env, "the webhook's HMAC key");
    post.body = webhook_payload(outcome_, events_, message_).dump();
    auto now = std::chrono::system_clock::now().time_since_epoch();
    post.headers = webhook_headers(
        post.body, key, random_hex(16),
        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now).count()));
    return deliver(post);
  }

  DeliveryResult operator()(const EmailDestination& d) const {
    auto settings = SmtpSettings::from_environment(env_, d.smtp_env_prefix);
    std::string document =
        email_document(message_, settings.from, d.to, std::chrono::system_clock::now(),
                       new_message_id(settings.from));
    return deliver_with_retries(
        policy_, [&](Millis timeout) { return send_email_once(settings, d.to, document, timeout); },
        timing_);
  }

 private:
  DeliveryResult deliver(const HttpPost& post) const {
    return deliver_with_retries(
        policy_, [&](Millis timeout) { return post_once(post, timeout); }, timing_);
  }

  const RunOutcome& outcome_;
  const std::vector<Event>& events_;
  const Environment& env_;
  const RetryPolicy& policy_;
  const Timing& timing_;
  Message message_;
};

nlohmann::json names(const std::vector<Event>& events) {
  nlohmann::json list = nlohmann::json::array();
  for (Event e : events) list.push_back(to_string(e));
  return list;
}

}  // namespace

std::vector<DeliveryReport> dispatch(const std::vector<Destination>& destinations,
                                     const RunOutcome& outcome, const Environment& env,
                                     const DispatchOptions& options) {
  std::vector<DeliveryReport> reports;
  auto start = options.timing.now();
  for (size_t i = 0; i < destinations.size(); ++i) {
    DeliveryReport report;
    report.index = i;
    report.kind = kind_of(destinations[i]);
    report.events = events_to_send(destinations[i].events, outcome);
    if (report.events.empty()) continue;
    auto spent = std::chrono::duration_cast<Millis>(options.timing.now() - start);
    RetryPolicy policy = options.policy;
    policy.budget = std::min(policy.budget, options.run_budget - spent);
    try {
      if (policy.budget <= Millis(0)) {
        report.detail = "not attempted: the run's notification time budget of " +
                        std::to_string(options.run_budget.count() / 1000) + " s was spent";
      } else {
        auto result = std::visit(Sender(outcome, report.events, env, policy, options.timing),
                                 destinations[i].channel);
        report.delivered = result.delivered;
        report.attempts = result.attempts;
        report.detail = result.detail;
      }
    } catch (const std::exception& e) {
      // ConfigError names variables, never their values; other errors come from libcurl/OpenSSL
      // set-up and carry no request data.
      report.detail = e.what();
    }
    nlohmann::json fields = {{"destination", "notifications[" + std::to_string(i) + "]"},
                             {"kind", report.kind},
                             {"events", names(report.events)},
                             {"attempts", report.attempts},
                             {"detail", report.detail}};
    if (report.delivered) {
      log::info("notification sent", fields);
    } else {
      log::warn("notification not delivered; the run's outcome is unchanged", fields);
    }
    reports.push_back(std::move(report));
  }
  return reports;
}

}  // namespace kubedbt::notify
