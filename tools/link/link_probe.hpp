#pragma once
// Measures an emulated link from both of its ends in one process: round trips (RTT percentiles and loss)
// and the rate a saturating one-way UDP stream gets through. The two sockets may live in different network
// namespaces (made with socket_in_namespace); the far one echoes or counts. Runs on the caller's thread
// through the given io_context; each function returns when its measurement is done.

#include <chrono>
#include <cstddef>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

namespace surgilink::tools::link {

struct RoundTripReport {
  std::size_t sent = 0;
  std::size_t returned = 0;
  double loss_share = 0.0;  // of round trips (a probe or its echo lost)
  double rtt_min_ms = 0.0, rtt_p50_ms = 0.0, rtt_p95_ms = 0.0, rtt_max_ms = 0.0;
};

struct RateReport {
  std::size_t sent = 0;
  std::size_t received = 0;
  double offered_bps = 0.0;   // IP packets (payload + 28 bytes of IPv4 and UDP headers)
  double received_bps = 0.0;  // IP packets, between the first and the last arrival
  double loss_share = 0.0;    // one way, loss and queue drops together
};

// `count` probes of `size` bytes from `near` to `far_endpoint` (where `far` is bound), one every
// `interval`; `far` echoes each; echoes later than `drain` after the last probe count as lost.
RoundTripReport probe_round_trips(boost::asio::io_context& io, boost::asio::ip::udp::socket& near,
                                  boost::asio::ip::udp::socket& far,
                                  const boost::asio::ip::udp::endpoint& far_endpoint, std::size_t count,
                                  std::chrono::microseconds interval, std::chrono::milliseconds drain,
                                  std::size_t size = 64);

// Sends `payload`-byte datagrams from `near` to `far_endpoint` at `offered_bps` (IP level) for `duration`;
// `far` counts what arrives until `drain` after the last one was sent.
RateReport probe_rate(boost::asio::io_context& io, boost::asio::ip::udp::socket& near,
                      boost::asio::ip::udp::socket& far, const boost::asio::ip::udp::endpoint& far_endpoint,
                      double offered_bps, std::chrono::milliseconds duration, std::chrono::milliseconds drain,
                      std::size_t payload = 1200);

std::string describe(const RoundTripReport& report);
std::string describe(const RateReport& report);

}  // namespace surgilink::tools::link
