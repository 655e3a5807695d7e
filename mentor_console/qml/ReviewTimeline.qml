// The review's timeline: markers above it (annotations by author, alarms, pen changes, the surgeon's
// commands, link losses; a click jumps there), the track with the played part, the bookmarks and the
// playhead (click or drag to seek), and under it the strip of the mentor's glass-to-glass p95 and the link
// state over time.
import QtQuick
import QtQuick.Controls
import SurgiLink.Console 1.0

Item {
    id: timeline
    required property CaseReview review
    property real unit: 16
    // "" shows every marker; otherwise only markers of this kind.
    property string markerKind: ""
    implicitHeight: unit * 5.6

    function xOf(ms) { return review.durationMs > 0 ? Math.max(0, Math.min(1, ms / review.durationMs)) * width : 0 }
    function msOf(x) { return Math.max(0, Math.min(1, x / width)) * review.durationMs }

    // Markers.
    Item {
        id: lane
        anchors { left: parent.left; right: parent.right; top: parent.top }
        height: timeline.unit * 1.3
        Repeater {
            objectName: "timelineMarkers"
            model: review.markers
            Rectangle {
                objectName: "marker_" + index
                visible: timeline.markerKind === "" || timeline.markerKind === modelData.kind
                x: timeline.xOf(modelData.offsetMs) - width / 2
                y: modelData.kind === "annotation" ? lane.height * 0.45 : 0
                width: Math.max(3, timeline.unit * 0.3)
                height: modelData.kind === "annotation" ? lane.height * 0.55 : lane.height
                radius: width / 2
                color: modelData.colour
                MouseArea {
                    id: markerArea
                    anchors.fill: parent
                    anchors.margins: -2
                    hoverEnabled: true
                    onClicked: timeline.review.seek(modelData.offsetMs)
                }
                ToolTip.visible: markerArea.containsMouse
                ToolTip.text: modelData.label
            }
        }
    }

    // The track.
    Rectangle {
        id: track
        objectName: "timelineTrack"
        anchors { left: parent.left; right: parent.right; top: lane.bottom }
        height: timeline.unit * 1.4
        color: "#263238"
        radius: timeline.unit * 0.2
        Rectangle {
            width: timeline.xOf(review.positionMs)
            height: parent.height
            radius: parent.radius
            color: "#455a64"
        }
        Repeater {
            model: review.bookmarks
            Rectangle {
                x: timeline.xOf(modelData.offsetMs) - width / 2
                width: timeline.unit * 0.25
                height: track.height
                color: "#ffd740"
            }
        }
        MouseArea {
            anchors.fill: parent
            preventStealing: true
            onPressed: (mouse) => timeline.review.seek(timeline.msOf(mouse.x))
            onPositionChanged: (mouse) => { if (pressed) timeline.review.seek(timeline.msOf(mouse.x)) }
        }
        Rectangle {
            objectName: "playhead"
            x: timeline.xOf(review.positionMs) - width / 2
            y: -timeline.unit * 0.2
            width: Math.max(3, timeline.unit * 0.22)
            height: track.height + timeline.unit * 0.4
            color: "white"
        }
    }

    // The strip: the link state as bands, the mentor's reported glass-to-glass p95 as a line over them.
    Canvas {
        id: strip
        objectName: "latencyStrip"
        anchors { left: parent.left; right: parent.right; top: track.bottom; topMargin: timeline.unit * 0.2; bottom: parent.bottom }
        readonly property var bandColours: ({ "connected": "#1b5e20", "lost": "#b71c1c", "no mentor": "#37474f" })
        onPaint: {
            var ctx = getContext("2d")
            ctx.reset()
            var periods = timeline.review.linkPeriods
            for (var i = 0; i < periods.length; ++i) {
                var p = periods[i]
                ctx.fillStyle = bandColours[p.state] || "#37474f"
                var x0 = timeline.xOf(p.fromMs)
                ctx.fillRect(x0, height * 0.7, Math.max(1, timeline.xOf(p.toMs) - x0), height * 0.3)
            }
            var points = timeline.review.latencyPoints
            var top = Math.max(300, timeline.review.latencyMaxMs * 1.1)
            ctx.strokeStyle = "#80deea"
            ctx.lineWidth = 2
            ctx.beginPath()
            for (var j = 0; j < points.length; ++j) {
                var x = timeline.xOf(points[j].offsetMs)
                var y = height * 0.7 * (1 - Math.min(1, points[j].p95 / top))
                if (j === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y)
            }
            ctx.stroke()
        }
        onWidthChanged: requestPaint()
        onHeightChanged: requestPaint()
        Connections {
            target: timeline.review
            function onOpenedChanged() { strip.requestPaint() }
        }
        Text {
            anchors { left: parent.left; top: parent.top; leftMargin: timeline.unit * 0.2 }
            color: "#80deea"
            font.pixelSize: timeline.unit * 0.6
            text: review.latencyPoints.length > 0 ? qsTr("mentor glass-to-glass p95 (top: %1 ms)").arg(Math.round(Math.max(300, review.latencyMaxMs * 1.1)))
                                                 : qsTr("no latency reports in this recording")
        }
        Text {
            anchors { right: parent.right; bottom: parent.bottom; rightMargin: timeline.unit * 0.2 }
            color: "#b0bec5"
            font.pixelSize: timeline.unit * 0.55
            text: qsTr("link: green connected, red lost, grey no mentor")
        }
        MouseArea {
            anchors.fill: parent
            onPressed: (mouse) => timeline.review.seek(timeline.msOf(mouse.x))
        }
    }
}
