// The tz database the operator evaluates schedules with: a folder of compiled zones, read once.
//
// kubedbt reads the folder itself rather than through a library, so the folder is a setting: the
// images and the test suites point it at one pinned tzdata release (see scripts/pinned-tzdata.sh),
// whatever the machine's own tzdata package is. The folder is `TZDIR` when set (as for glibc and
// Python), else /usr/share/zoneinfo.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "api/time_zone.h"

namespace kubedbt::api {

class TimeZoneDatabase {
 public:
  explicit TimeZoneDatabase(std::filesystem::path directory);

  const std::filesystem::path& directory() const { return directory_; }

  // The release the folder was compiled from ("2026f"), read from its tzdata.zi; "unknown" when
  // the folder has none.
  std::string version() const;

  // The zone named `name`, read on first use; throws TimeZoneError when it is missing.
  const TimeZone& locate(std::string_view name);

 private:
  std::filesystem::path directory_;
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<const TimeZone>, std::less<>> zones_;
};

// The folder named by TZDIR, else /usr/share/zoneinfo.
std::filesystem::path default_time_zone_directory();

// Opens the process's database at `directory` (the operator's --tz-dir); call once, before any
// lookup. Throws TimeZoneError when the folder holds no UTC zone, and std::logic_error when the
// database is already in use.
void set_time_zone_directory(std::filesystem::path directory);

// The process's database: the folder given to set_time_zone_directory, else the default one.
TimeZoneDatabase& time_zone_database();

}  // namespace kubedbt::api
