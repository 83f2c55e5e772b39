// validate(DbtSchedule): cron expression (including one that never fires), time zone, limits.
#include "api/cron_schedule.h"
#include "api/validation.h"
#include "api/validation_rules.h"

namespace kubedbt::api {

using rules::add;

namespace {

// A fixed start for the "does it ever fire" check: every day that exists in some month occurs
// within five years of it (2024-02-29 included), so only impossible dates report "never".
constexpr Timestamp kNeverFiresProbe{std::chrono::sys_days{std::chrono::year{2024} / 1 / 1}};

void check_schedule(FieldErrors& errors, const DbtScheduleSpec& spec) {
  const bool zone_ok = rules::looks_like_time_zone(spec.time_zone);
  if (!zone_ok) {
    add(errors, "spec.timeZone",
        "\"" + spec.time_zone +
            "\" is not an IANA time zone name; use one such as Europe/Berlin, "
            "America/New_York or UTC");
  } else {
    try {
      locate_time_zone(spec.time_zone);
    } catch (const CronError&) {
      add(errors, "spec.timeZone",
          "\"" + spec.time_zone +
              "\" is not in the tz database; use an IANA name such as "
              "Europe/Berlin, America/New_York or UTC");
    }
  }
  if (spec.schedule.size() > 128) {
    add(errors, "spec.schedule",
        "must be at most 128 characters; use five fields such as \"0 6 * * *\"");
    return;
  }
  std::optional<CronSchedule> cron;
  try {
    // Parse in UTC when the zone is unusable, so the schedule's own problems still show.
    cron = CronSchedule::parse(spec.schedule, zone_ok ? spec.time_zone : "UTC");
  } catch (const CronError& e) {
    if (std::string_view(e.what()).find("time zone") != std::string_view::npos) {
      cron = CronSchedule::parse(spec.schedule, "UTC");
    } else {
      add(errors, "spec.schedule", "\"" + spec.schedule + "\" is invalid: " + e.what());
      return;
    }
  }
  if (!cron->next(kNeverFiresProbe)) {
    add(errors, "spec.schedule",
        "\"" + spec.schedule +
            "\" never fires: no date matches it (such as 31 February); choose "
            "a day of month that exists in the chosen months");
  }
}

}  // namespace

FieldErrors validate(const DbtSchedule& schedule) {
  FieldErrors errors;
  const DbtScheduleSpec& spec = schedule.spec;
  rules::check_name_length(errors, kDbtScheduleKind, schedule.metadata.name,
                           rules::kMaxScheduleNameLength,
                           "its CronJob adds an 11-character suffix to Job names");
  rules::check_object_ref(errors, "spec.projectRef.name", spec.project_ref.name, "DbtProject");
  if (spec.target) rules::check_target_name(errors, "spec.target", *spec.target);
  check_schedule(errors, spec);
  if (spec.starting_deadline_seconds &&
      (*spec.starting_deadline_seconds < 0 ||
       *spec.starting_deadline_seconds > rules::kMaxStartingDeadlineSeconds)) {
    add(errors, "spec.startingDeadlineSeconds",
        "must be between 0 and 86400 (how late a missed run may still start)");
  }
  for (const auto& [field, value] :
       {std::pair{"spec.successfulRunsHistoryLimit", spec.successful_runs_history_limit},
        std::pair{"spec.failedRunsHistoryLimit", spec.failed_runs_history_limit}}) {
    if (value < 0 || value > rules::kMaxHistoryLimit) {
      add(errors, field,
          "must be between 0 and 100 (0 keeps no finished runs); " + std::to_string(value) +
              " is out of range");
    }
  }
  rules::check_invocation(errors, "spec", spec.invocation);
  if (spec.deployment.strategy == DeploymentStrategy::BlueGreen) {
    rules::check_blue_green(errors, "spec", spec.invocation);
  }
  if (spec.timeout) rules::check_timeout(errors, "spec.timeout", *spec.timeout);
  rules::check_retries(errors, "spec.retries", spec.retries);
  return errors;
}

FieldErrors validate_against_project(const DbtSchedule& schedule, const DbtProject& project) {
  FieldErrors errors;
  const auto& targets = project.spec.targets;
  if (schedule.spec.target) {
    if (!targets.contains(*schedule.spec.target)) {
      add(errors, "spec.target",
          "\"" + *schedule.spec.target + "\" is not a target of DbtProject \"" +
              project.metadata.name + "\"; use one of its spec.targets");
    }
  } else if (project.spec.effective_default_target() == nullptr) {
    add(errors, "spec.target",
        "is required because DbtProject \"" + project.metadata.name +
            "\" has no spec.defaultTarget; name one of its targets");
  }
  return errors;
}

}  // namespace kubedbt::api
