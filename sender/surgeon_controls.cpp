#include "surgeon_controls.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>
#include <array>
#include <chrono>
#include <list>
#include <optional>
#include <stdexcept>

#include <spdlog/spdlog.h>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

namespace surgilink::sender {

namespace asio = boost::asio;
using local = asio::local::stream_protocol;

namespace {
constexpr std::size_t kMaxCommandBytes = 128;
constexpr std::size_t kMaxClients = 8;
}  // namespace

struct SurgeonControls::Impl : std::enable_shared_from_this<SurgeonControls::Impl> {
  Impl(asio::io_context& io_context, SurgeonControlSettings s, session::SenderSession& session_,
       CaseRecording& recording_, std::function<void()> changed_)
      : io(io_context),
        settings(std::move(s)),
        session(session_),
        recording(recording_),
        changed(std::move(changed_)),
        acceptor(io),
        keys(io) {}

  // One connected button helper.
  struct Client {
    explicit Client(asio::io_context& io) : socket(io), buffer(kMaxCommandBytes) {}
    local::socket socket;
    asio::streambuf buffer;
    std::string reply;
    std::string by = "socket";  // who: "socket uid 1000 pid 4242"
  };

  asio::io_context& io;
  SurgeonControlSettings settings;
  session::SenderSession& session;
  CaseRecording& recording;
  std::function<void()> changed;
  local::acceptor acceptor;
  std::list<std::shared_ptr<Client>> clients;
  asio::posix::stream_descriptor keys;
  std::optional<termios> saved_terminal;
  char key = 0;
  bool stopped = false;
  bool socket_bound = false;  // the socket file is ours to remove

  std::string state_text() const {
    const auto s = session.or_controls();
    return std::string(s.privacy_paused ? "PRIVACY PAUSE (no video or voice to the consoles), " : "") +
           "annotations " + (s.annotations_hidden ? "hidden" : "shown") + ", pen " +
           (s.pen_revoked ? "taken back" : (s.pen_holder.empty() ? "with nobody" : "with " + s.pen_holder)) +
           ", " + recording.state_text();
  }

  std::function<std::string(bool, const std::string&)> set_microphone_muted;
  std::function<bool()> microphone_muted;
  std::function<bool()> keep_annotations;
  // The pause key pressed once while paused: resuming waits for the second press (a deliberate act).
  std::optional<std::chrono::steady_clock::time_point> resume_asked;
  static constexpr std::chrono::seconds kConfirmWithin{5};

  std::string execute(std::string_view command, const std::string& by) {
    if (command == "mute" || command == "unmute" || command == "toggle-mute") {
      if (!set_microphone_muted) return "error: this OR sends no voice";
      const bool mute = command == "toggle-mute" ? !microphone_muted() : command == "mute";
      std::string reply = set_microphone_muted(mute, by);
      if (changed) changed();
      return reply;
    }
    // Recording commands answer with their own outcome (they can be refused: no consent, no folder).
    std::optional<std::string> recording_reply;
    if (command == "consent") recording_reply = recording.record_consent(by);
    if (command == "record") recording_reply = recording.start(by);
    if (command == "stop-recording") recording_reply = recording.stop(by);
    if (command == "withdraw-consent") recording_reply = recording.withdraw_consent(by);
    if (recording_reply) {
      if (changed) changed();
      return *recording_reply;
    }
    if (command == "end-session" || command.starts_with("end-session ")) {
      // "end-session" ends every console's session; "end-session Dr. A" that console's.
      const std::string name(command.size() > 12 ? command.substr(12) : std::string_view());
      const std::size_t ended = session.end_session(name, by);
      if (changed) changed();
      if (ended == 0)
        return name.empty() ? "error: no console is connected" : "error: no console called \"" + name + "\"";
      return "ok: ended the session of " + std::to_string(ended) + " console" + (ended == 1 ? "" : "s");
    }
    if (command == "pause") {
      session.set_privacy_paused(true, by);
    } else if (command == "resume") {
      session.set_privacy_paused(false, by);
    } else if (command == "keep-annotations") {
      if (!keep_annotations) return "error: annotations do not fade on this OR display";
      if (!keep_annotations()) return "error: no departed mentor's annotations are fading";
      session.record_audit_event({"annotations_kept", {{"by", by}}});
    } else if (command == "hide") {
      session.set_annotations_hidden(true, by);
    } else if (command == "show") {
      session.set_annotations_hidden(false, by);
    } else if (command == "toggle") {
      session.set_annotations_hidden(!session.annotations_hidden(), by);
    } else if (command == "clear") {
      session.clear_annotations(by);
    } else if (command == "revoke-pen") {
      session.revoke_pen(by);
    } else if (command == "grant-pen") {
      session.grant_pen(by);
    } else if (command != "status") {
      spdlog::warn("surgeon controls ({}): unknown command", by);
      return "error: unknown command \"" + std::string(command.substr(0, 40)) +
             "\" (pause | resume | hide | show | toggle | clear | keep-annotations | revoke-pen | grant-pen "
             "| "
             "consent | record | stop-recording | withdraw-consent | mute | unmute | toggle-mute | status)";
    }
    if (changed) changed();
    return "ok: " + state_text();
  }

  void start_socket() {
    const auto& path = *settings.socket;
    std::error_code ec;
    // A socket file left by a sender that was killed would block the bind and is removed; one that answers
    // belongs to a running sender, whose controls must not be taken over.
    if (std::filesystem::is_socket(path, ec)) {
      local::socket probe(io);
      boost::system::error_code probe_ec;
      probe.connect(local::endpoint(path.string()), probe_ec);
      if (!probe_ec)
        throw std::runtime_error("surgeon controls socket " + path.string() +
                                 " is in use by another sender (set [or_controls] socket to another path)");
      std::filesystem::remove(path, ec);
    }
    // Who may press the surgeon's buttons: the sender's user and its group (the button's helper program),
    // nobody else (issue 12): the socket 0660 in a folder 0750.
    if (path.has_parent_path()) {
      const auto folder = path.parent_path();
      if (!std::filesystem::exists(folder, ec)) {
        std::filesystem::create_directories(folder, ec);
        std::filesystem::permissions(folder,
                                     std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                                         std::filesystem::perms::group_exec,
                                     ec);
      }
      // A folder of the sender's own is closed to others; a shared one (world-writable, like /tmp) is
      // refused.
      const auto mode = std::filesystem::status(folder, ec).permissions();
      struct stat st {};
      const bool own = ::stat(folder.c_str(), &st) == 0 && st.st_uid == ::geteuid();
      const bool shared = (mode & std::filesystem::perms::others_write) != std::filesystem::perms::none;
      if ((mode & std::filesystem::perms::others_all) != std::filesystem::perms::none) {
        if (!own || shared)
          throw std::runtime_error("surgeon controls socket folder " + folder.string() +
                                   " is open to other users: use a folder of the sender's own, mode 0750");
        std::filesystem::permissions(folder, std::filesystem::perms::others_all,
                                     std::filesystem::perm_options::remove, ec);
        if (ec)
          throw std::runtime_error("surgeon controls socket folder " + folder.string() +
                                   " cannot be closed to other users: " + ec.message());
        spdlog::warn("surgeon controls: {} was open to other users; closed (others: no access)",
                     folder.string());
      }
    }
    boost::system::error_code bec;
    acceptor.open(local(), bec);
    if (!bec) acceptor.bind(local::endpoint(path.string()), bec);
    if (!bec) ::chmod(path.c_str(), 0660);
    if (!bec) acceptor.listen(asio::socket_base::max_listen_connections, bec);
    if (bec)
      throw std::runtime_error("surgeon controls socket " + path.string() +
                               " cannot be used: " + bec.message());
    socket_bound = true;
    spdlog::info(
        "surgeon controls: commands on {} (hide | show | toggle | clear | revoke-pen | grant-pen | consent | "
        "record | stop-recording | withdraw-consent | status)",
        path.string());
    accept();
  }

  void accept() {
    auto client = std::make_shared<Client>(io);
    acceptor.async_accept(client->socket, [self = shared_from_this(), client](boost::system::error_code ec) {
      if (self->stopped || ec == asio::error::operation_aborted) return;
      if (!ec) {
        // The peer's uid goes into the audit with every command it gives (SO_PEERCRED).
        ucred credentials{};
        socklen_t size = sizeof credentials;
        if (::getsockopt(client->socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &credentials, &size) == 0)
          client->by =
              "socket uid " + std::to_string(credentials.uid) + " pid " + std::to_string(credentials.pid);
        if (self->clients.size() >= kMaxClients) {
          spdlog::warn("surgeon controls: more than {} clients, closing the newest", kMaxClients);
        } else {
          self->clients.push_back(client);
          self->read(client);
        }
      }
      self->accept();
    });
  }

  void read(const std::shared_ptr<Client>& client) {
    asio::async_read_until(
        client->socket, client->buffer, '\n',
        [self = shared_from_this(), client](boost::system::error_code ec, std::size_t n) {
          if (self->stopped) return;
          if (ec) {
            // A line longer than the limit ends in not_found: a misbehaving client is dropped, counted once.
            if (ec == asio::error::not_found)
              spdlog::warn("surgeon controls: command line too long, closing");
            self->clients.remove(client);
            return;
          }
          std::string line(asio::buffers_begin(client->buffer.data()),
                           asio::buffers_begin(client->buffer.data()) + static_cast<std::ptrdiff_t>(n));
          client->buffer.consume(n);
          while (!line.empty() && (line.back() == '\n' || line.back() == '\r' || line.back() == ' '))
            line.pop_back();
          client->reply = self->execute(line, client->by) + "\n";
          asio::async_write(client->socket, asio::buffer(client->reply),
                            [self, client](boost::system::error_code wec, std::size_t) {
                              if (self->stopped) return;
                              if (wec) {
                                self->clients.remove(client);
                                return;
                              }
                              self->read(client);
                            });
        });
  }

  void start_keys() {
    if (!settings.keys || isatty(STDIN_FILENO) == 0) return;
    termios terminal{};
    if (tcgetattr(STDIN_FILENO, &terminal) != 0) return;
    saved_terminal = terminal;
    // Single keys without Enter and without echo; Ctrl-C still stops the sender.
    terminal.c_lflag &= static_cast<tcflag_t>(~(ICANON | ECHO));
    terminal.c_cc[VMIN] = 1;
    terminal.c_cc[VTIME] = 0;
    tcsetattr(STDIN_FILENO, TCSANOW, &terminal);
    const int fd = dup(STDIN_FILENO);
    if (fd < 0) return;
    keys.assign(fd);
    spdlog::info(
        "surgeon controls: keys '{}' hide/show annotations, '{}' clear them, '{}' take the pen, '{}' give "
        "it back, '{}' consent recorded (starts recording), '{}' stop recording, '{}' mute/open the OR "
        "microphone, '{}' privacy pause (twice to resume)",
        settings.hide_key, settings.clear_key, settings.revoke_key, settings.grant_key, settings.consent_key,
        settings.stop_recording_key, settings.mute_key, settings.pause_key);
    read_key();
  }

  void read_key() {
    keys.async_read_some(asio::buffer(&key, 1),
                         [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                           if (self->stopped || ec || n == 0) return;
                           self->on_key(self->key, std::string("key ") + self->key);
                           self->read_key();
                         });
  }

  // One key from the terminal or the OR window (a foot pedal types into whichever has the focus).
  void on_key(char k, const std::string& by) {
    std::string reply;
    if (k == settings.hide_key) reply = execute("toggle", by);
    if (k == settings.clear_key) reply = execute("clear", by);
    if (k == settings.revoke_key) reply = execute("revoke-pen", by);
    if (k == settings.grant_key) reply = execute("grant-pen", by);
    if (k == settings.consent_key) reply = execute("consent", by);
    if (k == settings.mute_key) reply = execute("toggle-mute", by);
    if (k == settings.stop_recording_key) reply = execute("stop-recording", by);
    if (k == settings.pause_key) reply = pause_key(by);
    if (!reply.empty()) spdlog::info("surgeon controls ({}): {}", by, reply);
  }

  // Pauses at once; resumes only on a second press within kConfirmWithin.
  std::string pause_key(const std::string& by) {
    const auto now = std::chrono::steady_clock::now();
    if (!session.privacy_paused()) return execute("pause", by);
    if (resume_asked && now - *resume_asked <= kConfirmWithin) {
      resume_asked.reset();
      return execute("resume", by);
    }
    resume_asked = now;
    return "privacy pause stays on: press '" + std::string(1, settings.pause_key) + "' again within " +
           std::to_string(kConfirmWithin.count()) + " s to resume";
  }

  void stop() {
    if (stopped) return;
    stopped = true;
    boost::system::error_code ec;
    acceptor.close(ec);
    for (auto& c : clients) c->socket.close(ec);
    clients.clear();
    keys.close(ec);
    if (saved_terminal) tcsetattr(STDIN_FILENO, TCSANOW, &*saved_terminal);
    saved_terminal.reset();
    if (settings.socket && socket_bound) {
      std::error_code fec;
      std::filesystem::remove(*settings.socket, fec);
    }
  }
};

SurgeonControls::SurgeonControls(asio::io_context& io, SurgeonControlSettings settings,
                                 session::SenderSession& session, CaseRecording& recording,
                                 std::function<void()> changed)
    : impl_(std::make_shared<Impl>(io, std::move(settings), session, recording, std::move(changed))) {
  if (impl_->settings.socket) impl_->start_socket();
}

SurgeonControls::~SurgeonControls() { impl_->stop(); }

void SurgeonControls::start() { impl_->start_keys(); }
void SurgeonControls::stop() { impl_->stop(); }

void SurgeonControls::set_microphone(std::function<std::string(bool, const std::string&)> set_muted,
                                     std::function<bool()> muted) {
  impl_->set_microphone_muted = std::move(set_muted);
  impl_->microphone_muted = std::move(muted);
}

void SurgeonControls::key(char k, const std::string& by) { impl_->on_key(k, by); }

void SurgeonControls::set_annotation_keeper(std::function<bool()> keep) {
  impl_->keep_annotations = std::move(keep);
}

std::string SurgeonControls::execute(std::string_view command, const std::string& by) {
  return impl_->execute(command, by);
}

}  // namespace surgilink::sender
