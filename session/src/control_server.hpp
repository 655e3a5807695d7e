#pragma once
// The sender's TLS control port: accepts connections for the session, but never lets strangers starve it.
// Unauthenticated (pending) connections are capped in total and per source address; accept errors such as
// running out of descriptors (EMFILE) back off instead of spinning the network thread, which also sends the
// video. Private to session/.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "surgilink/core/capture_clock.hpp"
#include "surgilink/core/repeat_limiter.hpp"

namespace surgilink::session {

// Limits of the control port (configs/sender.toml [session]). Plain value type.
struct ControlPortLimits {
  std::size_t max_pending = 64;             // connections not yet admitted, in total
  std::size_t max_pending_per_address = 8;  // and from one source address
};

// A place among the pending connections; held until the console is admitted or its connection ends.
// Move-only; safe to outlive the server.
class PendingSlot {
 public:
  PendingSlot() = default;
  PendingSlot(PendingSlot&&) noexcept = default;
  PendingSlot& operator=(PendingSlot&& other) noexcept;
  ~PendingSlot() { release(); }
  void release();

 private:
  friend class ControlServer;
  struct Counts;
  PendingSlot(std::shared_ptr<Counts> counts, std::string address);
  std::shared_ptr<Counts> counts_;
  std::string address_;
};

// Counters of the control port. Network thread.
struct ControlPortCounters {
  std::uint64_t accepted = 0;
  std::uint64_t turned_away = 0;    // over a pending cap: closed at once
  std::uint64_t accept_errors = 0;  // EMFILE and the like; each one backs off
};

// Network thread only. Held by std::shared_ptr (make_shared): its handlers keep it alive.
class ControlServer : public std::enable_shared_from_this<ControlServer> {
 public:
  using OnConnection = std::function<void(boost::asio::ip::tcp::socket, PendingSlot)>;
  // Binds and listens; throws std::runtime_error naming the address when the port cannot be used.
  ControlServer(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& at,
                ControlPortLimits limits, const core::Clock& clock, OnConnection on_connection);
  ~ControlServer();
  void start();
  void stop();
  std::uint16_t port() const;
  std::size_t pending() const;
  const ControlPortCounters& counters() const { return counters_; }

 private:
  void accept();
  void turn_away(boost::asio::ip::tcp::socket& socket, const std::string& address, const char* why);

  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer backoff_timer_;
  ControlPortLimits limits_;
  const core::Clock& clock_;
  OnConnection on_connection_;
  std::shared_ptr<PendingSlot::Counts> counts_;
  std::chrono::milliseconds backoff_{0};
  core::RepeatLimiter log_repeats_;
  ControlPortCounters counters_;
  bool stopped_ = false;
};

}  // namespace surgilink::session
