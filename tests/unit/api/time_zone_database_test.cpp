// Tests of the tz database folder: the suites run on the pinned release, lookups and their errors.
#include "api/time_zone_database.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

namespace kubedbt::api {
namespace {

using ::testing::HasSubstr;

std::string locate_error(TimeZoneDatabase& database, std::string_view name) {
  try {
    database.locate(name);
  } catch (const TimeZoneError& e) {
    return e.what();
  }
  return "";
}

// ctest sets TZDIR to scripts/pinned-tzdata.sh's folder; schedule tests mean nothing on another.
TEST(TimeZoneDatabaseTest, SuitesRunOnThePinnedRelease) {
  EXPECT_EQ(time_zone_database().version(), KUBEDBT_TZDATA_RELEASE)
      << "TZDIR=" << default_time_zone_directory() << "; run scripts/install-deps.sh and ctest";
}

TEST(TimeZoneDatabaseTest, LocatesEachZoneOnce) {
  TimeZoneDatabase database(default_time_zone_directory());
  const TimeZone& first = database.locate("America/New_York");
  EXPECT_EQ(first.name(), "America/New_York");
  EXPECT_EQ(&database.locate("America/New_York"), &first);
}

TEST(TimeZoneDatabaseTest, MissingZonesAndPathsOutsideTheFolderAreRefused) {
  TimeZoneDatabase database(default_time_zone_directory());
  EXPECT_THAT(locate_error(database, "Mars/Olympus_Mons"),
              HasSubstr("\"Mars/Olympus_Mons\" is not in the tz database at " +
                        default_time_zone_directory().string()));
  EXPECT_THAT(locate_error(database, "../../../etc/passwd"), HasSubstr("is not a time zone name"));
  EXPECT_THAT(locate_error(database, "/etc/localtime"), HasSubstr("is not a time zone name"));
  EXPECT_THAT(locate_error(database, "America"), HasSubstr("\"America\" is not valid TZif"));
}

TEST(TimeZoneDatabaseTest, AFolderWithoutZonesIsRefusedNamingTheFlag) {
  char dir[] = "/tmp/kubedbt-tz-test.XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  try {
    set_time_zone_directory(dir);
    ADD_FAILURE() << "an empty folder was accepted";
  } catch (const TimeZoneError& e) {
    EXPECT_THAT(e.what(), HasSubstr(std::string("no tz database at ") + dir));
    EXPECT_THAT(e.what(), HasSubstr("--tz-dir or TZDIR"));
  }
  rmdir(dir);
  EXPECT_EQ(TimeZoneDatabase(dir).version(), "unknown");
}

TEST(TimeZoneDatabaseTest, TheFolderCannotChangeOnceInUse) {
  time_zone_database().locate("UTC");
  EXPECT_THROW(set_time_zone_directory(default_time_zone_directory()), std::logic_error);
}

}  // namespace
}  // namespace kubedbt::api
