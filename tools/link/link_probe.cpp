#include "link/link_probe.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <vector>

#include <boost/asio/steady_timer.hpp>

namespace surgilink::tools::link {

namespace {

namespace asio = boost::asio;
using asio::ip::udp;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kUdpIpHeaders = 28;

double percentile(std::vector<double> values, double share) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const auto index = static_cast<std::size_t>(share * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

// Echoes every datagram `far` receives to its sender, until the socket is cancelled.
void echo(udp::socket& far, std::array<std::uint8_t, 2048>& buffer, udp::endpoint& from) {
  far.async_receive_from(asio::buffer(buffer), from,
                         [&](const boost::system::error_code& error, std::size_t n) {
                           if (error) return;
                           boost::system::error_code ignored;
                           far.send_to(asio::buffer(buffer.data(), n), from, 0, ignored);
                           echo(far, buffer, from);
                         });
}

}  // namespace

RoundTripReport probe_round_trips(asio::io_context& io, udp::socket& near, udp::socket& far,
                                  const udp::endpoint& far_endpoint, std::size_t count,
                                  std::chrono::microseconds interval, std::chrono::milliseconds drain,
                                  std::size_t size) {
  size = std::max<std::size_t>(size, 16);
  std::array<std::uint8_t, 2048> far_buffer{};
  udp::endpoint far_from;
  echo(far, far_buffer, far_from);

  const auto start = Clock::now();
  std::vector<Clock::time_point> sent_at(count);
  std::vector<bool> returned(count, false);
  std::vector<double> rtts;
  std::vector<std::uint8_t> probe(size, 0);
  std::array<std::uint8_t, 2048> near_buffer{};
  udp::endpoint near_from;

  std::function<void()> receive = [&] {
    near.async_receive_from(
        asio::buffer(near_buffer), near_from, [&](const boost::system::error_code& error, std::size_t n) {
          if (error) return;
          std::uint64_t sequence = 0;
          if (n >= sizeof sequence) {
            std::memcpy(&sequence, near_buffer.data(), sizeof sequence);
            if (sequence < count && !returned[sequence]) {
              returned[sequence] = true;
              rtts.push_back(
                  std::chrono::duration<double, std::milli>(Clock::now() - sent_at[sequence]).count());
            }
          }
          receive();
        });
  };
  receive();

  asio::steady_timer timer{io};
  std::size_t next = 0;
  std::function<void()> send_next = [&] {
    if (next == count) {
      timer.expires_after(drain);
      timer.async_wait([&](const boost::system::error_code&) {
        near.cancel();
        far.cancel();
      });
      return;
    }
    const std::uint64_t sequence = next;
    std::memcpy(probe.data(), &sequence, sizeof sequence);
    sent_at[next] = Clock::now();
    boost::system::error_code ignored;
    near.send_to(asio::buffer(probe), far_endpoint, 0, ignored);
    ++next;
    timer.expires_at(start + interval * static_cast<std::int64_t>(next));
    timer.async_wait([&](const boost::system::error_code& error) {
      if (!error) send_next();
    });
  };
  send_next();
  io.restart();
  io.run();

  RoundTripReport report;
  report.sent = count;
  report.returned = rtts.size();
  report.loss_share = count == 0 ? 0.0 : 1.0 - static_cast<double>(rtts.size()) / static_cast<double>(count);
  if (!rtts.empty()) {
    report.rtt_min_ms = *std::min_element(rtts.begin(), rtts.end());
    report.rtt_max_ms = *std::max_element(rtts.begin(), rtts.end());
    report.rtt_p50_ms = percentile(rtts, 0.50);
    report.rtt_p95_ms = percentile(rtts, 0.95);
  }
  return report;
}

RateReport probe_rate(asio::io_context& io, udp::socket& near, udp::socket& far,
                      const udp::endpoint& far_endpoint, double offered_bps,
                      std::chrono::milliseconds duration, std::chrono::milliseconds drain,
                      std::size_t payload) {
  RateReport report;
  report.offered_bps = offered_bps;
  const double packet_bits = static_cast<double>(payload + kUdpIpHeaders) * 8.0;

  std::array<std::uint8_t, 2048> far_buffer{};
  udp::endpoint far_from;
  Clock::time_point first{}, last{};
  std::function<void()> count_arrivals = [&] {
    far.async_receive_from(asio::buffer(far_buffer), far_from,
                           [&](const boost::system::error_code& error, std::size_t) {
                             if (error) return;
                             last = Clock::now();
                             if (report.received == 0) first = last;
                             ++report.received;
                             count_arrivals();
                           });
  };
  count_arrivals();

  std::vector<std::uint8_t> datagram(payload, 0x5a);
  const auto start = Clock::now();
  asio::steady_timer timer{io};
  constexpr auto kTick = std::chrono::milliseconds{1};
  std::function<void()> send_due = [&] {
    const auto elapsed = Clock::now() - start;
    const auto until = std::min<Clock::duration>(elapsed, duration);
    const auto due =
        static_cast<std::size_t>(std::chrono::duration<double>(until).count() * offered_bps / packet_bits);
    boost::system::error_code ignored;
    for (; report.sent < due; ++report.sent) near.send_to(asio::buffer(datagram), far_endpoint, 0, ignored);
    if (elapsed >= duration) {
      timer.expires_after(drain);
      timer.async_wait([&](const boost::system::error_code&) { far.cancel(); });
      return;
    }
    timer.expires_after(kTick);
    timer.async_wait([&](const boost::system::error_code& error) {
      if (!error) send_due();
    });
  };
  send_due();
  io.restart();
  io.run();

  if (report.received > 1) {
    const double seconds = std::chrono::duration<double>(last - first).count();
    if (seconds > 0.0) report.received_bps = static_cast<double>(report.received - 1) * packet_bits / seconds;
  }
  report.loss_share =
      report.sent == 0 ? 0.0 : 1.0 - static_cast<double>(report.received) / static_cast<double>(report.sent);
  return report;
}

std::string describe(const RoundTripReport& r) {
  char text[256];
  std::snprintf(
      text, sizeof text,
      "round trips: %zu sent, %zu returned (%.2f %% lost); RTT min %.2f p50 %.2f p95 %.2f max %.2f ms",
      r.sent, r.returned, r.loss_share * 100.0, r.rtt_min_ms, r.rtt_p50_ms, r.rtt_p95_ms, r.rtt_max_ms);
  return text;
}

std::string describe(const RateReport& r) {
  char text[256];
  std::snprintf(text, sizeof text,
                "rate: offered %.2f Mbit/s, received %.2f Mbit/s (IP level); %zu sent, %zu received (%.2f %% "
                "lost or dropped)",
                r.offered_bps / 1e6, r.received_bps / 1e6, r.sent, r.received, r.loss_share * 100.0);
  return text;
}

}  // namespace surgilink::tools::link
