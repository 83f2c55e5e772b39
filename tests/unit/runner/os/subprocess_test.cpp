// The process driver with /bin/sh children: both pipes drained, stop signal, SIGKILL after grace,
// captured output.
#include "runner/os/subprocess.h"

#include <gtest/gtest.h>
#include <signal.h>

namespace kubedbt::runner {
namespace {

SubprocessOptions shell(const std::string& script) {
  SubprocessOptions o;
  o.argv = {"/bin/sh", "-c", script};
  o.env = current_environment();
  return o;
}

TEST(SubprocessTest, DrainsLargeOutputOnBothStreamsWithoutDeadlock) {
  // 200k lines on each stream: far beyond a pipe's buffer, so a reader of one stream only would
  // leave the child blocked on the other.
  auto o = shell("seq 1 200000; seq 1 200000 >&2; seq 1 10; exit 3");
  int out = 0, err = 0;
  std::string last_out;
  o.on_stdout_line = [&](const std::string& l) {
    ++out;
    last_out = l;
  };
  o.on_stderr_line = [&](const std::string&) { ++err; };
  auto r = run_subprocess(o);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(out, 200010);
  EXPECT_EQ(err, 200000);
  EXPECT_EQ(last_out, "10");
}

TEST(SubprocessTest, AFinalLineWithoutNewlineIsDelivered) {
  auto o = shell("printf 'a\\nb'");
  std::vector<std::string> lines;
  o.on_stdout_line = [&](const std::string& l) { lines.push_back(l); };
  EXPECT_EQ(run_subprocess(o).exit_code, 0);
  EXPECT_EQ(lines, (std::vector<std::string>{"a", "b"}));
}

TEST(SubprocessTest, StopSendsTheSignalToTheWholeGroup) {
  // The shell traps SIGINT and exits 42; its child sleep is in the same group and dies too.
  auto o = shell("trap 'exit 42' INT; sleep 30 & wait");
  int ticks = 0;
  o.tick = std::chrono::milliseconds(50);
  o.should_stop = [&] { return ++ticks > 5; };
  auto r = run_subprocess(o);
  EXPECT_TRUE(r.interrupted);
  EXPECT_FALSE(r.killed_after_grace);
  EXPECT_EQ(r.exit_code, 42);
}

TEST(SubprocessTest, AChildIgnoringTheSignalIsKilledAfterTheGrace) {
  // The stop comes only once the shell has set its trap: a SIGINT before it (a busy machine)
  // would end the shell by itself.
  auto o = shell("trap '' INT; echo trapped; sleep 30");
  o.tick = std::chrono::milliseconds(50);
  o.grace = std::chrono::milliseconds(300);
  bool trapped = false;
  o.on_stdout_line = [&](const std::string& line) { trapped = trapped || line == "trapped"; };
  o.should_stop = [&] { return trapped; };
  auto r = run_subprocess(o);
  EXPECT_TRUE(r.interrupted);
  EXPECT_TRUE(r.killed_after_grace);
  EXPECT_EQ(r.signal, SIGKILL);
}

TEST(SubprocessTest, CapturedOutputKeepsWhatWasWrittenAndWhetherTheChildWasStopped) {
  auto o = shell("echo before; echo oops >&2; trap 'echo stopped; exit 9' TERM; sleep 30 & wait");
  o.tick = std::chrono::milliseconds(50);
  o.stop_signal = SIGTERM;
  int ticks = 0;
  o.should_stop = [&] { return ++ticks > 5; };
  auto r = run_captured(o);
  EXPECT_TRUE(r.interrupted);
  EXPECT_EQ(r.exit_code, 9);
  EXPECT_EQ(r.out, "before\nstopped\n");
  EXPECT_EQ(r.err, "oops\n");
  auto plain = run_captured({"/bin/sh", "-c", "echo done"}, {}, current_environment());
  EXPECT_FALSE(plain.interrupted);
  EXPECT_EQ(plain.out, "done\n");
}

TEST(SubprocessTest, AMissingProgramIsAnErrorNamingIt) {
  SubprocessOptions o;
  o.argv = {"/nonexistent/dbt"};
  try {
    run_subprocess(o);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "/nonexistent/dbt: cannot start: No such file or directory");
  }
}

TEST(SubprocessTest, TheChildGetsExactlyTheGivenEnvironment) {
  SubprocessOptions o;
  o.argv = {"/usr/bin/env"};
  o.env = {{"ONLY", "this"}};
  std::vector<std::string> lines;
  o.on_stdout_line = [&](const std::string& l) { lines.push_back(l); };
  run_subprocess(o);
  EXPECT_EQ(lines, std::vector<std::string>{"ONLY=this"});
}

}  // namespace
}  // namespace kubedbt::runner
