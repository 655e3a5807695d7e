// The latency panel: glass-to-glass per second over the last 60 s, and the per-stage breakdown.
import QtQuick
import SurgiLink.Console 1.0

Rectangle {
    required property MentorSession mentor
    property real unit: 16
    width: unit * 24
    height: unit * 16
    radius: unit / 3
    color: "#ee0b0f14"
    border.color: "#607d8b"

    Text {
        id: heading
        x: unit * 0.5; y: unit * 0.4
        color: "white"; font.pixelSize: unit; font.bold: true
        text: qsTr("Glass-to-glass, last 60 s")
    }
    LatencyPlot {
        id: plot
        objectName: "latencyPlot"
        anchors { left: parent.left; right: parent.right; top: heading.bottom; margins: unit * 0.5 }
        height: unit * 7
        values: mentor.latencyHistory
        greenMs: mentor.latencyGreenMs
        amberMs: mentor.latencyAmberMs
        maxMs: Math.max(mentor.latencyAmberMs * 1.2, 50)
    }
    Column {
        anchors { left: parent.left; right: parent.right; top: plot.bottom; margins: unit * 0.5 }
        spacing: unit * 0.1
        Repeater {
            model: mentor.stages
            Text {
                color: "#cfd8dc"; font.pixelSize: unit * 0.85
                text: qsTr("%1: p50 %2 ms, p95 %3 ms").arg(modelData.name).arg(modelData.p50.toFixed(1)).arg(modelData.p95.toFixed(1))
            }
        }
    }
}
