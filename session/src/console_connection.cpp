#include "console_connection.hpp"

namespace surgilink::session {

ConsoleConnection::ConsoleConnection(ConsoleId id, std::shared_ptr<ControlConnection> control,
                                     PendingSlot pending, std::string peer, core::TokenBucket inbound,
                                     const core::Clock& clock, Owner& owner)
    : id_(id),
      control_(std::move(control)),
      pending_(std::move(pending)),
      peer_(std::move(peer)),
      inbound_(inbound),
      owner_(owner),
      clock_(clock),
      accepted_at_(clock.now()),
      last_heard_(accepted_at_) {
  control_->set_listener(*this);
}

ConsoleConnection::~ConsoleConnection() {
  control_->detach();
  control_->close();
}

void ConsoleConnection::start() { control_->start_reading(); }

void ConsoleConnection::admit(Admitted as) {
  admitted_ = std::move(as);
  pending_.release();
}

void ConsoleConnection::on_frame(std::span<const std::uint8_t> body) {
  const auto now = clock_.now();
  last_heard_ = now;
  // Every message counts, refused ones too: an observer cannot make the sender refuse at line rate.
  if (!inbound_.take(now)) return owner_.on_rate_limited(*this);
  pb::Envelope envelope;
  if (!envelope.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    owner_.on_malformed(*this);
    control_->close();
    return;
  }
  owner_.on_envelope(*this, envelope);
}

void ConsoleConnection::on_end(ConnectionEnd end, const std::string& why) {
  owner_.on_ended(*this, end, why);
}

}  // namespace surgilink::session
