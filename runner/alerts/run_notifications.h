// Connects the runner to notify/: the run spec's notifications and the final status become the
// destinations and the outcome the dispatcher sends, once the run is over.
#pragma once

#include <vector>

#include "notify/destination.h"
#include "notify/dispatcher.h"
#include "notify/run_outcome.h"
#include "runner/os/subprocess.h"
#include "runner/spec/run_spec.h"
#include "runner/status/run_status.h"

namespace kubedbt::runner {

notify::RunOutcome notification_outcome(const RunSpec& spec, const RunStatus& status);
std::vector<notify::Destination> notification_destinations(const RunSpec& spec);

// Sends spec.notifications for the final `status`. Never throws and never changes the run's exit
// code: undelivered notifications are logged and reported. A Cancelled run gets at most 10 s in
// all, since the pod's termination grace period is already running.
std::vector<NotificationDelivery> send_notifications(const RunSpec& spec, const RunStatus& status,
                                                     const Environment& env);

}  // namespace kubedbt::runner
