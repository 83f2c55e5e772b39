// The tz database folder: zone lookup with a cache, its release, the process default.
#include "api/time_zone_database.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace kubedbt::api {
namespace {

// IANA names are relative paths of letters, digits and "_-+/"; nothing may leave the folder.
bool is_zone_name(std::string_view name) {
  if (name.empty() || name.front() == '/' || name.find("..") != std::string_view::npos)
    return false;
  for (char c : name) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '+' || c == '/';
    if (!ok) return false;
  }
  return true;
}

std::mutex process_database_mutex;
std::unique_ptr<TimeZoneDatabase> process_database;

}  // namespace

TimeZoneDatabase::TimeZoneDatabase(std::filesystem::path directory)
    : directory_(std::move(directory)) {}

std::string TimeZoneDatabase::version() const {
  std::ifstream in(directory_ / "tzdata.zi");
  std::string line;
  const std::string prefix = "# version ";
  if (std::getline(in, line) && line.rfind(prefix, 0) == 0) return line.substr(prefix.size());
  return "unknown";
}

const TimeZone& TimeZoneDatabase::locate(std::string_view name) {
  std::lock_guard lock(mutex_);
  if (auto found = zones_.find(name); found != zones_.end()) return *found->second;
  if (!is_zone_name(name)) {
    throw TimeZoneError("\"" + std::string(name) + "\" is not a time zone name");
  }
  std::ifstream in(directory_ / std::string(name), std::ios::binary);
  if (!in) {
    throw TimeZoneError("\"" + std::string(name) + "\" is not in the tz database at " +
                        directory_.string());
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  auto zone =
      std::make_unique<const TimeZone>(TimeZone::from_tzif(std::string(name), contents.str()));
  return *zones_.emplace(std::string(name), std::move(zone)).first->second;
}

std::filesystem::path default_time_zone_directory() {
  const char* dir = std::getenv("TZDIR");
  return dir != nullptr && *dir != '\0' ? std::filesystem::path(dir)
                                        : std::filesystem::path("/usr/share/zoneinfo");
}

void set_time_zone_directory(std::filesystem::path directory) {
  auto database = std::make_unique<TimeZoneDatabase>(std::move(directory));
  try {
    database->locate("UTC");
  } catch (const TimeZoneError& e) {
    throw TimeZoneError("no tz database at " + database->directory().string() + " (" + e.what() +
                        "); point --tz-dir or TZDIR at a compiled zoneinfo folder");
  }
  std::lock_guard lock(process_database_mutex);
  if (process_database) throw std::logic_error("the tz database is already in use");
  process_database = std::move(database);
}

TimeZoneDatabase& time_zone_database() {
  std::lock_guard lock(process_database_mutex);
  if (!process_database)
    process_database = std::make_unique<TimeZoneDatabase>(default_time_zone_directory());
  return *process_database;
}

}  // namespace kubedbt::api
