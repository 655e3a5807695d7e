#pragma once
// The annotation scene drawn with QPainter from annotation::shape_of(), the geometry the OR display's OpenCV
// renderer draws from too, so that the console shows what the surgeon sees.

#include <QPainter>
#include <QRectF>

#include "surgilink/annotation/annotation.hpp"
#include "surgilink/annotation/placement.hpp"
#include "surgilink/annotation/scene.hpp"

namespace surgilink::console {

// Draws `scene` into `video_rect` (the picture's place on the painter's device, letterboxing excluded):
// every shape over a dark outline, anti-aliased, sizes scaled with the rectangle's height. Bad coordinates
// are skipped. GUI thread.
// `placements` (may be null; pixels of video_rect's size): where the OR display placed each annotation
// (review replays them); an annotation without one is drawn where it was drawn.
void paint_annotation_scene(QPainter& painter, const annotation::Scene& scene, QRectF video_rect,
                            const annotation::Placements* placements = nullptr);
// Same for one annotation (the console's own pointer, which the sender does not echo back at once).
void paint_annotation(QPainter& painter, const annotation::Annotation& annotation, QRectF video_rect,
                      const annotation::Placement* placement = nullptr);

}  // namespace surgilink::console
