// Telestration on the console: the sender's scene, this console's proposals, the pen. Part of
// ConsoleSession::Parts.
#include <spdlog/spdlog.h>

#include "console_parts.hpp"

namespace surgilink::session {

using std::chrono::milliseconds;

void ConsoleSession::Parts::on_annotation_bytes(const std::string& bytes, bool whole_scene) {
  if (whole_scene) {
    if (auto r = annotations.on_scene(bytes_of(bytes)); !r) {
      faults.add(r.error().fault);
      spdlog::warn("annotation scene from the sender rejected: {}", r.error().reason);
      return;
    }
  } else {
    auto r = annotations.on_operation(bytes_of(bytes), clock.now(), clock_sync);
    if (!r) {
      faults.add(r.error().fault);
      spdlog::warn("annotation operation from the sender rejected: {}", r.error().reason);
      return;
    }
    if (!r.value()) return;
  }
  listener.on_annotations(annotations.view());
}

bool ConsoleSession::Parts::holds_pen() const {
  return welcome && !or_controls.pen_holder_author().empty() &&
         or_controls.pen_holder_author() == welcome->annotation_author();
}

bool ConsoleSession::Parts::propose(const annotation::AnnotationOperation& op) {
  auto not_sent = [&](const std::string& why) {
    faults.add(core::Fault::kNotAuthorised);
    spdlog::warn("annotation not sent: {}", why);
    return false;
  };
  if (!welcome) return not_sent("not connected to " + control->sender_name());
  if (welcome->role() != pb::ROLE_MENTOR) return not_sent("this console is an observer, only a mentor draws");
  if (!holds_pen()) {
    return not_sent(or_controls.pen_revoked()          ? std::string("the surgeon has taken the pen back")
                    : or_controls.pen_holder().empty() ? std::string("nobody holds the pen")
                                                       : or_controls.pen_holder() + " holds the pen");
  }
  const auto wire = annotations.propose(op, clock.now(), clock_sync);
  pb::Envelope e = envelope();
  e.set_annotation_proposal(std::string(wire.begin(), wire.end()));
  control->send(e);
  listener.on_annotations(annotations.view());
  return true;
}

// Pointers and other annotations with a time to live disappear on time here too, on the sender's clock.
void ConsoleSession::Parts::expire_annotations(std::uint64_t g) {
  annotation_timer.expires_after(milliseconds{100});
  annotation_timer.async_wait([self = shared_from_this(), g](boost::system::error_code ec) {
    if (ec || g != self->generation) return;
    if (self->annotations.expire(self->clock.now(), self->clock_sync))
      self->listener.on_annotations(self->annotations.view());
    self->expire_annotations(g);
  });
}

}  // namespace surgilink::session
