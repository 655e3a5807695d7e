#pragma once
// The OR sender program's wiring: source pipeline + session authority on one io_context, a status line per
// second, clean stop on Ctrl-C or after --seconds.

#include <memory>

#include "sender_settings.hpp"

namespace surgilink::sender {

// Owns every part of the running sender. Runs on the thread that calls run() (the network thread).
class OrSender {
 public:
  explicit OrSender(SenderSettings settings);
  ~OrSender();
  // Blocks until stopped; returns the process exit code.
  int run();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace surgilink::sender
