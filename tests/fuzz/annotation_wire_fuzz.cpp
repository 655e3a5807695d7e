// libFuzzer target: the annotation wire form (annotation/wire.hpp) through the sender's SceneAuthority and a
// console's SceneReplica. Input: records of one selector byte, a 16-bit length and that many bytes:
//   selector % 4 == 0  a proposal from console m1 or m2 (both may draw) or o1 (may not), by selector / 4 % 3,
//                      applied by the authority; an accepted one goes to a mirror console (scene_checks.hpp)
//   selector % 4 == 1  the surgeon clears everything
//   selector % 4 == 2  time passes (selector / 4 times 100 ms): annotations expire on both sides
//   selector % 4 == 3  a sequenced operation (selector / 4 even) or a scene snapshot (odd) as a console
//                      receives it, applied to a second console that may diverge but must not crash
// Every decoded message must encode and decode to itself; the scene stays within its limits; the mirror
// console's scene always equals the sender's.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "scene_checks.hpp"
#include "surgilink/annotation/wire.hpp"

namespace {

using namespace surgilink::annotation;
using surgilink::core::CaptureTime;

const Author kAuthors[] = {{"m1", true, false}, {"m2", true, false}, {"o1", false, false}};
const Author kSurgeon{"or", false, true};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const AnnotationLimits limits = surgilink::fuzz::small_annotation_limits();
  SceneAuthority authority(limits);
  surgilink::fuzz::SceneMirror mirror;
  SceneReplica wild("m1");  // fed whatever arrives, as a console under attack or after a sender bug
  CaptureTime now = CaptureTime{} + std::chrono::hours(1);

  surgilink::fuzz::FuzzInput input(data, size);
  while (!input.empty()) {
    const std::uint8_t selector = input.byte();
    const auto bytes = input.record();
    now += std::chrono::milliseconds(5);
    switch (selector % 4) {
      case 0: {
        auto proposal = decode_proposal(bytes);
        if (!proposal) break;
        auto again = decode_proposal(encode_proposal(proposal.value()));
        SURGILINK_FUZZ_CHECK(again && again.value() == proposal.value());
        wild.propose(proposal.value(), now);  // the console's local echo
        auto applied = authority.apply(kAuthors[selector / 4 % 3], proposal.value(), now);
        if (applied) mirror.accepted(applied.value(), *authority.snapshot());
        if (!applied) SURGILINK_FUZZ_CHECK(!applied.error().reason.empty());
        break;
      }
      case 1: {
        auto applied = authority.apply(kSurgeon, Clear{ClearScope::kAll}, now);
        SURGILINK_FUZZ_CHECK(applied || applied.error().fault == surgilink::core::Fault::kRateLimited);
        if (applied) mirror.accepted(applied.value(), *authority.snapshot());
        break;
      }
      case 2:
        now += std::chrono::milliseconds(100) * (selector / 4);
        authority.expire(now);
        mirror.expired(now, *authority.snapshot());
        wild.expire(now);
        break;
      default:
        if (selector / 4 % 2 == 0) {
          auto op = decode_operation(bytes);
          if (!op) break;
          auto again = decode_operation(encode(op.value()));
          SURGILINK_FUZZ_CHECK(again && again.value() == op.value());
          (void)wild.apply(op.value());
        } else {
          auto scene = decode_scene(bytes);
          if (!scene) break;
          auto again = decode_scene(encode_scene(scene.value()));
          SURGILINK_FUZZ_CHECK(again && again.value() == scene.value());
          wild.reset(std::move(scene).value());
        }
        break;
    }
    surgilink::fuzz::check_scene_within(*authority.snapshot(), limits);
  }
  surgilink::fuzz::SceneMirror::check_snapshot(*authority.snapshot());
  return 0;
}
