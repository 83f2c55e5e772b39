// Tests of TZif reading: every zone of the pinned database against glibc reading the same files,
// hand-built version 1 files, and files that are not TZif.
#include "api/time_zone.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>
#include <vector>

#include "api/time_zone_database.h"

namespace kubedbt::api {
namespace {

using std::chrono::hours;
using std::chrono::seconds;
using ::testing::HasSubstr;

Timestamp at(const char* rfc3339) { return parse_timestamp(rfc3339).value(); }

// The zones of the database's zone1970.tab (one per region since 1970), third column.
std::vector<std::string> zones_of(const std::filesystem::path& dir) {
  std::ifstream in(dir / "zone1970.tab");
  std::vector<std::string> zones;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string codes, coordinates, zone;
    fields >> codes >> coordinates >> zone;
    zones.push_back(zone);
  }
  return zones;
}

// glibc's offset for `t` in `zone`, read from the TZDIR folder the suite runs with.
seconds glibc_offset(Timestamp t) {
  std::time_t raw = t.time_since_epoch().count();
  std::tm local{};
  localtime_r(&raw, &local);
  return seconds(local.tm_gmtoff);
}

// A version 1 TZif file: transitions at `times` to the types' offsets, type 0 first.
std::string tzif_v1(const std::vector<std::int32_t>& times, const std::vector<std::uint8_t>& types,
                    const std::vector<std::int32_t>& offsets) {
  std::string out = "TZif";
  out.push_back('\0');
  out.append(15, '\0');
  auto be32 = [&out](std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8)
      out.push_back(static_cast<char>((v >> shift) & 0xff));
  };
  for (std::uint32_t count : {0u, 0u, 0u, static_cast<std::uint32_t>(times.size()),
                              static_cast<std::uint32_t>(offsets.size()), 4u}) {
    be32(count);
  }
  for (auto t : times) be32(static_cast<std::uint32_t>(t));
  for (auto i : types) out.push_back(static_cast<char>(i));
  for (auto offset : offsets) {
    be32(static_cast<std::uint32_t>(offset));
    out.push_back('\0');
    out.push_back('\0');
  }
  out.append("XYZ", 4);
  return out;
}

std::string zone_error(std::string_view contents) {
  try {
    TimeZone::from_tzif("Test/Zone", contents);
  } catch (const TimeZoneError& e) {
    return e.what();
  }
  return "";
}

// Independent check: glibc reads the same compiled files (TZDIR) with its own code, including
// the footer rules the slim files rely on after their last transition.
TEST(TimeZoneTest, EveryZoneAgreesWithGlibcFrom1970To2060) {
  auto dir = default_time_zone_directory();
  auto zones = zones_of(dir);
  ASSERT_GT(zones.size(), 300u) << "no zone1970.tab in " << dir;
  int compared = 0;
  for (const auto& name : zones) {
    const TimeZone& zone = time_zone_database().locate(name);
    ASSERT_EQ(setenv("TZ", name.c_str(), 1), 0);
    tzset();
    // Every 11 days and 5 hours: crosses every transition's neighbourhood at varied times of day.
    for (Timestamp t = at("1970-01-01T00:00:00Z"); t < at("2060-01-01T00:00:00Z");
         t += hours(11 * 24 + 5)) {
      ASSERT_EQ(zone.period_at(t).offset, glibc_offset(t)) << name << " at " << format_timestamp(t);
      ++compared;
    }
  }
  unsetenv("TZ");
  tzset();
  EXPECT_GT(compared, 900000);
}

TEST(TimeZoneTest, PeriodsAreBoundedByTheTransitionsAroundThem) {
  const TimeZone& berlin = time_zone_database().locate("Europe/Berlin");
  // 2026 and later come from the footer rule in slim files; 2000 from explicit transitions.
  auto summer = berlin.period_at(at("2026-07-01T00:00:00Z"));
  EXPECT_EQ(summer.offset, hours(2));
  EXPECT_EQ(summer.begin, at("2026-03-29T01:00:00Z"));
  EXPECT_EQ(summer.end, at("2026-10-25T01:00:00Z"));
  auto winter2000 = berlin.period_at(at("2000-01-01T00:00:00Z"));
  EXPECT_EQ(winter2000.offset, hours(1));
  EXPECT_EQ(winter2000.begin, at("1999-10-31T01:00:00Z"));
  EXPECT_EQ(winter2000.end, at("2000-03-26T01:00:00Z"));
  EXPECT_EQ(berlin.to_local(at("2026-07-01T00:00:00Z")), at("2026-07-01T02:00:00Z"));
}

TEST(TimeZoneTest, VersionOneFilesUseTheirTransitionsAndTypeZeroBeforeThem) {
  auto zone = TimeZone::from_tzif("Test/Zone", tzif_v1({1000, 2000}, {1, 0}, {3600, 7200}));
  EXPECT_EQ(zone.name(), "Test/Zone");
  EXPECT_EQ(zone.period_at(Timestamp{seconds(999)}).offset, hours(1));
  EXPECT_EQ(zone.period_at(Timestamp{seconds(999)}).end, Timestamp{seconds(1000)});
  EXPECT_EQ(zone.period_at(Timestamp{seconds(1000)}).offset, hours(2));
  EXPECT_EQ(zone.period_at(Timestamp{seconds(2000)}).offset, hours(1));
  EXPECT_EQ(zone.period_at(Timestamp{seconds(2000)}).end, Timestamp::max());
}

TEST(TimeZoneTest, RejectsFilesThatAreNotTzifNamingTheZone) {
  EXPECT_THAT(zone_error("# version 2026f\n"), HasSubstr("\"Test/Zone\" is not valid TZif"));
  EXPECT_THAT(zone_error("TZif"), HasSubstr("ends early"));
  auto file = tzif_v1({1000}, {1}, {0, 3600});
  EXPECT_THAT(zone_error(file.substr(0, file.size() - 6)), HasSubstr("ends early"));
  EXPECT_THAT(zone_error(tzif_v1({1000}, {5}, {0})), HasSubstr("missing local time type"));
  EXPECT_THAT(zone_error(tzif_v1({}, {}, {})), HasSubstr("no local time types"));
}

}  // namespace
}  // namespace kubedbt::api
