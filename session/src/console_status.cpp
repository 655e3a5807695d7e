// A console session's figures: the live status (read without side effects) and the whole-run report.
#include <cstdio>

#include "console_parts.hpp"
#include "surgilink/core/safe_text.hpp"

namespace surgilink::session {

ConsoleStatus ConsoleSession::Parts::status() {
  ConsoleStatus s;
  const core::CaptureTime now = clock.now();
  s.state = state;
  s.detail = detail;
  s.reconnect_attempt = reconnect_attempt;
  if (welcome) {
    s.display_name = core::safe_text(welcome->display_name(), 128);
    s.role = from_wire(welcome->role());
    s.site_name = core::safe_text(welcome->site_name(), 128);
    s.case_pseudonym = core::safe_text(welcome->case_pseudonym(), 128);
  }
  s.g2g_10s = tracker.g2g_10s(now);
  s.pixel_10s = tracker.pixel_10s(now);
  s.stages_10s = tracker.stages_10s(now);
  s.g2g_last_ms = tracker.g2g_last_ms();
  s.picture_age_ms = tracker.picture_age_ms(now);
  // DESIGN.md §4: no frame for 1 s is "link lost", even while the control channel still looks fine.
  const auto last = tracker.last_decoded_at();
  // A privacy pause is no picture on purpose, not a lost link.
  const bool paused = welcome && or_controls.privacy_paused();
  const bool resuming = resumed_at && now - *resumed_at <= kResumeGrace;
  s.link_lost = state == ConnectionState::kReconnecting ||
                (welcome && (!last || now - *last > std::chrono::seconds{1}) &&
                 now - admitted_at > std::chrono::seconds{1} && !paused && !resuming);
  s.clock_uncertainty_ms = core::to_ms(clock_sync.uncertainty());
  s.rtt_ms = core::to_ms(clock_sync.round_trip());
  if (video) {
    s.link_jitter_ms = video->rate().jitter_ms();
    s.gap_wait_ms = core::to_ms(video->gap_wait());
    s.playout_hold_ms = core::to_ms(video->playout_hold());
  }
  const LinkTotals totals = link_totals();
  const LinkRateFigures r = rates.rates(now, totals);
  s.fps = r.fps;
  s.bitrate_kbps = r.bitrate_kbps;
  s.loss_pct = r.loss_pct;
  // Degraded: what the mentor sees is worse than the link should give, for a reason worth saying. Not while
  // the link is lost or paused, and not in the start-up seconds.
  if (state == ConnectionState::kConnected && welcome && !s.link_lost && !paused && !resuming &&
      now - admitted_at > kDegradedAfter) {
    char why[96] = "";
    const double fps_expected = profile_fps;
    if (r.loss_pct >= kDegradedLossPct) {
      std::snprintf(why, sizeof why, "%.1f %% of video packets lost", r.loss_pct);
    } else if (fps_expected > 0 && r.fps < 0.75 * fps_expected) {
      std::snprintf(why, sizeof why, "picture at %.0f fps of %.0f", r.fps, fps_expected);
    } else if (s.g2g_10s.count > 0 && s.g2g_10s.p95_ms >= kDegradedLatencyMs) {
      std::snprintf(why, sizeof why, "glass-to-glass p95 %.0f ms", s.g2g_10s.p95_ms);
    }
    s.link_degraded = why;
  }
  s.frames_decoded = tracker.totals().frames_decoded;
  s.frames_undecodable = tracker.totals().frames_undecodable;
  s.packets_dropped = faults.total();
  s.vitals.stream = welcome && welcome->vitals_ssrc() != 0;
  s.vitals.latest = lip_sync.shown();
  s.vitals.alarms = lip_sync.alarms();
  s.vitals.age_ms = lip_sync.age_ms(now, clock_sync);
  s.vitals.latency_10s = lip_sync.latency_10s(now);
  if (welcome) {
    s.annotation_author = welcome->annotation_author();
    s.may_draw = welcome->role() == pb::ROLE_MENTOR && holds_pen();
    s.pen_holder = core::safe_text(or_controls.pen_holder(), 128);
    s.pen_revoked = or_controls.pen_revoked();
    s.or_annotations_hidden = or_controls.annotations_hidden();
    for (const int row : or_controls.flagged_vitals()) {
      if (const auto known = from_wire(row)) s.flagged_vitals.push_back(*known);
    }
    s.consent_recorded = or_controls.consent_recorded();
    s.recording = or_controls.recording();
    s.keys_exported = or_controls.keys_exported();
    s.or_privacy_paused = or_controls.privacy_paused();
    for (const auto& entry : roster.consoles()) {
      s.roster.push_back(
          {core::safe_text(entry.display_name(), 128), from_wire(entry.role()).value_or(Role::kObserver)});
    }
  }
  s.annotations_shown = annotations.view()->annotations.size();
  if (voice) s.voice = voice->status();
  return s;
}

ConsoleReport ConsoleSession::Parts::report() const {
  ConsoleReport r;
  const auto& t = tracker.totals();
  r.frames_received = t.frames_decoded;
  r.frames_after_warmup = t.frames_after_warmup;
  r.frames_undecodable = t.frames_undecodable;
  r.freezes = t.freezes;
  r.frozen_ms = core::to_ms(t.frozen);
  r.longest_freeze_ms = core::to_ms(t.longest_freeze);
  r.frames_pixel_unreadable = t.frames_pixel_unreadable;
  r.g2g = tracker.g2g_run();
  r.pixel = tracker.pixel_run();
  r.join_g2g = tracker.join_g2g_run();
  r.second_oldest_g2g = tracker.second_oldest_g2g_run();
  r.recovery = tracker.recovery_run();
  const StageLatencies stages = tracker.stages_run();
  r.encode = stages.encode;
  r.network = stages.network;
  r.jitter = stages.jitter;
  r.decode = stages.decode;
  r.render = stages.render;
  r.vitals = lip_sync.latency_run();
  r.vitals_numerics = lip_sync.counters().numerics_new;
  r.vitals_waveform_samples = lip_sync.counters().waveform_samples_new;
  r.vitals_waveform_samples_lost = lip_sync.counters().waveform_samples_lost;
  const auto& a = annotations.counters();
  r.annotations_proposed = a.proposed;
  r.annotations_confirmed = a.confirmed;
  r.annotations_refused = a.refused;
  r.annotation_operations = a.operations;
  r.annotation_echo = annotations.echo_run();
  r.annotation_inputs = annotations.inputs();
  r.clock_uncertainty_ms = core::to_ms(clock_sync.uncertainty());
  if (video || last_rate) {
    r.link_jitter_ms = (video ? video->rate() : *last_rate).jitter_ms();
    r.gap_wait_ms = core::to_ms(video ? video->gap_wait() : last_gap_wait);
    r.playout_hold_ms = core::to_ms(video ? video->playout_hold() : last_playout_hold);
  }
  r.max_metadata_pixel_disagreement_ms = t.max_metadata_pixel_disagreement_ms;
  const LinkTotals totals = link_totals();
  r.packets_received = totals.packets;
  r.packets_lost = totals.lost;
  r.bytes_received = totals.bytes;
  r.nacks_sent = nacks_sent;
  r.packets_nacked = packets_nacked;
  r.rate_reports_sent = rate_reports_sent;
  r.fec_recovered = earlier_fec_recovered + (video ? video->fec_recovered() : 0);
  if (video || last_rate) {
    const auto& rate = video ? video->rate() : *last_rate;
    r.rate_estimate_kbps = rate.estimate_bps() ? *rate.estimate_bps() / 1000 : 0;
    r.incoming_kbps = rate.incoming_bps() / 1000;
    r.link_usage = media::describe(rate.usage());
    r.raw_loss = rate.run_loss_fraction();
  }
  r.retransmissions_received = earlier_retransmissions + (video ? video->retransmissions_received() : 0);
  r.retransmissions_in_time =
      earlier_retransmissions_in_time + (video ? video->retransmissions_in_time() : 0);
  r.packets_asked_again = earlier_asked_again + (video ? video->asked_again() : 0);
  r.connections = connections;
  r.started_at = started_at;
  r.first_frame_at = tracker.first_picture_at();
  if (r.first_frame_at) {
    const core::CaptureTime now = clock.now();
    r.seconds_receiving = core::to_ms(now - *r.first_frame_at) / 1000.0;
    r.seconds_after_warmup =
        std::max(0.0, core::to_ms(now - (*r.first_frame_at + settings.report_warmup)) / 1000.0);
  }
  if (voice) {
    r.voice = voice->status();
    r.voice_markers_spoken = voice->markers_spoken();
    r.voice_markers_heard = voice->markers_heard();
    r.voice_mentor_markers_heard = voice->mentor_markers_heard();
    r.voice_arrival = voice->arrival_summary();
  }
  return r;
}

}  // namespace surgilink::session
