#include "latency_plot.hpp"

#include <QSGFlatColorMaterial>
#include <QSGGeometryNode>
#include <algorithm>

namespace surgilink::console {

namespace {
QSGGeometryNode* line_node(const QColor& colour, int points, float width) {
  auto* node = new QSGGeometryNode;
  auto* geometry = new QSGGeometry(QSGGeometry::defaultAttributes_Point2D(), points);
  geometry->setDrawingMode(QSGGeometry::DrawLineStrip);
  geometry->setLineWidth(width);
  node->setGeometry(geometry);
  node->setFlag(QSGNode::OwnsGeometry);
  auto* material = new QSGFlatColorMaterial;
  material->setColor(colour);
  node->setMaterial(material);
  node->setFlag(QSGNode::OwnsMaterial);
  return node;
}
}  // namespace

LatencyPlot::LatencyPlot(QQuickItem* parent) : QQuickItem(parent) { setFlag(ItemHasContents, true); }

void LatencyPlot::setValues(const QVariantList& v) {
  values_ = v;
  emit valuesChanged();
  update();
}
void LatencyPlot::setMaxMs(double v) {
  max_ms_ = std::max(1.0, v);
  emit valuesChanged();
  update();
}
void LatencyPlot::setAmberMs(double v) {
  amber_ms_ = v;
  emit valuesChanged();
  update();
}
void LatencyPlot::setGreenMs(double v) {
  green_ms_ = v;
  emit valuesChanged();
  update();
}

QSGNode* LatencyPlot::updatePaintNode(QSGNode* old_node, UpdatePaintNodeData*) {
  delete old_node;  // a handful of points once a second: rebuilding is simpler than patching
  auto* root = new QSGNode;
  const float w = static_cast<float>(width()), h = static_cast<float>(height());
  const auto y_of = [&](double ms) { return h - static_cast<float>(std::min(ms, max_ms_) / max_ms_) * h; };
  for (const auto& [ms, colour] :
       {std::pair{green_ms_, QColor("#2e7d32")}, std::pair{amber_ms_, QColor("#f9a825")}}) {
    auto* threshold = line_node(colour, 2, 1);
    auto* p = threshold->geometry()->vertexDataAsPoint2D();
    p[0].set(0, y_of(ms));
    p[1].set(w, y_of(ms));
    root->appendChildNode(threshold);
  }
  std::vector<std::pair<float, float>> points;
  const int kSlots = 60;
  const int offset = kSlots - static_cast<int>(values_.size());
  for (int i = 0; i < values_.size(); ++i) {
    if (!values_[i].isValid() || values_[i].isNull()) continue;
    points.emplace_back(w * static_cast<float>(offset + i) / (kSlots - 1), y_of(values_[i].toDouble()));
  }
  if (points.size() >= 2) {
    auto* line = line_node(QColor("#e3f2fd"), static_cast<int>(points.size()), 2);
    auto* p = line->geometry()->vertexDataAsPoint2D();
    for (std::size_t i = 0; i < points.size(); ++i) p[i].set(points[i].first, points[i].second);
    root->appendChildNode(line);
  }
  return root;
}

}  // namespace surgilink::console
