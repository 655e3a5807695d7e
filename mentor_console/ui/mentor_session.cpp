#include "mentor_session.hpp"

#include <pthread.h>
#include <spdlog/spdlog.h>
#include <QMetaObject>
#include <QVariantMap>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <future>

#include "core/headless_console.hpp"
#include "core/link_preflight.hpp"
#include "core/scripted_mentor.hpp"
#include "surgilink/core/periodic_timer.hpp"
#include "surgilink/vitals/vitals_row.hpp"
#include "translated_reason.hpp"

namespace surgilink::console {

namespace asio = boost::asio;

// Everything that lives on the network thread. Only touched there, except construction and join.
struct MentorSession::Network : session::ConsoleSessionListener {
  explicit Network(MentorSession& owner) : gui(owner) {}

  MentorSession& gui;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
  // Once a second: rates in the status are per interval, so a full second between samples keeps fps and
  // bitrate exact. The status only: the whole-run report is read once, at exit (finalReport).
  core::PeriodicTimer status_timer{io, std::chrono::seconds{1}, [this] {
                                     if (!session) return;
                                     QMetaObject::invokeMethod(
                                         &gui, [this, status = session->status()] { gui.apply(status); },
                                         Qt::QueuedConnection);
                                   }};
  // Ten times a second, the voice alone: a level meter that moves once a second shows nothing a speaker
  // recognises, and the whole status is more than the meter needs.
  core::PeriodicTimer voice_timer{
      io, std::chrono::milliseconds{100}, [this] {
        if (!session) return;
        QMetaObject::invokeMethod(
            &gui, [this, voice = session->voice_status()] { gui.voice_.apply(voice); }, Qt::QueuedConnection);
      }};
  std::unique_ptr<session::ConsoleSession> session;
  std::unique_ptr<session::ConsolePreflight> preflight;  // "Check link"
  // The demo's mentor (--scripted-mentor): draws through `session`, so it goes before the session does.
  std::unique_ptr<ScriptedMentor> scripted;
  std::thread thread;

  void stop_session() {
    if (scripted) scripted->stop();
    scripted.reset();
    if (session) session->stop();
  }

  void on_state_changed(session::ConnectionState, const std::string&) override {
    // Picked up by the next status tick (250 ms); nothing is urgent enough to bypass it.
  }
  void on_vitals(const vitals::VitalsUpdate& update) override {
    QMetaObject::invokeMethod(
        &gui, [this, update] { gui.vitals_.apply(update); }, Qt::QueuedConnection);
  }
  void on_annotations(std::shared_ptr<const annotation::Scene> scene) override {
    QMetaObject::invokeMethod(
        &gui,
        [this, scene = std::move(scene)] {
          gui.scene_ = scene;
          emit gui.annotationsChanged();
        },
        Qt::QueuedConnection);
  }
  void on_annotation_refused(const std::string& reason) override {
    QMetaObject::invokeMethod(
        &gui,
        [this, text = QString::fromStdString(reason)] {
          gui.annotation_refusal_ = translated_reason(text);
          emit gui.annotationRefused();
        },
        Qt::QueuedConnection);
  }
  void on_picture_ready() override { gui.feed_.announce(); }
};

MentorSession::MentorSession(ConsoleSettings settings, QObject* parent)
    : QObject(parent),
      settings_(std::move(settings)),
      feed_(clock_,
            [this](core::CaptureTime capture, core::CaptureTime shown) { note_presented(capture, shown); }),
      network_(std::make_unique<Network>(*this)),
      voice_(settings_.session.voice.start_muted, [this](bool muted) {
        asio::post(network_->io, [n = network_.get(), muted] {
          if (n->session) n->session->set_microphone_muted(muted);
        });
      }) {
  identity_ = QString::fromStdString(settings_.session.tls.certificate.filename().string());
  connect(&feed_, &PictureFeed::pictureReady, this, &MentorSession::pictureReady);
  connect(this, &MentorSession::pictureReady, &vitals_, &PatientVitals::onPicture);
  network_->status_timer.start();
  network_->voice_timer.start();
  network_->thread = std::thread([n = network_.get()] {
    pthread_setname_np(pthread_self(), "network");
    n->io.run();
  });
}

MentorSession::~MentorSession() {
  asio::post(network_->io, [n = network_.get()] {
    n->stop_session();
    if (n->preflight) n->preflight->stop();
    // PeriodicTimer, not a bare cancel(): a tick already due when this runs would arm itself again and keep
    // run() from returning.
    n->status_timer.stop();
    n->voice_timer.stop();
    n->work.reset();
  });
  network_->thread.join();
}

QStringList MentorSession::sites() const {
  QStringList names;
  for (const auto& s : settings_.sites) names << QString::fromStdString(s.name);
  return names;
}

void MentorSession::connectTo(const QString& site) {
  ConsoleSettings chosen = settings_;
  for (const auto& s : settings_.sites) {
    if (QString::fromStdString(s.name) == site) select_site(chosen, s);
  }
  chosen.session.measure_at_presentation = true;
  // The microphone starts as the mentor left it (muted, unmuted, talking), not as the settings began.
  chosen.session.voice.start_muted = voice_.microphoneShouldBeMuted();
  session_state_ = session::ConnectionState::kConnecting;
  site_name_ = QString::fromStdString(chosen.site.name);
  emit statusChanged();
  asio::post(network_->io, [this, n = network_.get(), s = chosen.session, keep = settings_.scripted_mentor] {
    n->stop_session();
    n->session = std::make_unique<session::ConsoleSession>(n->io, s, clock_, feed_.mailbox(), *n);
    try {
      n->session->start();
    } catch (const std::exception& e) {
      spdlog::error("cannot connect: {}", e.what());
      return;
    }
    if (keep) {
      spdlog::info("scripted mentor: drawing, keeping {} annotations on screen", *keep);
      n->scripted = std::make_unique<ScriptedMentor>(n->io, *n->session, feed_.mailbox(), *keep);
      n->scripted->start();
    }
  });
}

void MentorSession::checkLink(const QString& site) {
  if (checking_link_) return;
  ConsoleSettings chosen = settings_;
  for (const auto& s : settings_.sites) {
    if (QString::fromStdString(s.name) == site) select_site(chosen, s);
  }
  checking_link_ = true;
  link_check_ = tr("Checking the link to %1 (10 s)…").arg(site);
  link_verdict_.clear();
  emit linkCheckChanged();
  asio::post(network_->io, [this, n = network_.get(), s = chosen.session] {
    const auto done = [this](const session::PreflightOutcome& outcome) {
      QMetaObject::invokeMethod(
          this,
          [this, text = QString::fromStdString(format_preflight(outcome, false)),
           verdict = QString::fromStdString(outcome.measured ? outcome.verdict.profile : std::string())] {
            checking_link_ = false;
            link_check_ = text;
            link_verdict_ = verdict;
            emit linkCheckChanged();
          },
          Qt::QueuedConnection);
    };
    try {
      n->preflight =
          std::make_unique<session::ConsolePreflight>(n->io, s, std::chrono::seconds{10}, clock_, done);
      n->preflight->start();
    } catch (const std::exception& e) {
      session::PreflightOutcome failed;
      failed.problem = e.what();
      done(failed);
    }
  });
}

void MentorSession::proposeAnnotation(annotation::AnnotationOperation op) {
  asio::post(network_->io, [n = network_.get(), op = std::move(op)] {
    if (n->session) n->session->propose_annotation(op);
  });
}

QStringList MentorSession::flaggedVitals() const {
  QStringList list;
  for (const auto row : status_.flagged_vitals) {
    const auto key = vitals::info(row).key;
    list << QString::fromUtf8(key.data(), static_cast<qsizetype>(key.size()));
  }
  return list;
}

QStringList MentorSession::roster() const {
  QStringList list;
  for (const auto& p : status_.roster)
    list << QString::fromStdString(p.name) + " (" + role_word(p.role) + ")";
  return list;
}

void MentorSession::toggleVitalFlag(const QString& vital) {
  const auto row = vitals::row_from_key(vital.toStdString());
  if (!row) return;
  const bool flagged = !flaggedVitals().contains(vital);
  asio::post(network_->io, [n = network_.get(), row = *row, flagged] {
    if (n->session) n->session->flag_vital(row, flagged);
  });
}

void MentorSession::disconnectFromSite() {
  asio::post(network_->io, [n = network_.get()] { n->stop_session(); });
  voice_.apply({});
  session_state_.reset();
  role_.reset();
  emit statusChanged();
}

void MentorSession::note_presented(core::CaptureTime capture_time, core::CaptureTime presented_at) {
  shown_capture_ns_.store(capture_time.time_since_epoch().count(), std::memory_order_relaxed);
  asio::post(network_->io, [n = network_.get(), capture_time, presented_at] {
    if (n->session) n->session->note_presented(capture_time, presented_at);
  });
}

session::ConsoleReport MentorSession::finalReport(std::uint64_t* packets_rejected) {
  std::promise<std::pair<session::ConsoleReport, std::uint64_t>> done;
  auto answer = done.get_future();
  asio::post(network_->io, [n = network_.get(), &done] {
    if (!n->session) {
      done.set_value({});
      return;
    }
    done.set_value({n->session->report(), n->session->faults().total()});
  });
  auto [report, rejected] = answer.get();
  if (packets_rejected) *packets_rejected = rejected;
  return report;
}

ConnectionState MentorSession::state() const {
  return session_state_ ? connection_state_of(*session_state_) : ConnectionState::Idle;
}

QString MentorSession::stateName() const {
  if (!session_state_) return tr("idle");
  switch (*session_state_) {
    case session::ConnectionState::kConnecting:
      return tr("connecting");
    case session::ConnectionState::kConnected:
      return tr("connected");
    case session::ConnectionState::kReconnecting:
      return tr("reconnecting");
    case session::ConnectionState::kRefused:
      return tr("refused");
    case session::ConnectionState::kStopped:
      return tr("stopped");
  }
  return QString::fromUtf8(session::state_name(*session_state_));
}

QString MentorSession::role_word(session::Role role) {
  return role == session::Role::kMentor ? tr("mentor") : tr("observer");
}

QString MentorSession::roleName() const { return role_ ? role_word(*role_) : QString(); }

QString MentorSession::latencyColour() const {
  if (status_.g2g_10s.count == 0) return "none";
  if (status_.link_lost) return "red";
  return latency_colour(status_.g2g_10s.p95_ms, settings_.thresholds);
}

void MentorSession::apply(const session::ConsoleStatus& status) {
  status_ = status;
  if (session_state_) {
    session_state_ = status.state;
    detail_ = translated_reason(QString::fromStdString(status.detail));
    site_name_ = status.site_name.empty() ? site_name_ : QString::fromStdString(status.site_name);
    case_ = QString::fromStdString(status.case_pseudonym);
    display_name_ = QString::fromStdString(status.display_name);
    role_ = status.role;
  }
  history_.append(status.g2g_10s.count > 0 ? QVariant(status.g2g_last_ms) : QVariant());
  while (history_.size() > 60) history_.removeFirst();
  stages_.clear();
  const auto add = [&](const QString& name, const core::LatencySummary& s) {
    stages_.append(
        QVariantMap{{"name", name}, {"p50", s.count ? s.p50_ms : 0.0}, {"p95", s.count ? s.p95_ms : 0.0}});
  };
  add(tr("encode"), status.stages_10s.encode);
  add(tr("network"), status.stages_10s.network);
  add(tr("jitter buffer"), status.stages_10s.jitter);
  add(tr("decode"), status.stages_10s.decode);
  add(tr("render"), status.stages_10s.render);
  vitals_.tick(status.vitals);
  emit statusLine(QString::fromStdString(format_status(status, settings_.status_json, settings_.thresholds)));
  emit statusChanged();
}

}  // namespace surgilink::console
