// libFuzzer target: control frames from consoles driving the sender's rules (session/session_authority.hpp)
// as the sender's message handling does (session/src/sender_messages.cpp), without sockets or TLS.
//
// Input: length-prefixed frames (control_framing.hpp). A frame's first byte chooses a console and an event,
// the rest is the Envelope (control.proto) that console sends:
//   byte % 8   the console: 0-2 mentors A, B, C; 3-4 observers D, E; 5 a certificate not in the access list;
//              6 and 7 second devices with the certificates of A and D (a laptop that changed network)
//   byte / 8   before the envelope: 0-15 nothing; 16 the console's link is lost; 17 it opens a new
//              connection (the old one stays open until replaced or ended); 18 connections being closed end;
//              19 the surgeon revokes the pen; 20 grants it; 21 hides the annotations; 22 shows them;
//              23 clears them; 24 the recording's state becomes (console bit 0: consent, bit 1: recording);
//              25 the access list is reloaded (console % 3: as before; A an observer and E removed; empty);
//              26 one second passes; 27 the pen's resume time and a second pass; 28 annotations expire
// Each frame also moves the clock 10 ms. A connection's first message must be a hello (protocol version and
// media port from the fuzzer); later ones may carry annotation proposals, vitals flags or a goodbye.
//
// After every step: the roster holds at most max_consoles people, one connection per certificate, each with
// the role the access list gives; the pen is held by a mentor in the roster, and by someone whenever a
// mentor is present and nothing holds it back (revoked, waiting for a lost mentor); flags need a mentor;
// the annotation scene stays within its limits and a console that saw every accepted operation has it too.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <google/protobuf/stubs/logging.h>

#include "control_messages.hpp"
#include "fuzz_support.hpp"
#include "scene_checks.hpp"
#include "surgilink/annotation/wire.hpp"
#include "surgilink/session/control_framing.hpp"
#include "surgilink/session/session_authority.hpp"

namespace {

using namespace surgilink::session;
using surgilink::core::CaptureTime;

// Identities 0-4 are A, B, C, D, E; 5 is a stranger.
constexpr int kSlotIdentity[8] = {0, 1, 2, 3, 4, 5, 0, 3};

std::string fingerprint_of(int identity) {
  return "sha256:" + std::string(64, static_cast<char>('a' + identity));
}

std::shared_ptr<const AccessList> access_list(int variant) {
  auto list = std::make_shared<AccessList>();
  if (variant == 2) return list;  // everybody removed
  list->add(fingerprint_of(0), {"Dr A", variant == 1 ? Role::kObserver : Role::kMentor});
  list->add(fingerprint_of(1), {"Dr B", Role::kMentor});
  list->add(fingerprint_of(2), {"Dr C", Role::kMentor});
  list->add(fingerprint_of(3), {"Student D", Role::kObserver});
  if (variant == 0) list->add(fingerprint_of(4), {"Student E", Role::kObserver});
  return list;
}

// One TCP+TLS connection from a console, as the sender's ConsoleConnection tracks it.
struct Connection {
  ConsoleId id = 0;
  int identity = 0;
  bool admitted = false;
  bool closing = false;  // the sender closed it; it ends (and departs) later
  Departure how = Departure::kLinkLost;
};

class SenderModel {
 public:
  SenderModel() : authority_(rules(), access_list(0)), access_(access_list(0)) {}

  void step(int slot, int event, std::span<const std::uint8_t> envelope_bytes) {
    now_ += std::chrono::milliseconds(10);
    AuthorityEffects effects;
    switch (event) {
      case 16:
        if (Connection* c = open(slot)) end(c->id, Departure::kLinkLost, effects);
        break;
      case 17:
        slot_connection_[slot] = 0;
        break;
      case 18: {
        std::vector<ConsoleId> ending;
        for (const Connection& c : connections_) {
          if (c.closing) ending.push_back(c.id);
        }
        for (const ConsoleId id : ending) end(id, connection(id)->how, effects);
        break;
      }
      case 19:
        authority_.revoke_pen("fuzz key", effects);
        break;
      case 20:
        authority_.grant_pen("fuzz key", effects);
        break;
      case 21:
        authority_.set_annotations_hidden(true, "fuzz key", effects);
        break;
      case 22:
        authority_.set_annotations_hidden(false, "fuzz key", effects);
        break;
      case 23:
        authority_.clear_annotations("fuzz key", now_, effects);
        break;
      case 24:
        authority_.set_recording_state((slot & 1) != 0, (slot & 2) != 0, "fuzz key", "", effects);
        break;
      case 25:
        access_ = access_list(slot % 3);
        authority_.replace_access_list(access_, effects);
        close_all(effects, Departure::kRemoved);
        break;
      case 26:
        now_ += std::chrono::seconds(1);
        authority_.tick(now_, effects);
        break;
      case 27:
        now_ += authority_.rules().resume + std::chrono::seconds(1);
        authority_.tick(now_, effects);
        break;
      case 28:
        now_ += std::chrono::seconds(2);
        authority_.expire_annotations(now_);
        mirror_.expired(now_, *authority_.annotation_scene());
        break;
      default:
        break;
    }
    close_all(effects, Departure::kReplaced);
    accept(effects);
    if (!envelope_bytes.empty()) receive(slot, envelope_bytes);
    check();
  }

  // A console joining now receives the scene snapshot.
  void finish() const { surgilink::fuzz::SceneMirror::check_snapshot(*authority_.annotation_scene()); }

 private:
  static SessionRules rules() {
    SessionRules r;
    r.max_consoles = 4;
    r.resume = std::chrono::seconds(20);
    r.annotation_limits = surgilink::fuzz::small_annotation_limits();
    return r;
  }

  Connection* connection(ConsoleId id) {
    const auto it = std::find_if(connections_.begin(), connections_.end(),
                                 [id](const Connection& c) { return c.id == id; });
    return it == connections_.end() ? nullptr : &*it;
  }
  // The slot's current connection, or nullptr.
  Connection* open(int slot) { return slot_connection_[slot] ? connection(slot_connection_[slot]) : nullptr; }

  // The connection ended: its console departs (on_ended).
  void end(ConsoleId id, Departure how, AuthorityEffects& effects) {
    const Connection* c = connection(id);
    if (c == nullptr) return;
    if (c->admitted) authority_.depart(id, how, "fuzz", now_, effects);
    std::erase_if(connections_, [id](const Connection& k) { return k.id == id; });
  }
  // The sender closes what effects.close lists; the connections end at a later step (event 18).
  void close_all(AuthorityEffects& effects, Departure how) {
    for (const ConsoleId id : effects.close) {
      if (Connection* c = connection(id); c != nullptr && !c->closing) {
        c->closing = true;
        c->how = how;
      }
    }
    effects.close.clear();
  }
  void accept(const AuthorityEffects& effects) {
    for (const auto& op : effects.operations) mirror_.accepted(op, *authority_.annotation_scene());
    for (const AuditEvent& event : effects.audit) SURGILINK_FUZZ_CHECK(!event.event.empty());
  }

  void receive(int slot, std::span<const std::uint8_t> bytes) {
    if (open(slot) == nullptr) {
      connections_.push_back({next_id_, kSlotIdentity[slot]});
      slot_connection_[slot] = next_id_++;
    }
    Connection* c = open(slot);
    if (c->closing) return;  // a closed connection reads no more
    const ConsoleId id = c->id;
    AuthorityEffects effects;
    pb::Envelope e;
    if (!e.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      // on_malformed: the connection is closed and ends as a lost link.
      end(id, Departure::kLinkLost, effects);
    } else if (!c->admitted) {
      if (!e.has_hello()) {
        end(id, Departure::kGoodbye, effects);  // refused
      } else {
        const int identity = c->identity;
        const AdmissionRequest request{fingerprint_of(identity), "fuzz console " + std::to_string(identity),
                                       e.hello().protocol_version(), e.hello().media_port(),
                                       "192.0.2.1:" + std::to_string(id)};
        auto decision = authority_.admit(id, request, now_, effects);
        if (std::holds_alternative<Admitted>(decision)) {
          connection(id)->admitted = true;
          SURGILINK_FUZZ_CHECK(identity != 5);
        } else {
          SURGILINK_FUZZ_CHECK(!std::get<Refused>(decision).reason.empty());
          end(id, Departure::kGoodbye, effects);
        }
      }
    } else if (e.has_annotation_proposal()) {
      const auto& proposal = e.annotation_proposal();
      auto op = surgilink::annotation::decode_proposal(bytes_of(proposal));
      if (op) (void)authority_.propose(id, op.value(), now_, effects);
    } else if (e.has_vitals_flag()) {
      (void)authority_.flag_vital(id, from_wire(e.vitals_flag().row()), e.vitals_flag().flagged(), effects);
    } else if (e.has_goodbye()) {
      end(id, Departure::kGoodbye, effects);
    }
    close_all(effects, Departure::kReplaced);
    accept(effects);
  }

  void check() const {
    const auto& roster = authority_.roster();
    const OrControlState controls = authority_.controls();
    SURGILINK_FUZZ_CHECK(roster.size() <= authority_.rules().max_consoles);
    bool mentor_present = false;
    int holders = 0;
    for (std::size_t i = 0; i < roster.size(); ++i) {
      const Member& m = roster[i];
      for (std::size_t j = 0; j < i; ++j) SURGILINK_FUZZ_CHECK(roster[j].fingerprint != m.fingerprint);
      const auto it = std::find_if(connections_.begin(), connections_.end(),
                                   [&m](const Connection& c) { return c.id == m.id; });
      SURGILINK_FUZZ_CHECK(it != connections_.end() && it->admitted);
      const auto entry = access_->find(m.fingerprint);
      // Someone the reloaded list removed or changed is being closed and still listed until the link ends.
      SURGILINK_FUZZ_CHECK(it->closing || (entry && entry->role == m.role && entry->name == m.name));
      if (m.role == Role::kMentor) mentor_present = true;
      if (!controls.pen_holder.empty() && m.name == controls.pen_holder &&
          m.author == controls.pen_holder_author) {
        SURGILINK_FUZZ_CHECK(m.role == Role::kMentor);
        ++holders;
      }
    }
    for (const Connection& c : connections_) {
      if (c.admitted && !c.closing) SURGILINK_FUZZ_CHECK(authority_.member(c.id) != nullptr);
    }
    SURGILINK_FUZZ_CHECK(controls.pen_holder.empty() ? holders == 0 : holders == 1);
    if (mentor_present && !controls.pen_revoked && controls.pen_waits_for.empty())
      SURGILINK_FUZZ_CHECK(!controls.pen_holder.empty());
    if (!controls.flagged_vitals.empty())
      SURGILINK_FUZZ_CHECK(mentor_present || !controls.pen_waits_for.empty());
    surgilink::fuzz::check_scene_within(*authority_.annotation_scene(), authority_.rules().annotation_limits);
  }

  SessionAuthority authority_;
  std::shared_ptr<const AccessList> access_;
  std::vector<Connection> connections_;
  ConsoleId slot_connection_[8] = {};
  ConsoleId next_id_ = 1;
  CaptureTime now_ = CaptureTime{} + std::chrono::hours(1);
  surgilink::fuzz::SceneMirror mirror_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Protocol Buffers logs every string field that is not UTF-8; the fuzzer makes plenty.
  static const bool quiet = [] {
    google::protobuf::SetLogHandler(nullptr);
    return true;
  }();
  (void)quiet;
  ControlFrameReader reader;
  reader.feed({data, size});
  SenderModel sender;
  while (true) {
    auto frame = reader.next();
    if (!frame || !frame.value()) break;
    const std::vector<std::uint8_t>& body = *frame.value();
    if (body.empty()) continue;
    sender.step(body[0] % 8, body[0] / 8, std::span<const std::uint8_t>(body).subspan(1));
  }
  sender.finish();
  return 0;
}
