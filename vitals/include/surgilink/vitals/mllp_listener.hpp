#pragma once
// An MLLP server: receives HL7 v2 ORU^R01 messages from monitor gateways over TCP, acknowledges each one
// (AA, or AE/AR naming the problem), and hands the accepted numerics to a VitalsListener.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "surgilink/core/capture_clock.hpp"
#include "surgilink/core/fault.hpp"
#include "surgilink/vitals/observation_code_map.hpp"
#include "surgilink/vitals/vitals_listener.hpp"

namespace surgilink::vitals {

// Settings of one listener (from the sender config). Plain value type; any thread.
struct MllpSettings {
  std::string bind_address = "0.0.0.0";
  std::uint16_t port = 2575;     // the registered HL7 port; 0: any free port (tests)
  std::size_t max_clients = 64;  // further connections are closed as soon as they are accepted
  std::chrono::milliseconds idle_timeout{30'000};  // a client silent this long is disconnected
  std::size_t max_frame_bytes = 1024 * 1024;       // a larger frame gets an AR and the connection is closed
  std::size_t max_observations = 1000;             // OBX per message
};

// Counters of one listener. Written on the io_context thread; any thread may read.
struct MllpCounters {
  std::atomic<std::uint64_t> connections_accepted{0};
  std::atomic<std::uint64_t> connections_refused{0};  // over max_clients
  std::atomic<std::uint64_t> connections_open{0};
  std::atomic<std::uint64_t> connections_timed_out{0};  // idle
  std::atomic<std::uint64_t> messages_accepted{0};      // AA
  std::atomic<std::uint64_t> messages_rejected{0};      // AE or AR
  std::atomic<std::uint64_t> frames_truncated{0};       // the connection ended inside a frame
  std::atomic<std::uint64_t> frames_too_large{0};
  std::atomic<std::uint64_t> framing_errors{0};        // 0x1C without 0x0D, data outside frames
  std::atomic<std::uint64_t> observations_unknown{0};  // OBX skipped for an unknown identifier
  std::atomic<std::uint64_t> samples_delivered{0};
  std::atomic<std::uint64_t> bytes_received{0};
  core::FaultCounters faults;  // every refused message or frame, by kind
};

// Why a connection ended. describe(): any thread.
enum class MllpCloseReason : std::uint8_t {
  kPeerClosed,      // the client closed between messages
  kTruncatedFrame,  // the client closed inside a frame
  kIdleTimeout,
  kFrameTooLarge,  // after the AR
  kBadFraming,     // after the AR
  kRefused,        // over max_clients
  kSocketError,
};
const char* describe(MllpCloseReason reason);

// Optional: told when a connection ends (logs, tests). Called on the io_context thread.
class MllpObserver {
 public:
  virtual ~MllpObserver() = default;
  virtual void on_connection_closed(MllpCloseReason reason) = 0;
};

// Runs entirely on the thread that runs `io` (the caller's network thread); never creates a thread.
// Construct, start(), stop() and destroy on that thread, or while `io` is not running. port(), counters()
// may be called from any thread.
// Per connection: frames are read one after another; each message is parsed with OruMessage::parse and
// answered with exactly one ACK, in order, at most one write in flight. AA: every OBX was read (unknown
// identifiers are skipped and counted) and the samples go to the listener. AE: some segment was refused
// (the ERR segments name each problem); nothing of the message is delivered. AR: the message as a whole
// was refused (broken MSH, not ORU^R01, too many OBX); a frame over the limit or broken framing also gets
// an AR, then the connection is shut down for sending, drained briefly so the client can read the AR, and
// closed. A client silent for idle_timeout is closed.
class MllpListener {
 public:
  // Binds and listens on settings.bind_address:settings.port; throws std::runtime_error naming the address
  // if that fails. `clock` stamps received samples (the capture clock); it, `listener` and `observer` must
  // outlive the listener.
  MllpListener(boost::asio::io_context& io, MllpSettings settings, ObservationCodeMap codes,
               const core::Clock& clock, VitalsListener& listener, MllpObserver* observer = nullptr);
  ~MllpListener();
  MllpListener(const MllpListener&) = delete;
  MllpListener& operator=(const MllpListener&) = delete;

  void start();
  // Closes the listening socket and every connection; no listener call happens after it returns.
  void stop();

  std::uint16_t port() const { return port_; }
  const MllpCounters& counters() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
  std::uint16_t port_ = 0;
};

}  // namespace surgilink::vitals
