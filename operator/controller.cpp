// Controller: one InformerCache (an informer per resource and namespace), three queues, workers.
#include "operator/controller.h"

#include <map>

#include "common/log.h"
#include "kube/errors.h"
#include "operator/core/kinds.h"
#include "operator/core/object_access.h"
#include "operator/project/project_reconciler.h"
#include "operator/run/run_reconciler.h"
#include "operator/schedule/schedule_reconciler.h"

namespace kubedbt::op {
namespace {

using Json = nlohmann::json;

std::string meta_field(const Json& object, const char* field) {
  return object.value("metadata", Json::object()).value(field, "");
}

std::string managed_selector() {
  return std::string(label::kManagedBy) + "=" + std::string(label::kManagedByValue);
}

}  // namespace

// Informers per resource, one per watched namespace (or one for all), behind ObjectCache.
class Controller::InformerCache : public ObjectCache {
 public:
  InformerCache(kube::Client& client, const std::vector<std::string>& namespaces) {
    auto add = [&](const kube::Resource& r, kube::InformerOptions base) {
      auto& list = informers_[r.resource];
      if (namespaces.empty()) {
        list.emplace("", std::make_unique<kube::Informer>(client, r, base));
      } else {
        for (const auto& ns : namespaces) {
          auto o = base;
          o.ns = ns;
          list.emplace(ns, std::make_unique<kube::Informer>(client, r, o));
        }
      }
    };
    kube::InformerOptions plain;
    kube::InformerOptions managed;
    managed.label_selector = managed_selector();
    kube::InformerOptions metadata;
    metadata.metadata_only = true;
    add(kDbtProjects, plain);
    add(kDbtSchedules, plain);
    add(kDbtRuns, plain);
    add(kube::resources::kCronJobs, managed);
    add(kube::resources::kJobs, managed);
    add(kube::resources::kPods, managed);
    add(kube::resources::kSecrets, metadata);
  }

  std::optional<Json> get(const kube::Resource& r, const std::string& ns,
                          const std::string& name) const override {
    const auto* informer = find(r, ns);
    return informer ? informer->get(ns, name) : std::nullopt;
  }

  std::vector<Json> list(const kube::Resource& r, const std::string& ns) const override {
    const auto* informer = find(r, ns);
    if (!informer) return {};
    auto all = informer->list();
    if (informers_.at(r.resource).count("")) {
      std::vector<Json> in_ns;
      for (auto& o : all) {
        if (meta_field(o, "namespace") == ns) in_ns.push_back(std::move(o));
      }
      return in_ns;
    }
    return all;
  }

  std::vector<Json> all(const kube::Resource& r) const {
    std::vector<Json> out;
    for (const auto& [ns, informer] : informers_.at(r.resource)) {
      auto items = informer->list();
      out.insert(out.end(), items.begin(), items.end());
    }
    return out;
  }

  void for_each(const kube::Resource& r, const std::function<void(kube::Informer&)>& f) {
    for (auto& [ns, informer] : informers_.at(r.resource)) f(*informer);
  }
  void for_all(const std::function<void(kube::Informer&)>& f) {
    for (auto& [resource, list] : informers_) {
      for (auto& [ns, informer] : list) f(*informer);
    }
  }

 private:
  const kube::Informer* find(const kube::Resource& r, const std::string& ns) const {
    auto it = informers_.find(r.resource);
    if (it == informers_.end()) return nullptr;
    auto one = it->second.find(ns);
    if (one != it->second.end()) return one->second.get();
    auto any = it->second.find("");
    return any == it->second.end() ? nullptr : any->second.get();
  }

  std::map<std::string, std::map<std::string, std::unique_ptr<kube::Informer>>> informers_;
};

Controller::Controller(kube::Client& client, const Clock& clock, OperatorConfig config,
                       ControllerOptions options, Metrics& metrics)
    : client_(client),
      clock_(clock),
      config_(std::move(config)),
      options_(std::move(options)),
      metrics_(metrics),
      events_(client),
      cache_(std::make_unique<InformerCache>(client, options_.namespaces)),
      context_(std::make_unique<ReconcileContext>(
          ReconcileContext{client_, *cache_, clock_, config_, events_})),
      projects_{"DbtProject", std::make_unique<WorkQueue>(options_.queue), &reconcile_project},
      schedules_{"DbtSchedule", std::make_unique<WorkQueue>(options_.queue), &reconcile_schedule},
      runs_{"DbtRun", std::make_unique<WorkQueue>(options_.queue), &reconcile_run} {
  wire_handlers();
}

Controller::~Controller() {
  stop_workers();
  cache_->for_all([](kube::Informer& i) { i.stop(); });
}

void Controller::enqueue_key(Kind& kind, const std::string& ns, const std::string& name) {
  if (name.empty()) return;
  kind.queue->add(ns + "/" + name);
}

void Controller::enqueue(Kind& kind, const Json& object) {
  enqueue_key(kind, meta_field(object, "namespace"), meta_field(object, "name"));
}

void Controller::on_project(const Json& project) {
  enqueue(projects_, project);
  std::string ns = meta_field(project, "namespace");
  std::string name = meta_field(project, "name");
  for (const auto& s : cache_->list(kDbtSchedules, ns)) {
    if (s.value("spec", Json::object()).value("projectRef", Json::object()).value("name", "") ==
        name) {
      enqueue(schedules_, s);
    }
  }
  for (const auto& r : cache_->list(kDbtRuns, ns)) {
    const auto& status = r.value("status", Json::object());
    if (status.contains("jobName")) continue;  // started already; the project no longer matters
    if (r.value("spec", Json::object()).value("projectRef", Json::object()).value("name", "") ==
        name) {
      enqueue(runs_, r);
    }
  }
}

// A Job, Pod or CronJob changed: queue the run and schedule it belongs to.
void Controller::on_child(const Json& object) {
  std::string ns = meta_field(object, "namespace");
  std::string kind = object.value("kind", "");
  Json job = object;
  if (!label_of(object, label::kJobName).empty()) {  // a pod
    auto cached = cache_->get(kube::resources::kJobs, ns, label_of(object, label::kJobName));
    if (!cached) return;
    job = *cached;
  }
  if (const auto* owner = controller_of_kind(job, api::kDbtRunKind)) {
    enqueue_key(runs_, ns, owner->value("name", ""));
  } else if (controller_of_kind(job, "CronJob")) {
    enqueue(runs_, job);  // the run of a CronJob's Job is named after the Job
  }
  if (const auto* owner = controller_of_kind(object, api::kDbtScheduleKind)) {
    enqueue_key(schedules_, ns, owner->value("name", ""));
  } else if (const auto* cron = controller_of_kind(job, "CronJob")) {
    if (auto cj = cache_->get(kube::resources::kCronJobs, ns, cron->value("name", ""))) {
      if (const auto* owner = controller_of_kind(*cj, api::kDbtScheduleKind)) {
        enqueue_key(schedules_, ns, owner->value("name", ""));
      }
    }
  }
}

// Counts a finished run's anomalies once (the metrics remember its uid).
void Controller::count_anomalies(const Json& object) {
  const auto& status = object.value("status", Json::object());
  auto phase = api::parse_enum<api::RunPhase>(status.value("phase", ""));
  if (!phase || !api::is_finished(*phase)) return;
  Metrics::RunAnomalies run;
  run.uid = meta_field(object, "uid");
  run.namespace_name = meta_field(object, "namespace");
  run.project =
      object.value("spec", Json::object()).value("projectRef", Json::object()).value("name", "");
  run.target = status.value("target", "");
  for (const auto& a : status.value("anomalies", Json::array())) {
    if (a.is_object()) run.kinds.push_back(a.value("kind", ""));
  }
  metrics_.count_finished_run(run);
}

void Controller::wire_handlers() {
  auto changed = [](const Json& a, const Json& b) {
    return meta_field(a, "resourceVersion") != meta_field(b, "resourceVersion");
  };
  cache_->for_each(kDbtProjects, [&](kube::Informer& i) {
    i.add_handlers({[this](const Json& o) { on_project(o); },
                    [this, changed](const Json& a, const Json& b) {
                      if (changed(a, b)) on_project(b);
                    },
                    [this](const Json& o) { on_project(o); }});
  });
  cache_->for_each(kDbtSchedules, [&](kube::Informer& i) {
    i.add_handlers({[this](const Json& o) { enqueue(schedules_, o); },
                    [this, changed](const Json& a, const Json& b) {
                      if (changed(a, b)) enqueue(schedules_, b);
                    },
                    [this](const Json& o) { enqueue(schedules_, o); }});
  });
  auto on_run = [this](const Json& o) {
    enqueue(runs_, o);
    count_anomalies(o);
    auto schedule =
        o.value("spec", Json::object()).value("scheduleRef", Json::object()).value("name", "");
    if (!schedule.empty()) enqueue_key(schedules_, meta_field(o, "namespace"), schedule);
  };
  cache_->for_each(kDbtRuns, [&](kube::Informer& i) {
    i.add_handlers({on_run,
                    [on_run, changed](const Json& a, const Json& b) {
                      if (changed(a, b)) on_run(b);
                    },
                    [this, on_run](const Json& o) {
                      on_run(o);
                      metrics_.forget_run(meta_field(o, "uid"));
                    }});
  });
  for (const auto* r :
       {&kube::resources::kCronJobs, &kube::resources::kJobs, &kube::resources::kPods}) {
    cache_->for_each(*r, [&](kube::Informer& i) {
      i.add_handlers({[this](const Json& o) { on_child(o); },
                      [this, changed](const Json& a, const Json& b) {
                        if (changed(a, b)) on_child(b);
                      },
                      [this](const Json& o) { on_child(o); }});
    });
  }
  // Any Secret change re-checks the projects of its namespace (they are few).
  auto secret = [this](const Json& o) {
    for (const auto& p : cache_->list(kDbtProjects, meta_field(o, "namespace"))) {
      enqueue(projects_, p);
    }
  };
  cache_->for_each(kube::resources::kSecrets, [&](kube::Informer& i) {
    i.add_handlers({secret,
                    [secret, changed](const Json& a, const Json& b) {
                      if (changed(a, b)) secret(b);
                    },
                    secret});
  });
}

bool Controller::start_informers(std::chrono::milliseconds timeout) {
  cache_->for_all([](kube::Informer& i) { i.start(); });
  return synced() || [&] {
    bool all = true;
    cache_->for_all([&](kube::Informer& i) { all = i.wait_for_sync(timeout) && all; });
    return all;
  }();
}

bool Controller::synced() const {
  bool all = true;
  cache_->for_all([&](kube::Informer& i) { all = all && i.has_synced(); });
  return all;
}

void Controller::worker(Kind& kind) {
  while (auto key = kind.queue->get()) {
    auto slash = key->find('/');
    std::string ns = key->substr(0, slash);
    std::string name = key->substr(slash + 1);
    auto start = std::chrono::steady_clock::now();
    std::string result = "success";
    try {
      auto r = kind.reconcile(*context_, ns, name);
      kind.queue->forget(*key);
      if (r.requeue_after) kind.queue->add_after(*key, *r.requeue_after);
    } catch (const kube::AlreadyExists&) {
      result = "requeue";
      kind.queue->add_after(*key, kStaleViewRetry);
    } catch (const kube::Conflict&) {
      result = "requeue";
      kind.queue->add_after(*key, kStaleViewRetry);
    } catch (const std::exception& e) {
      result = "error";
      log::error("reconcile failed", {{"kind", kind.name},
                                      {"namespace", ns},
                                      {"name", name},
                                      {"error", e.what()},
                                      {"attempt", kind.queue->failures(*key) + 1}});
      kind.queue->add_rate_limited(*key);
    }
    metrics_.observe_reconcile(kind.name, result, std::chrono::steady_clock::now() - start);
    kind.queue->done(*key);
  }
}

void Controller::start_workers() {
  if (workers_started_.exchange(true)) return;
  for (const auto& p : cache_->all(kDbtProjects)) enqueue(projects_, p);
  for (const auto& s : cache_->all(kDbtSchedules)) enqueue(schedules_, s);
  for (const auto& r : cache_->all(kDbtRuns)) enqueue(runs_, r);
  for (const auto& j : cache_->all(kube::resources::kJobs)) on_child(j);
  for (auto* kind : {&projects_, &schedules_, &runs_}) {
    for (int i = 0; i < options_.workers; ++i) {
      workers_.emplace_back([this, kind] { worker(*kind); });
    }
  }
  log::info("workers started", {{"workers", options_.workers}});
}

void Controller::stop_workers() {
  for (auto* kind : {&projects_, &schedules_, &runs_}) kind->queue->shut_down();
  for (auto& t : workers_) {
    if (t.joinable()) t.join();
  }
  workers_.clear();
}

const ObjectCache& Controller::cache() const { return *cache_; }

std::size_t Controller::queue_depth() const {
  return projects_.queue->depth() + schedules_.queue->depth() + runs_.queue->depth();
}

std::string Controller::gauges() const {
  std::string out;
  out += "# HELP kubedbt_queue_depth Keys waiting for a worker, by kind.\n";
  out += "# TYPE kubedbt_queue_depth gauge\n";
  for (const auto* kind : {&projects_, &schedules_, &runs_}) {
    out += "kubedbt_queue_depth{kind=\"" + kind->name + "\"} " +
           std::to_string(kind->queue->depth()) + "\n";
  }
  std::map<std::string, int> phases;
  for (const auto& r : cache_->all(kDbtRuns)) {
    phases[r.value("status", Json::object()).value("phase", "Pending")]++;
  }
  out += "# HELP kubedbt_runs DbtRuns by phase.\n# TYPE kubedbt_runs gauge\n";
  for (const auto& [phase, n] : phases) {
    out += "kubedbt_runs{phase=\"" + phase + "\"} " + std::to_string(n) + "\n";
  }
  std::string success, failures, freshness;
  for (const auto& s : cache_->all(kDbtSchedules)) {
    const auto& status = s.value("status", Json::object());
    std::string labels = "{namespace=\"" + meta_field(s, "namespace") + "\",schedule=\"" +
                         meta_field(s, "name") + "\"}";
    if (auto t = api::parse_timestamp(
            status.value("lastSuccessfulRun", Json::object()).value("completionTime", ""))) {
      success += "kubedbt_schedule_last_success_timestamp_seconds" + labels + " " +
                 std::to_string(t->time_since_epoch().count()) + "\n";
    }
    if (auto f = api::parse_enum<api::FreshnessState>(status.value("freshness", ""))) {
      freshness +=
          "kubedbt_schedule_freshness" + labels + " " + std::to_string(static_cast<int>(*f)) + "\n";
    }
    const auto& last = status.value("lastRun", Json::object());
    if (last.contains("summary")) {
      failures += "kubedbt_schedule_test_failures" + labels + " " +
                  std::to_string(last["summary"].value("tests", Json::object()).value("fail", 0)) +
                  "\n";
    }
  }
  out +=
      "# HELP kubedbt_schedule_last_success_timestamp_seconds Completion of the last "
      "successful run.\n# TYPE kubedbt_schedule_last_success_timestamp_seconds gauge\n" +
      success;
  out +=
      "# HELP kubedbt_schedule_test_failures Failed tests of the last run.\n"
      "# TYPE kubedbt_schedule_test_failures gauge\n" +
      failures;
  out +=
      "# HELP kubedbt_schedule_freshness Worst source freshness of the latest run that checked "
      "sources: 0 pass, 1 warn, 2 error.\n# TYPE kubedbt_schedule_freshness gauge\n" +
      freshness;
  return out;
}

}  // namespace kubedbt::op
