#pragma once
// The surgeon's controls over the mentor's annotations (DESIGN.md §5, §7): hide/show them, clear them all,
// take the pen back and give it again; and the OR's recording of the case (§6): consent, start, stop. From
// keys on the sender's terminal (a foot pedal that types a key is a keyboard) and from a local socket that a
// hardware button's helper program writes commands to.

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>

#include "case_recording.hpp"
#include "sender_settings.hpp"
#include "surgilink/session/sender_session.hpp"

namespace surgilink::sender {

// Network thread only. Every command is audited by the session with what gave it ("key h", "socket").
class SurgeonControls {
 public:
  // Throws std::runtime_error when the socket cannot be created.
  // `changed` is called after every command (the OR display's badges follow at once).
  SurgeonControls(boost::asio::io_context& io, SurgeonControlSettings settings,
                  session::SenderSession& session, CaseRecording& recording, std::function<void()> changed);
  ~SurgeonControls();
  void start();
  // Restores the terminal and closes the socket.
  void stop();

  // The OR microphone's mute: `set_muted(muted, by)` returns the reply; `muted()` says the state. Without it
  // (no voice), mute/unmute are refused.
  void set_microphone(std::function<std::string(bool, const std::string&)> set_muted,
                      std::function<bool()> muted);
  // A key pressed in the OR window, as if typed on the terminal (`by`: "window key h").
  void key(char k, const std::string& by);
  // Keeps the annotations of departed mentors that are fading out (StaleAnnotations::keep); false: nothing
  // was fading. Without it, keep-annotations is refused.
  void set_annotation_keeper(std::function<bool()> keep);
  // Carries out one command: pause | resume | hide | show | toggle | clear | keep-annotations | revoke-pen |
  // grant-pen | consent | record | stop-recording | withdraw-consent | mute | unmute | toggle-mute |
  // end-session [NAME] | status.
  // Returns the reply ("ok: ..." or "error: ..."), never throws.
  std::string execute(std::string_view command, const std::string& by);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace surgilink::sender
