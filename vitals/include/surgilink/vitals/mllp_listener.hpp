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
#include "surgilink/vitals/gateway_allow_list.hpp"
#include "surgilink/vitals/observation_code_map.hpp"
#include "surgilink/vitals/vitals_listener.hpp"

namespace surgilink::vitals {

// Settings of one listener (from the sender config). Plain value type; any thread.
struct MllpSettings {
  std::string bind_address = "0.0.0.0";  // the interface gateways reach (the device network's, in a hospital)
  std::uint16_t port = 2575;             // the registered HL7 port; 0: any free port (tests)
  GatewayAllowList allow;                // who may connect; empty: any address
  // The gateway's MSH-3 / MSH-4 ("" : any). Matches the namespace id, the universal id or the whole
  // designator as written ("AcmeInc", "ACDE48234567ABCD" or "AcmeInc^ACDE48234567ABCD^EUI-64"); messages
  // from anyone else get an AR and are not read.
  std::string sending_application;
  std::string sending_facility;
  std::size_t max_clients = 64;              // connections open at once
  std::size_t max_clients_per_address = 16;  // of these, from one address
  // No complete message for this long: the connection is closed (bytes that never finish a message do not
  // count, so a client trickling a byte at a time is idle too).
  std::chrono::milliseconds idle_timeout{30'000};
  // A message begun must be complete within this; it is also how long a new connection is left alone before
  // a newcomer may take its place when the listener is full.
  std::chrono::milliseconds message_timeout{10'000};
  std::size_t max_frame_bytes = 1024 * 1024;  // a larger frame gets an AR and the connection is closed
  std::size_t max_observations = 1000;        // OBX per message
};

// Bytes a connection may have queued in ACKs before the listener stops taking its messages (and so stops
// reading it) until the client reads them. With max_frame_bytes and the read buffer this bounds the memory
// of a connection.
inline constexpr std::size_t kMllpMaxQueuedAckBytes = 64 * 1024;

// Counters of one listener. Written on the io_context thread; any thread may read.
struct MllpCounters {
  std::atomic<std::uint64_t> connections_accepted{0};
  std::atomic<std::uint64_t> connections_refused{0};      // over max_clients, with no connection to make room
  std::atomic<std::uint64_t> connections_not_allowed{0};  // address not in the allow list
  std::atomic<std::uint64_t> connections_address_limit{0};  // over max_clients_per_address
  std::atomic<std::uint64_t> connections_evicted{0};        // made room for a newcomer when full
  std::atomic<std::uint64_t> connections_open{0};
  std::atomic<std::uint64_t> connections_timed_out{0};       // idle
  std::atomic<std::uint64_t> connections_slow{0};            // a message not complete within message_timeout
  std::atomic<std::uint64_t> messages_accepted{0};           // AA
  std::atomic<std::uint64_t> messages_rejected{0};           // AE or AR
  std::atomic<std::uint64_t> messages_unexpected_sender{0};  // AR: MSH-3/MSH-4 not the configured gateway
  std::atomic<std::uint64_t> segments_refused{0};  // OBX and lines refused in an AE (the rest delivered)
  std::atomic<std::uint64_t> frames_truncated{0};  // the connection ended inside a frame
  std::atomic<std::uint64_t> frames_too_large{0};
  std::atomic<std::uint64_t> framing_errors{0};        // 0x1C without 0x0D, data outside frames
  std::atomic<std::uint64_t> observations_unknown{0};  // OBX skipped for an unknown identifier
  std::atomic<std::uint64_t> samples_delivered{0};
  std::atomic<std::uint64_t> bytes_received{0};
  std::atomic<std::uint64_t> ack_bytes_queued_peak{0};  // most ACK bytes ever waiting for one client
  core::FaultCounters faults;                           // every refused connection, message or frame, by kind
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
  kNotAllowed,    // address not in the allow list: closed as soon as accepted
  kAddressLimit,  // over max_clients_per_address: closed as soon as accepted
  kEvicted,       // made room for a newcomer: had delivered nothing for message_timeout
  kSlowMessage,   // a message not complete within message_timeout
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
// Admission: a connection from an address outside `allow` is closed at once, as is one over
// max_clients_per_address. When max_clients are open, a newcomer takes the place of the oldest connection
// that has delivered no message and is older than message_timeout, or is closed if there is none. Refusals
// are counted and logged once per kind and address, with a summary of the repeats every 10 s.
// Per connection: frames are read one after another; each message is answered with exactly one ACK, in
// order, at most one write in flight. A message whose MSH-3/MSH-4 is not the configured gateway gets an AR
// and is not read further. Otherwise it is parsed with OruMessage::parse. AA: every OBX was read (unknown
// identifiers are skipped and counted) and the samples go to the listener. AE: some segments were refused;
// their ERR segments name each one, and everything else of the message is still delivered, each refused OBX
// as "not available". AR: the message as a whole was refused (broken MSH, not ORU^R01, too many OBX); a
// frame over the limit or broken framing also gets an AR, then the connection is shut down for sending,
// drained briefly so the client can read the AR, and closed. A connection with no complete message for
// idle_timeout, or inside one message for message_timeout, is closed.
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
