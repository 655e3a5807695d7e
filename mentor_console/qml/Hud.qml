// Latency HUD, always visible over the video: glass-to-glass now, p95 over 10 s with its clock-sync
// uncertainty, the picture's age, and link figures; coloured by threshold. A click opens the latency panel.
import QtQuick
import SurgiLink.Console 1.0

Rectangle {
    id: hud
    required property MentorSession mentor
    property real unit: 16
    signal clicked()
    readonly property color stateColour: mentor.latencyColour === "green" ? "#2e7d32"
                                       : mentor.latencyColour === "amber" ? "#f9a825"
                                       : mentor.latencyColour === "red" ? "#c62828" : "#455a64"
    width: column.implicitWidth + unit
    height: column.implicitHeight + unit * 0.6
    radius: unit / 3
    color: "#cc0b0f14"
    border.color: stateColour
    border.width: Math.max(2, unit / 6)

    Column {
        id: column
        anchors.centerIn: parent
        spacing: unit * 0.15
        Text {
            objectName: "latencyNow"
            color: hud.stateColour === "#455a64" ? "white" : hud.stateColour
            font.pixelSize: hud.unit * 2
            font.bold: true
            text: mentor.hasLatency ? mentor.g2gMs.toFixed(0) + " ms" : "— ms"
        }
        Text {
            objectName: "latencyP95"
            color: "white"
            font.pixelSize: hud.unit
            text: mentor.hasLatency ? "p95 " + mentor.p95Ms.toFixed(0) + " ms ±" + mentor.uncertaintyMs.toFixed(1) + " (10 s)"
                                    : "measuring…"
        }
        Text {
            color: "#cfd8dc"
            font.pixelSize: hud.unit * 0.9
            text: mentor.hasPicture ? "the picture is " + mentor.pictureAgeMs.toFixed(0) + " ms old" : "no picture yet"
        }
        Text {
            color: "#cfd8dc"
            font.pixelSize: hud.unit * 0.8
            text: mentor.fps.toFixed(0) + " fps · " + (mentor.bitrateKbps / 1000).toFixed(1) + " Mbit/s · loss "
                  + mentor.lossPct.toFixed(1) + " % · RTT " + mentor.rttMs.toFixed(1) + " ms"
        }
    }
    MouseArea { anchors.fill: parent; onClicked: hud.clicked() }
}
