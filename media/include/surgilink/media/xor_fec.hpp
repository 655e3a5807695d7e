#pragma once
// Forward error correction for the video (DESIGN.md §13: FEC where a retransmission cannot come back in
// time): the sender sends one parity packet per block of K video packets, the XOR of the block (as RFC 5109
// ULPFEC level 0 and SMPTE 2022-1's FEC do), on its own SSRC and payload type. Blocks are interleaved as
// SMPTE 2022-1's columns are: in a group of K x S consecutive packets, block c holds packets c, c + S,
// c + 2S, …, so a burst of up to S lost packets costs each block one. A console that lost exactly one packet
// of a block rebuilds it from the others and the parity packet, without waiting a round trip.
// A sender that names its frames (begin_frame/end_frame) gets groups that end with a frame: the frame's
// parity follows its last packet, so a rebuilt frame is not held for the next frames' packets (a group that
// spanned frames could make a repair slower than a retransmission). A block may then be shorter than K.
//
// Parity payload (all fields network byte order):
//   0  base sequence number (16)   first protected packet; the block is base .. base + count - 1
//   2  count (8)                   K, 1 .. kMaxFecBlock
//   3  stride (8)                  S, 1 .. kMaxFecStride: the block is base, base + S, … base + (K-1)S
//   4  M|PT recovery (8)           XOR of the protected packets' second header byte
//   5  reserved (8)                0
//   6  length recovery (16)        XOR of their payload lengths
//   8  timestamp recovery (32)     XOR of their RTP timestamps
//  12  payload recovery            XOR of their payloads, each zero-padded to the longest
// Protected packets are plain RTP with a 12-byte header (no CSRC, no extension: as the packetizer makes
// them); a rebuilt packet has the media SSRC and no extension. Pure logic, one thread each.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <vector>

#include "surgilink/core/fault.hpp"
#include "surgilink/media/rtp_packet.hpp"

namespace surgilink::media {

inline constexpr std::size_t kMaxFecBlock = 48;
inline constexpr std::size_t kMaxFecStride = 16;
inline constexpr std::size_t kFecHeaderSize = 12;

// Sender side: collects blocks and makes their parity payloads.
class XorFecEncoder {
 public:
  // Packets per block and at most how many blocks are interleaved (stride); 0 packets turns FEC off. A group
  // in progress is dropped.
  void set_block(std::size_t packets, std::size_t stride = 1);
  std::size_t block() const { return block_; }
  // A frame of `packets` packets follows. A group that starts with it interleaves as many blocks as make
  // blocks of about K of its packets (1 .. the stride set), so a small frame costs no more parity than K.
  void begin_frame(std::size_t packets);
  // One plain video packet as sent; the parity payload when it completed a block. A packet that does not
  // parse, or has a CSRC or extension, ends the block unprotected.
  std::optional<std::vector<std::uint8_t>> add(std::span<const std::uint8_t> packet);
  // The frame is complete: the parity payloads of the group's unfinished blocks, when the group holds at
  // least half a block per column (a group of a few small frames' packets goes on into the next frame).
  std::vector<std::vector<std::uint8_t>> end_frame();

 private:
  std::vector<std::uint8_t> finish_column(std::size_t column, std::size_t count);

  std::size_t block_ = 0, stride_ = 1, count_ = 0;  // count_: packets of the group so far
  std::size_t group_stride_ = 1;                    // the open group's interleave (<= stride_)
  std::uint16_t base_ = 0, next_ = 0;
  std::vector<std::vector<std::uint8_t>> columns_ =
      std::vector<std::vector<std::uint8_t>>(1);  // parity so far
};

// Console side: remembers recent video packets and parity payloads; rebuilds a lost packet when its block
// is otherwise complete.
class XorFecDecoder {
 public:
  // A video packet as received (plain, any header form: only its fixed header and payload are used).
  void on_media(const RtpHeader& header, std::span<const std::uint8_t> packet);
  // A parity payload (the FEC packet's RTP payload). Refused (and nothing kept) when malformed.
  core::Result<void> on_parity(std::span<const std::uint8_t> payload);
  // Packets rebuilt since the last call, as plain RTP with `media_ssrc`; each block recovers at most once.
  std::vector<std::vector<std::uint8_t>> recover(std::uint32_t media_ssrc);

  std::uint64_t recovered() const { return recovered_; }

 private:
  struct Kept {
    bool valid = false;
    std::uint16_t sequence = 0;
    std::uint8_t marker_pt = 0;
    std::uint32_t timestamp = 0;
    std::vector<std::uint8_t> payload;
  };
  struct Parity {
    std::uint16_t base = 0;
    std::size_t count = 0, stride = 1;
    std::vector<std::uint8_t> bytes;  // the whole parity payload
  };
  static constexpr std::size_t kKept = 1024;  // ~1 s of 1080p video
  const Kept* kept(std::uint16_t sequence) const;

  std::vector<Kept> kept_ = std::vector<Kept>(kKept);
  std::deque<Parity> parity_;
  std::uint64_t recovered_ = 0;
};

}  // namespace surgilink::media
