#include "talk_key.hpp"

#include <QKeyEvent>
#include <QQuickItem>

namespace surgilink::console {

TalkKey::~TalkKey() {
  if (window_) window_->removeEventFilter(this);
}

void TalkKey::setWindow(QQuickWindow* window) {
  if (window == window_) return;
  if (window_) window_->removeEventFilter(this);
  set_held(false);
  window_ = window;
  if (window_) window_->installEventFilter(this);
  emit windowChanged();
}

void TalkKey::setEnabled(bool enabled) {
  if (enabled == enabled_) return;
  enabled_ = enabled;
  if (!enabled_) set_held(false);
  emit enabledChanged();
}

void TalkKey::set_held(bool held) {
  if (held == held_) return;
  held_ = held;
  emit heldChanged();
}

bool TalkKey::typing() const {
  const QQuickItem* focus = window_ ? window_->activeFocusItem() : nullptr;
  return focus != nullptr && focus->flags().testFlag(QQuickItem::ItemAcceptsInputMethod);
}

bool TalkKey::eventFilter(QObject* watched, QEvent* event) {
  if (watched != window_) return false;
  switch (event->type()) {
    case QEvent::KeyPress:
    case QEvent::KeyRelease: {
      const auto* key = static_cast<QKeyEvent*>(event);
      if (key->key() != kKey) return false;
      const bool press = event->type() == QEvent::KeyPress;
      // A release always ends a hold, even if a text field took the focus meanwhile.
      if (!enabled_ || (!held_ && (typing() || key->modifiers() != Qt::NoModifier))) return false;
      if (!key->isAutoRepeat()) set_held(press);
      return true;
    }
    case QEvent::FocusOut:
    case QEvent::WindowDeactivate:
    case QEvent::Hide:
      // The release would go to another window: never leave the microphone open behind the mentor's back.
      set_held(false);
      return false;
    default:
      return false;
  }
}

}  // namespace surgilink::console
