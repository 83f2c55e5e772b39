// dbt as a child process: stdout carries JSON events, stderr anything Python prints itself.
#include "runner/dbt/dbt_process.h"

#include <iostream>

namespace kubedbt::runner {

DbtProcessResult run_dbt(const DbtProcessOptions& o) {
  DbtProcessResult result;
  auto scrub = [&](const std::string& s) { return o.scrub ? o.scrub(s) : s; };
  SubprocessOptions p;
  p.argv = o.argv;
  p.env = o.env;
  p.working_dir = o.working_dir;
  p.should_stop = o.should_stop;
  p.grace = o.grace;
  p.wake_fd = o.wake_fd;
  p.on_stdout_line = [&](const std::string& line) {
    auto event = parse_dbt_event(line);
    if (o.echo == EchoMode::Json || (!event && o.echo == EchoMode::Text)) {
      std::cout << scrub(line) << '\n' << std::flush;
    } else if (o.echo == EchoMode::Text && event->level != "debug" && !event->msg.empty()) {
      std::cout << scrub(event->msg) << '\n' << std::flush;
    }
    if (event && result.events.observe(*event) && o.on_progress) {
      o.on_progress(result.events.progress());
    }
  };
  p.on_stderr_line = [&](const std::string& line) {
    if (o.echo != EchoMode::None) std::cerr << scrub(line) << '\n' << std::flush;
  };
  result.process = run_subprocess(p);
  return result;
}

}  // namespace kubedbt::runner
