#include "surgilink/annotation/wire.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "golden_bytes.hpp"
#include "test_scenes.hpp"

namespace surgilink::annotation {
namespace {

using Bytes = std::vector<std::uint8_t>;
using core::Fault;
using std::chrono::milliseconds;
using testing::kStart;

std::string golden_path(const std::string& name) {
  return std::string(SURGILINK_TEST_DATA) + "/annotation/" + name;
}

// The sequenced operation in operation_begin_stroke_v1.hex.
SequencedOperation golden_begin() {
  Annotation a;
  a.id = "m1-3";
  a.author = "m1";
  a.kind = AnnotationKind::kStroke;
  a.points = {{0.25F, 0.5F}, {0.75F, 0.125F}};
  a.colour_rgba = 0xFFD800FF;
  a.width = 0.0078125F;
  a.created_at = kStart + milliseconds{250};
  a.reference_capture = kStart + milliseconds{70};
  return SequencedOperation{7, "m1", kStart + milliseconds{250}, Begin{a}};
}

// The proposal in proposal_extend_v1.hex.
AnnotationOperation golden_extend() { return Extend{"m1-3", {{0.5F, 0.5F}, {1.0F, 0.0F}}}; }

// The scene in scene_v1.hex: a label with a time to live and a committed arrow.
Scene golden_scene() {
  Annotation label;
  label.id = "m1-4";
  label.author = "m1";
  label.kind = AnnotationKind::kLabel;
  label.points = {{0.5F, 0.25F}};
  label.colour_rgba = 0xFFFFFFFF;
  label.width = 0.00390625F;
  label.text = "bleeder";
  label.created_at = kStart + milliseconds{500};
  label.reference_capture = kStart + milliseconds{320};
  label.time_to_live = std::chrono::seconds{30};
  label.committed = true;
  Annotation arrow;
  arrow.id = "m2-1";
  arrow.author = "m2";
  arrow.kind = AnnotationKind::kArrow;
  arrow.points = {{0.125F, 0.875F}, {0.375F, 0.625F}};
  arrow.colour_rgba = 0x00FF00FF;
  arrow.width = 0.0078125F;
  arrow.created_at = kStart + milliseconds{600};
  arrow.reference_capture = kStart + milliseconds{400};
  arrow.committed = true;
  return Scene{12, {std::make_shared<const Annotation>(label), std::make_shared<const Annotation>(arrow)}};
}

TEST(AnnotationWireTest, SequencedBeginMatchesGoldenBytesBothWays) {
  const Bytes golden = surgilink::testing::read_hex_file(golden_path("operation_begin_stroke_v1.hex"));
  ASSERT_FALSE(golden.empty());
  const Bytes encoded = encode(golden_begin());
  EXPECT_EQ(encoded, golden) << surgilink::testing::to_hex_lines(encoded);
  const auto decoded = decode_operation(golden);
  ASSERT_TRUE(decoded.has_value()) << decoded.error().reason;
  EXPECT_EQ(decoded.value(), golden_begin());
}

TEST(AnnotationWireTest, ProposalMatchesGoldenBytesBothWays) {
  const Bytes golden = surgilink::testing::read_hex_file(golden_path("proposal_extend_v1.hex"));
  ASSERT_FALSE(golden.empty());
  const Bytes encoded = encode_proposal(golden_extend());
  EXPECT_EQ(encoded, golden) << surgilink::testing::to_hex_lines(encoded);
  const auto decoded = decode_proposal(golden);
  ASSERT_TRUE(decoded.has_value()) << decoded.error().reason;
  EXPECT_EQ(decoded.value(), golden_extend());
}

TEST(AnnotationWireTest, SceneMatchesGoldenBytesBothWays) {
  const Bytes golden = surgilink::testing::read_hex_file(golden_path("scene_v1.hex"));
  ASSERT_FALSE(golden.empty());
  const Bytes encoded = encode_scene(golden_scene());
  EXPECT_EQ(encoded, golden) << surgilink::testing::to_hex_lines(encoded);
  const auto decoded = decode_scene(golden);
  ASSERT_TRUE(decoded.has_value()) << decoded.error().reason;
  EXPECT_EQ(decoded.value(), golden_scene());
}

TEST(AnnotationWireTest, EveryOperationRoundTrips) {
  const std::vector<AnnotationOperation> ops{
      std::get<Begin>(golden_begin().op),
      Extend{"m1-3", {{0.0F, 1.0F}}},
      Commit{"m1-3"},
      Delete{"m1-3"},
      Undo{},
      Clear{ClearScope::kMine},
      Clear{ClearScope::kAll},
      Pointer{{0.3F, 0.7F}, 0x12345678, kStart + milliseconds{3}},
  };
  std::uint64_t sequence = 1;
  for (const auto& op : ops) {
    const SequencedOperation sequenced{sequence++, "or", kStart, op};
    const auto back = decode_operation(encode(sequenced));
    ASSERT_TRUE(back.has_value()) << describe(op) << ": " << back.error().reason;
    EXPECT_EQ(back.value(), sequenced) << describe(op);
    const auto proposal = decode_proposal(encode_proposal(op));
    ASSERT_TRUE(proposal.has_value()) << describe(op) << ": " << proposal.error().reason;
    EXPECT_EQ(proposal.value(), op) << describe(op);
  }
}

TEST(AnnotationWireTest, FullSizeStrokeFitsAnOperationAndAFullSceneFitsASnapshot) {
  Annotation big = testing::stroke("m1-1", std::vector<NormalisedPoint>(4096, {0.123F, 0.456F}));
  big.author = "m1";
  const Bytes op = encode(SequencedOperation{1, "m1", kStart, Begin{big}});
  EXPECT_LE(op.size(), kMaxOperationBytes);
  EXPECT_TRUE(decode_operation(op).has_value());
  Scene full;
  for (int i = 0; i < 200; ++i) {
    big.id = "m1-" + std::to_string(i);
    full.annotations.push_back(std::make_shared<const Annotation>(big));
  }
  const Bytes snapshot = encode_scene(full);
  EXPECT_LE(snapshot.size(), kMaxSceneBytes);
  const auto back = decode_scene(snapshot);
  ASSERT_TRUE(back.has_value()) << back.error().reason;
  EXPECT_EQ(back.value(), full);
}

// ---- hand-made bytes for what our own encoder never writes ----

// Writes protobuf fields by hand (wire types 0, 2 and 5).
class ProtoWriter {
 public:
  ProtoWriter& varint(int field, std::uint64_t value) {
    key(field, 0);
    put_varint(value);
    return *this;
  }
  ProtoWriter& bytes(int field, const Bytes& value) {
    key(field, 2);
    put_varint(value.size());
    out_.insert(out_.end(), value.begin(), value.end());
    return *this;
  }
  ProtoWriter& text(int field, const std::string& value) {
    return bytes(field, Bytes(value.begin(), value.end()));
  }
  ProtoWriter& floats(int field, const std::vector<float>& values) {
    Bytes packed;
    for (const float f : values) {
      const auto bits = std::bit_cast<std::uint32_t>(f);
      for (int i = 0; i < 4; ++i) packed.push_back(static_cast<std::uint8_t>(bits >> (8 * i)));
    }
    return bytes(field, packed);
  }
  Bytes done() const { return out_; }

 private:
  void key(int field, int wire_type) { put_varint(static_cast<std::uint64_t>(field) << 3 | wire_type); }
  void put_varint(std::uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<std::uint8_t>(v | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<std::uint8_t>(v));
  }
  Bytes out_;
};

// A sequenced operation around a hand-made Operation message.
Bytes sequenced(const Bytes& operation, std::uint32_t version = 1) {
  return ProtoWriter().varint(1, version).varint(2, 1).text(3, "m1").bytes(5, operation).done();
}

// Operation{begin{draft{...}}} with the given draft fields.
Bytes begin_with(const Bytes& draft) {
  return ProtoWriter().bytes(1, ProtoWriter().bytes(1, draft).done()).done();
}

Bytes stroke_draft(std::vector<float> xy, int kind = 1) {
  return ProtoWriter()
      .text(1, "m1-1")
      .text(2, "m1")
      .varint(3, static_cast<std::uint64_t>(kind))
      .floats(4, xy)
      .done();
}

void expect_refused(const Checked<SequencedOperation>& r, Fault fault, const std::string& reason_part) {
  ASSERT_TRUE(r.has_error()) << "accepted";
  EXPECT_EQ(r.error().fault, fault) << r.error().reason;
  EXPECT_NE(r.error().reason.find(reason_part), std::string::npos) << r.error().reason;
}

TEST(AnnotationWireTest, HandMadeValidMessageDecodes) {
  // Guards the hand-made encoder itself: the same bytes with sane values are accepted.
  const auto r = decode_operation(sequenced(begin_with(stroke_draft({0.5F, 0.5F}))));
  ASSERT_TRUE(r.has_value()) << r.error().reason;
  EXPECT_EQ(std::get<Begin>(r.value().op).draft.points, (std::vector<NormalisedPoint>{{0.5F, 0.5F}}));
}

TEST(AnnotationWireTest, RefusesUnknownKind) {
  expect_refused(decode_operation(sequenced(begin_with(stroke_draft({0.5F, 0.5F}, 9)))), Fault::kMalformed,
                 "kind 9");
  expect_refused(decode_operation(sequenced(begin_with(stroke_draft({0.5F, 0.5F}, 0)))), Fault::kMalformed,
                 "kind 0");
}

TEST(AnnotationWireTest, RefusesOtherVersions) {
  const Bytes op = begin_with(stroke_draft({0.5F, 0.5F}));
  expect_refused(decode_operation(sequenced(op, 2)), Fault::kUnsupportedVersion, "version 2");
  expect_refused(decode_operation(sequenced(op, 0)), Fault::kUnsupportedVersion, "version 0");
  const auto proposal = decode_proposal(ProtoWriter().varint(1, 3).bytes(2, op).done());
  ASSERT_TRUE(proposal.has_error());
  EXPECT_EQ(proposal.error().fault, Fault::kUnsupportedVersion);
}

TEST(AnnotationWireTest, RefusesPointsThatAreNotOnTheFrame) {
  constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
  constexpr float kInf = std::numeric_limits<float>::infinity();
  for (const std::vector<float>& xy : std::vector<std::vector<float>>{
           {kNaN, 0.5F}, {0.5F, kInf}, {-kInf, 0.5F}, {1.5F, 0.5F}, {0.5F, -0.001F}}) {
    expect_refused(decode_operation(sequenced(begin_with(stroke_draft(xy)))), Fault::kMalformed,
                   "not on the frame");
    const Bytes extend = ProtoWriter().bytes(2, ProtoWriter().text(1, "m1-1").floats(2, xy).done()).done();
    expect_refused(decode_operation(sequenced(extend)), Fault::kMalformed, "not on the frame");
  }
  expect_refused(decode_operation(sequenced(begin_with(stroke_draft({0.5F, 0.5F, 0.5F})))), Fault::kMalformed,
                 "pairs");
}

TEST(AnnotationWireTest, RefusesMissingOrUnknownOperations) {
  expect_refused(decode_operation(sequenced({})), Fault::kMalformed, "no operation");
  // Field 15 of Operation: an operation from a later schema this side does not know.
  expect_refused(decode_operation(sequenced(ProtoWriter().bytes(15, {}).done())), Fault::kMalformed,
                 "no operation");
  const Bytes clear_unknown_scope = ProtoWriter().bytes(6, ProtoWriter().varint(1, 7).done()).done();
  expect_refused(decode_operation(sequenced(clear_unknown_scope)), Fault::kMalformed, "scope 7");
}

TEST(AnnotationWireTest, RefusesOversizeAndGarbage) {
  const Bytes oversize(kMaxOperationBytes + 1, 0);
  expect_refused(decode_operation(oversize), Fault::kTooLarge, "limit");
  expect_refused(decode_operation(Bytes(64, 0xFF)), Fault::kMalformed, "does not parse");
  const Bytes long_id = ProtoWriter().bytes(3, ProtoWriter().text(1, std::string(2000, 'a')).done()).done();
  expect_refused(decode_operation(sequenced(long_id)), Fault::kTooLarge, "commit id");
  const auto scene = decode_scene(Bytes(kMaxSceneBytes + 1, 0));
  ASSERT_TRUE(scene.has_error());
  EXPECT_EQ(scene.error().fault, Fault::kTooLarge);
}

TEST(AnnotationWireTest, RefusesSceneWithDuplicateIds) {
  Scene twice = golden_scene();
  twice.annotations.push_back(twice.annotations.front());
  const auto r = decode_scene(encode_scene(twice));
  ASSERT_TRUE(r.has_error());
  EXPECT_NE(r.error().reason.find("duplicate"), std::string::npos) << r.error().reason;
}

// Every prefix and every single-byte corruption of valid messages decodes to a value or a refusal with a
// reason: never a crash (run it under the asan preset too), never a point off the frame.
TEST(AnnotationWireTest, TruncatedAndCorruptedMessagesNeverCrash) {
  const std::vector<Bytes> messages{encode(golden_begin()), encode_proposal(golden_extend()),
                                    encode_scene(golden_scene())};
  int refused = 0;
  int decoded = 0;
  const auto check = [&](const Bytes& bytes) {
    const auto op = decode_operation(bytes);
    const auto proposal = decode_proposal(bytes);
    const auto scene = decode_scene(bytes);
    for (const Refusal* r :
         {op.has_error() ? &op.error() : nullptr, proposal.has_error() ? &proposal.error() : nullptr,
          scene.has_error() ? &scene.error() : nullptr}) {
      if (r == nullptr) {
        ++decoded;
        continue;
      }
      ++refused;
      EXPECT_FALSE(r->reason.empty());
    }
    if (scene.has_value()) {
      for (const auto& a : scene.value().annotations) {
        for (const auto& p : a->points) EXPECT_TRUE(is_on_frame(p));
      }
    }
  };
  for (const Bytes& message : messages) {
    for (std::size_t length = 0; length < message.size(); ++length) {
      check(Bytes(message.begin(), message.begin() + static_cast<std::ptrdiff_t>(length)));
    }
    for (std::size_t i = 0; i < message.size(); ++i) {
      for (const std::uint8_t flip : {std::uint8_t{0xFF}, std::uint8_t{0x80}, std::uint8_t{0x01}}) {
        Bytes corrupted = message;
        corrupted[i] ^= flip;
        check(corrupted);
      }
    }
  }
  // The loop must have exercised both outcomes, or it proves nothing.
  EXPECT_GT(refused, 100);
  EXPECT_GT(decoded, 10);
}

}  // namespace
}  // namespace surgilink::annotation
