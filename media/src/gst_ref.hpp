#pragma once
// Private to media/: owning references to GStreamer objects, released on every path out of a scope — a
// throw while a pipeline is half built included.

#include <memory>

#include <gst/gst.h>

namespace surgilink::media {

struct GstObjectUnref {
  void operator()(gpointer object) const {
    if (object != nullptr) gst_object_unref(object);
  }
};
struct GstMiniObjectUnref {
  template <typename T>
  void operator()(T* object) const {
    if (object != nullptr) gst_mini_object_unref(GST_MINI_OBJECT_CAST(object));
  }
};

// GstElement, GstPad, GstBus, ...: a full (not floating) reference.
template <typename T>
using GstObjectRef = std::unique_ptr<T, GstObjectUnref>;
// GstCaps, GstSample, GstEvent, ...
template <typename T>
using GstMiniRef = std::unique_ptr<T, GstMiniObjectUnref>;

// A new element of `factory`, owned (its floating reference sunk): a bin it is added to takes a reference of
// its own. Throws std::runtime_error naming the missing element.
GstObjectRef<GstElement> make_element(const char* factory, const char* name);

// The running time of `pts` on `pad`'s current segment: comparable across elements and pipelines' restarts
// (an encoder may shift PTS and segment together; a looped file's seek starts running time again).
GstClockTime running_time_on(GstPad* pad, GstClockTime pts);

}  // namespace surgilink::media
