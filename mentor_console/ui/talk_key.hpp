#pragma once
// The push-to-talk key: Space held anywhere in the window (except while typing a label) opens the mentor's
// microphone; released, or the window losing focus, closes it again.

#include <QtQml/qqmlregistration.h>
#include <QObject>
#include <QPointer>
#include <QQuickWindow>

namespace surgilink::console {

// GUI thread only. Watches the key events of `window` before any item sees them: a held key has a press and a
// release, which QML's Shortcut cannot tell apart. The key's own events (and its auto-repeats) are taken,
// so a focused button is not clicked by it.
class TalkKey : public QObject {
  Q_OBJECT
  QML_ELEMENT
  Q_PROPERTY(QQuickWindow* window READ window WRITE setWindow NOTIFY windowChanged)
  // Off: the key is an ordinary key again, and a held key counts as released.
  Q_PROPERTY(bool enabled READ enabled WRITE setEnabled NOTIFY enabledChanged)
  Q_PROPERTY(bool held READ held NOTIFY heldChanged)

 public:
  static constexpr Qt::Key kKey = Qt::Key_Space;

  explicit TalkKey(QObject* parent = nullptr) : QObject(parent) {}
  ~TalkKey() override;

  QQuickWindow* window() const { return window_; }
  void setWindow(QQuickWindow* window);
  bool enabled() const { return enabled_; }
  void setEnabled(bool enabled);
  bool held() const { return held_; }

 signals:
  void windowChanged();
  void enabledChanged();
  void heldChanged();

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void set_held(bool held);
  // A text field has the keyboard: Space is a space there.
  bool typing() const;

  QPointer<QQuickWindow> window_;
  bool enabled_ = true;
  bool held_ = false;
};

}  // namespace surgilink::console
