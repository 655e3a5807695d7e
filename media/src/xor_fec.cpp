#include "surgilink/media/xor_fec.hpp"

#include <algorithm>
#include <utility>

#include "network_bytes.hpp"

namespace surgilink::media {

namespace {

using core::Fault;

using wire::read16;
using wire::read32;
using wire::write16;

void xor16(std::uint8_t* p, std::uint16_t v) {
  p[0] ^= static_cast<std::uint8_t>(v >> 8);
  p[1] ^= static_cast<std::uint8_t>(v);
}
void xor32(std::uint8_t* p, std::uint32_t v) {
  xor16(p, static_cast<std::uint16_t>(v >> 16));
  xor16(p + 2, static_cast<std::uint16_t>(v));
}
// Folds one packet (its second header byte, payload length, timestamp and payload) into `parity`.
void fold(std::vector<std::uint8_t>& parity, std::uint8_t marker_pt, std::uint32_t timestamp,
          std::span<const std::uint8_t> payload) {
  if (parity.size() < kFecHeaderSize + payload.size()) parity.resize(kFecHeaderSize + payload.size(), 0);
  parity[4] ^= marker_pt;
  xor16(parity.data() + 6, static_cast<std::uint16_t>(payload.size()));
  xor32(parity.data() + 8, timestamp);
  for (std::size_t i = 0; i < payload.size(); ++i) parity[kFecHeaderSize + i] ^= payload[i];
}

}  // namespace

void XorFecEncoder::set_block(std::size_t packets, std::size_t stride) {
  block_ = std::min(packets, kMaxFecBlock);
  stride_ = std::clamp<std::size_t>(stride, 1, kMaxFecStride);
  group_stride_ = stride_;
  count_ = 0;
  columns_.assign(stride_, {});
}

void XorFecEncoder::begin_frame(std::size_t packets) {
  if (block_ == 0 || count_ > 0) return;  // an open group keeps its interleave
  group_stride_ = std::clamp<std::size_t>((packets + block_ - 1) / block_, 1, stride_);
}

std::vector<std::uint8_t> XorFecEncoder::finish_column(std::size_t column, std::size_t count) {
  std::vector<std::uint8_t> parity = std::exchange(columns_[column], {});
  write16(parity.data(), static_cast<std::uint16_t>(base_ + column));
  parity[2] = static_cast<std::uint8_t>(count);
  parity[3] = static_cast<std::uint8_t>(group_stride_);
  return parity;
}

std::optional<std::vector<std::uint8_t>> XorFecEncoder::add(std::span<const std::uint8_t> packet) {
  if (block_ == 0) return std::nullopt;
  const auto header = parse_rtp(packet);
  if (!header || header.value().payload_offset != kRtpFixedHeaderSize) {
    // Not a form the parity can describe: the group ends unprotected, the next starts after it.
    count_ = 0;
    return std::nullopt;
  }
  const auto& h = header.value();
  if (count_ > 0 && h.sequence != next_) count_ = 0;  // a gap in what was handed over: a new group here
  // A group is block x stride consecutive packets; packet i of it belongs to block (column) i mod stride.
  if (count_ == 0) {
    base_ = h.sequence;
    for (auto& column : columns_) column.assign(kFecHeaderSize, 0);
  }
  const std::size_t column = count_ % group_stride_;
  fold(columns_[column], packet[1], h.timestamp, packet.subspan(h.payload_offset, h.payload_size));
  next_ = static_cast<std::uint16_t>(h.sequence + 1);
  ++count_;
  // A column is complete with its last packet, in the group's last row: its parity goes at once.
  if (count_ <= (block_ - 1) * group_stride_) return std::nullopt;
  auto parity = finish_column(column, block_);
  if (count_ == block_ * group_stride_) count_ = 0;
  return parity;
}

std::vector<std::vector<std::uint8_t>> XorFecEncoder::end_frame() {
  std::vector<std::vector<std::uint8_t>> parities;
  if (block_ == 0 || count_ == 0 || count_ < group_stride_ * ((block_ + 1) / 2)) return parities;
  // Columns whose last row the group never reached; a column already sent (last row) is not sent again.
  const std::size_t full_rows = count_ / group_stride_;
  for (std::size_t column = 0; column < group_stride_ && column < count_; ++column) {
    const std::size_t packets = full_rows + (column < count_ % group_stride_ ? 1 : 0);
    if (packets == 0 || packets >= block_) continue;
    parities.push_back(finish_column(column, packets));
  }
  count_ = 0;
  return parities;
}

const XorFecDecoder::Kept* XorFecDecoder::kept(std::uint16_t sequence) const {
  const Kept& k = kept_[sequence % kKept];
  return k.valid && k.sequence == sequence ? &k : nullptr;
}

void XorFecDecoder::on_media(const RtpHeader& header, std::span<const std::uint8_t> packet) {
  if (header.payload_offset + header.payload_size > packet.size() || packet.size() < 2) return;
  Kept& k = kept_[header.sequence % kKept];
  k.valid = true;
  k.sequence = header.sequence;
  k.marker_pt = packet[1];
  k.timestamp = header.timestamp;
  const auto payload = packet.subspan(header.payload_offset, header.payload_size);
  k.payload.assign(payload.begin(), payload.end());
}

core::Result<void> XorFecDecoder::on_parity(std::span<const std::uint8_t> payload) {
  if (payload.size() < kFecHeaderSize) return Fault::kTruncated;
  const std::size_t count = payload[2], stride = payload[3];
  if (count == 0 || count > kMaxFecBlock || stride == 0 || stride > kMaxFecStride || payload[5] != 0)
    return Fault::kMalformed;
  parity_.push_back(
      {read16(payload.data()), count, stride, std::vector<std::uint8_t>(payload.begin(), payload.end())});
  // A block is only rebuilt while its packets are kept; older parity is no use.
  while (parity_.size() > 64) parity_.pop_front();
  return core::Result<void>(boost::outcome_v2::success());
}

std::vector<std::vector<std::uint8_t>> XorFecDecoder::recover(std::uint32_t media_ssrc) {
  std::vector<std::vector<std::uint8_t>> rebuilt;
  for (auto it = parity_.begin(); it != parity_.end();) {
    std::optional<std::uint16_t> missing;
    std::size_t absent = 0;
    for (std::size_t i = 0; i < it->count; ++i) {
      const auto sequence = static_cast<std::uint16_t>(it->base + i * it->stride);
      if (kept(sequence) == nullptr) {
        ++absent;
        missing = sequence;
      }
    }
    if (absent == 0) {
      it = parity_.erase(it);  // nothing to rebuild, ever
      continue;
    }
    if (absent > 1) {
      ++it;  // perhaps later: a retransmission may fill one of the gaps
      continue;
    }
    std::vector<std::uint8_t> sum = it->bytes;
    for (std::size_t i = 0; i < it->count; ++i) {
      const auto sequence = static_cast<std::uint16_t>(it->base + i * it->stride);
      if (sequence == *missing) continue;
      const Kept* k = kept(sequence);
      fold(sum, k->marker_pt, k->timestamp, k->payload);
    }
    const std::size_t length = read16(sum.data() + 6);
    it = parity_.erase(it);
    if (length > sum.size() - kFecHeaderSize) continue;  // the parity does not add up: damaged, not rebuilt
    std::vector<std::uint8_t> packet(kRtpFixedHeaderSize + length);
    RtpHeader header;
    header.marker = (sum[4] & 0x80) != 0;
    header.payload_type = static_cast<std::uint8_t>(sum[4] & 0x7f);
    header.sequence = *missing;
    header.timestamp = read32(sum.data() + 8);
    header.ssrc = media_ssrc;
    write_rtp_header(packet, header);
    std::copy_n(sum.begin() + kFecHeaderSize, length, packet.begin() + kRtpFixedHeaderSize);
    ++recovered_;
    rebuilt.push_back(std::move(packet));
  }
  return rebuilt;
}

}  // namespace surgilink::media
