#include "running_sender.hpp"

#include <algorithm>
#include <csignal>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "test_installation.hpp"

namespace surgilink::testing {

using std::chrono::milliseconds;

RunningSender::RunningSender(const std::filesystem::path& config, const std::filesystem::path& log,
                             std::vector<std::string> args, std::vector<std::string> env,
                             std::vector<std::string> launcher)
    : log_(log) {
  std::vector<std::string> argv = std::move(launcher);
  argv.insert(argv.end(), {sender_program().string(), "--config", config.string(), "--status-json"});
  // No OR window unless the test asks for one (--or-window): a developer's $DISPLAY stays quiet.
  if (std::find(args.begin(), args.end(), "--or-window") == args.end()) argv.push_back("--no-or-window");
  argv.insert(argv.end(), args.begin(), args.end());
  process_ = std::make_unique<tools::ChildProcess>(argv, log.string(), std::move(env));
  for (int i = 0; i < 30; ++i) {
    const auto line = process_->read_line(milliseconds{1000});
    if (!line) {
      if (process_->wait(milliseconds{0})) break;
      continue;
    }
    const auto j = nlohmann::json::parse(*line, nullptr, false);
    if (!j.is_discarded() && j.value("event", "") == "listening") {
      control_port_ = j["control_port"].get<int>();
      media_port_ = j["media_port"].get<int>();
      mllp_port_ = j.value("mllp_port", 0);
      return;
    }
  }
  throw std::runtime_error("surgilink-sender did not start: " + read_text(log));
}

RunningSender::~RunningSender() {
  if (process_) stop();
}

int RunningSender::stop() {
  process_->signal(SIGINT);
  const int code = process_->wait(milliseconds{10000}).value_or(-1);
  return code;
}

std::optional<std::string> RunningSender::next_status(milliseconds timeout) {
  return process_->read_line(timeout);
}

void RunningSender::kill() {
  process_->signal(SIGKILL);
  process_->wait(milliseconds{10000});
}

int RunningSender::pid() const { return process_->pid(); }
std::chrono::nanoseconds RunningSender::cpu_time() const { return process_->cpu_time(); }

std::string RunningSender::log() const { return read_text(log_); }

std::string RunningSender::log_once(std::string_view text, std::chrono::milliseconds timeout) {
  for (const auto until = std::chrono::steady_clock::now() + timeout;
       log().find(text) == std::string::npos && std::chrono::steady_clock::now() < until;)
    next_status(std::chrono::milliseconds{500});
  return log();
}

ProgramResult run_program(std::vector<std::string> argv, const std::filesystem::path& dir,
                          const std::string& name, std::chrono::milliseconds timeout,
                          std::vector<std::string> env) {
  tools::ChildProcess process(std::move(argv), (dir / (name + ".err")).string(), std::move(env));
  ProgramResult result;
  while (auto line = process.read_line(timeout)) result.out += *line + "\n";
  result.exit_code = process.wait(timeout).value_or(-1);
  result.err = read_text(dir / (name + ".err"));
  return result;
}

}  // namespace surgilink::testing
