#pragma once
// Items of the vitals panel: a scrolling waveform (ECG, pleth, capnogram, arterial pressure) and a
// 10-minute trend sparkline; C++ scene-graph items, not a JavaScript canvas. A trace is one filled span per
// pixel column (the samples' range in that column joined to its neighbours), as patient monitors draw them:
// a few hundred small rectangles, rebuilt only when new samples arrived. Painted items, unlike custom
// geometry nodes, also render with Qt Quick's software backend, which the offscreen platform uses
// (screenshots, tests).

#include <QtQml/qqmlregistration.h>
#include <QColor>
#include <QPointer>
#include <QQuickItem>
#include <QQuickPaintedItem>
#include <QVariantList>
#include <vector>

#include "patient_vitals.hpp"

namespace surgilink::console {

// The last seconds of one waveform, newest at the right, scaled to the item. GUI thread sets properties.
// With a GPU scene graph (also llvmpipe under Xvfb) the spans are a geometry node: no texture to paint
// and upload per update. Qt Quick's software backend (the offscreen platform: screenshots, tests) cannot
// draw custom geometry, so there the spans are painted into an image node.
class WaveformTrace : public QQuickItem {
  Q_OBJECT
  QML_ELEMENT
  Q_PROPERTY(surgilink::console::PatientVitals* vitals READ vitals WRITE setVitals NOTIFY changed)
  Q_PROPERTY(
      QString waveform READ waveform WRITE setWaveform NOTIFY changed)  // "ecg_ii", "pleth", "co2", "abp"
  Q_PROPERTY(QColor colour READ colour WRITE setColour NOTIFY changed)
  Q_PROPERTY(bool hasSamples READ hasSamples NOTIFY changed)

 public:
  explicit WaveformTrace(QQuickItem* parent = nullptr);
  PatientVitals* vitals() const { return vitals_; }
  void setVitals(PatientVitals* v);
  QString waveform() const { return waveform_; }
  void setWaveform(const QString& w);
  QColor colour() const { return colour_; }
  void setColour(const QColor& c);
  bool hasSamples() const { return !spans_.empty(); }

 signals:
  void changed();

 protected:
  QSGNode* updatePaintNode(QSGNode* old_node, UpdatePaintNodeData*) override;
  void geometryChange(const QRectF& new_geometry, const QRectF& old_geometry) override;

 private:
  void refresh();

  QPointer<PatientVitals> vitals_;
  QString waveform_;
  std::optional<vitals::Waveform> which_;
  QColor colour_{"#76ff03"};
  // Top and bottom (item y) of each drawn pixel column, starting at column first_column_.
  std::vector<std::pair<float, float>> spans_;
  int first_column_ = 0;
};

// A sparkline of numbers (gaps for missing values), auto-scaled. GUI thread sets properties.
class TrendLine : public QQuickPaintedItem {
  Q_OBJECT
  QML_ELEMENT
  Q_PROPERTY(QVariantList values READ values WRITE setValues NOTIFY changed)
  Q_PROPERTY(QColor colour READ colour WRITE setColour NOTIFY changed)
  Q_PROPERTY(int slotCount READ slotCount WRITE setSlotCount NOTIFY changed)

 public:
  explicit TrendLine(QQuickItem* parent = nullptr);
  QVariantList values() const { return values_; }
  void setValues(const QVariantList& v);
  QColor colour() const { return colour_; }
  void setColour(const QColor& c);
  int slotCount() const { return slots_; }
  void setSlotCount(int n);

 signals:
  void changed();

 protected:
  void paint(QPainter* painter) override;

 private:
  QVariantList values_;
  QColor colour_{"#90a4ae"};
  int slots_ = PatientVitals::kTrendPoints;
};

}  // namespace surgilink::console
