#pragma once
// A scripted mentor for the benchmark (surgilink-bench --annotations) and tests: draws strokes, arrows and
// circles and moves a pointer over the live picture through the real session, as fast as a quick mentor
// would, keeping a set number of annotations on screen.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "surgilink/media/video_frame.hpp"
#include "surgilink/session/console_session.hpp"

namespace surgilink::console {

// Network thread only (the one running the session's io_context).
class ScriptedMentor {
 public:
  // Keeps about `keep` of its annotations alive (the oldest is deleted before a new one is begun).
  ScriptedMentor(boost::asio::io_context& io, session::ConsoleSession& session,
                 const media::LatestFrameMailbox& mailbox, std::size_t keep);
  void start();
  void stop();
  std::uint64_t operations() const { return operations_; }

 private:
  void tick();
  void act();
  bool propose(const annotation::AnnotationOperation& op);

  boost::asio::steady_timer timer_;
  session::ConsoleSession& session_;
  const media::LatestFrameMailbox& mailbox_;
  std::size_t keep_;
  bool stopped_ = false;
  std::string author_;            // as the sender named this console; changes on reconnection
  std::deque<std::string> live_;  // own annotations, oldest first
  std::uint64_t counter_ = 0;     // for ids and positions
  std::uint64_t operations_ = 0;
  // The shape being drawn: its id, kind, and how many steps are left.
  std::string drawing_;
  annotation::AnnotationKind kind_ = annotation::AnnotationKind::kStroke;
  int step_ = 0;
  int steps_left_ = 0;
  float centre_x_ = 0.5F, centre_y_ = 0.5F;
};

}  // namespace surgilink::console
