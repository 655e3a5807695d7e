#include "control_server.hpp"

#include <stdexcept>

#include <spdlog/spdlog.h>

namespace surgilink::session {

namespace asio = boost::asio;
using asio::ip::tcp;

struct PendingSlot::Counts {
  std::size_t total = 0;
  std::map<std::string, std::size_t> by_address;
};

PendingSlot::PendingSlot(std::shared_ptr<Counts> counts, std::string address)
    : counts_(std::move(counts)), address_(std::move(address)) {
  ++counts_->total;
  ++counts_->by_address[address_];
}

PendingSlot& PendingSlot::operator=(PendingSlot&& other) noexcept {
  if (this != &other) {
    release();
    counts_ = std::move(other.counts_);
    address_ = std::move(other.address_);
  }
  return *this;
}

void PendingSlot::release() {
  if (!counts_) return;
  --counts_->total;
  if (auto it = counts_->by_address.find(address_); it != counts_->by_address.end() && --it->second == 0)
    counts_->by_address.erase(it);
  counts_.reset();
}

ControlServer::ControlServer(asio::io_context& io, const tcp::endpoint& at, ControlPortLimits limits,
                             const core::Clock& clock, OnConnection on_connection)
    : acceptor_(io),
      backoff_timer_(io),
      limits_(limits),
      clock_(clock),
      on_connection_(std::move(on_connection)),
      counts_(std::make_shared<PendingSlot::Counts>()) {
  boost::system::error_code ec;
  acceptor_.open(at.protocol());
  acceptor_.set_option(tcp::acceptor::reuse_address(true));
  acceptor_.bind(at, ec);
  if (ec) {
    throw std::runtime_error("control port " + at.address().to_string() + ":" + std::to_string(at.port()) +
                             " cannot be used: " + ec.message());
  }
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("control port cannot listen: " + ec.message());
}

ControlServer::~ControlServer() = default;

void ControlServer::start() { accept(); }

void ControlServer::stop() {
  stopped_ = true;
  boost::system::error_code ec;
  acceptor_.close(ec);
  backoff_timer_.cancel();
}

std::uint16_t ControlServer::port() const { return acceptor_.local_endpoint().port(); }
std::size_t ControlServer::pending() const { return counts_->total; }

void ControlServer::turn_away(tcp::socket& socket, const std::string& address, const char* why) {
  ++counters_.turned_away;
  if (log_repeats_.first(address + " " + why, clock_.now()))
    spdlog::warn("control port: connection from {} turned away: {} (repeats are counted)", address, why);
  boost::system::error_code ec;
  socket.close(ec);
}

void ControlServer::accept() {
  acceptor_.async_accept([self = shared_from_this(), this](boost::system::error_code ec, tcp::socket socket) {
    if (stopped_ || ec == asio::error::operation_aborted) return;
    for (const auto& r : log_repeats_.ended(clock_.now()))
      spdlog::warn("control port: {} more times in 10 s: {}", r.count, r.key);
    if (ec) {
      // Out of descriptors or memory: accepting again at once would fail again at once and spin the network
      // thread. Wait (10 ms, doubling to 1 s) so the stream goes on and the pending ones time out.
      ++counters_.accept_errors;
      backoff_ =
          std::min(std::chrono::milliseconds{1000}, std::max(std::chrono::milliseconds{10}, backoff_ * 2));
      if (log_repeats_.first("accept " + ec.message(), clock_.now()))
        spdlog::warn("control port: cannot accept ({}); waiting {} ms", ec.message(), backoff_.count());
      backoff_timer_.expires_after(backoff_);
      backoff_timer_.async_wait([self = shared_from_this(), this](boost::system::error_code timer_ec) {
        if (!timer_ec && !stopped_) accept();
      });
      return;
    }
    backoff_ = std::chrono::milliseconds{0};
    boost::system::error_code peer_ec;
    const std::string address = socket.remote_endpoint(peer_ec).address().to_string();
    if (counts_->total >= limits_.max_pending) {
      turn_away(socket, address, "too many connections waiting to be admitted");
    } else if (counts_->by_address.count(address) != 0 &&
               counts_->by_address[address] >= limits_.max_pending_per_address) {
      turn_away(socket, address, "too many connections from this address waiting to be admitted");
    } else {
      ++counters_.accepted;
      socket.set_option(tcp::no_delay(true), peer_ec);
      on_connection_(std::move(socket), PendingSlot(counts_, address));
    }
    accept();
  });
}

}  // namespace surgilink::session
