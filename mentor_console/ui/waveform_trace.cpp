#include "waveform_trace.hpp"

#include <QImage>
#include <QPainter>
#include <QPolygonF>
#include <QQuickWindow>
#include <QSGFlatColorMaterial>
#include <QSGGeometryNode>
#include <QSGImageNode>
#include <QSGRendererInterface>
#include <algorithm>
#include <cmath>

namespace surgilink::console {

WaveformTrace::WaveformTrace(QQuickItem* parent) : QQuickItem(parent) { setFlag(ItemHasContents, true); }

void WaveformTrace::geometryChange(const QRectF& new_geometry, const QRectF& old_geometry) {
  QQuickItem::geometryChange(new_geometry, old_geometry);
  if (new_geometry.size() != old_geometry.size()) refresh();
}

void WaveformTrace::setVitals(PatientVitals* v) {
  if (vitals_) disconnect(vitals_, nullptr, this, nullptr);
  vitals_ = v;
  if (vitals_) connect(vitals_, &PatientVitals::tracesChanged, this, &WaveformTrace::refresh);
  refresh();
}

void WaveformTrace::setWaveform(const QString& w) {
  waveform_ = w;
  which_.reset();
  for (const auto& info : vitals::all_waveforms()) {
    if (QString::fromUtf8(info.short_name.data(), static_cast<int>(info.short_name.size())) == w)
      which_ = info.waveform;
  }
  refresh();
}

void WaveformTrace::setColour(const QColor& c) {
  if (c == colour_) return;
  colour_ = c;
  emit changed();
  update();
}

void WaveformTrace::refresh() {
  const bool had = !spans_.empty();
  spans_.clear();
  const int columns = static_cast<int>(width());
  if (vitals_ && which_ && columns > 1) {
    const auto& trace = vitals_->trace(*which_);
    if (trace.size() >= 2) {
      // The full span of the panel is kTraceSeconds; a shorter trace fills the right-hand part.
      const double per_column = vitals_->traceRate(*which_) * PatientVitals::kTraceSeconds / columns;
      const auto [lo, hi] = std::minmax_element(trace.begin(), trace.end());
      const float range = std::max(1e-3f, *hi - *lo);
      const float h = static_cast<float>(height());
      const auto y_of = [&](float v) { return h - 2 - (v - *lo) / range * (h - 4); };
      first_column_ = columns - static_cast<int>(static_cast<double>(trace.size()) / per_column);
      float previous_top = 0, previous_bottom = 0;
      for (int c = std::max(0, first_column_); c < columns; ++c) {
        const auto from = static_cast<std::size_t>((c - first_column_) * per_column);
        const auto to =
            std::min(trace.size(), static_cast<std::size_t>((c - first_column_ + 1) * per_column) + 1);
        if (from >= to) continue;
        const auto [cmin, cmax] = std::minmax_element(trace.begin() + static_cast<std::ptrdiff_t>(from),
                                                      trace.begin() + static_cast<std::ptrdiff_t>(to));
        float top = y_of(*cmax), bottom = y_of(*cmin);
        if (!spans_.empty()) {
          // Join to the previous column so a steep edge (an R wave) stays one unbroken line.
          top = std::min(top, previous_bottom);
          bottom = std::max(bottom, previous_top);
        } else {
          first_column_ = c;
        }
        previous_top = y_of(*cmax);
        previous_bottom = y_of(*cmin);
        spans_.emplace_back(top, bottom);
      }
    }
  }
  if (had != !spans_.empty()) emit changed();
  update();
}

QSGNode* WaveformTrace::updatePaintNode(QSGNode* old_node, UpdatePaintNodeData*) {
  if (spans_.empty() || width() < 1 || height() < 1) {
    delete old_node;
    return nullptr;
  }
  // 1.5 px thick where the signal is flat: each span is widened by 0.75 px up and down.
  constexpr float kHalfPen = 0.75f;
  if (window()->rendererInterface()->graphicsApi() == QSGRendererInterface::Software) {
    auto* node = static_cast<QSGImageNode*>(old_node);
    if (!node) {
      node = window()->createImageNode();
      node->setOwnsTexture(true);
    }
    QImage image(static_cast<int>(width()), static_cast<int>(height()), QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::transparent);
    QPainter painter(&image);
    for (std::size_t i = 0; i < spans_.size(); ++i) {
      const auto [top, bottom] = spans_[i];
      painter.fillRect(
          QRectF(first_column_ + static_cast<double>(i), top - kHalfPen, 1.0, bottom - top + 2 * kHalfPen),
          colour_);
    }
    painter.end();
    node->setTexture(window()->createTextureFromImage(image));
    node->setRect(QRectF(0, 0, width(), height()));
    return node;
  }
  auto* node = static_cast<QSGGeometryNode*>(old_node);
  if (!node) {
    node = new QSGGeometryNode;
    auto* geometry = new QSGGeometry(QSGGeometry::defaultAttributes_Point2D(), 0);
    geometry->setDrawingMode(QSGGeometry::DrawTriangles);
    node->setGeometry(geometry);
    node->setFlag(QSGNode::OwnsGeometry);
    node->setMaterial(new QSGFlatColorMaterial);
    node->setFlag(QSGNode::OwnsMaterial);
  }
  auto* material = static_cast<QSGFlatColorMaterial*>(node->material());
  if (material->color() != colour_) {
    material->setColor(colour_);
    node->markDirty(QSGNode::DirtyMaterial);
  }
  QSGGeometry* geometry = node->geometry();
  geometry->allocate(static_cast<int>(spans_.size() * 6));  // two triangles per column
  QSGGeometry::Point2D* v = geometry->vertexDataAsPoint2D();
  for (std::size_t i = 0; i < spans_.size(); ++i) {
    const float x0 = static_cast<float>(first_column_) + static_cast<float>(i), x1 = x0 + 1.0f;
    const float y0 = spans_[i].first - kHalfPen, y1 = spans_[i].second + kHalfPen;
    v[0].set(x0, y0);
    v[1].set(x1, y0);
    v[2].set(x0, y1);
    v[3].set(x1, y0);
    v[4].set(x1, y1);
    v[5].set(x0, y1);
    v += 6;
  }
  node->markDirty(QSGNode::DirtyGeometry);
  return node;
}

TrendLine::TrendLine(QQuickItem* parent) : QQuickPaintedItem(parent) {}

void TrendLine::setValues(const QVariantList& v) {
  if (v == values_) return;
  values_ = v;
  emit changed();
  update();
}
void TrendLine::setColour(const QColor& c) {
  colour_ = c;
  emit changed();
  update();
}
void TrendLine::setSlotCount(int n) {
  slots_ = std::max(2, n);
  emit changed();
  update();
}

void TrendLine::paint(QPainter* painter) {
  // The run of values after the last gap is drawn (a gap is a source that stopped).
  std::vector<double> run;
  for (const auto& v : values_) {
    if (!v.isValid() || v.isNull()) {
      run.clear();
      continue;
    }
    run.push_back(v.toDouble());
  }
  if (run.size() < 2) return;
  const auto [lo, hi] = std::minmax_element(run.begin(), run.end());
  const double range = std::max(1.0, *hi - *lo);
  const double w = width(), h = height();
  const int offset = slots_ - static_cast<int>(run.size());
  QPolygonF line;
  for (std::size_t i = 0; i < run.size(); ++i) {
    line << QPointF(w * (offset + static_cast<double>(i)) / (slots_ - 1),
                    h - 1 - (run[i] - *lo) / range * (h - 2));
  }
  painter->setRenderHint(QPainter::Antialiasing, true);
  painter->setPen(QPen(colour_, 1.5));
  painter->drawPolyline(line);
}

}  // namespace surgilink::console
